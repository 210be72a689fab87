"""Node.js functions on the real `node` and custom runtimes (provided.*) through the Runtime API: handler styles,
loading rules, context, errors and log lines as Lambda's Node.js runtime has them (fact sheet §5). Every test runs
with the Node.js environments on each channel: the control socket (the default) and the HTTP Runtime API."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate.runtime.launchers import Runtimes

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

INTERNAL = b'{"message": "Internal server error"}'


@pytest.fixture(scope="module", params=Runtimes.CHANNELS)
def node(request: pytest.FixtureRequest) -> Iterator[RunningGateway]:
    running = RunningGateway(APPS / "node" / "template.yaml", watch=False, node_channel=request.param)
    yield running
    running.close()


def function_error_line(console: str, message: str) -> bool:
    return f"Lambda execution failed with status 200 due to customer function error: {message}. Lambda request id: " \
        in console


def endpoint_body(console: str, request_id: str) -> dict[str, object]:
    prefix = f"({request_id}) Endpoint response body before transformations: "
    for line in console.splitlines():
        if prefix in line:
            return dict(json.loads(line.split(prefix, 1)[1]))
    raise AssertionError(f"no response body logged for {request_id}")


@pytest.mark.parametrize(("path", "status", "body"), [
    ("/promise", 201, b"promise"),
    ("/callback", 202, b"callback"),
    ("/waits", 200, b"waited"),
    ("/succeed", 203, b"succeed"),
    ("/nested", 200, b"nested"),
    ("/esm", 200, b"esm GET"),          # .mjs: an ES module
    ("/typed", 200, b"type module .js"),  # .js under "type": "module"
    ("/cjs", 200, b"cjs"),
])
def test_handler_styles_and_module_kinds(node: RunningGateway, path: str, status: int, body: bytes) -> None:
    reply = node.request("GET", path)
    assert (reply.status, reply.body) == (status, body)


def test_context_and_environment(node: RunningGateway) -> None:
    reply = node.request("GET", "/async")
    assert reply.status == 200
    seen = reply.json()
    assert seen["functionName"] == "FnAsync"
    assert seen["memoryLimitInMB"] == "128"
    assert seen["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:FnAsync"
    assert re.fullmatch(r"[0-9a-f-]{36}", seen["awsRequestId"])
    assert 0 < seen["remaining"] <= 5000
    assert seen["waits"] is True
    assert seen["cwd"] == str((APPS / "node" / "src").resolve())
    assert seen["greeting"] == "hello"


def test_callback_waits_for_the_event_loop_unless_told_not_to(node: RunningGateway) -> None:
    node.request("GET", "/waits")
    lines = node.settled().splitlines()
    fired = next(i for i, line in enumerate(lines) if "timer fired before the answer" in line)
    report = next(i for i, line in enumerate(lines) if i > fired and "[FnWaits] END" in line)
    assert fired < report
    node.request("GET", "/nowait")  # warm
    started = time.perf_counter()
    reply = node.request("GET", "/nowait")
    assert reply.body == b"did not wait"
    assert time.perf_counter() - started < 2.0  # its 3 s timer did not hold the answer


def test_console_lines_have_lambdas_format(node: RunningGateway) -> None:
    reply = node.request("GET", "/logs")
    request_id = reply.body.decode()
    console = node.settled()
    assert re.search(rf"\[FnLogs\] \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\tINFO\thello {{ a: 1 }}",
                     console)
    assert f"{request_id}\tERROR\tmulti" in console


def test_each_invocation_owns_the_lines_it_printed(node: RunningGateway) -> None:
    # quiet invocations and printing ones, alternating on one warm environment: every line an invocation printed
    # comes between its START and its END, and nothing between those of an invocation that printed nothing
    ids = [node.request("GET", "/logs").body.decode() for _ in range(3)]
    quiet = node.request("GET", "/promise")
    assert quiet.status == 201
    ids.append(node.request("GET", "/logs").body.decode())
    console = node.settled()
    lines = [line for line in console.splitlines() if line.startswith("[FnLogs] ")]
    for request_id in ids:
        start = lines.index(f"[FnLogs] START RequestId: {request_id} Version: $LATEST")
        end = lines.index(f"[FnLogs] END RequestId: {request_id}")
        assert [line.split("\t")[1:3] for line in lines[start + 1:end] if "\t" in line] == \
            [[request_id, "INFO"], [request_id, "ERROR"]]
    promise = [line for line in console.splitlines() if line.startswith("[FnPromise] ")]
    for opening, closing in zip(promise[::3], promise[1::3], strict=True):
        assert opening.startswith("[FnPromise] START") and closing.startswith("[FnPromise] END")


def test_large_events_and_results_arrive_whole(node: RunningGateway) -> None:
    body = ("héllo wörld € 😀 " * 150_000)[:2_000_000]
    reply = node.request("POST", "/echo", {"Content-Type": "text/plain"}, body)
    assert reply.status == 200
    assert reply.header("x-body-length") == str(len(body.encode("utf-16-le")) // 2)  # JavaScript's .length
    assert reply.body.decode() == body


@pytest.mark.parametrize(("path", "message", "error_type"), [
    ("/throws", "boom", "Error"),
    ("/fail", "failed the old way", "Error"),
    ("/callback-error", "bad input", "TypeError"),
    ("/throws-string", "just a string", "string"),
    ("/uncaught", "uncaught later", "Error"),
    ("/not-a-function", "index.notAFunction is not a function", "Runtime.HandlerNotFound"),
    ("/undefined-handler", "index.nothing is undefined or not exported", "Runtime.HandlerNotFound"),
    ("/bad-handler", "Bad handler", "Runtime.MalformedHandlerName"),
    ("/dotdot", "'../index.handler' is not a valid handler name. Use absolute paths when specifying root "
                "directories in handler names.", "Runtime.MalformedHandlerName"),
])
def test_errors_become_502_with_nodes_error_shape(node: RunningGateway, path: str, message: str,
                                                  error_type: str) -> None:
    reply = node.request("GET", path)
    assert (reply.status, reply.body) == (502, INTERNAL)
    assert function_error_line(node.console, message)
    payload = endpoint_body(node.console, reply.header("x-amzn-RequestId") or "")
    assert payload["errorType"] == error_type
    assert payload["errorMessage"] == message
    assert isinstance(payload["trace"], list)
    if error_type == "string":
        assert payload["trace"] == []
    # the failure cost one invocation: the function still answers (a new environment after an exit)
    assert node.request("GET", "/promise").status == 201


def test_init_errors(node: RunningGateway) -> None:
    # (the logged response bodies are cut at 1 KB with " [TRUNCATED]", as AWS cuts them: read the REPORT lines)
    syntax = node.request("GET", "/syntax")
    missing = node.request("GET", "/missing-module")
    assert syntax.status == missing.status == 502
    console = node.settled()
    assert "[FnSyntax] REPORT" in console
    assert "Status: error\tError Type: Runtime.UserCodeSyntaxError\t" in console
    assert "due to customer function error: SyntaxError: " in console
    assert "Status: error\tError Type: Runtime.ImportModuleError\t" in console
    assert "due to customer function error: Error: Cannot find module 'nowhere'" in console
    assert "\tERROR\tUncaught Exception \t{\"errorType\":\"Runtime.ImportModuleError\"" in console


def test_malformed_results_are_502(node: RunningGateway) -> None:
    # a sync handler that never answers: the runtime answers null when the event loop empties
    no_answer = node.request("GET", "/sync-no-answer")
    assert (no_answer.status, no_answer.body) == (502, INTERNAL)
    assert f"({no_answer.header('x-amzn-RequestId')}) Endpoint response body before transformations: null" \
        in node.console
    malformed = node.request("GET", "/malformed")
    assert (malformed.status, malformed.body) == (502, INTERNAL)
    assert "Execution failed due to configuration error: Malformed Lambda proxy response" in node.console


def test_custom_runtime_bootstrap(node: RunningGateway) -> None:
    reply = node.request("GET", "/custom")
    assert (reply.status, reply.body) == (200, b"custom runtime saw /custom handler=my.handler")


@pytest.mark.parametrize(("path", "message"), [
    ("/custom-noexec", "fork/exec /var/task/bootstrap: permission denied"),
    ("/custom-missing", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"),
])
def test_custom_runtime_without_a_usable_bootstrap(node: RunningGateway, path: str, message: str) -> None:
    reply = node.request("GET", path)
    assert (reply.status, reply.body) == (502, INTERNAL)
    payload = endpoint_body(node.console, reply.header("x-amzn-RequestId") or "")
    assert payload["errorType"] == "Runtime.InvalidEntrypoint"
    assert re.fullmatch(rf"RequestId: [0-9a-f-]{{36}} Error: {re.escape(message)}", str(payload["errorMessage"]))


def test_unsupported_runtime_is_reported_and_the_others_still_serve(node: RunningGateway) -> None:
    assert re.search(r"lambdagate: \S+template.yaml:\d+: FnJava: Runtime java21: lambdagate does not run Java "
                     r"functions; requests to it answer 501\n", node.console)
    java = node.request("GET", "/java")
    assert (java.status, java.json()) == (501, {"message": "lambdagate does not emulate this: " + re.search(
        r"(\S+template.yaml:\d+: FnJava: Runtime java21: [^\n]+)", node.console).group(1)})
    assert node.request("GET", "/cjs").status == 200


def test_without_node_on_path_the_function_is_reported_and_others_serve(
    monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdagate.definition.model.function import Function
    from lambdagate.runtime.catalog import UnsupportedRuntime

    monkeypatch.setenv("PATH", "/nonexistent")
    runtimes = Runtimes(APPS / ".state-unused")
    function = Function("Fn", "Fn", "arn:aws:lambda:us-east-1:123456789012:function:Fn", "nodejs20.x",
                        "index.handler", str(APPS / "node" / "src"))
    with pytest.raises(UnsupportedRuntime, match=r"Fn: Runtime nodejs20.x needs Node.js: install it"):
        runtimes.check(function)
    python = Function("Py", "Py", "arn:aws:lambda:us-east-1:123456789012:function:Py", "python3.11", "a.b", "/tmp")
    assert runtimes.check(python, deprecation=False) == []
