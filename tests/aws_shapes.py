"""Faulty deployed shapes, made with boto3 in moto's server (tests/aws_emulator.py), for the `--aws` commands.

moto keeps a function's .zip but answers GetFunction with a `Code.Location` on the real `awslambda-<region>-tasks`
bucket that nothing serves: `PackageHost` is a loopback HTTP server that serves the same bytes, and `host_packages`
points the Location of moto's answer at it (a botocore `after-call` hook on the test's own session), so that the
package is still downloaded over HTTP as lambdagate does with AWS's presigned URL.
"""

from __future__ import annotations

import io
import stat
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lambdagate.aws.access import AwsAccess

REGION = "us-east-1"
ACCOUNT = "123456789012"     # moto's account


def package(files: dict[str, tuple[str, int]]) -> bytes:
    """A .zip whose entries carry Unix modes (create_system 3), as `zip` on Linux writes them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (mode | (stat.S_IFDIR if name.endswith("/") else stat.S_IFREG)) << 16
            archive.writestr(info, text)
    return out.getvalue()


class PackageHost:
    """Serves /<function name>.zip over HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.packages: dict[str, bytes] = {}
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                data = host.packages.get(self.path.strip("/").removesuffix(".zip"))
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def host_packages(access: AwsAccess, host: PackageHost) -> None:
    """Every Location points at the host (a package it does not hold answers 404): never at AWS."""
    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        name = parsed.get("Configuration", {}).get("FunctionName")
        if "Code" in parsed:
            parsed["Code"]["Location"] = f"{host.url}/{name}.zip"
    access.session.events.register("after-call.lambda.GetFunction", rewrite)


@contextmanager
def package_host() -> Iterator[PackageHost]:
    host = PackageHost()
    try:
        yield host
    finally:
        host.close()


def role(session: Any) -> str:
    iam = session.client("iam")
    return str(iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"])


def function(session: Any, host: PackageHost, name: str, role_arn: str, files: dict[str, tuple[str, int]],
             handler: str = "app.handler", runtime: str = "python3.12", **extra: Any) -> str:
    data = package(files)
    host.packages[name] = data
    created = session.client("lambda").create_function(FunctionName=name, Runtime=runtime, Role=role_arn,
                                                       Handler=handler, Code={"ZipFile": data}, **extra)
    return str(created["FunctionArn"])


def proxy_method(session: Any, api_id: str, resource_id: str, verb: str, function_arn: str,
                 integration_verb: str = "POST") -> None:
    client = session.client("apigateway")
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="AWS_PROXY",
                           integrationHttpMethod=integration_verb,
                           uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/"
                               "invocations")


def resource(session: Any, api_id: str, path_part: str, parent: str | None = None) -> str:
    client = session.client("apigateway")
    if parent is None:
        parent = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    return str(client.create_resource(restApiId=api_id, parentId=parent, pathPart=path_part)["id"])


def allow(session: Any, function_name: str, sid: str, source_arn: str) -> None:
    session.client("lambda").add_permission(FunctionName=function_name, StatementId=sid,
                                            Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                                            SourceArn=source_arn)


def report_zero_concurrency(access: AwsAccess, names: set[str]) -> None:
    """moto leaves `Concurrency` out of GetFunction's answer when ReservedConcurrentExecutions is 0 (a truthiness
    test in moto/awslambda/models.py `get_code`); AWS returns it (Lambda API_GetFunction: Concurrency.
    ReservedConcurrentExecutions). The hook puts it back for the functions set to 0."""
    def add(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Configuration", {}).get("FunctionName") in names and "Concurrency" not in parsed:
            parsed["Concurrency"] = {"ReservedConcurrentExecutions": 0}
    access.session.events.register("after-call.lambda.GetFunction", add)
