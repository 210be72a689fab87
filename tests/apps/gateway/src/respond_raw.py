def handler(event, context):
    """Answers with the request body's bytes exactly (the runtime passes bytes through unserialised), so a test
    can send a proxy result that a Python dict cannot hold, e.g. duplicate JSON keys."""
    return event["body"].encode("utf-8")
