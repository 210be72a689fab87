import json

import generated  # written by the Makefile into ARTIFACTS_DIR


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"made": generated.MADE})}
