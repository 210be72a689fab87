import json


def hello(event, context):
    """Payload 2.0: the path is decoded, parameters and cookies are plain fields; no Content-Type means
    `text/plain; charset=utf-8` on an HTTP API (REST would say application/json)."""
    name = event["pathParameters"]["name"]
    print(f"saying hello to {name} ({event['routeKey']}, request {event['requestContext']['requestId']})")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "cookies": [f"last_name={name}; Path=/"],
        "body": json.dumps({"message": f"hello {name}"}),
    }


def inferred(event, context):
    """No statusCode: the whole answer is the body, 200 application/json."""
    return {"message": "inferred", "headers": "this key is data here, not headers"}


def dict_body(event, context):
    """With a statusCode, the body must be a string: an object is a 500 {"message":"Internal Server Error"}."""
    return {"statusCode": 200, "body": {"message": "hello"}}


def boom(event, context):
    """An unhandled exception: 500 {"message":"Internal Server Error"} (REST says 502)."""
    raise ValueError("something went wrong in the handler")


def legacy(event, context):
    """Payload 1.0 on an HTTP API: REST's event with version "1.0", the 16-character request id."""
    return {"statusCode": 200, "body": json.dumps({"version": event["version"], "path": event["path"]})}
