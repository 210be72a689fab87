import json


def handler(event, context):
    jwt = (event["requestContext"].get("authorizer") or {}).get("jwt") or {}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"routeKey": event["routeKey"], "scopes": jwt.get("scopes"),
                                "clientId": (jwt.get("claims") or {}).get("client_id")})}
