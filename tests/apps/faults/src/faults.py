"""Functions that fail in every way a function can (tests/test_faults.py, bench/soak.py)."""
import base64
import ctypes
import os
import subprocess
import sys
import time

_calls = 0


def ok(event, context):
    global _calls
    _calls += 1
    params = event.get("queryStringParameters") or {}
    time.sleep(float(params.get("sleep", "0")))
    return {"statusCode": 200, "body": f"ok pid={os.getpid()} calls={_calls}"}


def echo(event, context):
    """The body as the function received it, and how."""
    body = event.get("body") or ""
    headers = event.get("headers") or {}
    return {"statusCode": 200, "headers": {"X-Base64": str(event.get("isBase64Encoded")),
                                           "X-Body-Length": str(len(body)),
                                           "X-Content-Encoding": headers.get("Content-Encoding", "")},
            "body": body, "isBase64Encoded": bool(event.get("isBase64Encoded"))}


def _spawn_tree():
    """A forked child that burns a core, and a grandchild in a session of its own, both left running."""
    if os.fork() == 0:
        while True:
            pass
    subprocess.Popen(["sleep", "300"], start_new_session=True)


def fault(event, context):
    kind = event["pathParameters"]["kind"]
    root = os.environ["LAMBDA_TASK_ROOT"]
    if kind == "pid":
        return {"statusCode": 200, "body": f"pid={os.getpid()}"}
    if kind == "loop":
        while True:
            pass
    if kind == "exit":
        os._exit(3)
    if kind == "segfault":
        ctypes.string_at(0)
    if kind == "raise":
        raise RuntimeError("fault injected")
    if kind == "big":
        return {"statusCode": 200, "body": "x" * (7 * 1024 * 1024)}
    if kind == "memory":
        hog = bytearray(300 * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        time.sleep(2)
    if kind == "flood":
        line = "f" * 1023 + "\n"
        for _ in range(20 * 1024):  # 20 MiB of output
            sys.stdout.write(line)
        return {"statusCode": 200, "body": "flooded"}
    if kind == "tree":  # leaves a forked child and a setsid() grandchild, then answers
        _spawn_tree()
        return {"statusCode": 200, "body": "tree"}
    if kind == "tree-loop":  # leaves them, then never answers
        _spawn_tree()
        while True:
            pass
    if kind == "close-stdout":
        os.close(1)
        return {"statusCode": 200, "body": "closed"}
    if kind == "write-task":
        try:
            with open(os.path.join(root, "written.txt"), "w") as f:
                f.write("x")
        except OSError as e:
            return {"statusCode": 200, "body": f"{type(e).__name__}: {e}"}
        return {"statusCode": 200, "body": "written"}
    if kind == "write-tmp":
        path = f"/tmp/lambdagate-fault-{context.aws_request_id}"
        with open(path, "w") as f:
            f.write("x")
        os.remove(path)
        return {"statusCode": 200, "body": "tmp is writable"}
    return {"statusCode": 404, "body": f"no fault {kind!r}"}
