"""`lambdagate doctor`: each check family finds its cause, with evidence and a fix, and the report's three forms.

tests/apps/doctor holds one function per kind of finding (copied to a temporary folder, where the tests set the
file modes that git does not keep); the conformance app (tests/apps/gateway) must give the finding that matches
each of its failures; the article's Errno 13 is followed from doctor through serve to explain.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aws_shapes import package
from conftest import APPS, copy_app, run_cli
from harness import RunningGateway
from lambdagate import Config, Gateway, cli
from lambdagate.config import Source
from lambdagate.doctor import examine, limits
from lambdagate.doctor.findings import Check, Finding, Report
from lambdagate.doctor.targets import select
from lambdagate.explain import explain_text
from lambdagate.runtime.launchers import Runtimes

BEFORE_DEPRECATIONS = date(2025, 1, 1)  # python3.11 and nodejs20.x still supported then (limits.DEPRECATION)
HAS_NODE = shutil.which("node") is not None


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_app(tmp_path_factory, "doctor")
    (folder / "locked" / "lambda_function.py").chmod(0o600)   # the article's unreadable handler file
    (folder / "custom" / "bootstrap").chmod(0o644)            # a bootstrap others cannot execute
    return folder


@pytest.fixture(scope="module")
def report(app: Path) -> Report:
    """Run from the app's folder, as users do: paths are shown relative to it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(app)
        return examine(Source(template=Path("template.yaml")), today=BEFORE_DEPRECATIONS)


def check(report: Report, function: str, family: str) -> Check:
    [found] = [c for c in report.checks if c.function == function and c.family == family]
    return found


def finding(report: Report, function: str, family: str, rule: str) -> Finding:
    found = [f for f in check(report, function, family).findings if f.rule == rule]
    assert found, check(report, function, family)
    return found[0]


def evidence(f: Finding) -> str:
    return "\n".join(str(e) for e in f.evidence)


# ---------------------------------------------------------------------------------------------------------------
# The checks, one function each
# ---------------------------------------------------------------------------------------------------------------
def test_a_good_function_passes_every_check(report: Report) -> None:
    marks = {c.family: c.mark for c in report.checks if c.function == "GoodFunction"}
    assert marks == {"handler": "pass", "package": "pass", "policy": "pass", "response": "pass", "limits": "pass"}
    assert check(report, "GoodFunction", "handler").summary == "good.handler: src/good.py:4"
    assert check(report, "GoodFunction", "response").summary.startswith("2 of 2 answer(s) valid")


def test_near_miss_function_name(report: Report) -> None:
    f = finding(report, "NearMissFunction", "handler", "handler.function-missing")
    assert f.fix.startswith("did you mean good.handler?")
    assert "src/good.py:4: def handler" in evidence(f)
    assert "template.yaml:23: Handler: good.handle" in evidence(f)
    # the clean execution environment agrees (merged, not a second finding)
    assert "the runtime says: Runtime.HandlerNotFound: Handler 'handle' missing on module 'good'" in evidence(f)
    assert len(check(report, "NearMissFunction", "handler").findings) == 1
    assert check(report, "NearMissFunction", "response").mark == "skip"


def test_missing_module_says_which_paths_were_tried(report: Report) -> None:
    f = finding(report, "WrongModuleFunction", "handler", "handler.module-missing")
    assert "tried src/god.py, src/god/__init__.py" in f.cause
    assert "did you mean good.handler?" in f.fix
    nested = finding(report, "NestedFunction", "handler", "handler.module-missing")
    assert "set Handler to nested/app.handler" in nested.fix


def test_dependency_not_vendored(report: Report) -> None:
    f = finding(report, "DependencyFunction", "handler", "handler.dependency-missing")
    assert "Runtime.ImportModuleError" in f.title and "No module named 'requests'" in f.title
    assert "it imports 'requests', which is not in the package" in f.cause
    assert "pip install -r requirements.txt -t <CodeUri>" in f.fix


def test_a_function_without_routes_is_still_imported(app: Path) -> None:
    report = examine(Source(template=app / "template.yaml"), ["UnroutedFunction"], today=BEFORE_DEPRECATIONS)
    assert finding(report, "UnroutedFunction", "handler", "handler.dependency-missing")
    assert check(report, "UnroutedFunction", "response").skipped == "no route and no --event file: nothing to invoke"
    assert check(report, "UnroutedFunction", "policy").skipped == "no API integrates this function"


