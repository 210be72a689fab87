import json


def handler(event, context):
    if event.get("version") == "1.0":
        return {"statusCode": 200, "body": json.dumps({"payload": "1.0", "path": event["path"]})}
    note_id = (event.get("pathParameters") or {}).get("id")
    return {"route": event["routeKey"], "id": note_id, "stage": event["requestContext"]["stage"]}
