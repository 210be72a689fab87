import base64
import json


def handler(event, context):
    """.../echo: answer with the event as the body string. .../respond-with: answer with the JSON the request
    body holds (base64-decoded first when the gateway encoded it because of a binary media type)."""
    if event["path"].endswith("/echo"):
        return {"statusCode": 200, "body": json.dumps(event)}
    body = event["body"]
    if event["isBase64Encoded"]:
        body = base64.b64decode(body).decode("utf-8")
    return json.loads(body)
