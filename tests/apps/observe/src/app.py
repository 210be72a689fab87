import json


def ok(event, context):
    print("handling", event["path"])
    return {"statusCode": 200, "body": json.dumps({"ok": True})}


def boom(event, context):
    raise RuntimeError("observed failure")


def malformed(event, context):
    return {"statusCode": 200, "body": {"not": "a string"}}
