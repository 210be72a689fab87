import json
import os

import boto3
import botocore

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def lambda_handler(event, context):
    item_id = event["pathParameters"]["id"]
    if event["httpMethod"] == "PUT":
        table.put_item(Item={"id": item_id, "body": event["body"], "by": "python"})
        return {"statusCode": 201, "body": json.dumps({"id": item_id})}
    item = table.get_item(Key={"id": item_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"message": f"no item {item_id}"})}
    return {"statusCode": 200, "body": json.dumps({**item, "read_by": "python", "boto3": boto3.__version__,
                                                   "botocore_file": botocore.__file__,
                                                   "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"]})}
