"""Binary media types (fact sheet §1.3, §2.4, §10.6): base64 on the way in when the request Content-Type is binary,
decoding on the way out when isBase64Encoded and the request's first Accept type is binary.

APIs of the conformance app and their binaryMediaTypes:
    DefinedApi (/defined/...)   image/png, application/octet-stream
    WildBinaryApi (/wild/...)   application/*, */test
    StarBinaryApi (/star/...)   */*
    implicit API (everything else)  none
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from harness import RunningGateway

PAYLOAD = bytes(range(256))                       # not UTF-8: only base64 survives the trip
ENCODED = base64.b64encode(PAYLOAD).decode()
INTERNAL_ERROR = b'{"message": "Internal server error"}'


# --------------------------------------------------------------------------------------------------------------
# Request side (§10.6 [REC-ish]): body base64 + isBase64Encoded true when the Content-Type matches.
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target, content_type, body, expected_body, expected_flag", [
    pytest.param("/defined/echo", "image/png", PAYLOAD, ENCODED, True, id="sec10.6-REC-ish-matching-type-base64"),
    pytest.param("/defined/echo", "application/octet-stream", PAYLOAD, ENCODED, True,
                 id="sec10.6-REC-ish-second-type-base64"),
    pytest.param("/defined/echo", "application/octet-stream; charset=binary", PAYLOAD, ENCODED, True,
                 id="sec10.6-REC-ish-parameters-ignored"),
    pytest.param("/defined/echo", "image/png", b"text too", base64.b64encode(b"text too").decode(), True,
                 id="sec10.6-REC-ish-even-text-is-base64"),
    pytest.param("/defined/echo", "text/plain", b"hello", "hello", False, id="sec1.3-DOC-other-type-is-a-string"),
    pytest.param("/defined/echo", "application/json", b'{"a": 1}', '{"a": 1}', False,
                 id="sec1.3-DOC-json-is-a-string"),
    pytest.param("/defined/echo", None, b"plain", "plain", False, id="sec1.3-DOC-no-content-type-is-a-string"),
    # serverless/serverless#2797: `*/*` registered, `Content-Type: text/plain`, body 'test' -> 'dGVzdA=='
    pytest.param("/star/echo", "text/plain", b"test", "dGVzdA==", True, id="sec10.6-REC-ish-star-star-text-plain"),
    # wildcard entries on the request side: the response side's semantics (§10.6 [INFERRED]); unverified
    pytest.param("/wild/echo", "application/json", b'{"a": 1}', base64.b64encode(b'{"a": 1}').decode(), True,
                 id="sec10.6-INFERRED-right-wildcard-entry"),
    pytest.param("/wild/echo", "text/test", b"t", "t", False, id="sec10.6-INFERRED-left-wildcard-entry-no-match"),
])
def test_request_body_encoding(gateway: RunningGateway, target: str, content_type: str | None, body: bytes,
                               expected_body: str, expected_flag: bool) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    reply = gateway.request("POST", target, headers=headers, body=body)
    assert reply.status == 200, reply.body
    event = json.loads(reply.body)
    assert event["isBase64Encoded"] is expected_flag
    assert event["body"] == expected_body


def test_request_without_binary_type_is_not_base64(gateway: RunningGateway) -> None:
    """§10.6 [REC-ish]: without a matching binary media type, bytes that are not UTF-8 still arrive as a string with
    isBase64Encoded false (AWS does not base64-encode merely because of the bytes, unlike LocalStack [IMPL]). The
    exact substitution is [UNCERTAIN]; lambdagate's U+FFFD per invalid byte is unverified."""
    reply = gateway.request("POST", "/proxy-value", headers=[("Content-Type", "application/octet-stream")],
                            body=b"\xff\xfeabc")
    assert reply.status == 200
    event = json.loads(reply.body)
    assert event["isBase64Encoded"] is False
    assert isinstance(event["body"], str) and event["body"].endswith("abc")
    assert event["body"] == "\ufffd\ufffdabc"  # unverified detail (see docstring)


# --------------------------------------------------------------------------------------------------------------
# Response side (§2.4 [REC], LS test_aws_proxy_binary_response asserted against AWS)
# --------------------------------------------------------------------------------------------------------------
DECODED = "decoded"
LITERAL = "literal"


