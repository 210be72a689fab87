import json
import time


def handler(event, context):
    """POST with a JSON body: answer with that proxy result. Otherwise echo the event (and sleep on /slow)."""
    if event["path"].endswith("/slow"):
        time.sleep(1)
    if event["httpMethod"] == "POST" and event["path"].endswith("/respond-with"):
        return json.loads(event["body"])
    if event["path"].endswith("/binary"):
        return {"statusCode": 200, "body": event["body"], "isBase64Encoded": event["isBase64Encoded"],
                "headers": {"Content-Type": "image/png"}}
    return {"statusCode": 200, "body": json.dumps(event)}
