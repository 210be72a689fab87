import json
import os


def handler(event, context):
    """The function's name, memory and APP_* variables, and the resource the request reached."""
    body = {"function": context.function_name, "memory": int(context.memory_limit_in_mb),
            "resource": event["resource"], "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("APP_")}}
    return {"statusCode": 200, "body": json.dumps(body)}
