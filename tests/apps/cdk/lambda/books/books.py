import json
import os

BOOKS = {"1": {"id": "1", "title": "Dune"}, "2": {"id": "2", "title": "Emma"}}


def handler(event, context):
    method = event["httpMethod"]
    book_id = (event.get("pathParameters") or {}).get("id")
    if method == "POST":
        body = json.loads(event["body"] or "{}")
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"created": body, "table": os.environ.get("TABLE_NAME")})}
    if book_id is None:
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(sorted(BOOKS.values(), key=lambda b: b["id"]))}
    book = BOOKS.get(book_id)
    if book is None:
        return {"statusCode": 404, "body": json.dumps({"message": f"no book {book_id}"})}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(book)}
