"""References to resources lambdagate does not run (definition/placeholders.py): what `Ref` and `Fn::GetAtt` give
is CloudFormation's value in shape (template reference, "Return values" of each type), one start-up line lists them;
and the other notices of tests/apps/placeholders: TenancyConfig, two functions with one FunctionName."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate.definition.placeholders import KINDS, generated

APP = APPS / "placeholders"
REGION_ACCOUNT = "us-east-1:123456789012"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APP / "template.yaml", watch=False)
    yield running
    running.close()


@pytest.fixture(scope="module")
def env(served: RunningGateway) -> dict[str, str]:
    reply = served.request("GET", "/shop/show")
    assert reply.status == 200, reply.body
    return dict(reply.json()["env"])


CASES = [
    # (id, variable, expected value or pattern)
    ("DynamoDB-Ref-is-the-table-name", "APP_TABLE", "books"),
    ("DynamoDB-Arn", "APP_TABLE_ARN", f"arn:aws:dynamodb:{REGION_ACCOUNT}:table/books"),
    ("SQS-Ref-is-the-queue-URL", "APP_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/Queue"),
    ("SQS-Arn", "APP_QUEUE_ARN", f"arn:aws:sqs:{REGION_ACCOUNT}:Queue"),
    ("SQS-FIFO-name-ends-in-fifo", "APP_FIFO_NAME", "FifoQueue.fifo"),
    ("SNS-Ref-is-the-topic-ARN", "APP_TOPIC", f"arn:aws:sns:{REGION_ACCOUNT}:Topic"),
    ("S3-Ref-is-a-lower-case-bucket-name", "APP_BUCKET", "mybucket"),
    ("S3-RegionalDomainName", "APP_BUCKET_DOMAIN", "mybucket.s3.us-east-1.amazonaws.com"),
    ("Cognito-Ref-is-a-user-pool-id", "APP_USER_POOL", re.compile(r"us-east-1_[0-9A-Za-z]{9}")),
    ("Cognito-Arn", "APP_USER_POOL_ARN",
     re.compile(rf"arn:aws:cognito-idp:{REGION_ACCOUNT}:userpool/us-east-1_\w{{9}}")),
    ("SecretsManager-Ref-is-the-ARN", "APP_SECRET",
     re.compile(rf"arn:aws:secretsmanager:{REGION_ACCOUNT}:secret:app/secret-[0-9A-Za-z]{{6}}")),
    ("StateMachine-Ref-is-the-ARN", "APP_STATE_MACHINE", f"arn:aws:states:{REGION_ACCOUNT}:stateMachine:Workflow"),
    ("SAM-implicit-role-Arn", "APP_ROLE", "arn:aws:iam::123456789012:role/ShowFunctionRole"),
    ("SAM-Api-Stage-Ref", "APP_STAGE", "shop"),
    ("unknown-shapes-are-named", "APP_CUSTOM", "Thing.Endpoint"),
    ("ImportValue-gives-the-export-name", "APP_SHARED", "shared-vpc-id"),
    ("SAM-AutoPublishAlias-Ref-is-the-alias-ARN", "APP_ALIAS", f"arn:aws:lambda:{REGION_ACCOUNT}:function:"
                                                               "AliasedFunction:live"),
]


@pytest.mark.parametrize("variable, expected", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_a_reference_has_cloudformations_shape(env: dict[str, str], variable: str,
                                               expected: str | re.Pattern[str]) -> None:
    if isinstance(expected, str):
        assert env[variable] == expected
    else:
        assert expected.fullmatch(env[variable]), env[variable]


def test_a_sub_of_the_api_and_its_stage_is_the_deployed_url(served: RunningGateway, env: dict[str, str]) -> None:
    (api,) = served.deployment.apis
    assert env["APP_URL"] == f"https://{api.id}.execute-api.us-east-1.amazonaws.com/shop"


def test_generated_ids_are_stable_and_shaped() -> None:
    ids = generated("lambdagate/UserPool")
    assert ids == generated("lambdagate/UserPool")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}", ids["uuid"])
    assert KINDS["AWS::SQS::Queue"].ref == "https://sqs.{region}.{suffix}/{account}/{name}"


def test_one_start_up_line_lists_the_placeholders(served: RunningGateway, env: dict[str, str]) -> None:
    template = (APP / "template.yaml").resolve()
    [line] = [line for line in served.console.splitlines() if "resources lambdagate does not run" in line]
    assert f"{template}: resources lambdagate does not run are given the values CloudFormation would give, in " \
           "shape: !Ref Table = books (AWS::DynamoDB::Table); !GetAtt Table.Arn = " in line
    assert "!GetAtt Thing.Endpoint = Thing.Endpoint (Custom::Thing: lambdagate does not know this value's shape)" \
        in line
    assert "!ImportValue shared-vpc-id = shared-vpc-id (another stack's export: lambdagate does not know this " \
           "value's shape)" in line


def test_tenancy_config_is_named_with_what_requests_get(served: RunningGateway) -> None:
    assert f"{(APP / 'template.yaml').resolve()}:16: ShowFunction: TenancyConfig (tenant isolation) is not " \
           "emulated: every request runs in the function's shared execution environments" in served.console


def test_two_functions_of_one_name_are_named_and_the_first_serves_both(served: RunningGateway) -> None:
    template = (APP / "template.yaml").resolve()
    assert f"{template}:41: TwinFunction has the FunctionName 'show' of ShowFunction ({template}:12); " \
           "CloudFormation cannot create a second function of the same name" in served.console
    reply = served.request("GET", "/shop/twin")
    assert (reply.status, reply.json()["resource"]) == (200, "/twin")
    assert [f.logical_id for f in served.deployment.functions.values()] == ["ShowFunction", "AliasedFunction"]
