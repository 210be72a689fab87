import json


def hello(event, context):
    """A proxy result as API Gateway wants it: statusCode, headers, a *string* body."""
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    print(f"saying hello to {name}")
    return {
        "statusCode": 200,
        "headers": {"my_header": "my_value"},
        "body": json.dumps({"message": f"hello {name}"}),
        "isBase64Encoded": False,
    }


def dict_body(event, context):
    """The article's classic mistake: the body is an object, not a string -> 502 Malformed Lambda proxy response."""
    return {"statusCode": 200, "body": {"message": "hello"}}


def boom(event, context):
    """An unhandled exception -> 502 and 'Lambda execution failed ... due to customer function error'."""
    raise ValueError("something went wrong in the handler")
