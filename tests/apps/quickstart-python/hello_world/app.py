import json
import os
import sys

# import requests


def lambda_handler(event, context):
    """Sample pure Lambda function (sam init's hello world), also saying which Python runs it."""
    return {
        "statusCode": 200,
        "body": json.dumps({
            "message": "hello world",
            "python": "%d.%d" % sys.version_info[:2],
            "runtime": os.environ["AWS_EXECUTION_ENV"],
        }),
    }
