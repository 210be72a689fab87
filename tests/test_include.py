"""The AWS::Include transform with local files (definition/include.py): tests/apps/include holds a snippet as a whole
DefinitionBody, one merged beside other keys, and one in the Transform section; intrinsic functions in snippets are
resolved as in the template; broken snippets are one line naming the snippet's file, line and field."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate.definition.loader import load_definition
from lambdagate.definition.stack import LoadOptions
from lambdagate.errors import DefinitionError

APP = APPS / "include"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APP / "template.yaml", watch=False)
    yield running
    running.close()


@pytest.mark.parametrize("target, resource", [("/v1/books", "/books"), ("/books/7", "/books/{id}")])
def test_an_included_openapi_document_is_the_api(served: RunningGateway, target: str, resource: str) -> None:
    reply = served.request("GET", target)
    assert reply.status == 200, reply.body
    assert (reply.json()["function"], reply.json()["resource"], reply.json()["stage"]) == ("books", resource, "v1")


def test_a_snippet_beside_other_keys_is_merged_and_its_intrinsics_resolved(served: RunningGateway) -> None:
    env = served.request("GET", "/books").json()["env"]
    assert env == {"APP_GREETING": "hello from a snippet", "APP_OWN": "own", "APP_REGION": "us-east-1"}


def test_a_snippet_in_the_transform_section_adds_its_resources(served: RunningGateway) -> None:
    reply = served.request("GET", "/Prod/extra")
    assert (reply.status, reply.json()["resource"]) == (200, "/extra")


def test_the_routes_are_located_in_the_snippet(served: RunningGateway) -> None:
    (books,) = [api for api in served.deployment.apis if api.logical_id == "BooksApi"]
    method = next(r for r in books.resources if r.path == "/books/{id}").methods["GET"]
    assert str(method.location) == f"{(APP / 'api' / 'books.yaml').resolve()}:14"   # its get:


# -- broken snippets --------------------------------------------------------------------------------------------
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: {location}
"""


def load(tmp_path: Path, location: str, snippet: str | None = None) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(location=location))
    if snippet is not None:
        (tmp_path / "api.yaml").write_text(textwrap.dedent(snippet))
    load_definition(tmp_path / "template.yaml", LoadOptions(state_dir=tmp_path / ".lambdagate"))


def test_a_short_form_in_a_snippet_is_refused_with_its_line(tmp_path: Path) -> None:
    """AWS::Include transform, considerations: short forms are not supported in snippets."""
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, "./api.yaml", """\
            openapi: "3.0.1"
            paths:
              /x:
                get:
                  x-amazon-apigateway-integration:
                    uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/f/invocations
            """)
    assert str(info.value) == (f"{tmp_path / 'api.yaml'}:6: !Sub: CloudFormation reads an AWS::Include snippet "
                               "without YAML short forms; write the long form (Fn::Sub, Ref, Fn::GetAtt, ...)")


def test_an_error_in_a_snippet_names_the_snippet(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, "./api.yaml", """\
            openapi: "3.0.1"
            paths:
              /x:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    timeoutInMillis: soon
            """)
    assert str(info.value) == (f"{tmp_path / 'api.yaml'}:7: paths./x.get.x-amazon-apigateway-integration."
                               "timeoutInMillis: expected a whole number, got 'soon'")


@pytest.mark.parametrize("location, expected", [
    ("./missing.yaml", "AWS::Include Location './missing.yaml': no such file"),
    ("s3://bucket/api.yaml", "AWS::Include Location 's3://bucket/api.yaml' is in S3; lambdagate reads the snippet "
                             "from this machine: write its local path (./api.yaml)"),
], ids=["missing-file", "s3"])
def test_a_location_that_cannot_be_read_is_one_line(tmp_path: Path, location: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, location)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'template.yaml'}:11: Resources.Api.Properties.DefinitionBody."
                              "Fn::Transform.Parameters.Location: "), message
    assert expected in message
    assert "\n" not in message
