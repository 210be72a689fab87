import json
import os


def handler(event, context):
    """The function's APP_* and AWS_ENDPOINT_URL variables, and whether the Powertools layer's package imports."""
    try:
        import aws_lambda_powertools
        layer = aws_lambda_powertools.WHO
    except ImportError as e:
        layer = f"no layer: {e}"
    env = {k: v for k, v in sorted(os.environ.items()) if k.startswith("APP_") or k == "AWS_ENDPOINT_URL"}
    return {"statusCode": 200, "body": json.dumps({"env": env, "layer": layer})}
