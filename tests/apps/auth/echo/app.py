import json


def handler(event, context):
    request = event["requestContext"]
    return {"statusCode": 200, "body": json.dumps({"authorizer": request.get("authorizer"),
                                                   "identity": request["identity"], "body": event["body"],
                                                   "keys": list(request)})}
