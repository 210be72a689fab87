"""The resource policy as IAM evaluates it (permission.py), read by the one strict reader (definition/policy.py), and
the same verdict from `serve` and from `doctor` (architecture review §2.6: they used to disagree on Deny and
ArnNotLike)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import APPS
from lambdagate import Gateway
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.doctor import examine
from lambdagate.permission import decide, source_arns

TEMPLATE = APPS / "permission" / "template.yaml"
ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:good"


def statement(effect: str = "Allow", **condition: dict[str, Any]) -> dict[str, Any]:
    return {"Effect": effect, "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": FUNCTION, "Condition": condition}


def arn(api_id: str, stage: str = "prod", verb: str = "GET", path: str = "good") -> str:
    return f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/{stage}/{verb}/{path}"


# Each case: statements (with {api} for the API id) -> allowed? IAM User Guide, reference_policies_evaluation-logic
# (an explicit Deny wins) and reference_policies_elements_condition_operators (negated operators; values OR/NOR).
CASES = {
    "allow-arnlike": ([statement(ArnLike={"AWS:SourceArn": arn("{api}", "*", "GET", "good")})], True),
    "allow-other-path": ([statement(ArnLike={"AWS:SourceArn": arn("{api}", "*", "GET", "bad")})], False),
    "deny-wins": ([statement(ArnLike={"AWS:SourceArn": arn("{api}", "*", "*", "*")}),
                   statement("Deny", ArnLike={"AWS:SourceArn": arn("{api}", "prod", "GET", "*")})], False),
    "deny-elsewhere": ([statement(ArnLike={"AWS:SourceArn": arn("{api}", "*", "*", "*")}),
                        statement("Deny", ArnLike={"AWS:SourceArn": arn("{api}", "dev", "*", "*")})], True),
    "arnnotlike-self": ([statement(ArnNotLike={"AWS:SourceArn": arn("{api}", "*", "*", "*")})], False),
    "arnnotlike-other": ([statement(ArnNotLike={"AWS:SourceArn": arn("other00000", "*", "*", "*")})], True),
    "stringnotequals-own-account": ([statement(StringNotEquals={"AWS:SourceAccount": ACCOUNT})], False),
    "stringnotequals-other-account": ([statement(StringNotEquals={"AWS:SourceAccount": "999999999999"})], True),
    "values-are-ored": ([statement(ArnLike={"AWS:SourceArn": [arn("other00000"), arn("{api}")]})], True),
    "negated-values-are-nored": ([statement(ArnNotLike={"AWS:SourceArn": [arn("other00000"), arn("{api}")]})],
                                 False),
    "deny-unless-own-account": ([statement(ArnLike={"AWS:SourceArn": arn("{api}")}),
                                 statement("Deny", StringNotEquals={"AWS:SourceAccount": ACCOUNT})], True),
}


@pytest.fixture(scope="module")
def api_id() -> str:
    return load(Source(template=TEMPLATE)).apis[0].id


def policy_file(folder: Path, statements: list[dict[str, Any]], api_id: str) -> Path:
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}).replace("{api}", api_id)
    path = folder / "policy.json"
    path.write_text(json.dumps({"Policy": text, "RevisionId": "1"}))
    return path


@pytest.mark.parametrize("case", CASES)
def test_iam_evaluation(case: str, api_id: str, tmp_path: Path) -> None:
    statements, allowed = CASES[case]
    deployment = load(Source(template=TEMPLATE, policies=(policy_file(tmp_path, statements, api_id),)))
    api = deployment.apis[0]
    function = deployment.functions[FUNCTION]
    arns = source_arns(deployment, api, "GET", "/good", "GET", "/good")
    assert decide(deployment, function, arns).allowed is allowed


@pytest.mark.parametrize("case", ["deny-wins", "arnnotlike-self", "stringnotequals-own-account", "allow-arnlike"])
def test_serve_and_doctor_agree(case: str, api_id: str, tmp_path: Path) -> None:
    statements, allowed = CASES[case]
    policy = policy_file(tmp_path, statements, api_id)
    with Gateway.from_template(TEMPLATE, policies=(policy,), watch=False) as gateway:
        status = gateway.request("GET", "/good", test_invoke=False).status
    assert status == (200 if allowed else 500)
    report = examine(Source(template=TEMPLATE, policies=(policy,)), ["GoodFunction"])
    [check] = [c for c in report.checks if c.family == "policy"]
    assert (check.mark == "pass") is allowed, check.findings


def test_statements_lambdagate_cannot_evaluate_are_refused(tmp_path: Path) -> None:
    from lambdagate.errors import DefinitionError

    for bad, message in [({"NotPrincipal": "*"}, "NotPrincipal is not evaluated"),
                         ({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}, "condition key"),
                         ({"Effect": "Maybe"}, "Effect must be Allow or Deny")]:
        path = policy_file(tmp_path, [{**statement(), **bad}], "x")
        with pytest.raises(DefinitionError, match=message):
            load(Source(template=TEMPLATE, policies=(path,)))
