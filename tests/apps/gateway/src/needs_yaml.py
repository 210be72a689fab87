import yaml  # installed for lambdagate, never vendored here: must fail as on AWS


def handler(event, context):
    return {"statusCode": 200, "body": yaml.__name__}