def test_every_response_violation_with_its_path(report: Report) -> None:
    found = check(report, "MalformedFunction", "response").findings
    assert [f.title for f in found] == [
        "GET /malformed: unknown key 'cookies' (allowed: statusCode, headers, multiValueHeaders, body, "
        "isBase64Encoded)",
        "GET /malformed: headers.X-Meta: an object, expected a string",
        "GET /malformed: body: expected a string, got an object"]
    assert found[2].fix.startswith('"body": json.dumps(value)')           # the Python runtime's fix
    assert "Set-Cookie" in found[0].fix
    # POST is not invoked unless asked: doctor has no side effects by default
    summary = check(report, "MalformedFunction", "response").summary
    assert "POST /malformed-too not invoked: POST may change data; --invoke-all invokes it" in summary
    assert any("route(s) of other methods not invoked (POST /malformed-too" in n for n in report.notes)


@pytest.mark.faults
def test_invoke_all_invokes_every_method(app: Path) -> None:
    report = examine(Source(template=app / "template.yaml"), ["MalformedFunction"], today=BEFORE_DEPRECATIONS,
                     invoke_all=True)
    found = check(report, "MalformedFunction", "response").findings
    assert "also POST /malformed-too" in evidence(found[0])               # one finding for both routes
    assert report.notes[0].startswith("invoked every route in local execution environments")


def test_unreadable_handler_file(report: Report) -> None:
    """The article's `[Errno 13] Permission denied: '/var/task/lambda_function.py'`, found twice: by the file
    modes, and by importing in a clean execution environment."""
    package = finding(report, "UnreadableFunction", "package", "package.unreadable")
    assert "locked/lambda_function.py: -rw-------" in evidence(package)
    assert package.fix.startswith("chmod -R o+rX locked")
    handler = finding(report, "UnreadableFunction", "handler", "handler.init-failed")
    assert "[Errno 13] Permission denied: '/var/task/lambda_function.py'" in handler.title
    assert "644 and 755" in handler.cause


def test_bootstrap_not_executable(report: Report) -> None:
    f = finding(report, "CustomFunction", "package", "package.bootstrap-not-executable")
    assert "custom/bootstrap: -rw-r--r--" in evidence(f)
    assert "chmod 755 bootstrap" in f.fix
    assert not check(report, "CustomFunction", "handler").findings  # reported once, by the package check


def test_policy_near_miss_shows_the_part_that_differs(report: Report) -> None:
    f = finding(report, "OrdersFunction", "policy", "policy.not-allowed")
    assert "stage: 'prod' does not match 'v1'" in evidence(f)
    assert "${DefinedApi}/*/GET/orders" in f.fix
    assert "Invalid permissions on Lambda function" in f.cause


def test_policy_file_from_get_policy(app: Path, tmp_path: Path) -> None:
    """`aws lambda get-policy` output: the real API id and account cannot be checked, the rest is."""
    source = "arn:aws:execute-api:us-east-1:987654321098:a1b2c3d4e5/*/{}/orders"
    statement = {"Sid": "orders", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                 "Action": "lambda:InvokeFunction",
                 "Resource": "arn:aws:lambda:us-east-1:987654321098:function:OrdersFunction",
                 "Condition": {"ArnLike": {"AWS:SourceArn": source.format("GET")}}}
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Policy": json.dumps({"Version": "2012-10-17", "Id": "default",
                                                        "Statement": [statement]}), "RevisionId": "x"}))
    report = examine(Source(template=app / "template.yaml", policies=(policy,)), ["OrdersFunction"],
                     today=BEFORE_DEPRECATIONS)
    result = check(report, "OrdersFunction", "policy")
    assert result.mark == "pass", result.findings
    assert "a1b2c3d4e5/*/GET/orders" in result.summary
    statement["Condition"] = {"ArnLike": {"AWS:SourceArn": source.format("POST")}}
    policy.write_text(json.dumps({"Policy": json.dumps({"Statement": [statement]})}))
    report = examine(Source(template=app / "template.yaml", policies=(policy,)), ["OrdersFunction"],
                     today=BEFORE_DEPRECATIONS)
    f = finding(report, "OrdersFunction", "policy", "policy.not-allowed")
    assert "method: 'POST' does not match 'GET'" in evidence(f)


def test_timeout_over_the_integration_timeout(report: Report) -> None:
    f = finding(report, "PatientFunction", "limits", "limits.timeout-over-integration")
    assert f.level == "warning"
    assert "template.yaml:69: Timeout: 60" in evidence(f)
    assert "timeoutInMillis 29000" in evidence(f)
    assert f.fix.startswith("Set Timeout to at most 29 s")


@pytest.mark.skipif(not HAS_NODE, reason="Node.js is not installed")
def test_node_handler_near_miss(report: Report) -> None:
    f = finding(report, "NodeFunction", "handler", "handler.function-missing")
    assert "index.handle is undefined or not exported" in f.title
    assert f.fix.startswith("Did you mean index.handler?")


