"""An API exported with `aws apigateway get-export --parameters extensions=integrations` (OpenAPI 3 and Swagger 2,
tests/apps/openapi), its functions mapped to local code by a mapping file or `--function`, served per stage."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate import Gateway
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.mapping import parse_function_flag, read_mapping
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.function import Condition
from lambdagate.definition.model.restapi import Method
from lambdagate.definition.policy import read_policy
from lambdagate.errors import DefinitionError, LambdagateError

APP = APPS / "openapi"
OAS30 = APP / "books-prod-oas30.json"
SWAGGER = APP / "books-prod-swagger.json"
MAPPING = APP / "lambdagate.yaml"
ARN = "arn:aws:lambda:eu-west-1:210987654321:function:"


@pytest.fixture(scope="module")
def books() -> Iterator[RunningGateway]:
    """The export (of stage prod) served as stage dev, whose variable picks whoami-dev."""
    running = RunningGateway(OAS30, mapping=MAPPING, stage="dev", watch=False)
    yield running
    running.close()


def methods(deployment: Deployment) -> dict[tuple[str, str], Method]:
    return {(verb, r.path): m for api in deployment.apis for r in api.resources for verb, m in r.methods.items()}


# -- served over HTTP --------------------------------------------------------------------------------------------
def test_the_exported_api_keeps_its_id_region_and_account(books: RunningGateway) -> None:
    reply = books.request("GET", "/books")
    assert reply.status == 200
    assert reply.json() == {"function": "books", "table": "books", "resource": "/books", "pathParameters": None,
                            "apiId": "a1b2c3d4e5", "accountId": "210987654321", "stage": "dev",
                            "books": [{"id": "1", "title": "Dune"}, {"id": "2", "title": "Emma"}]}
    assert books.deployment.region == "eu-west-1"
    one = books.request("GET", "/books/7").json()
    assert (one["resource"], one["pathParameters"]) == ("/books/{id}", {"id": "7"})
    assert books.request("POST", "/books", body="{}").status == 201


def test_a_stage_variable_in_the_uri_picks_the_function_of_the_stage(books: RunningGateway) -> None:
    reply = books.request("GET", "/whoami")
    assert reply.json() == {"function": "whoami-dev", "invokedFunctionArn": ARN + "whoami-dev", "flavour": "dev",
                            "stageVariables": {"whoami": "whoami-dev"}}


def test_the_any_method_on_a_greedy_path(books: RunningGateway) -> None:
    reply = books.request("DELETE", "/shelves/3/books")
    assert (reply.json()["resource"], reply.json()["pathParameters"]) == ("/{proxy+}", {"proxy": "shelves/3/books"})


def test_the_cors_mock_and_the_gateway_responses(books: RunningGateway) -> None:
    preflight = books.request("OPTIONS", "/books")
    assert preflight.status == 200
    assert preflight.header("Access-Control-Allow-Methods") == "GET,OPTIONS,POST"
    root = books.request("GET", "/")   # `/` has no method: MISSING_AUTHENTICATION_TOKEN, customised to 404
    assert (root.status, root.body, root.header("Access-Control-Allow-Origin")) == (404, b'{"message":"not found"}',
                                                                                    "*")


def test_start_up_notices_name_the_http_method_and_the_assumed_permissions(books: RunningGateway) -> None:
    assert f"{OAS30.resolve()}:130: GET /legacy (books-prod-oas30): HTTP integration with VTL mapping templates " \
           "is not emulated; requests to it answer 501" in books.console
    assert books.request("GET", "/legacy").status == 501
    assert f"{OAS30.resolve()}: no --policy given: lambdagate assumes every function lets this API invoke it" \
        in books.console


# -- loading -----------------------------------------------------------------------------------------------------
def test_swagger_2_and_openapi_3_exports_give_the_same_api() -> None:
    """Without --stage the exported stage (basePath /prod) is served."""
    oas30 = load(Source(openapi=OAS30, mapping=MAPPING))
    swagger = load(Source(openapi=SWAGGER, mapping=MAPPING))
    for d in (oas30, swagger):
        (api,) = d.apis
        assert (api.id, api.name, api.stage.name, api.stage.variables) == ("a1b2c3d4e5", "books", "prod",
                                                                           {"whoami": "whoami-prod"})
        assert api.binary_media_types == ("image/png",)
        assert [(r.response_type, r.status_code) for r in api.gateway_responses] == [
            ("MISSING_AUTHENTICATION_TOKEN", 404), ("DEFAULT_5XX", None)]
        assert (d.region, d.account_id) == ("eu-west-1", "210987654321")
        assert sorted(d.functions) == [ARN + "books", ARN + "whoami-prod"]
    one, other = methods(oas30), methods(swagger)
    assert {k: (m.http_method, m.integration) for k, m in one.items()} == \
        {k: (m.http_method, m.integration) for k, m in other.items()}
    assert one[("GET", "/books/{id}")].integration.timeout_ms == 10000
    assert one[("ANY", "/{proxy+}")].integration.function_arn == ARN + "books"
    books = oas30.functions[ARN + "books"]
    assert (books.timeout, books.memory_size, dict(books.environment)) == (5.0, 256, {"TABLE": "books"})


def test_a_policy_file_is_checked_as_aws_checks_it() -> None:
    """`aws lambda get-policy` output: books may be invoked from prod only, whoami-dev from any stage."""
    policies = (APP / "policy-books.json", APP / "policy-whoami-dev.json")
    statements = [p for path in policies for p in read_policy(path)]
    assert [(p.function, p.effect, p.conditions) for p in statements] == [
        (ARN + "books", "Allow", (Condition("ArnLike", "aws:sourcearn",
                                            ("arn:aws:execute-api:eu-west-1:210987654321:a1b2c3d4e5/prod/*/*",)),)),
        (ARN + "whoami-dev", "Allow", (
            Condition("ArnLike", "aws:sourcearn",
                      ("arn:aws:execute-api:eu-west-1:210987654321:a1b2c3d4e5/*/GET/whoami",)),
            Condition("StringEquals", "aws:sourceaccount", ("210987654321",))))]
    with Gateway.from_openapi(OAS30, mapping=MAPPING, stage="dev", policies=policies, watch=False) as gw:
        assert not any("no --policy" in w for w in gw.deployment.warnings)
        assert gw.request("GET", "/whoami", test_invoke=False).status == 200
        refused = gw.request("GET", "/books", test_invoke=False)
        assert (refused.status, refused.body) == (500, '{"message": "Internal server error"}')
        assert "Execution failed due to configuration error: Invalid permissions on Lambda function" \
            in refused.execution_log


def test_unmapped_functions_are_one_error_listing_them() -> None:
    with pytest.raises(DefinitionError) as info:
        load(Source(openapi=OAS30))
    assert str(info.value) == "\n".join([
        f"{OAS30.resolve()}: 1 Lambda function(s) of the integrations have no local code:",
        f"  {ARN}books (GET /books, POST /books, GET /books/{{id}}, ANY /{{proxy+}})",
        "map each with --function NAME=PATH:HANDLER:RUNTIME (NAME as in the ARN, e.g. --function books=./src:"
        "app.handler:python3.12), or in a --mapping FILE",
        "the function name of these integrations comes from a stage variable: give the stage's variables in the "
        "--mapping file (stages: {NAME: {variables: {...}}})",
        f"  {OAS30.resolve()}:121: GET /whoami: stage 'prod' has no stage variable whoami (used in the integration "
        "URI)"])


def test_function_flags_by_name_or_arn_win_over_the_mapping_file() -> None:
    src = APP / "src"
    mapping = read_mapping(MAPPING, [f"{ARN}books={src}:books.other:python3.11", f"whoami-prod={src}:x.y:nodejs20.x"])
    assert mapping.find(ARN + "books") is not None and mapping.find(ARN + "books").handler == "books.other"  # type: ignore[union-attr]
    d = load(Source(openapi=OAS30, mapping=MAPPING, functions=(f"whoami-prod={src}:x.y:nodejs20.x",)))
    assert (d.functions[ARN + "whoami-prod"].handler, d.functions[ARN + "whoami-prod"].runtime) == ("x.y",
                                                                                                     "nodejs20.x")
    assert parse_function_flag(f"C={src}:a.b:python3.12").path == src.resolve()


@pytest.mark.parametrize(("flag", "words"), [
    ("books=src", "expected e.g. books=./src:app.handler:python3.12, got 'books=src'"),
    ("=src:a.b:python3.12", "expected e.g."),
    ("books=nowhere:a.b:python3.12", "no such folder or .zip"),
])
def test_bad_function_flags(flag: str, words: str) -> None:
    with pytest.raises(LambdagateError) as info:
        parse_function_flag(flag, APP)
    assert words in str(info.value)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("functions:\n  books:\n    path: src\n    handlr: books.handler\n", 4, "unknown field"),
    ("functions:\n  books:\n    path: src\n    handler: books.handler\n", 2, "function 'books' needs runtime"),
    ("functions:\n  books:\n    path: gone\n    handler: b.h\n    runtime: python3.12\n", 3, "no such folder"),
    ("functions:\n  books: {path: src, handler: b.h, runtime: python3.12, timeout: soon}\n", 2,
     "expected a number, got 'soon'"),
    ("stages:\n  prod: [fn]\n", 2, "expected {variables: {NAME: value}}"),
])
def test_a_broken_mapping_file_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    (tmp_path / "src").mkdir()
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError) as info:
        read_mapping(path)
    assert str(info.value).startswith(f"{path}:{line}:") and words in str(info.value), str(info.value)


def test_broken_documents_and_policies(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not an OpenAPI 3 or Swagger 2 document"):
        load(Source(openapi=APPS / "cfn" / "template.yaml"))
    bad = tmp_path / "api.yaml"
    bad.write_text(textwrap.dedent("""\
        openapi: 3.0.1
        paths:
          /x:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: u, timeoutInMillis: later}
        """))
    with pytest.raises(DefinitionError, match=f"^{bad}:5: paths.*timeoutInMillis: expected a whole number"):
        load(Source(openapi=bad))
    deny = tmp_path / "policy.json"
    deny.write_text(json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:*",
                                                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}))
    with pytest.raises(DefinitionError, match=r"Statement\[0\]: condition operator 'IpAddress' is not evaluated"):
        read_policy(deny)


def test_cli_openapi_flags(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lambdagate", "test-invoke", "GET", "/whoami", "--openapi",
                           str(OAS30), "--mapping", str(MAPPING), "--stage", "dev", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["body"])["function"] == "whoami-dev"
    done = subprocess.run([sys.executable, "-m", "lambdagate", "serve", "--openapi", str(OAS30)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"lambdagate: error: {OAS30.resolve()}: 1 Lambda function(s) of the integrations")
