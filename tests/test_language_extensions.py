"""`Transform: AWS::LanguageExtensions` (definition/language_extensions.py, intrinsics.py): tests/apps/extensions
makes its functions and routes with Fn::ForEach over a CommaDelimitedList (a loop nested in their properties), and
uses Fn::Length, Fn::ToJsonString, FindInMap's DefaultValue and an intrinsic DeletionPolicy. Cases follow the
CloudFormation template reference pages of each (archived awsdocs/aws-cloudformation-user-guide doc_source/
intrinsic-function-reference-foreach.md, -length.md, -ToJsonString.md, -findinmap-enhancements.md,
transform-aws-languageextensions.md)."""

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

APP = APPS / "extensions"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APP / "template.yaml", watch=False)
    yield running
    running.close()


@pytest.mark.parametrize("target, function, memory, endpoint", [
    ("/users", "users-fn", 256, "users"),
    ("/Prod/order-items", "order-items-fn", 128, "order-items"),
], ids=["mapped-memory", "FindInMap-DefaultValue"])
def test_each_copy_is_a_function_with_its_route(served: RunningGateway, target: str, function: str, memory: int,
                                                endpoint: str) -> None:
    reply = served.request("GET", target)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert (body["function"], body["memory"], body["resource"]) == (function, memory, f"/{endpoint}")
    assert body["env"] == {
        "APP_COUNT": "2",                                                    # Fn::Length of the list parameter
        "APP_CONFIG": f'{{"endpoint":"{endpoint}","all":["users","order-items"]}}',   # compact JSON
        "APP_ENDPOINT": endpoint,                                            # Ref of the loop's identifier
        "APP_FLAG_A": f"A-{endpoint}", "APP_FLAG_B": f"B-{endpoint}",      # a loop in properties, nested
    }


def test_logical_ids_use_the_alphanumeric_form(served: RunningGateway) -> None:
    """`&{Identifier}` drops the characters a logical id cannot hold."""
    assert sorted(f.logical_id for f in served.deployment.functions.values()) == ["orderitemsFunction",
                                                                                  "usersFunction"]


# -- what CloudFormation refuses --------------------------------------------------------------------------------
def load(tmp_path: Path, text: str) -> None:
    (tmp_path / "template.yaml").write_text(textwrap.dedent(text))
    load_definition(tmp_path / "template.yaml", LoadOptions(state_dir=tmp_path / ".lambdagate"))


TOPICS = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Kind
    - {collection}
    - "{key}":
        Type: AWS::SNS::Topic
        DeletionPolicy: {policy}
"""


@pytest.mark.parametrize("text, line, field, message", [
    (TOPICS.replace("Transform: AWS::LanguageExtensions\n", "").format(collection="[a]", key="T${Kind}",
                                                                         policy="Delete"),
     2, "Resources.Fn::ForEach::Topics", "Fn::ForEach needs `Transform: AWS::LanguageExtensions` in the template"),
    (TOPICS.format(collection="[a]", key="Topic", policy="Delete"), 6, "Resources.Fn::ForEach::Topics.2.Topic",
     "the OutputKey 'Topic' must contain ${Kind} or &{Kind}"),
    (TOPICS.format(collection="a", key="T${Kind}", policy="Delete"), 5, "Resources.Fn::ForEach::Topics.1",
     "a Fn::ForEach collection is a list or a Ref to a CommaDelimitedList parameter"),
    (TOPICS.format(collection="[a, a]", key="T${Kind}", policy="Delete"), 5, "Resources.Fn::ForEach::Topics.1",
     "the collection gives 'a' twice: 'Ta' would be made twice"),
    (TOPICS.format(collection="[a]", key="T${Kind}", policy="Keep"), 8,
     "Resources.Fn::ForEach::Topics.2.T${Kind}.DeletionPolicy",
     "DeletionPolicy 'Keep': expected one of Delete, Retain, RetainExceptOnCreate, Snapshot"),
    ("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    DeletionPolicy: !Ref AWS::NoValue\n", 4,
     "Resources.T.DeletionPolicy", "DeletionPolicy is a literal (Delete, Retain, RetainExceptOnCreate, Snapshot) "
     "unless the template declares `Transform: AWS::LanguageExtensions`"),
    ("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {'Fn::Length': [1]}\n", 5,
     "Resources.T.Properties.TopicName.Fn::Length", "Fn::Length needs `Transform: AWS::LanguageExtensions` in the "
     "template"),
], ids=["ForEach-without-transform", "OutputKey-without-identifier", "collection-not-a-list", "duplicate-copy",
        "unknown-DeletionPolicy", "intrinsic-DeletionPolicy-without-transform", "Length-without-transform"])
def test_what_cloudformation_refuses_is_one_line(tmp_path: Path, text: str, line: int, field: str,
                                                 message: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, text)
    assert str(info.value) == f"{tmp_path / 'template.yaml'}:{line}: {field}: {message}"
