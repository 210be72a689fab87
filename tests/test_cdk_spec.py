"""CDK's SpecRestApi with `ApiDefinition.fromAsset`: the OpenAPI document is the asset file that the RestApi's
`aws:asset:path` metadata names (aws-cdk-lib aws-apigateway api-definition.ts, AssetApiDefinition.bindAfterCreate
adds `aws:asset:path` and `aws:asset:property: BodyS3Location`), read from cdk.out as S3 would serve it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import APPS
from harness import RunningGateway

TEMPLATE = APPS / "cdk-spec" / "cdk.out" / "SpecStack.template.json"


@pytest.fixture(scope="module")
def spec() -> Iterator[RunningGateway]:
    running = RunningGateway(TEMPLATE, watch=False)
    yield running
    running.close()


@pytest.mark.parametrize("target", ["/books", "/prod/books"])
def test_the_api_is_the_asset_document(spec: RunningGateway, target: str) -> None:
    reply = spec.request("GET", target)
    assert reply.status == 200, reply.body
    assert reply.json() == {"function": "spec-books", "resource": "/books", "stage": "prod"}


def test_the_methods_are_located_in_the_asset(spec: RunningGateway) -> None:
    (api,) = spec.deployment.apis
    method = next(r for r in api.resources if r.path == "/books").methods["GET"]
    assert str(method.location) == f"{TEMPLATE.parent.resolve() / 'asset.9d1e7b42.yaml'}:7"
    assert api.name == "SpecApi"
