import shared_helper


def handler(event, context):
    return {"statusCode": 200, "body": shared_helper.greeting()}
