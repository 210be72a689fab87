import json


def handler(event, context):
    """Says which kind of API called: an HTTP API's 2.0 event has `routeKey`, a REST event has `resource`."""
    kind = "http" if event.get("version") == "2.0" else "rest"
    route = event.get("routeKey") or f"{event['httpMethod']} {event['resource']}"
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"kind": kind, "route": route})}
