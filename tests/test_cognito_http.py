"""An HTTP API whose JWT authorizer trusts a pool and app client the template creates (tests/apps/cognito-http, the
shape of aws-samples/serverless-patterns cognito-httpapi): the start-up line gives the `lambdagate tokens` command
whose token the authorizer accepts (the app client as `--client-id`, the routes' scopes as `--scope`), and the
authorizer's AuthorizationScopes guard its routes (aws-http-api.md §1.2, §9). Real server, real Python workers."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_app
from harness import RunningGateway
from lambdagate import cli


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "cognito-http")


@pytest.fixture(scope="module")
def served(app: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app / "template.yaml", watch=False)
    yield running
    running.close()


def printed_command(served: RunningGateway) -> list[str]:
    line = next(line for line in served.runner.authorizer_lines() if line.startswith("JWT authorizer OAuth2"))
    return shlex.split(line.split("test tokens: ", 1)[1])


def minted(app: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.main(["tokens", *args, "-t", str(app / "template.yaml")]) == 0
    return capsys.readouterr().out.strip()


def test_startup_names_the_app_client_and_the_scopes(served: RunningGateway) -> None:
    audience = served.deployment.http_apis[0].authorizers[0].audience      # the placeholder of !Ref UserPoolClient
    words = printed_command(served)
    assert words[:2] == ["lambdagate", "tokens"]
    assert words[3:] == ["--client-id", audience[0], "--scope", "admin/write", "--scope", "email"]


def test_the_printed_command_makes_a_token_the_authorizer_accepts(served: RunningGateway, app: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    token = minted(app, capsys, *printed_command(served)[2:])
    for path in ("/me", "/named", "/admin"):
        reply = served.request("GET", path, {"Authorization": f"Bearer {token}"})
        assert reply.status == 200, (path, reply.body)
    body = served.request("GET", "/me", {"Authorization": token}).json()
    assert body["scopes"] == ["admin/write", "email"]


def test_a_token_without_the_authorizers_scope_is_refused(served: RunningGateway, app: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    client = printed_command(served)[4]
    id_token = minted(app, capsys, printed_command(served)[2], "--client-id", client)
    reply = served.request("GET", "/me", {"Authorization": id_token})
    assert (reply.status, reply.body) == (403, b'{"message":"Forbidden"}')
    assert reply.header("www-authenticate") == ('Bearer scope="email" error="insufficient_scope" '
                                                'error_description="the token does not have the required scopes"')
    email = minted(app, capsys, printed_command(served)[2], "--client-id", client, "--scope", "email")
    assert served.request("GET", "/me", {"Authorization": email}).status == 200
    assert served.request("GET", "/admin", {"Authorization": email}).status == 403   # the event's own scope


def test_the_pools_default_client_is_not_the_templates(served: RunningGateway, app: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    token = minted(app, capsys, printed_command(served)[2], "--scope", "email")
    reply = served.request("GET", "/me", {"Authorization": token})
    assert reply.status == 401
    assert 'error_description="the token does not have a valid audience"' in (reply.header("www-authenticate") or "")
    assert served.request("GET", "/open").status == 200
