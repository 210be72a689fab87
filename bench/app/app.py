"""The benchmark's function: as small as a Lambda proxy handler gets, so that what is measured is lambdagate."""


def handler(event, context):
    return {"statusCode": 200, "body": "{\"message\": \"hello\"}"}