def result(**extra: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": ENCODED, "isBase64Encoded": True, **extra}


RESPONSE_CASES = [
    # (id, target, Accept or None, proxy result, outcome)
    ("sec2.4-REC-accept-matches", "/defined/respond-with", "image/png", result(), DECODED),
    ("sec2.4-REC-accept-matches-other-entry", "/defined/respond-with", "application/octet-stream", result(), DECODED),
    ("sec2.4-REC-only-first-accept-type-counts-not-decoded", "/defined/respond-with", "image/webp,image/png,*/*;q=0.8",
     result(), LITERAL),
    ("sec2.4-REC-only-first-accept-type-counts-decoded", "/defined/respond-with", "image/png,image/*,*/*;q=0.8",
     result(), DECODED),
    ("sec2.4-REC-accept-parameters-ignored", "/defined/respond-with", "image/png;q=0.9", result(), DECODED),
    ("sec2.4-REC-accept-star-star-does-not-match-concrete", "/defined/respond-with", "*/*", result(), LITERAL),
    ("sec2.4-REC-accept-image-star-does-not-match-image-png", "/defined/respond-with", "image/*", result(), LITERAL),
    ("sec2.4-REC-accept-without-slash", "/defined/respond-with", "application", result(), LITERAL),
    ("sec2.4-REC-no-accept", "/defined/respond-with", None, result(), LITERAL),
    ("sec2.4-REC-isBase64Encoded-false-never-decoded", "/defined/respond-with", "image/png",
     result(isBase64Encoded=False), LITERAL),
    ("sec2.4-REC-response-content-type-irrelevant-text", "/defined/respond-with", "image/png",
     result(headers={"Content-Type": "text/plain"}), DECODED),
    ("sec2.4-REC-response-content-type-irrelevant-other-binary", "/defined/respond-with", "image/png",
     result(headers={"Content-Type": "application/octet-stream"}), DECODED),
    ("sec2.4-REC-right-wildcard-entry", "/wild/respond-with", "application/whatever", result(), DECODED),
    ("sec2.4-REC-right-wildcard-entry-application-test", "/wild/respond-with", "application/test", result(), DECODED),
    ("sec2.4-REC-right-wildcard-entry-literal-accept", "/wild/respond-with", "application/*", result(), DECODED),
    ("sec2.4-REC-left-wildcard-entry-never-matches", "/wild/respond-with", "text/test", result(), LITERAL),
    # AWS doc recommends */* for browsers, whose first Accept type is text/html [DOC]
    ("sec2.4-DOC-star-star-entry-matches-browser-accept", "/star/respond-with",
     "text/html,application/xhtml+xml,*/*;q=0.8", result(), DECODED),
    ("sec2.4-REC-no-binary-types-on-the-api", "/respond", "image/png", result(), LITERAL),
]


@pytest.mark.parametrize("target, accept, proxy_result, outcome",
                         [pytest.param(*c[1:], id=c[0]) for c in RESPONSE_CASES])
def test_response_body_decoding(gateway: RunningGateway, target: str, accept: str | None,
                                proxy_result: dict[str, Any], outcome: str) -> None:
    headers = [("Content-Type", "application/json")] + ([("Accept", accept)] if accept else [])
    reply = gateway.request("POST", target, headers=headers, body=json.dumps(proxy_result))
    assert reply.status == 200, reply.body
    expected = PAYLOAD if outcome == DECODED else ENCODED.encode()
    assert reply.body == expected
    assert reply.all("Content-Length") == [str(len(expected))]
    own_type = (proxy_result.get("headers") or {}).get("Content-Type")
    assert reply.all("Content-Type") == [own_type or "application/json"]  # §2.3: the function's, else the default


def test_invalid_base64_is_a_500(gateway: RunningGateway) -> None:
    """§2.4 / §10.2c [REC] status 500 when decoding fails; the body is [UNCERTAIN] (lambdagate: the usual 36-byte
    `{"message": "Internal server error"}`, unverified)."""
    reply = gateway.request("POST", "/defined/respond-with",
                            headers=[("Content-Type", "application/json"), ("Accept", "image/png")],
                            body=json.dumps({"statusCode": 200, "body": "èé+à)(", "isBase64Encoded": True}))
    assert reply.status == 500
    assert reply.body == INTERNAL_ERROR
    assert ("x-amzn-ErrorType", "InternalServerErrorException") in reply.headers
    assert gateway.request("GET", "/hardcoded").status == 200


@pytest.mark.parametrize("accept, expected", [
    pytest.param("image/png", PAYLOAD, id="sec2.4-sec10.6-round-trip-decoded"),
    pytest.param("*/*", ENCODED.encode(), id="sec2.4-sec10.6-round-trip-accept-any-stays-base64"),
])
def test_binary_round_trip(gateway: RunningGateway, accept: str, expected: bytes) -> None:
    """/defined/binary answers with the event's body and isBase64Encoded as received: bytes in, bytes out only when
    the Accept asks for a binary type."""
    reply = gateway.request("POST", "/defined/binary", headers=[("Content-Type", "image/png"), ("Accept", accept)],
                            body=PAYLOAD)
    assert reply.status == 200
    assert reply.body == expected
    assert reply.all("Content-Type") == ["image/png"]
