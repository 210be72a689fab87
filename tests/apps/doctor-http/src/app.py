import json

JSON = {"Content-Type": "application/json"}


def good(event, context):
    return {"statusCode": 200, "headers": JSON, "body": json.dumps({"ok": True})}


def inferred_keys(event, context):
    """No statusCode: payload 2.0 sends this whole object as the body; the headers are not applied."""
    return {"headers": JSON, "body": json.dumps({"ok": True})}


def no_content_type(event, context):
    """Valid, but clients get text/plain; charset=utf-8 on an HTTP API."""
    return {"statusCode": 200, "body": json.dumps({"ok": True})}


def bad_body(event, context):
    return {"statusCode": 200, "headers": JSON, "body": {"ok": True}}


def reads_v1(event, context):
    """Reads payload 1.0's httpMethod, but the route sends 2.0."""
    return {"statusCode": 200, "headers": JSON, "body": json.dumps({"method": event["httpMethod"]})}


def reads_v2(event, context):
    """Reads payload 2.0's rawPath, but the route sends 1.0."""
    return {"statusCode": 200, "headers": JSON, "body": json.dumps({"path": event["rawPath"]})}
