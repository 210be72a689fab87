"""auth/cognito.py, auth/user_pool_keys.py and auth/tokens.py: a token minted for a local pool verifies as API Gateway
verifies Cognito tokens; what fails answers 401; the claims as the integration sees them (aws-auth.md §2)."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lambdagate import cli, errors
from lambdagate.auth import cognito, tokens
from lambdagate.auth.user_pool_keys import UserPoolKeys, jwks_flags
from lambdagate.definition.model.auth import Authorizer
from lambdagate.errors import LambdagateError

POOL = "us-east-1_LocalPool1"
NOW = 1_700_000_000.0
AUTHORIZER = Authorizer("cog123", "Cognito", "COGNITO_USER_POOLS", None, "", None,
                        ("method.request.header.Authorization",), None, 300,
                        (f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL}",))


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> tokens.LocalPool:
    made, fresh = tokens.local_pool(tmp_path_factory.mktemp("state"), POOL)
    assert fresh and made.jwks_path.is_file()
    again, fresh_again = tokens.local_pool(made.folder.parent.parent, POOL)
    assert not fresh_again and again.kid == made.kid
    return made


def mint(pool: tokens.LocalPool, scopes: tuple[str, ...] = (), lifetime: int = 3600, **extra: Any) -> str:
    return tokens.mint(pool, tokens.claims_for(pool, "ann", "client123", scopes, extra, NOW, lifetime))


def verify(pool: tokens.LocalPool, token: str, scopes: tuple[str, ...] = (),
           authorizer: Authorizer = AUTHORIZER) -> cognito.CognitoGrant:
    keys = UserPoolKeys({POOL: pool.jwks_path}, fetch=False)
    return asyncio.run(cognito.verify(authorizer, token, scopes, keys, now=lambda: NOW + 10))


def test_a_minted_id_token_verifies_and_shows_its_claims_as_aws_renders_them(pool: tokens.LocalPool) -> None:
    """sec2-REC: every claim a string; exp/iat as Java's Date.toString() in UTC; booleans "true"; groups joined."""
    grant = verify(pool, mint(pool, email_verified=True, **{"cognito:groups": ["anotherGroup", "admin"],
                                                             "custom:role": "admin"}))
    claims = grant.request_context()["claims"]
    assert claims["exp"] == "Tue Nov 14 23:13:20 UTC 2023" and claims["iat"] == "Tue Nov 14 22:13:20 UTC 2023"
    assert claims["auth_time"] == "1700000000" and claims["email_verified"] == "true"
    assert claims["cognito:groups"] == "anotherGroup,admin" and claims["token_use"] == "id"
    assert claims["aud"] == "client123" and claims["cognito:username"] == "ann"
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
    assert all(isinstance(v, str) for v in claims.values())


@pytest.mark.parametrize(("token_kind", "scopes", "why"), [
    ("access", (), "takes an ID token"),
    ("id", ("orders/read",), "takes an access token"),
    ("access-other-scope", ("orders/read",), "hold none of the method's"),
    ("bearer", (), "not a JWT"),
    ("garbage", (), "not a JWT"),
    ("other-pool", (), "none of the authorizer's user pools"),
    ("tampered", (), "does not verify"),
], ids=["sec2-DOC-no-scopes-needs-id-token", "sec2-DOC-scopes-need-access-token", "sec2-DOC-scope-mismatch-401",
        "sec2-UNCERTAIN-bearer-prefix", "sec2-DOC-not-a-jwt", "sec2-DOC-wrong-issuer", "sec2-DOC-signature"])
def test_tokens_api_gateway_refuses_with_401(pool: tokens.LocalPool, token_kind: str, scopes: tuple[str, ...],
                                             why: str) -> None:
    token = {"access": mint(pool, ("orders/write",)), "id": mint(pool),
             "access-other-scope": mint(pool, ("orders/write",)), "bearer": "Bearer " + mint(pool),
             "garbage": "not-a-token", "other-pool": mint(pool, iss="https://cognito-idp.us-east-1.amazonaws.com/x_y"),
             "tampered": mint(pool)[:-4] + "AAAA"}[token_kind]
    with pytest.raises(errors.GatewayError) as info:
        verify(pool, token, scopes)
    assert (info.value.status, info.value.body) == (401, b'{"message":"Unauthorized"}')
    assert why in info.value.hint


