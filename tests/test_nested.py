"""Nested stacks from local templates (definition/nested.py): tests/apps/nested has a SAM application (child/,
Parameters passed, Outputs read by the parent, a layer of the parent used by ARN) and a CloudFormation stack
(orders.yaml), both served on the parent's port, and an application from the Serverless Application Repository,
which start-up names as not served."""

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

APP = APPS / "nested"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APP / "template.yaml", watch=False)
    yield running
    running.close()


def test_a_sam_application_is_served_with_the_parameters_passed(served: RunningGateway) -> None:
    reply = served.request("GET", "/child")
    assert reply.status == 200, reply.body
    body = reply.json()
    # a generated physical name in a nested stack: the stack's logical id in front (CloudFormation adds random parts)
    assert (body["function"], body["resource"], body["stage"]) == ("Child-ChildFunction", "/child", "Prod")
    assert body["env"] == {"APP_GREETING": "root says hi"}
    assert body["layer"] == "the shared layer"   # the parent's layer, passed by its ARN


def test_a_cloudformation_stack_is_served_with_its_own_api(served: RunningGateway) -> None:
    orders = served.request("GET", "/Prod/orders").json()
    root = served.request("GET", "/root").json()
    assert orders["function"] == "orders"
    assert orders["env"] == {"APP_STACK": "lambdagate-Orders", "APP_TABLE": "orders"}
    assert orders["apiId"] != root["apiId"]   # each stack's implicit API is an API of its own


def test_the_parent_reads_the_childs_outputs(served: RunningGateway) -> None:
    env = served.request("GET", "/root").json()["env"]
    assert env["APP_CHILD_GREETING"] == "root says hi!"
    assert env["APP_CHILD_FUNCTION"] == ARN + "Child-ChildFunction"
    # CloudFormation template reference, AWS::CloudFormation::Stack: Ref returns the stack ID
    assert env["APP_CHILD_STACK"].startswith("arn:aws:cloudformation:us-east-1:123456789012:stack/lambdagate-Child/")
    assert env["APP_REMOTE"] == "Remote.Outputs.Url"


def test_start_up_names_the_stacks_resources_and_the_remote_application(served: RunningGateway) -> None:
    functions = sorted(f.logical_id for f in served.deployment.functions.values())
    assert functions == ["Child/ChildFunction", "Orders/OrdersFunction", "RootFunction"]
    template = (APP / "template.yaml").resolve()
    assert (f"{template}:54: nested stack Remote comes from the Serverless Application Repository (arn:aws:"
            "serverlessrepo:us-east-1:123456789012:applications/remote-app 1.0.0), which lambdagate cannot read: its "
            "functions and APIs are not served") in served.console
    assert "!GetAtt Remote.Outputs.Url = Remote.Outputs.Url (nested stack not on this machine: lambdagate does " \
           "not know this value's shape)" in served.console


# -- broken nested stacks ---------------------------------------------------------------------------------------
PARENT = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {url}
      Parameters: {parameters}
"""
CHILD = """\
Parameters:
  Name: {Type: String}
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  TopicArn: {Value: !Ref Topic}
"""


def load(tmp_path: Path, url: str = "./child.yaml", parameters: str = "{Name: x}") -> None:
    (tmp_path / "template.yaml").write_text(PARENT.format(url=url, parameters=parameters))
    (tmp_path / "child.yaml").write_text(textwrap.dedent(CHILD))
    load_definition(tmp_path / "template.yaml", LoadOptions(state_dir=tmp_path / ".lambdagate"))


@pytest.mark.parametrize("url, parameters, line, field, expected", [
    ("./none.yaml", "{Name: x}", 6, "TemplateURL", "TemplateURL './none.yaml': no such file"),
    ("./child.yaml", "{Name: x, Other: y}", 7, "Parameters.Other",
     "Parameters: [Other] do not exist in the nested template"),
    ("./child.yaml", "{Name: [a, b]}", 7, "Parameters.Name", "a nested stack's parameter is a string"),
], ids=["missing-template", "unknown-parameter", "list-parameter"])
def test_a_broken_nested_stack_is_one_line_in_the_parent(tmp_path: Path, url: str, parameters: str, line: int,
                                                        field: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, url, parameters)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'template.yaml'}:{line}: Resources.Child.Properties.{field}: "), message
    assert expected in message and "\n" not in message


def test_a_parameter_the_parent_does_not_pass_names_the_child_and_the_parent(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load(tmp_path, parameters="{}")
    assert str(info.value) == (f"{tmp_path / 'child.yaml'}:2: Parameters.Name: parameter 'Name' has no Default: the "
                               f"stack's Parameters ({tmp_path / 'template.yaml'}:3) gives none")


def test_a_stack_from_s3_is_named_and_not_served(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(PARENT.format(url="https://s3.amazonaws.com/bucket/child.yaml",
                                                          parameters="{}"))
    deployment = load_definition(tmp_path / "template.yaml", LoadOptions(state_dir=tmp_path / ".lambdagate"))
    assert deployment.apis == () and deployment.functions == {}
    assert deployment.warnings[0].startswith(f"{tmp_path / 'template.yaml'}:3: nested stack Child comes from "
                                             "https://s3.amazonaws.com/bucket/child.yaml, which lambdagate cannot "
                                             "read")
