def handler(event, context):
    # three mistakes API Gateway rejects: a dict body, a dict header value, and HTTP APIs' `cookies` key
    return {"statusCode": 200, "headers": {"X-Meta": {"version": 2}}, "body": {"ok": True}, "cookies": ["a=1"]}
