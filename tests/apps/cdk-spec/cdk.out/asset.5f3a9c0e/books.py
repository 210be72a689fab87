import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"function": context.function_name, "resource": event["resource"],
                                                   "stage": event["requestContext"]["stage"]})}
