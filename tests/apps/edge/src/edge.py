import os
import subprocess
import sys


def partial(event, context):
    """Output whose last line has no newline."""
    sys.stdout.write("partial line")
    return {"statusCode": 200, "body": "partial"}


def long_line(event, context):
    print("L" * 300000)
    return {"statusCode": 200, "body": "long"}


def plain(event, context):
    print("plain output")
    return {"statusCode": 200, "body": context.aws_request_id}


def injected(event, context):
    return {"statusCode": 200, "headers": {"X-A": "1\r\nInjected: yes"}, "body": "x"}


def orphan(event, context):
    """Dies, leaving a child (in its own session) that holds stdout open."""
    subprocess.Popen(["sleep", "20"], start_new_session=True)
    os._exit(1)
