"""auth/sigv4.py: AWS_IAM methods check a SigV4 signature made by botocore against the request as received; the
exact 403 bodies for a missing, a malformed, an unknown, an out-of-date and a wrong signature (aws-auth.md §3)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lambdagate import errors
from lambdagate.auth.sigv4 import IamCredentials, caller_identity, unknown_route_error, verify
from lambdagate.exchange import HttpRequest

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLE = "arn:aws:sts::111122223333:assumed-role/tester/session-1"
SECRETS = IamCredentials([f"{KEY}:{SECRET}:{ROLE}", "AKIAOTHER0000000000X:other-secret"], chain=False)


def signed(method: str = "POST", path: str = "/items/42", query: str = "b=2&a=1", body: bytes = b'{"x": 1}',
           secret: str = SECRET, token: str | None = None, headers: dict[str, str] | None = None) -> HttpRequest:
    """A request signed by botocore as an SDK client signs it, as the server receives it."""
    url = f"http://127.0.0.1:3000{path}" + (f"?{query}" if query else "")
    aws = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json",
                                                                 **(headers or {})})
    SigV4Auth(Credentials(KEY, secret, token), "execute-api", "us-east-1").add_auth(aws)
    sent = [("Host", "127.0.0.1:3000")] + [(k, v) for k, v in aws.headers.items()]
    return HttpRequest(method, path, query or None, tuple(sent), body, "127.0.0.1", 3000, time.time())


def refused(request: HttpRequest, now: float | None = None) -> errors.GatewayError:
    with pytest.raises(errors.GatewayError) as info:
        verify(request, "us-east-1", "123456789012", SECRETS, now)
    return info.value


def message(error: errors.GatewayError) -> str:
    return str(json.loads(error.body)["message"])


def test_a_request_signed_by_botocore_passes_and_fills_the_identity() -> None:
    """sec3-REC: requestContext.identity of an IAM-authorized call (role session: AROA...:<session>)."""
    caller = verify(signed(), "us-east-1", "123456789012", SECRETS)
    assert caller.identity["accountId"] == "111122223333" and caller.identity["userArn"] == ROLE
    assert caller.identity["accessKey"] == KEY and caller.identity["caller"] == caller.identity["user"]
    assert caller.identity["caller"].startswith("AROA") and caller.identity["caller"].endswith(":session-1")
    for method, path, query in (("GET", "/", ""), ("DELETE", "/a%20b/c", "q=x%2By&q=z")):
        verify(signed(method, path, query, b""), "us-east-1", "123456789012", SECRETS)


def test_no_signature_is_missing_authentication_token() -> None:
    """sec3-REC-FLOCI-R7."""
    unsigned = HttpRequest("GET", "/items", None, (("Host", "h"),), b"", "127.0.0.1", 3000, time.time())
    error = refused(unsigned)
    assert (error.status, error.body, error.error_type, error.response_type) == (
        403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException",
        "MISSING_AUTHENTICATION_TOKEN")


def test_a_wrong_secret_gets_aws_s_mismatch_text_with_the_canonical_request() -> None:
    """sec3-REC-2020-capture: the canonical request and string to sign AWS computed, quoted."""
    request = signed(secret="not-the-secret")
    error = refused(request)
    assert (error.status, error.error_type, error.response_type) == (403, "InvalidSignatureException",
                                                                     "INVALID_SIGNATURE")
    text = message(error)
    assert text.startswith("The request signature we calculated does not match the signature you provided. Check "
                           "your AWS Secret Access Key and signing method. Consult the service documentation for "
                           "details.\n\nThe Canonical String for this request should have been\n'POST\n/items/42\n"
                           "a=1&b=2\ncontent-type:application/json\nhost:127.0.0.1:3000\nx-amz-date:")
    amz_date = request.header("X-Amz-Date")
    assert f"\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n{amz_date}\n{amz_date[:8]}/us-east-1/" \
           "execute-api/aws4_request\n" in text and text.endswith("'\n")
    assert error.body.startswith(b'{"message":"The request signature') and b"\\n" in error.body


def test_a_changed_body_or_path_breaks_the_signature() -> None:
    request = signed()
    for changed in (HttpRequest(request.method, request.raw_path, request.raw_query, request.headers, b'{"x": 2}',
                                "127.0.0.1", 3000, request.received_at),
                    HttpRequest(request.method, "/items/43", request.raw_query, request.headers, request.body,
                                "127.0.0.1", 3000, request.received_at)):
        assert refused(changed).error_type == "InvalidSignatureException"


@pytest.mark.parametrize(("offset", "text"), [
    (-301, "Signature expired: {date} is now earlier than {limit} ({now} - 5 min.)"),
    (301, "Signature not yet current: {date} is still later than {limit} ({now} + 5 min.)"),
], ids=["sec3-REC-expired", "sec3-UNCERTAIN-not-yet-current"])
def test_signatures_out_of_date(offset: int, text: str) -> None:
    request = signed()
    date = request.header("X-Amz-Date") or ""
    signed_at = time.mktime(time.strptime(date, "%Y%m%dT%H%M%SZ")) - time.timezone
    now = signed_at - offset

    def stamp(t: float) -> str:
        return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))

    limit = stamp(now - 300) if offset < 0 else stamp(now + 300)
    error = refused(request, now)
    assert message(error) == text.format(date=date, limit=limit, now=stamp(now))


def test_an_unknown_access_key_and_a_wrong_session_token() -> None:
    unknown = IamCredentials(["AKIAOTHER0000000000X:other-secret"], chain=False)
    with pytest.raises(errors.GatewayError) as info:
        verify(signed(), "us-east-1", "123456789012", unknown)
    assert (info.value.body, info.value.error_type) == (
        b'{"message":"The security token included in the request is invalid."}', "UnrecognizedClientException")


@pytest.mark.parametrize(("header", "text"), [
    ("Bearer abc.def", "abc.def not a valid key=value pair (missing equal-sign) in Authorization header: "
                       "'Bearer abc.def'"),
    ("AWS4-HMAC-SHA256 Signature=abc", "Authorization header requires 'Credential' parameter. Authorization header "
                                       "requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
                                       "Signature=abc"),
], ids=["sec3-REC-ERRMAP-bearer", "sec3-UNCERTAIN-missing-parameters"])
def test_malformed_authorization_headers(header: str, text: str) -> None:
    request = HttpRequest("GET", "/x", None, (("Authorization", header),), b"", "127.0.0.1", 3000, time.time())
    error = refused(request)
    assert (message(error), error.error_type) == (text, "IncompleteSignatureException")


def test_an_unknown_route_with_a_bearer_token_gets_the_incomplete_signature_text() -> None:
    """sec3-REC-ERRMAP: the side effect on routing misses; without Authorization it stays Missing Authentication
    Token."""
    bearer = HttpRequest("GET", "/nope", None, (("Authorization", "Bearer abc"),), b"", "127.0.0.1", 3000, 0.0)
    error = unknown_route_error(bearer)
    assert (error.status, message(error), error.response_type) == (
        403, "abc not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'",
        "MISSING_AUTHENTICATION_TOKEN")
    plain = HttpRequest("GET", "/nope", None, (), b"", "127.0.0.1", 3000, 0.0)
    assert unknown_route_error(plain).body == b'{"message":"Missing Authentication Token"}'


def test_presigned_urls_are_named_as_not_emulated() -> None:
    request = HttpRequest("GET", "/x", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc", (), b"", "1", 1, 0.0)
    assert refused(request).status == 501


@pytest.mark.parametrize(("arn", "caller"), [
    (None, "123456789012"), ("arn:aws:iam::111122223333:user/alice", "AIDA")],
    ids=["root-by-default", "iam-user"])
def test_caller_identity(arn: str | None, caller: str) -> None:
    from lambdagate.auth.sigv4 import CallerCredentials

    identity = caller_identity(CallerCredentials(KEY, SECRET, None, arn), "123456789012")
    assert identity["caller"].startswith(caller)
