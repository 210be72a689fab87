"""auth/authorizer_policy.py: a Lambda authorizer's answer read as strictly as API Gateway reads it, and its policy
evaluated as IAM does (aws-auth.md §1.6, §1.7). Case ids name the fact sheet section and its label."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdagate.auth.authorizer_policy import PolicyError, evaluate, parse_output

ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/items/42"


def policy(*statements: dict[str, Any], **top: Any) -> bytes:
    return json.dumps({"principalId": "user", "policyDocument": {"Version": "2012-10-17",
                                                                 "Statement": list(statements)}, **top}).encode()


def allow(resource: Any, action: Any = "execute-api:Invoke") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(resource: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resource}


@pytest.mark.parametrize(("answer", "verdict"), [
    (policy(allow(ARN)), "allow"),
    (policy(allow("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*/*")), "allow"),
    (policy(allow("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*")), "allow"),
    (policy(allow("*")), "allow"),
    (policy(allow("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/items/4?")), "allow"),
    (policy(allow("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/")), "implicit_deny"),
    (policy(allow("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/POST/items/42")), "implicit_deny"),
    (policy(), "implicit_deny"),
    (policy(allow(ARN), deny("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*")), "explicit_deny"),
    (policy(deny(ARN)), "explicit_deny"),
    (policy(allow([ARN.replace("GET", "POST"), ARN])), "allow"),
    (policy(allow(ARN, "execute-api:*")), "allow"),
    (policy(allow(ARN, "*")), "allow"),
    (policy(allow(ARN, "EXECUTE-API:invoke")), "allow"),
    (policy(allow(ARN, "lambda:InvokeFunction")), "implicit_deny"),
    (policy({"Effect": "Allow", "Action": "execute-api:Invoke", "NotResource": ARN.replace("42", "7")}), "allow"),
    (policy({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}, allow(ARN)), "explicit_deny"),
    (json.dumps({"principalId": "u", "policyDocument": {"Statement": allow(ARN)}}).encode(), "allow"),
], ids=["sec1.7-DOC-exact-arn", "sec1.7-REC-stage-wildcards", "sec1.7-DOC-star-spans-slashes", "sec1.7-DOC-star",
        "sec1.7-DOC-question-mark", "sec1.7-REC-root-only", "sec1.7-DOC-other-verb", "sec1.10-REC-no-statements",
        "sec1.7-DOC-deny-wins", "sec1.7-DOC-deny", "sec1.6-DOC-resource-list", "sec1.7-REC-action-wildcard",
        "sec1.7-DOC-action-star", "sec1.7-DOC-actions-case-insensitive", "sec1.7-DOC-other-action",
        "IAM-not-resource", "IAM-not-action", "sec1.6-DOC-statement-object"])
def test_policy_verdicts(answer: bytes, verdict: str) -> None:
    assert evaluate(parse_output(answer).statements, ARN)[0] == verdict


@pytest.mark.parametrize(("answer", "detail"), [
    (b'{"errorType":"Error","errorMessage":"Invalid token","trace":[]}',
     'Invalid JSON in response: Unrecognized field "errorType" , not marked as ignorable'),
    (b'{"statusCode":200,"body":"ok"}', 'Invalid JSON in response: Unrecognized field "statusCode" , not marked as '
                                        'ignorable'),
    (b"null", "Could not parse policy"),
    (b'"Allow"', "Could not parse policy"),
    (policy(allow(ARN), context={"nested": {"a": 1}}), "Invalid JSON in response: context.nested is not a primitive"),
    (policy(allow(ARN), context={"list": [1, 2]}), "Invalid JSON in response: context.list is not a primitive"),
    (json.dumps({"principalId": "u"}).encode(), "Could not parse policy"),
    (policy({"Effect": "Maybe", "Action": "*", "Resource": "*"}), "Could not parse policy"),
    (b"{not json", "Invalid JSON in response: Expecting property name enclosed in double quotes"),
], ids=["sec1.6-REC-function-error-payload", "sec1.6-REC-ish-http-response", "sec1.6-REC-null",
        "sec1.6-UNCERTAIN-string", "sec1.6-DOC-context-object", "sec1.6-DOC-context-array",
        "sec1.6-UNCERTAIN-no-policy-document", "sec1.6-UNCERTAIN-effect", "sec1.6-UNCERTAIN-not-json"])
def test_answers_api_gateway_refuses(answer: bytes, detail: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_output(answer)
    assert info.value.detail == detail
    assert info.value.hint


def test_context_values_are_stringified_and_null_stays_null() -> None:
    """sec1.9-REC-DT: numbers and booleans become text, null passes through, order kept."""
    output = parse_output(policy(allow(ARN), context={"str": "hello", "bool": True, "null": None, "num": 123,
                                                      "float": 1.5}, usageIdentifierKey="k" * 20))
    assert output.context == (("str", "hello"), ("bool", "true"), ("null", None), ("num", "123"), ("float", "1.5"))
    assert output.principal_id == "user" and output.usage_identifier_key == "k" * 20


def test_scalar_principal_ids_are_taken_as_text() -> None:
    assert parse_output(policy(allow(ARN)).replace(b'"user"', b"42")).principal_id == "42"
