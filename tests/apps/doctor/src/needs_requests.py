import requests  # a dependency that was never installed into CodeUri


def handler(event, context):
    return {"statusCode": 200, "body": requests.__name__}
