import os

VERSION = "one"


def handler(event, context):
    print("root invoked")  # written to the log store under .lambdagate/ with every request
    return {"statusCode": 200, "body": f"{VERSION} pid={os.getpid()}"}
