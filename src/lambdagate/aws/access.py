"""The one way lambdagate reaches an AWS account: boto3 with the user's credentials (profile, region), read-only.

Every call goes through `AwsAccess.call`; a botocore `before-call` hook refuses any operation that is not in
READ_ONLY_OPERATIONS before it is signed or sent, so that a command that only looks can never change the account.
AWS errors become LambdagateErrors (exit code 2) that name the call and, for a refusal, the IAM action to grant.
The deployment package is fetched from the presigned `Code.Location` that GetFunction returns (a plain HTTPS GET,
Lambda API_FunctionCodeLocation), never with an S3 call.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions

from ..errors import LambdagateError

# (service, operation): every call lambdagate makes; all of them only read.
READ_ONLY_OPERATIONS: frozenset[tuple[str, str]] = frozenset({
    ("cloudformation", "ListStackResources"),
    ("apigateway", "GetRestApi"),
    ("apigateway", "GetResources"),
    ("apigateway", "GetStage"),
    ("apigateway", "GetStages"),
    ("apigateway", "GetExport"),
    ("lambda", "GetFunction"),
    ("lambda", "GetPolicy"),
    ("lambda", "GetLayerVersionByArn"),
    ("logs", "FilterLogEvents"),
})
# the IAM action each operation needs, for the message when it is refused
_IAM = {"apigateway": "apigateway:GET", "cloudformation": "cloudformation:ListStackResources",
        "lambda": "lambda:{operation}", "logs": "logs:FilterLogEvents"}
_NOT_FOUND = frozenset({"ResourceNotFoundException", "NotFoundException"})
MAX_PACKAGE_BYTES = 300 * 1024 * 1024   # above Lambda's 250 MB unzipped limit (LDG gettingstarted-limits.md)


class WriteRefused(LambdagateError):
    """lambdagate was about to call an operation that is not read-only: a bug, never sent."""


class AwsAccess:
    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.ProfileNotFound as e:
            raise LambdagateError(f"--profile {profile}: {e}") from None
        if not self.session.region_name:
            raise LambdagateError("no AWS region: pass --region, or set AWS_REGION or a region in your AWS profile")
        self.region: str = self.session.region_name
        self.profile = profile
        self.calls: list[tuple[str, str]] = []
        self._clients: dict[str, Any] = {}
        self.session.events.register("before-call", self._guard)

    def _guard(self, model: Any, **_: Any) -> None:
        operation = (model.service_model.service_name, model.name)
        if operation not in READ_ONLY_OPERATIONS:
            raise WriteRefused(f"lambdagate only reads from AWS; {operation[0]} {operation[1]} is not one of its "
                               "read-only calls and was not sent")
        self.calls.append(operation)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    def call(self, service: str, method: str, missing_ok: bool = False, **params: Any) -> Any:
        """One call; with `missing_ok`, None when the resource does not exist (404)."""
        try:
            return getattr(self.client(service), method)(**params)
        except botocore.exceptions.ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            if missing_ok and code in _NOT_FOUND:
                return None
            raise LambdagateError(self._explain(service, e.operation_name, code, str(error.get("Message", ""))))\
                from None
        except botocore.exceptions.NoCredentialsError:
            raise LambdagateError("no AWS credentials: configure a profile (`aws configure`, `aws sso login`) and "
                                  "pass --profile, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from None
        except botocore.exceptions.EndpointConnectionError as e:
            raise LambdagateError(f"cannot reach AWS {service} in {self.region}: {e}") from None
        except botocore.exceptions.BotoCoreError as e:
            raise LambdagateError(f"AWS {service}: {e}") from None

    def pages(self, service: str, method: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item of a paginated list (`items`, `StackResourceSummaries`, `events`...)."""
        token_in, token_out = _TOKENS[service]
        token = None
        while True:
            page = self.call(service, method, **params, **({token_in: token} if token else {}))
            yield from page.get(key, [])
            token = page.get(token_out)
            if not token:
                return

    def _explain(self, service: str, operation: str, code: str, message: str) -> str:
        text = f"AWS {service} {operation} in {self.region}: {code}: {message}"
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
                    "ExpiredTokenException"):
            action = _IAM[service].format(operation=operation)
            text += f" (lambdagate needs the read permission {action}; it never writes)"
        return text

    def download(self, location: str, what: str) -> bytes:
        """The deployment package at GetFunction's presigned Code.Location (valid for 10 minutes)."""
        try:
            with urllib.request.urlopen(location, timeout=120) as reply:   # noqa: S310 - a URL AWS handed us
                data: bytes = reply.read(MAX_PACKAGE_BYTES + 1)
        except (urllib.error.URLError, OSError) as e:
            raise LambdagateError(f"cannot download {what} from its Code.Location: {e}") from None
        if len(data) > MAX_PACKAGE_BYTES:
            raise LambdagateError(f"{what} is larger than {MAX_PACKAGE_BYTES} bytes: not downloaded")
        return data


# (request parameter, response field) of each service's pagination
_TOKENS = {"apigateway": ("position", "position"), "cloudformation": ("NextToken", "NextToken"),
           "logs": ("nextToken", "nextToken"), "lambda": ("Marker", "NextMarker")}
