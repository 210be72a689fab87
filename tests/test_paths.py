"""Lambda's paths in what the user sees: stack traces in error payloads and the function's log lines name
/var/task, /opt and /var/runtime as on Lambda, not the host's folders."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import RunningGateway
from lambdagate.runtime.paths import as_on_lambda, lambda_paths, payload_as_on_lambda

PATHS = lambda_paths([("/home/ada/proj/hello_world", "/var/task"), ("/home/ada/proj", "/var/task"),
                      ("/home/ada/proj/layer", "/opt"), ("/venv/runtime", "/var/runtime")])

CASES = [
    ('  File "/home/ada/proj/hello_world/app.py", line 5, in handler', '  File "/var/task/app.py", line 5, in handler'),
    ("    at handler (file:///home/ada/proj/hello_world/index.mjs:3:9)", "    at handler (file:///var/task/index.mjs:3:9)"),
    ("/home/ada/proj/layer/python/helper.py:2", "/opt/python/helper.py:2"),          # longest folder first
    ("/home/ada/proj/other.py", "/var/task/other.py"),
    ("cwd=/home/ada/proj/hello_world", "cwd=/var/task"),                                # the folder itself
    ("/home/ada/project2/app.py", "/home/ada/project2/app.py"),                         # not a path part
    ("/home/ada/proj/hello_worlds/x.py", "/var/task/hello_worlds/x.py"),
    ("/venv/runtime/botocore/client.py", "/var/runtime/botocore/client.py"),
    ("nothing to see", "nothing to see"),
]


@pytest.mark.parametrize(("host", "lambda_"), CASES, ids=[c[1][:40] for c in CASES])
def test_host_folders_become_lambdas(host: str, lambda_: str) -> None:
    assert as_on_lambda(host, PATHS) == lambda_


def test_error_payloads_keep_their_json() -> None:
    payload = json.dumps({"errorMessage": "boom", "stackTrace": [
        '  File "/home/ada/proj/hello_world/app.py", line 5, in handler\n    raise ValueError("boom")\n']}).encode()
    rewritten = json.loads(payload_as_on_lambda(payload, PATHS))
    assert rewritten["stackTrace"] == ['  File "/var/task/app.py", line 5, in handler\n    raise ValueError("boom")\n']


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    root = tmp_path_factory.mktemp("paths")
    (root / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Helpers:
            Type: AWS::Serverless::LayerVersion
            Properties:
              ContentUri: layer/
          Failing:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              CodeUri: hello_world/
              Handler: app.handler
              Layers: [!Ref Helpers]
              Events:
                Fail: {Type: Api, Properties: {Path: /fail, Method: get}}
        """))
    (root / "hello_world").mkdir()
    (root / "hello_world" / "app.py").write_text(textwrap.dedent("""\
        import os
        import helper

        def handler(event, context):
            print("working in", os.getcwd())
            return helper.fail()
        """))
    (root / "layer" / "python").mkdir(parents=True)
    (root / "layer" / "python" / "helper.py").write_text("def fail():\n    raise ValueError('from the layer')\n")
    running = RunningGateway(root / "template.yaml", watch=False)
    yield running
    running.close()


def test_a_python_stack_trace_names_var_task_and_opt(app: RunningGateway) -> None:
    reply = app.request("GET", "/fail")
    assert reply.status == 502
    deadline = time.monotonic() + 5
    while "REPORT RequestId" not in app.console and time.monotonic() < deadline:
        time.sleep(0.01)
    console = app.console
    body = next(line.split("Endpoint response body before transformations: ", 1)[1]
                for line in console.splitlines() if "Endpoint response body before transformations" in line)
    trace = "".join(json.loads(body)["stackTrace"])
    assert '"/var/task/app.py", line 6, in handler' in trace
    assert '"/opt/python/helper.py", line 2, in fail' in trace
    assert "[Failing] working in /var/task" in console                     # the log line too
    assert 'File "/var/task/app.py", line 6, in handler' in console         # awslambdaric's [ERROR] record
    assert str(Path(app.deployment.functions[next(iter(app.deployment.functions))].code_dir)) not in console
