"""`lambdagate explain --aws` against moto's server: execution-log and Lambda-log events written with
put_log_events in the shapes AWS writes them (fact sheet §4.1, §5.3), fetched with FilterLogEvents and explained.

Stage `prod` logs at INFO: a failed request (502, a TypeError reading pathParameters) and a good one; the function's
log stream holds a good invocation before the failed one. Stage `dev` has logging off and no execution log group.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from aws_emulator import aws_environment
from aws_shapes import ACCOUNT, REGION, package_host, proxy_method, resource, role
from aws_shapes import function as create_function
from lambdagate import cli, commands
from lambdagate.aws import logs, target
from lambdagate.aws.access import READ_ONLY_OPERATIONS, AwsAccess
from lambdagate.aws.commands import AwsFlags

FAILED = "5a2f7c1e-0b3d-4e8f-9a6b-1c2d3e4f5a6b"
GOOD = "7b3e8d2f-1c4e-4f90-8b7c-2d3e4f5a6b7c"
LAMBDA_FAILED = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
LAMBDA_GOOD = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a"
STREAM = "2026/01/12/[$LATEST]3f1c9e0d8a7b4c2e9f6a5b4c3d2e1f0a"
NBSP = "\u00a0"


@dataclass
class Logged:
    api_id: str


def execution_lines(rid: str, status: int, lambda_id: str, failure: str | None) -> list[str]:
    uri = (f"https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
           "items/invocations")
    lines = ["Extended Request Id: K2HSsHMcIAMEQzw=", f"Starting execution for request: {rid}",
             "HTTP Method: GET, Resource Path: /items", "Method request path: {}", "Method request query string: {}",
             f"Endpoint request URI: {uri}", f"Sending request to {uri}",
             "Received response. Status: 200, Integration latency: 12 ms"]
    if failure:
        lines.append(f"Lambda execution failed with status 200 due to customer function error: {failure}. Lambda "
                     f"request id: {lambda_id}")
    else:
        lines.append("Successfully completed execution")
    lines += [f"Method completed with status: {status}", f"AWS Integration Endpoint RequestId : {lambda_id}"]
    return [f"({rid}) {line}" for line in lines]


def lambda_lines(lambda_id: str, error: bool) -> list[str]:
    report = (f"REPORT RequestId: {lambda_id}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
              "Max Memory Used: 38 MB\t")
    middle = [f"[ERROR] TypeError: 'NoneType' object is not subscriptable\nTraceback (most recent call last):\n"
              f'{NBSP * 2}File "/var/task/app.py", line 9, in handler\n'
              f'{NBSP * 4}item_id = event["pathParameters"]["id"]'] if error else []
    return [f"START RequestId: {lambda_id} Version: $LATEST", *middle, f"END RequestId: {lambda_id}", report]


def put(session: boto3.Session, group: str, stream: str, messages: list[str], at: int) -> None:
    client = session.client("logs")
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName=stream)
    client.put_log_events(logGroupName=group, logStreamName=stream,
                          logEvents=[{"timestamp": at + n, "message": m} for n, m in enumerate(messages)])


@pytest.fixture(scope="module")
def aws() -> Iterator[Logged]:
    with aws_environment(), package_host() as host:
        session = boto3.Session(region_name=REGION)
        arn = create_function(session, host, "items", role(session), {"app.py": ("", 0o644)})
        client = session.client("apigateway")
        api = client.create_rest_api(name="items")["id"]
        proxy_method(session, api, resource(session, api, "items"), "GET", arn)
        for stage in ("prod", "dev"):
            client.create_deployment(restApiId=api, stageName=stage)
        client.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
        now = int(time.time() * 1000) - 60_000
        put(session, f"API-Gateway-Execution-Logs_{api}/prod", "d3d9446802a44259755d38e6d163e820",
            execution_lines(GOOD, 200, LAMBDA_GOOD, None) +
            execution_lines(FAILED, 502, LAMBDA_FAILED, "'NoneType' object is not subscriptable"), now)
        put(session, "/aws/lambda/items", STREAM, lambda_lines(LAMBDA_GOOD, False) + lambda_lines(LAMBDA_FAILED, True),
            now)
        yield Logged(api)


def run(aws: Logged, stage: str, *extra: str) -> tuple[int, str, AwsAccess]:
    access = AwsAccess(REGION)
    out = io.StringIO()
    flags = AwsFlags(None, aws.api_id, stage, REGION, None)
    request_id = extra[0] if extra else None
    code = commands.explain_aws(flags, "1h", request_id, "--json" in extra, None, False, out=out, access=access)
    return code, out.getvalue(), access


def test_failed_requests_with_their_function_log(aws: Logged) -> None:
    access = AwsAccess(REGION)
    [ref] = target.resolve(access, None, aws.api_id, "prod")
    fetched = logs.fetch(access, ref, 3600)
    [verdict] = fetched.explanation.verdicts
    assert verdict.story.request_id == FAILED and verdict.failed and verdict.status == 502
    assert verdict.findings[0].cause.id == "event.path-parameters-null"
    assert "Method request path: {}" in "\n".join(verdict.findings[0].details)
    # the function's invocation was linked by its request id, without the invocation before it
    lambda_text = [line.text for line in verdict.story.lambda_lines]
    assert lambda_text[0] == f"START RequestId: {LAMBDA_FAILED} Version: $LATEST"
    assert not any(LAMBDA_GOOD in text for text in lambda_text)
    assert fetched.groups == [f"API-Gateway-Execution-Logs_{aws.api_id}/prod", "/aws/lambda/items"]
    assert fetched.explanation.reading.unplaced == []
    assert set(access.calls) <= READ_ONLY_OPERATIONS and ("logs", "FilterLogEvents") in access.calls


def test_one_request_id(aws: Logged) -> None:
    code, text, _ = run(aws, "prod", FAILED)
    assert code == 1
    assert f"{FAILED}: status 502: pathParameters is null for this route" in text
    code, text, _ = run(aws, "prod", GOOD)
    assert code == 0 and f"ok {FAILED}" not in text


def test_logging_off_says_how_to_turn_it_on_and_reads_the_function_logs(aws: Logged) -> None:
    code, text, access = run(aws, "dev")
    assert code == 1
    assert "execution logging is off for stage dev" in text
    assert f"aws apigateway update-stage --rest-api-id {aws.api_id} --stage-name dev" in text
    assert f"no log group API-Gateway-Execution-Logs_{aws.api_id}/dev" in text
    assert f"Lambda request {LAMBDA_FAILED}: no status in the log: pathParameters is null for this route" in text
    assert set(access.calls) <= READ_ONLY_OPERATIONS


def test_json_has_the_notes_and_groups(aws: Logged) -> None:
    out = io.StringIO()
    access = AwsAccess(REGION)
    code = commands.explain_aws(AwsFlags(None, aws.api_id, "dev", REGION, None), "1h", None, True, None, False,
                                out=out, access=access)
    document = json.loads(out.getvalue())
    assert code == 1
    assert document["log_groups"] == ["/aws/lambda/items"]
    assert any("execution logging is off" in note for note in document["notes"])
    assert document["requests"][0]["findings"][0]["cause"] == "event.path-parameters-null"


def test_cli(aws: Logged) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["explain", "--aws", "--rest-api-id", aws.api_id, "--stage", "prod", "--region", REGION,
                         "--since", "30m", "--annotations"])
    assert code == 1
    commands_out = [line for line in out.getvalue().splitlines() if line.startswith("::error ")]
    assert len(commands_out) == 2   # the rule's finding and API Gateway's customer-function-error
    assert commands_out[0].startswith(f"::error file=API-Gateway-Execution-Logs_{aws.api_id}/prod,title=")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["explain", "--aws", "--rest-api-id", aws.api_id, "--region", REGION]) == 2   # two stages