def test_an_access_token_with_any_method_scope_passes(pool: tokens.LocalPool) -> None:
    grant = verify(pool, mint(pool, ("openid", "orders/read")), ("orders/write", "orders/read"))
    assert grant.token_use == "access" and grant.claims["scope"] == "openid orders/read"


def test_an_expired_token(pool: tokens.LocalPool) -> None:
    with pytest.raises(errors.GatewayError) as info:
        verify(pool, mint(pool, lifetime=5))
    assert (info.value.status, info.value.body) == (401, b'{"message":"The incoming token has expired"}')


def test_the_validation_expression_is_matched_against_aud(pool: tokens.LocalPool) -> None:
    """API reference, Authorizer.identityValidationExpression: for Cognito, the token's aud."""
    verify(pool, mint(pool), authorizer=replace(AUTHORIZER, validation_expression="client[0-9]+"))
    with pytest.raises(errors.GatewayError):
        verify(pool, mint(pool), authorizer=replace(AUTHORIZER, validation_expression="web-.*"))


def test_keys_fetched_from_the_issuer_url(pool: tokens.LocalPool) -> None:
    """The pool's JWKS from `<issuer>/.well-known/jwks.json` over HTTP (a loopback server stands in for Cognito)."""
    body = pool.jwks_path.read_bytes()
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        keys = UserPoolKeys(jwks_url=f"http://127.0.0.1:{server.server_address[1]}/jwks?for={{issuer}}")
        for _ in range(2):
            asyncio.run(cognito.verify(AUTHORIZER, mint(pool), (), keys, now=lambda: NOW))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert asked == [f"/jwks?for=https://cognito-idp.us-east-1.amazonaws.com/{POOL}"]   # fetched once, then cached


def test_unreachable_keys_are_named_as_lambdagate_s_limitation(pool: tokens.LocalPool) -> None:
    keys = UserPoolKeys(fetch=False)
    with pytest.raises(errors.GatewayError) as info:
        asyncio.run(cognito.verify(AUTHORIZER, mint(pool), (), keys, now=lambda: NOW))
    assert info.value.status == 501 and f"--user-pool-jwks {POOL}=FILE" in info.value.hint


def test_a_pool_made_by_the_tokens_command_is_found_in_the_state_folder(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources: {}\n")
    assert cli.main(["tokens", POOL, "-t", str(template), "--claim", "email=a@example.com", "--claim",
                     "custom:level=3", "--group", "admin", "--expires-in", "600"]) == 0
    out = capsys.readouterr()
    assert "made user pool" in out.err
    keys = UserPoolKeys(state_dir=tmp_path / ".lambdagate", fetch=False)
    grant = asyncio.run(cognito.verify(AUTHORIZER, out.out.strip(), (), keys))
    assert (grant.claims["email"], grant.claims["custom:level"], grant.claims["cognito:groups"]) == (
        "a@example.com", "3", "admin")
    assert cli.main(["tokens", POOL, "-t", str(template), "--scope", "orders/read"]) == 0
    access = capsys.readouterr().out.strip()
    assert asyncio.run(cognito.verify(AUTHORIZER, access, ("orders/read",), keys)).token_use == "access"


@pytest.mark.parametrize("value", ["pool=file", "us-east-1_Abc", "=x.json"])
def test_jwks_flag_says_what_it_expects(value: str) -> None:
    with pytest.raises(LambdagateError, match="expected POOL_ID=FILE"):
        jwks_flags([value])


def test_a_broken_jwks_file_is_named(tmp_path: Path, pool: tokens.LocalPool) -> None:
    broken = tmp_path / "jwks.json"
    broken.write_text(json.dumps({"keys": "nope"}))
    with pytest.raises(LambdagateError, match="not a JWKS document"):
        asyncio.run(UserPoolKeys({POOL: broken}, fetch=False).signing_key(POOL, pool.kid))
