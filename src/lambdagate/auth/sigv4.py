"""`AWS_IAM` methods: the caller's SigV4 signature recomputed with botocore's signer for the request as received,
and the caller's identity as the integration sees it (aws-auth.md §3).

- No `Authorization` header (and no signing query parameters): 403 Missing Authentication Token ([REC] FLOCI-REC).
- An `Authorization` header that is not `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`: 403
  IncompleteSignatureException with AWS's text ([REC] ERRMAP for the missing equal sign; the missing-parameter
  text is AWS's standard one [UNCERTAIN] for execute-api).
- An access key lambdagate has no secret for, or a session token that is not the key's: 403 `The security token
  included in the request is invalid.` ([REC-ish]).
- `X-Amz-Date` more than 5 minutes from now: `Signature expired: ...` / `Signature not yet current: ...`.
- A signature that does not match: 403 with the canonical request and string to sign AWS computed ([REC] 2020
  capture). The canonical request is of the request as it arrived here (on AWS the path holds the stage).
- The signing scope is the API's region and `execute-api`.
Presigned URLs (`X-Amz-Signature` in the query string) are not emulated: lambdagate says so instead of guessing.

Secrets come from `--iam-credentials KEY:SECRET[:ARN]` and from the local credential chain (environment, shared
credentials and config files; nothing that calls AWS). lambdagate does not evaluate the caller's IAM policies: a
valid signature is allowed. The caller is the ARN given with the key, else the account's root (as the console's test
caller is, events.test_invoke_identity).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .. import errors
from ..errors import (
    MISSING_EQUAL_SIGN_MESSAGE,
    SIGNATURE_EXPIRED_MESSAGE,
    SIGNATURE_MISMATCH_MESSAGE,
    SIGNATURE_NOT_YET_CURRENT_MESSAGE,
    GatewayError,
    LambdagateError,
)
from ..exchange import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
MAX_SKEW = 300                      # seconds: "5 min." in AWS's messages
CREDENTIALS_FLAG = "--iam-credentials"
# providers of botocore's chain that only read local files and the environment
_LOCAL_PROVIDERS = ("env", "shared-credentials-file", "config-file", "boto-config", "ec2-credentials-file")
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class CallerCredentials:
    access_key: str
    secret_key: str
    session_token: str | None = None
    arn: str | None = None


class IamCredentials:
    """The secrets lambdagate checks signatures with: the flag's, then the local chain's (read once, lazily)."""

    def __init__(self, given: Iterable[str] = (), chain: bool = True) -> None:
        self._given = {c.access_key: c for c in map(_parse_flag, given)}
        self._chain = chain
        self._chained: CallerCredentials | None = None
        self._loaded = False

    def lookup(self, access_key: str) -> CallerCredentials | None:
        if access_key in self._given:
            return self._given[access_key]
        if self._chain and not self._loaded:
            self._loaded = True
            self._chained = _local_chain()
        return self._chained if self._chained and self._chained.access_key == access_key else None


def _parse_flag(item: str) -> CallerCredentials:
    key, sep, rest = item.partition(":")
    secret, _, arn = rest.partition(":")
    if not sep or not key or not secret:
        raise LambdagateError(f"{CREDENTIALS_FLAG}: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY[:CALLER_ARN], got "
                              f"{item!r}")
    if arn and not arn.startswith("arn:"):
        raise LambdagateError(f"{CREDENTIALS_FLAG}: the caller ARN must be an IAM user or assumed-role ARN, got "
                              f"{arn!r}")
    return CallerCredentials(key, secret, None, arn or None)


def _local_chain() -> CallerCredentials | None:
    import botocore.session

    session = botocore.session.Session()
    resolver = session.get_component("credential_provider")
    resolver.providers = [p for p in resolver.providers if p.METHOD in _LOCAL_PROVIDERS]
    found = resolver.load_credentials()
    if found is None:
        return None
    frozen = found.get_frozen_credentials()
    return CallerCredentials(frozen.access_key, frozen.secret_key, frozen.token)


@dataclass(frozen=True)
class SignedCaller:
    credentials: CallerCredentials
    identity: dict[str, Any]        # the requestContext.identity fields an IAM-authorized call fills


class _ReceivedSigner(SigV4Auth):
    """botocore's SigV4 with the signed headers the client chose, not the ones botocore would choose."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = super().headers_to_sign(AWSRequest(method=request.method, url=request.url))
        for name in list(headers.keys()):
            del headers[name]
        for name in self._signed:
            if name in request.headers:
                headers[name] = request.headers[name]
        return headers


