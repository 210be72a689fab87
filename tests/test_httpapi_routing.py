"""HTTP API routing (docs/aws-http-api.md §2): stages, route priority, decoded paths, 404 for no route."""

from __future__ import annotations

import pytest

from conftest import APPS
from lambdagate.config import Source
from lambdagate.definition.loader import load
from lambdagate.definition.model.httpapi import HttpApi, HttpRoute, HttpStage
from lambdagate.httpapi.routing import HttpRouter, UndecodablePath, decode_path, notices
from lambdagate.runner import describe_routes, startup_notices


def api(keys: list[str], stages: tuple[str, ...] = ("$default",), logical_id: str = "Api") -> HttpApi:
    return HttpApi(logical_id, logical_id, logical_id.lower(), tuple(HttpStage(s) for s in stages),
                   tuple(HttpRoute(k, None) for k in keys))


# §2.2 [DOC] AGDG http-api-develop-routes: the worked example, verbatim.
AGDG_ROUTES = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"]

ROUTE_CASES = [
    pytest.param(AGDG_ROUTES, "GET", "/pets/dog/1", "GET /pets/dog/1", None, id="sec2.2-DOC-static-beats-variable"),
    pytest.param(AGDG_ROUTES, "GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}, id="sec2.2-DOC-variable"),
    pytest.param(AGDG_ROUTES, "GET", "/pets/cat/1", "GET /pets/{proxy+}", {"proxy": "cat/1"},
                 id="sec2.2-DOC-greedy-with-method"),
    pytest.param(AGDG_ROUTES, "POST", "/test/5", "ANY /{proxy+}", {"proxy": "test/5"},
                 id="sec2.2-DOC-greedy-beats-default"),
    pytest.param(["GET /pets", "$default"], "POST", "/pets", "$default", None, id="sec2.2-DOC-default-catches-method"),
    pytest.param(["GET /x", "ANY /x"], "GET", "/x", "GET /x", None, id="sec2.2-DOC-method-beats-ANY"),
    pytest.param(["GET /x", "ANY /x"], "DELETE", "/x", "ANY /x", None, id="sec2.2-DOC-ANY-for-other-methods"),
    pytest.param(["GET /a/{b}", "GET /{proxy+}"], "GET", "/a/x", "GET /a/{b}", {"b": "x"},
                 id="sec2.2-DOC-full-match-before-greedy"),
    pytest.param(["GET /", "$default"], "GET", "/", "GET /", None, id="sec2.2-DOC-root-route"),
    pytest.param(["GET /items/{id}", "$default"], "GET", "/items/", "$default", None,
                 id="sec2.2-INFERRED-empty-variable-no-match"),
    pytest.param(["GET /metrics", "$default"], "GET", "/metrics/", "$default", None,
                 id="sec2.3-UNCERTAIN-trailing-slash-strict"),
    pytest.param(["GET /Metrics", "$default"], "GET", "/metrics", "$default", None,
                 id="sec2.3-UNCERTAIN-case-sensitive"),
    pytest.param(["GET /files/{path+}"], "GET", "/files/a/b/c.txt", "GET /files/{path+}", {"path": "a/b/c.txt"},
                 id="sec2.2-DOC-greedy-takes-the-rest"),
    pytest.param(["GET /files/{path+}"], "GET", "/files", None, None, id="sec2.4-DOC-greedy-needs-a-segment"),
    pytest.param(["GET /pets"], "POST", "/pets", None, None, id="sec2.4-DOC-no-method-is-404"),
    pytest.param(["GET /pets"], "GET", "/cats", None, None, id="sec2.4-DOC-no-route-is-404"),
    pytest.param(["GET /capture/{v}"], "GET", "/capture/space value", "GET /capture/{v}", {"v": "space value"},
                 id="sec3.1-REC-path-parameters-decoded"),
]


@pytest.mark.parametrize(("routes", "method", "path", "expected", "parameters"), ROUTE_CASES)
def test_route_selection(routes: list[str], method: str, path: str, expected: str | None,
                         parameters: dict[str, str] | None) -> None:
    match = HttpRouter((api(routes),)).match(method, path)
    if expected is None:
        assert match is None
        return
    assert match is not None
    assert (match.route.route_key, match.path_parameters) == (expected, parameters)


STAGE_CASES = [
    pytest.param(("$default",), "/pets", "$default", "/pets", id="sec2.1-DOC-default-stage-no-prefix"),
    pytest.param(("dev",), "/dev/pets", "dev", "/dev/pets", id="sec2.1-REC-named-stage-kept-in-path"),
    pytest.param(("dev",), "/pets", None, None, id="sec2.1-DOC-no-stage-is-404"),
    pytest.param(("$default", "dev"), "/dev/pets", "dev", "/dev/pets", id="sec2.1-DOC-explicit-stage-wins"),
    pytest.param(("$default", "dev"), "/prod/pets", None, None, id="sec2.1-DOC-else-default-stage-routes-rest"),
]


@pytest.mark.parametrize(("stages", "path", "stage", "raw_path"), STAGE_CASES)
def test_stage_selection(stages: tuple[str, ...], path: str, stage: str | None, raw_path: str | None) -> None:
    match = HttpRouter((api(["GET /pets"], stages),)).match("GET", path)
    if stage is None:
        assert match is None
        return
    assert match is not None
    assert (match.stage.name, match.path, match.route.route_key) == (stage, raw_path, "GET /pets")


def test_default_stage_routes_the_whole_path_when_no_named_stage_matches() -> None:
    match = HttpRouter((api(["GET /prod/pets"], ("$default", "dev")),)).match("GET", "/prod/pets")
    assert match is not None and (match.stage.name, match.route.route_key) == ("$default", "GET /prod/pets")


def test_apis_sharing_the_port_specific_routes_before_default_routes() -> None:
    catch_all = api(["$default"], logical_id="First")
    named = api(["POST /v1"], ("dev",), logical_id="Second")
    router = HttpRouter((catch_all, named))
    first = router.match("POST", "/dev/v1")
    assert first is not None and (first.api.logical_id, first.route.route_key) == ("Second", "POST /v1")
    other = router.match("GET", "/anything")
    assert other is not None and other.api.logical_id == "First"


# §2.3 [REC] VOKER-2026 ingress-paths.json
DECODE_CASES = [
    pytest.param("/capture/space%20value", "/capture/space value", id="sec2.3-REC-space"),
    pytest.param("/capture/a%2Fb", "/capture/a/b", id="sec2.3-REC-encoded-slash"),
    pytest.param("/capture/%23hash", "/capture/#hash", id="sec2.3-REC-hash"),
    pytest.param("/capture/%CE%BB", "/capture/λ", id="sec2.3-REC-utf8"),
    pytest.param("/capture/question%3Fx=1", "/capture/question", id="sec2.3-REC-question-mark-cuts"),
    pytest.param("/capture/double%252F", "/capture/double/", id="sec2.3-REC-decoded-twice"),
    pytest.param("/plain/path/", "/plain/path/", id="sec3.1-REC-trailing-slash-kept"),
]


@pytest.mark.parametrize(("raw", "decoded"), DECODE_CASES)
def test_raw_path_is_decoded(raw: str, decoded: str) -> None:
    assert decode_path(raw) == decoded


@pytest.mark.parametrize("raw", ["/capture/%25done", "/bad%zz", "/trail%"])
def test_undecodable_path_is_refused(raw: str) -> None:
    with pytest.raises(UndecodablePath):
        decode_path(raw)


# ---- several HTTP APIs on the one port: what is said at start-up -------------------------------------------------
NOTICE_CASES = [
    pytest.param((api(["GET /x"], logical_id="A"), api(["GET /x"], logical_id="B")),
                 ["GET /x (B, stage $default) is also taken by GET /x of A"], id="same-route-second-api-unreachable"),
    pytest.param((api(["GET /x/{id}"], logical_id="A"), api(["GET /x/{key}"], logical_id="B")),
                 ["GET /x/{key} (B, stage $default) is also taken by GET /x/{id} of A"], id="same-shape"),
    pytest.param((api(["GET /x"], ("dev",), logical_id="A"), api(["GET /x"], ("prod",), logical_id="B")),
                 [], id="named-stages-keep-them-apart"),
    pytest.param((api(["GET /x"], logical_id="A"), api(["$default"], logical_id="B")),
                 ["the $default route of HTTP API B also answers the paths that no route of A takes"],
                 id="default-route-answers-the-others-404s"),
    pytest.param((api(["GET /x", "$default"], logical_id="A"),), [], id="one-api-nothing-to-say"),
]


@pytest.mark.parametrize(("apis", "expected"), NOTICE_CASES)
def test_apis_sharing_the_port_are_named_at_start_up(apis: tuple[HttpApi, ...], expected: list[str]) -> None:
    said = notices(apis)
    assert len(said) == len(expected)
    for line, words in zip(said, expected, strict=True):
        assert words in line


def test_a_catch_all_on_the_implicit_api_beside_an_explicit_one() -> None:
    """tests/apps/http-apis-one-port (sessions-with-aws-sam http-api's shape): the start-up notices say which API
    answers, and the route listing's "see above" points at them."""
    template = APPS / "http-apis-one-port" / "template.yaml"
    deployment = load(Source(template=template))
    said = startup_notices(deployment)
    assert [line.split(": ", 1)[0] for line in said] == [f"{template}:47", f"{template}:38"]
    assert said[0].endswith("the $default route of HTTP API ServerlessHttpApi also answers the paths that no route "
                            "of HttpApi, OtherApi takes, which AWS answers with their own hosts' 404 Not Found "
                            "(lambdagate serves them on one port)")
    assert f"GET / (OtherApi, stage $default) is also taken by GET / of HttpApi ({template}:27)" in said[1]
    listing = describe_routes(deployment)
    assert "GET     / (not reachable here: see above)  ->  AgainFunction   (OtherApi, HTTP API, payload 2.0)" in listing
