"""SARIF 2.1.0 and GitHub Actions workflow commands for doctor, explain and compare: the documents' shape and the
escaping GitHub's actions/toolkit applies (packages/core/src/command.ts: `%`, CR, LF in messages; also `:` and `,` in
property values)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from conftest import run_cli
from lambdagate.code_scanning import Result, sarif, workflow_commands

LOGS = Path(__file__).parent / "logs"


def test_workflow_command_escaping() -> None:
    result = Result("event.body-null", "error", "GET /a: body, null", "50% of it\nfails: here", file="dir/t,1.yaml",
                    line=7)
    assert workflow_commands([result]) == (
        "::error file=dir/t%2C1.yaml,line=7,title=GET /a%3A body%2C null::50%25 of it%0Afails: here\n")
    assert workflow_commands([Result("x", "note", "t", "m")]) == "::notice title=t::m\n"


def test_sarif_rules_and_locations() -> None:
    document = json.loads(sarif("lambdagate explain", [
        Result("a", "error", "one: title", "message", "cause", "fix", "app.log", 3),
        Result("a", "error", "two", "message 2"),
        Result("b", "warning", "three", "m3", file="arn:aws:lambda:us-east-1:123456789012:function:f")]))
    run = document["runs"][0]
    assert document["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "lambdagate explain"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["a", "b"]
    assert run["results"][0]["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "app.log"},
                                                                    "region": {"startLine": 3}}}]
    assert run["results"][1]["locations"] == []


def test_explain_sarif_and_annotations_point_at_the_log_line(tmp_path: Path) -> None:
    log = LOGS / "cloudwatch-malformed.txt"
    report = tmp_path / "explain.sarif"
    code, text = run_cli("explain", str(log), "--sarif", str(report), "--annotations")
    assert code == 1
    [result] = json.loads(report.read_text())["runs"][0]["results"]
    assert result["ruleId"] == "malformed-proxy-response"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(log) and location["region"]["startLine"] == 12
    [command] = [line for line in text.splitlines() if line.startswith("::")]
    assert command.startswith(f"::error file={str(log).replace(':', '%3A')},line=12,title=")


def test_json_and_annotations_do_not_mix() -> None:
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit):
        run_cli("explain", "--json", "--annotations")
