def handler(event, context):
    allowed = event["headers"].get("x-pass") == "yes"
    return {"isAuthorized": allowed, "context": {"user": "alice", "route": event["routeKey"]}}
