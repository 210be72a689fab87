import os

VERSION = "one"


def handler(event, context):
    return {"statusCode": 200, "body": f"{VERSION} pid={os.getpid()}"}
