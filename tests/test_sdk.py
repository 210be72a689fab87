"""What Lambda's runtimes carry: a Python function uses boto3 and a nodejs22.x function @aws-sdk/client-dynamodb
and @aws-sdk/lib-dynamodb, neither packaged with the code, against moto's DynamoDB on loopback named by
AWS_ENDPOINT_URL in lambdagate's environment (passed through to the functions, with the credentials). Served from
a fresh copy with `lambdagate serve`; the Node.js SDK packages are installed into lambdagate's cache on first use."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import boto3
import pytest

from aws_emulator import FAKE_CREDENTIALS, moto_server
from conftest import copy_app
from served import Served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        dynamodb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        dynamodb.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        yield url


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, endpoint: str) -> Iterator[Served]:
    if shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    served = Served(copy_app(tmp_path_factory, "sdk"), env={**environment, **FAKE_CREDENTIALS,
                                                            "AWS_ENDPOINT_URL": endpoint})
    yield served
    served.close()


def test_python_writes_with_boto3_and_node_reads_with_the_sdk_v3(app: Served) -> None:
    assert app.request("PUT", "/python/items/p1", b"from python").status == 201, app.output
    reply = app.request("GET", "/node/items/p1")
    assert reply.status == 200, app.output
    assert reply.json() == {"id": "p1", "body": "from python", "by": "python", "read_by": "node"}


def test_node_writes_and_python_reads_with_the_runtimes_boto3(app: Served) -> None:
    assert app.request("PUT", "/node/items/n1", b"from node").status == 201, app.output
    reply = app.request("GET", "/python/items/n1")
    assert reply.status == 200, app.output
    body = reply.json()
    assert (body["id"], body["body"], body["by"], body["read_by"]) == ("n1", "from node", "node", "python")
    # boto3 comes from the runtime's place (/var/runtime on Lambda), not from the code folder (app.py only)
    assert body["botocore_file"] == os.path.join(body["runtime_dir"], "botocore", "__init__.py")
    assert sorted(p.name for p in (app.folder / "python").iterdir()) == ["app.py"]


def test_the_sdk_is_in_lambdagates_cache_not_in_the_project(app: Served) -> None:
    assert not (app.folder / "node" / "node_modules").exists()
    assert sorted(p.name for p in (app.folder / "node").iterdir()) == ["index.mjs"]
    assert app.request("GET", "/node/items/missing").json() == {"message": "no item missing"}