def verify(request: HttpRequest, region: str, account_id: str, secrets: IamCredentials,
           now: float | None = None) -> SignedCaller:
    """The signed caller, or the GatewayError AWS answers."""
    header = request.header("Authorization")
    query = request.raw_query or ""
    if "X-Amz-Signature=" in query or "X-Amz-Algorithm=" in query:
        raise errors.limitation("a SigV4 presigned URL (signature in the query string) for an AWS_IAM method; "
                                "sign with the Authorization header")
    if not header:
        raise errors.missing_authentication_token()
    fields = authorization_fields(header)
    if isinstance(fields, GatewayError):
        raise fields
    amz_date = request.header("X-Amz-Date") or ""
    scope = fields["Credential"].split("/")
    access_key = scope[0]
    found = secrets.lookup(access_key)
    if found is None:
        raise errors.unrecognized_client(f"no secret for access key {access_key}: give it with {CREDENTIALS_FLAG} "
                                         "KEY:SECRET, or sign with the credentials of your local profile")
    if found.session_token is not None and request.header("X-Amz-Security-Token") != found.session_token:
        raise errors.unrecognized_client(f"the X-Amz-Security-Token is not the session token of {access_key}")
    _check_date(amz_date, time.time() if now is None else now)
    signed = fields["SignedHeaders"].split(";")
    canonical, to_sign, signature = _expected(request, region, found, signed, amz_date)
    if not hmac.compare_digest(signature, fields["Signature"]):
        raise errors.invalid_signature(SIGNATURE_MISMATCH_MESSAGE.format(canonical_request=canonical,
                                                                          string_to_sign=to_sign),
                                       f"the signature does not match for access key {access_key}")
    return SignedCaller(found, caller_identity(found, account_id))


def authorization_fields(header: str) -> dict[str, str] | GatewayError:
    """Credential, SignedHeaders and Signature of a SigV4 Authorization header, or AWS's 403 for a malformed one."""
    algorithm, _, rest = header.partition(" ")
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    for part in parts:
        if "=" not in part:
            return errors.incomplete_signature(MISSING_EQUAL_SIGN_MESSAGE.format(token=part, header=header))
    fields = dict(p.split("=", 1) for p in parts)
    missing = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                                 "SignedHeaders")
               if name not in fields]
    if algorithm != ALGORITHM or missing:
        text = " ".join(missing) + f" Authorization={header}" if missing else (
            f"Unsupported Authorization Type: {algorithm}")   # [UNCERTAIN] text for another algorithm
        return errors.incomplete_signature(text)
    if len(fields["Credential"].split("/")) != 5:
        return errors.incomplete_signature(f"Credential should be scoped to a valid region. Authorization={header}")
    return fields


def unknown_route_error(request: HttpRequest) -> GatewayError:
    """The 403 of a request that matches no method: Missing Authentication Token, unless an Authorization header
    that is not SigV4 is present (aws-auth.md §3 [REC] ERRMAP)."""
    header = request.header("Authorization")
    if header:
        found = authorization_fields(header)
        if isinstance(found, GatewayError):
            return errors.incomplete_signature(_message(found), "MISSING_AUTHENTICATION_TOKEN")
    return errors.missing_authentication_token()


def _message(error: GatewayError) -> str:
    return str(json.loads(error.body)["message"])


def _check_date(amz_date: str, now: float) -> None:
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise errors.incomplete_signature("Authorization header requires existence of either a 'X-Amz-Date' or a "
                                          "'Date' header.") from None

    def stamp(t: float) -> str:
        return time.strftime(_AMZ_DATE, time.gmtime(t))

    if signed_at < now - MAX_SKEW:
        raise errors.invalid_signature(SIGNATURE_EXPIRED_MESSAGE.format(
            request_date=amz_date, earliest=stamp(now - MAX_SKEW), now=stamp(now)))
    if signed_at > now + MAX_SKEW:
        raise errors.invalid_signature(SIGNATURE_NOT_YET_CURRENT_MESSAGE.format(
            request_date=amz_date, latest=stamp(now + MAX_SKEW), now=stamp(now)))


def _expected(request: HttpRequest, region: str, found: CallerCredentials, signed: list[str],
              amz_date: str) -> tuple[str, str, str]:
    """(canonical request, string to sign, signature) as botocore computes them for this request."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in signed:
            headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    host = headers.get("host", "")
    url = f"http://{host}{request.raw_path}" + (f"?{request.raw_query}" if request.raw_query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = amz_date
    signer = _ReceivedSigner(Credentials(found.access_key, found.secret_key, found.session_token), region, signed)
    canonical = signer.canonical_request(aws_request)
    to_sign = signer.string_to_sign(aws_request, canonical)
    return canonical, to_sign, signer.signature(to_sign, aws_request)


def caller_identity(found: CallerCredentials, account_id: str) -> dict[str, Any]:
    """`requestContext.identity` fields of an IAM-authorized call (§3 [REC]): the account, the access key, the
    principal id as `caller` and `user`, the ARN as `userArn`. Principal ids are stable stand-ins (`AIDA...` for a
    user, `AROA...:<session>` for a role session; the account id for the root)."""
    arn = found.arn or f"arn:aws:iam::{account_id}:root"
    account = arn.split(":")[4] or account_id
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    digest = hashlib.sha256(arn.encode()).hexdigest().upper()[:17]
    if resource == "root":
        principal = account
    elif resource.startswith("assumed-role/"):
        principal = f"AROA{digest}:{resource.rsplit('/', 1)[-1]}"
    else:
        principal = f"AIDA{digest}"
    return {"accountId": account, "caller": principal, "accessKey": found.access_key, "userArn": arn,
            "user": principal}
