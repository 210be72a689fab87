"""Writes a row on every call, GET included (a side effect a safe method should not have, as in real code)."""
import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    table.put_item(Item={"id": str(uuid.uuid4()), "method": event["httpMethod"]})
    return {"statusCode": 200, "body": json.dumps({"written": True})}
