"""What doctor's invocations may reach: nothing of the developer's AWS account.

Each function runs with credentials that sign nothing real (an access key per function, so that a call says whose
it is) and with the AWS SDKs' endpoint (`AWS_ENDPOINT_URL`, read by botocore and by the AWS SDK for JavaScript v3,
and by the other current SDKs) set to a server of doctor's on loopback that answers every call with an error of its
own, in the form the call's protocol expects, and remembers the call. The profile, shared config and credentials
files, container and web-identity credentials and per-service endpoints are taken away. An SDK that ignores
`AWS_ENDPOINT_URL` still has only credentials AWS refuses. A function that calls AWS is reported as a note ("the
function called AWS"): its answer in doctor is not the one it gives with AWS behind it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from aiohttp import web

from ..definition.model.function import Function

ERROR_CODE = "LambdagateDoctorNoAWS"
MESSAGE = "lambdagate doctor answers every AWS call with this error, so that checking a function changes nothing"
SECRET = "lambdagate-doctor-signs-nothing"
REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
           "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/,\s]+)/")


@dataclass(frozen=True)
class AwsCall:
    function: str | None        # the function's logical id, from the access key it signed with
    service: str                # from the signature's credential scope ("dynamodb", "s3", ...)
    operation: str              # X-Amz-Target's operation, the query Action, or METHOD /path

    def __str__(self) -> str:
        return f"{self.service} {self.operation}".strip()


class Sandbox:
    """The stand-in endpoint and the environment that points functions at it. `start()`, then `environment` for
    LambdaService, `calls` afterwards; `close()`."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self.endpoint = ""
        self._keys: dict[str, str] = {}
        self._runner: web.ServerRunner | None = None

    async def start(self) -> None:
        runner = web.ServerRunner(web.Server(self._answer), handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        self.endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def environment(self, function: Function, env: dict[str, str]) -> None:
        """Make `env` (an environment's variables) safe: see the module's docstring."""
        key = self._keys.setdefault(function.logical_id, f"LAMBDAGATEDOCTOR{len(self._keys):04d}")
        for name in [n for n in env if n.startswith("AWS_ENDPOINT_URL_")] + list(REMOVED):
            env.pop(name, None)
        env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": SECRET,
                    "AWS_ENDPOINT_URL": self.endpoint, "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"})

    def calls_of(self, function: Function) -> list[AwsCall]:
        return [c for c in self.calls if c.function == function.logical_id]

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        body = await request.read()
        found = _CREDENTIAL.search(request.headers.get("Authorization", ""))
        owner = {key: name for name, key in self._keys.items()}.get(found.group(1)) if found else None
        service = found.group(2) if found else ""
        target = request.headers.get("X-Amz-Target", "")
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0] if not target else ""
        operation = target.rpartition(".")[2] or action or f"{request.method} {request.path}"
        self.calls.append(AwsCall(owner, service, operation))
        headers = {"x-amzn-RequestId": "lambdagate-doctor", "x-amzn-ErrorType": ERROR_CODE}
        if target:  # the JSON protocols (DynamoDB, SQS, Kinesis, ...)
            return web.json_response({"__type": f"lambdagate#{ERROR_CODE}", "message": MESSAGE}, status=400,
                                     headers=headers, content_type="application/x-amz-json-1.0")
        if service == "s3":  # REST-XML
            return web.Response(status=400, headers=headers, content_type="application/xml",
                                text=f"<Error><Code>{ERROR_CODE}</Code><Message>{MESSAGE}</Message></Error>")
        if action:  # the query protocol (STS, SNS, ...)
            return web.Response(status=400, headers=headers, content_type="text/xml",
                                text=f"<ErrorResponse><Error><Type>Sender</Type><Code>{ERROR_CODE}</Code><Message>"
                                     f"{MESSAGE}</Message></Error><RequestId>lambdagate-doctor</RequestId>"
                                     "</ErrorResponse>")
        return web.json_response({"message": MESSAGE, "code": ERROR_CODE}, status=400, headers=headers)
