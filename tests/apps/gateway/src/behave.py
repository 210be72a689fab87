import json
import os
import sys
import time


def raise_error(event, context):
    raise ValueError("the handler failed on purpose")


def sleep(event, context):
    seconds = float((event.get("queryStringParameters") or {}).get("seconds", "5"))
    time.sleep(seconds)
    return {"statusCode": 200, "body": "slept"}


def exit_process(event, context):
    how = (event.get("queryStringParameters") or {}).get("how", "sys")
    if how == "sys":
        sys.exit(3)
    if how == "zero":
        os._exit(0)
    if how == "kill":
        os.kill(os.getpid(), 9)
    os._exit(7)


def big(event, context):
    return {"statusCode": 200, "body": "x" * (6 * 1024 * 1024 + 100)}


def noisy(event, context):
    print("line one")
    print("line two\nline three")
    sys.stderr.write("to stderr\n")
    return {"statusCode": 200, "body": "noisy"}


def context_info(event, context):
    return {"statusCode": 200, "body": json.dumps({
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items()},
        "sys_path": sys.path,
    })}


def unmarshallable(event, context):
    return {"statusCode": 200, "body": {1, 2}}
