"""What the client gets for each function result on an HTTP API (docs/aws-http-api.md §5): payload 2.0 inferred
and structured results, payload 1.0 results; `MALFORMED` is the 500 `{"message":"Internal Server Error"}`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdagate.httpapi.result import MalformedResult, parse_result_v1, parse_result_v2

MALFORMED = None
TEXT = ("Content-Type", "text/plain; charset=utf-8")
JSON = ("Content-Type", "application/json")


def ok(body: bytes, *headers: tuple[str, str], status: int = 200) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, list(headers), body


def raw(payload: str) -> Any:
    return RawPayload(payload)


class RawPayload:
    def __init__(self, text: str) -> None:
        self.text = text


V2_CASES = [
    # §5.1 inferred [DOC]
    pytest.param("Hello from Lambda!", ok(b"Hello from Lambda!", JSON), id="sec5.1-DOC-string-is-the-body"),
    pytest.param(raw('{ "message": "Hello from Lambda!" }'), ok(b'{ "message": "Hello from Lambda!" }', JSON),
                 id="sec5.1-DOC-object-is-the-body-as-serialised"),
    pytest.param(raw("3.1"), ok(b"3.1", JSON), id="sec5.1-INFERRED-number"),
    pytest.param(raw("[1, 2]"), ok(b"[1, 2]", JSON), id="sec5.1-INFERRED-array"),
    pytest.param(raw("true"), ok(b"true", JSON), id="sec5.1-INFERRED-boolean"),
    pytest.param({"body": "x", "headers": {"a": "b"}}, ok(b'{"body": "x", "headers": {"a": "b"}}', JSON),
                 id="sec5.1-DOC-no-statusCode-whole-object-is-body"),
    pytest.param({"errorMessage": "boom", "errorType": "Error"},
                 ok(b'{"errorMessage": "boom", "errorType": "Error"}', JSON),
                 id="sec5.6-INFERRED-returned-error-shape-is-inferred-200"),
    # §5.2, §5.3 structured
    pytest.param({"statusCode": 200, "body": "Hello from Lambda!"}, ok(b"Hello from Lambda!", TEXT),
                 id="sec5.3-REC-no-content-type-text-plain"),
    pytest.param({"statusCode": 201, "body": '{"message":"Created"}'}, ok(b'{"message":"Created"}', TEXT, status=201),
                 id="sec5.3-REC-json-body-still-text-plain"),
    pytest.param({"statusCode": 200, "headers": {"Content-Type": "application/xml"}, "body": "<a/>"},
                 ok(b"<a/>", ("Content-Type", "application/xml")), id="sec5.2-REC-content-type-kept"),
    pytest.param({"statusCode": 200, "headers": None, "cookies": None, "body": "Hello, World!",
                  "isBase64Encoded": False}, ok(b"Hello, World!", TEXT), id="sec5.2-REC-null-headers-and-cookies"),
    pytest.param({"statusCode": 200, "headers": {"myheader": "test,shouldhavesecondvalue"}, "body": ""},
                 ok(b"", ("myheader", "test,shouldhavesecondvalue"), TEXT), id="sec5.2-REC-comma-value-one-line"),
    pytest.param({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": ""},
                 ok(b"", TEXT, ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2")),
                 id="sec5.4-DOC-each-cookie-a-set-cookie-line"),
    pytest.param({"statusCode": 200, "body": "eyJtZXNzYWdlIjoiSGVsbG8sIEFQSSBHYXRld2F5IHYyISJ9",
                  "isBase64Encoded": True}, ok(b'{"message":"Hello, API Gateway v2!"}', TEXT),
                 id="sec5.5-REC-base64-always-decoded"),
    pytest.param({"statusCode": 204}, ok(b"", TEXT, status=204), id="sec5.3-UNCERTAIN-no-body"),
    pytest.param({"statusCode": 200, "unknown": 1, "body": "x"}, ok(b"x", TEXT), id="sec5.2-IMPL-unknown-keys-ignored"),
    pytest.param({"statusCode": 200, "headers": {"Content-Length": "999"}, "body": "x"}, ok(b"x", TEXT),
                 id="sec5.2-UNCERTAIN-framing-headers-dropped"),
    pytest.param({"statusCode": "201", "body": "x"}, ok(b"x", TEXT, status=201),
                 id="sec5.6-INFERRED-numeric-string-as-REST"),
    pytest.param({"statusCode": 200, "headers": {"x-n": 5, "x-b": True}, "body": ""},
                 ok(b"", ("x-n", "5"), ("x-b", "true"), TEXT), id="sec5.6-INFERRED-scalar-headers-coerced"),
    # §5.6 malformed
    pytest.param({"statusCode": 0, "body": "x"}, MALFORMED, id="sec5.6-REC-statusCode-zero"),
    pytest.param({"statusCode": 200.5}, MALFORMED, id="sec5.6-IMPL-statusCode-float"),
    pytest.param({"statusCode": 999}, MALFORMED, id="sec5.6-INFERRED-statusCode-out-of-range"),
    pytest.param({"statusCode": None}, MALFORMED, id="sec5.1-UNCERTAIN-statusCode-null"),
    pytest.param({"statusCode": 200, "body": {"a": 1}}, MALFORMED, id="sec5.6-REC-ish-body-object"),
    pytest.param({"statusCode": 200, "headers": {"a": {"b": 1}}}, MALFORMED, id="sec5.6-INFERRED-header-object"),
    pytest.param({"statusCode": 200, "cookies": "a=b"}, MALFORMED, id="sec5.4-INFERRED-cookies-not-a-list"),
    pytest.param({"statusCode": 200, "body": "%%%", "isBase64Encoded": True}, MALFORMED,
                 id="sec5.5-UNCERTAIN-invalid-base64"),
    pytest.param(raw("not json"), MALFORMED, id="sec5.6-INFERRED-not-json"),
    pytest.param({"statusCode": 200, "headers": {"x": "a\r\nb"}}, MALFORMED, id="sec5.6-INFERRED-header-line-break"),
]


def payload(result: Any) -> bytes:
    return result.text.encode() if isinstance(result, RawPayload) else json.dumps(result).encode()


@pytest.mark.parametrize(("result", "expected"), V2_CASES)
def test_result_v2(result: Any, expected: tuple[int, list[tuple[str, str]], bytes] | None) -> None:
    if expected is MALFORMED:
        with pytest.raises(MalformedResult):
            parse_result_v2(payload(result))
        return
    parsed = parse_result_v2(payload(result))
    assert (parsed.status, list(parsed.headers), parsed.body) == expected


def test_sec5_6_REC_ish_body_object_names_AWS_message() -> None:
    with pytest.raises(MalformedResult) as caught:
        parse_result_v2(json.dumps({"statusCode": 200, "body": {}}).encode())
    assert caught.value.integration_error == 'Lambda body contains the wrong type for field "body"'


V1_CASES = [
    pytest.param({"statusCode": 200, "body": "x"}, ok(b"x", TEXT), id="sec5.8-REC-text-plain-default"),
    pytest.param({"statusCode": 0, "body": "x"}, MALFORMED, id="sec5.8-REC-statusCode-zero-500"),
    pytest.param({"statusCode": 200, "headers": {"Combined-Header": "single-value"},
                  "multiValueHeaders": {"Combined-Header": ["multi-value1", "multi-value2"]}},
                 ok(b"", ("Combined-Header", "single-value"), ("Combined-Header", "multi-value1"),
                    ("Combined-Header", "multi-value2"), TEXT), id="sec5.8-REC-single-value-first"),
    pytest.param({"statusCode": 200, "multiValueHeaders": {"X-Multi-Header": ["Value1", "Value2"]}},
                 ok(b"", ("X-Multi-Header", "Value1"), ("X-Multi-Header", "Value2"), TEXT),
                 id="sec5.8-REC-multi-values-separate"),
    pytest.param({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, ok(b"hi", TEXT),
                 id="sec5.8-INFERRED-base64-decoded-without-binary-types"),
    pytest.param({"statusCode": 200, "cookies": ["a=b"]}, MALFORMED, id="sec5.8-DOC-REST-keys-only"),
    pytest.param({"statusCode": 200, "body": {"a": 1}}, MALFORMED, id="sec5.8-REC-body-object"),
    pytest.param({"statusCode": 302, "headers": {"Location": "/x"}}, ok(b"", ("Location", "/x"), TEXT, status=302),
                 id="sec5.8-DOC-redirect"),
]


@pytest.mark.parametrize(("result", "expected"), V1_CASES)
def test_result_v1(result: Any, expected: tuple[int, list[tuple[str, str]], bytes] | None) -> None:
    if expected is MALFORMED:
        with pytest.raises(MalformedResult):
            parse_result_v1(payload(result))
        return
    parsed = parse_result_v1(payload(result))
    assert (parsed.status, list(parsed.headers), parsed.body) == expected
