import json
import os


def handler(event, context):
    """Answers with what a test checks: where the request arrived and the function's APP_* variables."""
    body = {"function": context.function_name, "resource": event["resource"], "path": event["path"],
            "contextPath": event["requestContext"]["path"], "stage": event["requestContext"]["stage"],
            "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("APP_")}}
    return {"statusCode": 200, "body": json.dumps(body)}
