import os
import time

VERSION = "one"
_calls = 0


def handler(event, context):
    global _calls
    _calls += 1
    params = event.get("queryStringParameters") or {}
    time.sleep(float(params.get("sleep", "0")))
    if "allocate_mb" in params:
        hog = bytearray(int(params["allocate_mb"]) * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        time.sleep(2)
    return {"statusCode": 200, "body": f"{VERSION} pid={os.getpid()} calls={_calls}"}