def test_deprecated_and_unavailable_runtimes(app: Path, report: Report) -> None:
    deployment_targets = {c.function for c in report.checks}
    assert "GoodFunction" in deployment_targets
    from lambdagate.definition.loader import load
    from lambdagate.definition.template import load_template

    source = Source(template=app / "template.yaml")
    deployment, state_dir = load(source), source.state_dir
    [target] = select(deployment, load_template(app / "template.yaml"), ["GoodFunction"], None)
    later = limits.check(target, [], Runtimes(state_dir), date(2026, 7, 1), [])
    [f] = [f for f in later.findings if f.rule == "limits.runtime-deprecated"]
    assert f.title == "AWS deprecated python3.11 on 2026-06-30"
    target.function = type(target.function)(**{**target.function.__dict__, "runtime": "java21"})
    unavailable = limits.check(target, [], Runtimes(state_dir), BEFORE_DEPRECATIONS, [])
    assert [f.rule for f in unavailable.findings] == ["limits.runtime-unavailable"]


def test_event_files_instead_of_routes(app: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"path": "/from-a-file", "httpMethod": "GET", "body": None}))
    report = examine(Source(template=app / "template.yaml"), ["GoodFunction"], [event], today=BEFORE_DEPRECATIONS)
    assert check(report, "GoodFunction", "response").summary.startswith("1 of 1 answer(s) valid")


# ---------------------------------------------------------------------------------------------------------------
# .zip packages: the stored modes, and the handler at the root
# ---------------------------------------------------------------------------------------------------------------
CODE = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'zipped'}\n"


def test_zip_entry_modes(tmp_path: Path) -> None:
    (tmp_path / "package.zip").write_bytes(package({"app.py": (CODE, 0o600), "lib/": ("", 0o700),
                                                     "lib/util.py": ("", 0o644)}))
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Zipped:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: package.zip\n      Handler: app.handler\n      Runtime: python3.11\n"
        "      Events: {E: {Type: Api, Properties: {Path: /zip, Method: get}}}\n")
    report = examine(Source(template=tmp_path / "template.yaml"), today=BEFORE_DEPRECATIONS)
    f = finding(report, "Zipped", "package", "package.zip-unreadable")
    assert "-rw------- app.py" in evidence(f) and "drwx------ lib/" in evidence(f)
    assert "zip -r ../package.zip ." in f.fix


def test_package_zipped_with_its_folder(app: Path, tmp_path: Path) -> None:
    (tmp_path / "build.zip").write_bytes(package({"src/": ("", 0o755), "src/good.py": (CODE, 0o644)}))
    report = examine(Source(template=app / "template.yaml"), ["GoodFunction"], package_file=tmp_path / "build.zip",
                     today=BEFORE_DEPRECATIONS)
    f = finding(report, "GoodFunction", "package", "package.handler-not-at-root")
    assert "under src/" in f.cause
    assert f.fix == "Zip the folder's contents, not the folder: `cd src && zip -r ../build.zip .`"


# ---------------------------------------------------------------------------------------------------------------
# The conformance app: each failure it can produce has its finding
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def conformance() -> Report:
    return examine(Source(template=APPS / "gateway" / "template.yaml"), today=BEFORE_DEPRECATIONS)


@pytest.mark.parametrize(("function", "family", "rule"), [
    ("RaiseFunction", "response", "response.function-error"),
    ("SleepFunction", "response", "response.task-timed-out"),
    ("ExitFunction", "response", "response.runtime-exit"),
    ("BigFunction", "response", "response.response-too-large"),
    ("UnmarshallableFunction", "response", "response.marshal-error"),
    ("NeedsYamlFunction", "handler", "handler.dependency-missing"),
    ("InitFailsFunction", "handler", "handler.init-failed"),
    ("SyntaxErrorFunction", "handler", "handler.syntax-error"),
    ("MissingHandlerFunction", "handler", "handler.function-missing"),
    ("MissingModuleFunction", "handler", "handler.module-missing"),
    ("ThrottledFunction", "limits", "limits.reserved-concurrency-zero"),
    ("UnpermittedFunction", "policy", "policy.not-allowed"),
    ("PlainFunction", "response", "response.integration-timeout"),
    ("", "integration", "integration.http-method"),
    ("", "integration", "integration.function-not-in-template"),
])
def test_conformance_failures_are_found(conformance: Report, function: str, family: str, rule: str) -> None:
    assert finding(conformance, function, family, rule)


def test_conformance_functions_that_work_pass(conformance: Report) -> None:
    for function in ("EchoFunction", "RespondFunction", "NoisyFunction", "ContextFunction", "LayerFunction"):
        assert {c.mark for c in conformance.checks if c.function == function} == {"pass"}, function


# ---------------------------------------------------------------------------------------------------------------
# The article's Errno 13 end to end: doctor finds it, serve produces it, explain explains it
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", watch=False)
    yield running
    running.close()


