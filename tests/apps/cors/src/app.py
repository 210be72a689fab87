import json


def items(event, context):
    """The function adds the CORS headers to its own answers: API Gateway only answers the preflight."""
    return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"},
            "body": json.dumps({"method": event["httpMethod"], "custom": (event["headers"] or {}).get("X-Custom")})}
