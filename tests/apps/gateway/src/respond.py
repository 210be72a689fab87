import json


def handler(event, context):
    """Answers with whatever JSON the request body holds: the test decides the proxy result."""
    return json.loads(event["body"])