def test_errno_13_from_serve_to_explain(served: RunningGateway) -> None:
    before = len(served.console)
    reply = served.request("GET", "/locked")
    assert reply.status == 502
    request_id = reply.header("x-amzn-RequestId")
    explanation = explain_text(served.console[before:])
    [verdict] = [v for v in explanation.verdicts if v.story.request_id == request_id]
    assert verdict.findings[0].cause.id == "permission-denied"
    assert "Lambda could not read /var/task/lambda_function.py" in verdict.findings[0].details
    tested = served.gateway.request("GET", "/locked")
    [verdict] = explain_text(tested.log).failed
    assert verdict.findings[0].cause.id == "permission-denied"


# ---------------------------------------------------------------------------------------------------------------
# The report: human, JSON, SARIF, exit codes
# ---------------------------------------------------------------------------------------------------------------
def test_human_report_has_one_line_per_check(report: Report) -> None:
    from lambdagate.doctor.report import ASCII_MARKS, human

    text = human(report, ASCII_MARKS)
    assert "GoodFunction\n  ok   handler configuration  good.handler: src/good.py:4\n" in text
    assert "  FAIL handler configuration  src/good.py has no function 'handle'" in text
    assert "        cause: Handler 'handle' missing on module 'good'" in text
    assert "        fix: did you mean good.handler?" in text


def test_cli_exit_codes_json_and_sarif(app: Path, tmp_path: Path) -> None:
    template = str(app / "template.yaml")
    code, text = run_cli("doctor", "--template", template, "GoodFunction", "--json")
    assert code in (0, 1)  # 1 only when today is past python3.11's deprecation date
    document = json.loads(text)
    assert {c["check"] for c in document["checks"]} == {"handler", "package", "policy", "response", "limits"}
    sarif = tmp_path / "doctor.sarif"
    code, _ = run_cli("doctor", "--template", template, "NearMissFunction", "--sarif", str(sarif))
    assert code == 1
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= rules
    first = [r for r in run["results"] if r["ruleId"] == "handler.function-missing"][0]
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("template.yaml") and location["region"]["startLine"] == 23
    code, text = run_cli("doctor", "--template", template, "NearMissFunction", "--annotations")
    assert code == 1
    commands = [line for line in text.splitlines() if line.startswith("::error ")]
    assert any("template.yaml,line=23,title=NearMissFunction%3A " in line and
               "has no function 'handle'::" in line for line in commands), commands


@pytest.mark.parametrize("argv", [
    ("doctor", "--template", "/nonexistent/template.yaml"),
    ("doctor", "--template", str(APPS / "doctor" / "template.yaml"), "NoSuchFunction"),
    ("doctor", "--template", str(APPS / "doctor" / "template.yaml"), "--event", "/nonexistent/event.json"),
], ids=["no-template", "unknown-function", "unreadable-event"])
def test_cli_could_not_run(argv: tuple[str, ...]) -> None:
    assert run_cli(*argv)[0] == 2


# ---------------------------------------------------------------------------------------------------------------
# No side effects: a function that writes to DynamoDB (moto's server on loopback stands for AWS)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.faults
def test_doctor_writes_nothing_to_aws(tmp_path_factory: pytest.TempPathFactory,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from aws_emulator import FAKE_CREDENTIALS, moto_server

    app = copy_app(tmp_path_factory, "doctor-aws")
    for name, value in FAKE_CREDENTIALS.items():  # the developer's "real" credentials, as lambdagate passes them
        monkeypatch.setenv(name, value)
    with moto_server() as endpoint:
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        dynamodb.create_table(TableName="items", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")

        def rows() -> int:
            return int(dynamodb.scan(TableName="items", Select="COUNT")["Count"])

        source = Source(template=app / "template.yaml", parameter_overrides={"AwsEndpoint": endpoint})
        with Gateway(Config(source=source, watch=False)) as gateway:  # the function does write when served
            assert gateway.request("GET", "/items").status == 200
        assert rows() == 1

        for invoke_all in (False, True):
            report = examine(source, today=BEFORE_DEPRECATIONS, invoke_all=invoke_all)
            assert rows() == 1, f"doctor wrote to DynamoDB (invoke_all={invoke_all})"
            response = check(report, "ItemsFunction", "response")
            assert response.findings == []  # the refused call is a note, not a fault
            assert "GET /items not checked: the function called AWS (dynamodb PutItem)" in response.summary
            assert any(n.startswith("ItemsFunction called AWS (dynamodb PutItem): doctor's stand-in answered")
                       for n in report.notes)
            assert ("POST /items not invoked" in response.summary) is not invoke_all
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli.main(["doctor", "--template", str(app / "template.yaml"), "--parameter-overrides",
                      f"AwsEndpoint={endpoint}", "--json"])
        notes = json.loads(out.getvalue())["notes"]
        assert any("nothing reaches AWS" in n for n in notes) and rows() == 1
