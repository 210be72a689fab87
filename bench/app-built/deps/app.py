import json

import requests  # installed by `lambdagate build` (requirements.txt), imported at init as a real function would

REQUESTS_VERSION = requests.__version__
BODY = json.dumps({"message": "hello"})


def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": BODY,
            "isBase64Encoded": False}
