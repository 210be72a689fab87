import json
import os

BOOKS = [{"id": "1", "title": "Dune"}, {"id": "2", "title": "Emma"}]


def handler(event, context):
    context_ = event["requestContext"]
    seen = {"function": context.function_name, "table": os.environ.get("TABLE"), "resource": event["resource"],
            "pathParameters": event["pathParameters"], "apiId": context_["apiId"],
            "accountId": context_["accountId"], "stage": context_["stage"]}
    if event["resource"] == "/books" and event["httpMethod"] == "GET":
        seen["books"] = BOOKS
    return {"statusCode": 201 if event["httpMethod"] == "POST" else 200,
            "headers": {"Content-Type": "application/json"}, "body": json.dumps(seen)}
