raise RuntimeError("configuration missing at import time")


def handler(event, context):
    return {"statusCode": 200}
