import json


def handler(event, context):
    """Answers with the event it received, as the body string."""
    return {"statusCode": 200, "body": json.dumps(event)}
