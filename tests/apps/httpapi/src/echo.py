import json


def handler(event, context):
    if event.get("version") == "1.0":
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
    return event
