import json
import os


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({
        "function": context.function_name, "invokedFunctionArn": context.invoked_function_arn,
        "flavour": os.environ.get("FLAVOUR"), "stageVariables": event["stageVariables"]})}
