"""The orders service: one code folder deployed as two functions (orders-live, orders-beta); each stage's
`fn` stage variable picks which one its integrations invoke."""

import json
import os


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("id")
    return {
        "statusCode": 201 if event["httpMethod"] == "POST" else 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "function": context.function_name,
            "variant": os.environ["VARIANT"],
            "order": order_id,
            "stage": event["requestContext"]["stage"],
            "stageVariables": event["stageVariables"],
            "resource": event["resource"],
        }),
    }
