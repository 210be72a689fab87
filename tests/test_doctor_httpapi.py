"""`lambdagate doctor` on HTTP API routes (docs/aws-http-api.md §1.7, §3-§5, §10.1): each route's answer from a real
worker checked by its payload format's rules, the function reading the other payload format, the permission with
an HTTP API's SourceArn, the integration timeout. tests/apps/doctor-http holds one function per finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import APPS
from lambdagate.config import Source
from lambdagate.doctor import examine
from lambdagate.doctor.findings import Check, Report

TEMPLATE = APPS / "doctor-http" / "template.yaml"


@pytest.fixture(scope="module")
def report() -> Report:
    return examine(Source(template=TEMPLATE), invoke_all=True)   # BadBodyFunction's route is a POST


def test_a_route_that_may_change_data_waits_for_invoke_all() -> None:
    """As for REST routes: doctor invokes only GET, HEAD and OPTIONS routes unless told --invoke-all."""
    found = examine(Source(template=TEMPLATE), ["BadBodyFunction"])
    response = check(found, "BadBodyFunction", "response")
    assert not [f for f in response.findings if f.rule == "response.malformed"]
    assert any("POST /bad" in note and "--invoke-all" in note for note in found.notes), found.notes


def check(report: Report, function: str, family: str) -> Check:
    [found] = [c for c in report.checks if c.function == function and c.family == family]
    return found


CASES = [
    pytest.param("GoodFunction", "response", None, None, id="a-valid-2.0-answer-passes"),
    pytest.param("InferredKeysFunction", "response", "response.inferred-body", "warning",
                 id="sec5.1-DOC-structured-keys-without-statusCode"),
    pytest.param("NoContentTypeFunction", "response", "response.default-content-type", "warning",
                 id="sec5.3-REC-no-content-type-is-text-plain"),
    pytest.param("BadBodyFunction", "response", "response.malformed", "error", id="sec5.6-REC-ish-object-body"),
    pytest.param("ReadsV1Function", "response", "response.payload-format", "error",
                 id="sec3-REC-a-2.0-route-read-as-1.0"),
    pytest.param("ReadsV2Function", "response", "response.payload-format", "error",
                 id="sec4-REC-a-1.0-route-read-as-2.0"),
    pytest.param("SlowFunction", "limits", "limits.timeout-over-integration", "warning",
                 id="sec10.1-DOC-timeout-over-30-s"),
    pytest.param("UnpermittedFunction", "policy", "policy.not-allowed", "error", id="sec1.7-REC-no-permission"),
    pytest.param("GoodFunction", "policy", None, None, id="sec1.1-IMPL-sams-permission-allows"),
]


@pytest.mark.parametrize(("function", "family", "rule", "level"), CASES)
def test_finding(report: Report, function: str, family: str, rule: str | None, level: str | None) -> None:
    found = check(report, function, family)
    if rule is None:
        assert found.findings == [] and found.skipped is None, found
        return
    [finding] = [f for f in found.findings if f.rule == rule]
    assert finding.level == level and finding.fix and finding.evidence


def test_the_fixes_speak_of_http_apis(report: Report) -> None:
    [unpermitted] = check(report, "UnpermittedFunction", "policy").findings
    assert "$default/$default" in unpermitted.title and "/*/*" in unpermitted.fix
    assert "500 Internal Server Error" in unpermitted.cause
    [body] = check(report, "BadBodyFunction", "response").findings
    assert "json.dumps" in body.fix and "500 Internal Server Error" in body.cause
    [reads] = check(report, "ReadsV2Function", "response").findings
    assert "PayloadFormatVersion: '2.0'" in reads.fix
    assert str(TEMPLATE) in {str(Path(e.file).resolve()) for e in reads.evidence if e.file}


def test_exit_code_says_there_are_findings(report: Report) -> None:
    assert report.exit_code == 1
