"""Which resource and method a request reaches: unit tests of lambdagate.routing.Router with small hand-built APIs,
then the same rules end to end.

Backed by the fact sheet: 403 when no resource matches or the resource lacks the verb (§3 [REC]); the greedy value
is the rest of the raw path without the trailing slash, inner `//` kept, still encoded, leading slashes collapsed
(§1.1 [REC]). The precedence literal > {param} > {proxy+}, the ignored trailing slash and `/items/` not matching
`/items/{id}` are lambdagate's documented routing rules (routing.py docstring: chalice#582,
powertools-lambda-python#1577), not fact-sheet rows: unverified against AWS by this suite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate import routing
from lambdagate.definition.model.restapi import Api, Integration, Method, Resource, Stage
from lambdagate.routing import Router
from lambdagate.runner import describe_routes

INTEGRATION = Integration("aws_proxy", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                       "arn:aws:lambda:us-east-1:123456789012:function:f/invocations")


def api(spec: dict[str, tuple[str, ...]], ident: str = "abcdefghij") -> Api:
    """{resource path: verbs}; ancestors of every path exist as resources without methods, as in API Gateway."""
    paths = dict(spec)
    for path in spec:
        parts = [p for p in path.split("/") if p]
        for i in range(len(parts)):
            paths.setdefault("/" + "/".join(parts[:i]), ())
    resources = tuple(Resource(f"r{n:05d}", path, {v: Method(v, INTEGRATION) for v in paths[path]})
                      for n, path in enumerate(sorted(paths)))
    return Api("Api", "api", ident, Stage("s", "dep"), resources)


ITEMS = {"/items/{id}": ("GET",), "/items/special": ("GET",), "/items/{id}/detail": ("GET",),
         "/{proxy+}": ("ANY",), "/hardcoded": ("GET",), "/": ("GET",), "/files/{path+}": ("ANY",),
         "/both": ("GET", "ANY")}

STRICT = {path: verbs for path, verbs in ITEMS.items() if path != "/{proxy+}"}   # no greedy resource at the root
SIBLING = {"/test": ("POST",), "/{proxy+}": ("OPTIONS",), "/test/any": ("ANY",)}   # fact sheet §10.12

UNIT_CASES = [
    # (id, routes, verb, raw path, expected resource or None (403), expected pathParameters)
    ("literal-beats-param", ITEMS, "GET", "/items/special", "/items/special", None),
    ("param-beats-greedy", ITEMS, "GET", "/items/5", "/items/{id}", {"id": "5"}),
    ("literal-beats-greedy", ITEMS, "GET", "/hardcoded", "/hardcoded", None),
    ("nested-param", ITEMS, "GET", "/items/5/detail", "/items/{id}/detail", {"id": "5"}),
    ("greedy-catches-the-rest", ITEMS, "GET", "/a/b/c", "/{proxy+}", {"proxy": "a/b/c"}),
    # lambdagate's documented fallback: a branch that fails deeper down falls back to the next kind (unverified)
    ("deeper-miss-falls-back-to-greedy-UNVERIFIED", ITEMS, "GET", "/items/5/other", "/{proxy+}",
     {"proxy": "items/5/other"}),
    ("root", ITEMS, "GET", "/", "/", None),
    ("root-wrong-verb", ITEMS, "POST", "/", None, None),
    ("trailing-slash-ignored", ITEMS, "GET", "/hardcoded/", "/hardcoded", None),
    ("trailing-slash-ignored-param", ITEMS, "GET", "/items/5/", "/items/{id}", {"id": "5"}),
    ("sec1.1-REC-leading-slashes-collapsed", ITEMS, "GET", "//hardcoded", "/hardcoded", None),
    ("sec3-REC-items-slash-is-the-items-resource-without-methods", STRICT, "GET", "/items/", None, None),
    ("sec3-REC-items-is-a-resource-without-methods", STRICT, "GET", "/items", None, None),
    ("items-slash-does-not-match-param-alone", {"/items/{id}": ("GET",)}, "GET", "/items/", None, None),
    ("sec3-REC-wrong-verb", STRICT, "POST", "/hardcoded", None, None),
    ("sec3-REC-HEAD-without-HEAD-method", STRICT, "HEAD", "/hardcoded", None, None),
    ("ANY-takes-every-verb", ITEMS, "DELETE", "/x", "/{proxy+}", {"proxy": "x"}),
    ("ANY-takes-HEAD", ITEMS, "HEAD", "/x", "/{proxy+}", {"proxy": "x"}),
    ("sec1.1-REC-greedy-without-trailing-slash", ITEMS, "GET", "/proxy-value/", "/{proxy+}", {"proxy": "proxy-value"}),
    ("sec1.1-REC-greedy-inner-double-slash", ITEMS, "GET", "/proxy-value//double-slash", "/{proxy+}",
     {"proxy": "proxy-value//double-slash"}),
    ("sec1.1-REC-greedy-still-encoded", ITEMS, "GET", "/a%2Fb/test%2Balias@gmail.com/c+d", "/{proxy+}",
     {"proxy": "a%2Fb/test%2Balias@gmail.com/c+d"}),
    ("sec1.1-REC-greedy-after-literal", ITEMS, "PUT", "/files/x/y/", "/files/{path+}", {"path": "x/y"}),
    ("greedy-needs-one-segment", STRICT, "GET", "/files/", None, None),
    ("param-value-one-segment-raw", ITEMS, "GET", "/items/a%2Fb", "/items/{id}", {"id": "a%2Fb"}),
    ("no-resource-no-greedy", {"/hardcoded": ("GET",)}, "GET", "/elsewhere", None, None),
    # fact sheet §10.12 [REC] (LocalStack TestProxyRouting::test_proxy_routing_with_hardcoded_resource_sibling,
    # validated against AWS): a resource without the verb leaves the request to a greedy sibling's method
    ("sec10.12-REC-sibling-greedy-answers-the-missing-verb", SIBLING, "OPTIONS", "/test", "/{proxy+}",
     {"proxy": "test"}),
    ("sec10.12-REC-the-resource-keeps-its-own-verb", SIBLING, "POST", "/test", "/test", None),
    ("sec10.12-REC-ANY-child-answers-OPTIONS", SIBLING, "OPTIONS", "/test/any", "/test/any", None),
    ("sec10.12-REC-ANY-child-answers-GET", SIBLING, "GET", "/test/any", "/test/any", None),
    ("sec10.12-REC-neither-has-the-verb", SIBLING, "GET", "/test", None, None),
    ("sec10.12-wrong-verb-goes-to-the-greedy-sibling", ITEMS, "POST", "/hardcoded", "/{proxy+}",
     {"proxy": "hardcoded"}),
    ("sec10.12-HEAD-goes-to-the-greedy-sibling", ITEMS, "HEAD", "/hardcoded", "/{proxy+}", {"proxy": "hardcoded"}),
    ("sec10.12-resource-without-methods-goes-to-the-greedy-sibling", ITEMS, "GET", "/items", "/{proxy+}",
     {"proxy": "items"}),
    # LocalStack's router (one werkzeug rule per resource and method [IMPL]) reaches a greedy resource higher up too
    ("sec10.12-IMPL-greedy-higher-up-answers-a-missing-verb", ITEMS, "DELETE", "/items/5", "/{proxy+}",
     {"proxy": "items/5"}),
    ("sec10.12-IMPL-greedy-at-the-same-level-first", {"/a/b": ("GET",), "/a/{p+}": ("POST",), "/{q+}": ("ANY",)},
     "POST", "/a/b", "/a/{p+}", {"p": "b"}),
]


@pytest.mark.parametrize("routes, verb, path, resource, params", [pytest.param(*c[1:], id=c[0]) for c in UNIT_CASES])
def test_router_unit(routes: dict[str, tuple[str, ...]], verb: str, path: str, resource: str | None,
                     params: dict[str, str] | None) -> None:
    match = Router((api(routes),)).match(verb, path)
    if resource is None:
        assert match is None
        return
    assert match is not None
    assert match.resource.path == resource
    assert match.path_parameters == params


@pytest.mark.parametrize("verb, method", [("GET", "GET"), ("POST", "ANY"), ("HEAD", "ANY")])
def test_router_unit_explicit_verb_before_any(verb: str, method: str) -> None:
    match = Router((api(ITEMS),)).match(verb, "/both")
    assert match is not None and match.method.http_method == method


@pytest.mark.parametrize("verb, path, api_id, resource", [
    ("GET", "/defined/x", "bbbbbbbbbb", "/defined/x"),
    ("POST", "/defined/x", "aaaaaaaaaa", "/{proxy+}"),
    ("GET", "/other", "aaaaaaaaaa", "/{proxy+}"),
])
def test_router_unit_several_apis(verb: str, path: str, api_id: str, resource: str) -> None:
    """lambdagate serves several APIs on one port (AWS gives each its own host): the most specific match that has the
    method wins (routing.py)."""
    router = Router((api({"/{proxy+}": ("ANY",)}, "aaaaaaaaaa"), api({"/defined/x": ("GET",)}, "bbbbbbbbbb")))
    match = router.match(verb, path)
    assert match is not None
    assert (match.api.id, match.resource.path) == (api_id, resource)


@pytest.mark.parametrize("target, api_id, resource, path", [
    ("/s/hardcoded", "abcdefghij", "/hardcoded", "/hardcoded"),
    ("/hardcoded", "abcdefghij", "/hardcoded", "/hardcoded"),
    ("/s", "abcdefghij", "/", "/"),
    ("/s/", "abcdefghij", "/", "/"),
    ("//s//hardcoded/", "abcdefghij", "/hardcoded", "//hardcoded/"),
    ("/t/hardcoded", "bbbbbbbbbb", "/hardcoded", "/hardcoded"),
    ("/t/s/hardcoded", None, None, None),
    ("/s/t/x", "abcdefghij", "/t/x", "/t/x"),
    ("/t/x", "abcdefghij", "/t/x", "/t/x"),
    ("/t/y", None, None, None),
    ("/s/nothing", None, None, None),
], ids=["stage-form", "root-form", "stage-alone-is-the-root", "stage-slash-is-the-root",
        "stage-form-keeps-the-raw-rest", "another-stage-another-api", "a-stage-names-one-api-only",
        "stage-form-of-a-path-beginning-with-a-stage-name", "root-form-of-a-path-beginning-with-a-stage-name",
        "a-stage-form-miss-is-403-although-a-greedy-takes-the-root-form",
        "a-stage-form-miss-is-403-although-a-greedy-in-another-stage-takes-it"])
def test_router_unit_stage_in_the_url(target: str, api_id: str | None, resource: str | None,
                                      path: str | None) -> None:
    """AGDG how-to-call-api.html: `https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage_name}/`; the root
    form is SAM CLI's (routing.py). `path` is what the event's `path` and `requestContext.path` are built on."""
    first = Api("Api", "api", "abcdefghij", Stage("s", "dep"), api({"/hardcoded": ("GET",), "/": ("GET",),
                                                                      "/t/x": ("GET",)}).resources)
    second = Api("Other", "other", "bbbbbbbbbb", Stage("t", "dep"), api({"/hardcoded": ("GET",)}).resources)
    greedy = Api("Greedy", "greedy", "cccccccccc", Stage("u", "dep"), api({"/{proxy+}": ("ANY",)}).resources)
    match = Router((first, second, greedy)).match("GET", target)
    if api_id is None:
        assert match is None
        return
    assert match is not None
    assert (match.api.id, match.resource.path, match.path) == (api_id, resource, path)


def test_router_notices_name_shared_paths_and_stage_names() -> None:
    first = Api("First", "first", "aaaaaaaaaa", Stage("s", "dep"),
                api({"/x": ("GET",), "/y/{id}": ("ANY",), "/{proxy+}": ("GET",)}).resources)
    second = Api("Second", "second", "bbbbbbbbbb", Stage("s", "dep"),
                 api({"/x": ("POST",), "/y/{name}": ("DELETE",), "/s/z": ("GET",)}).resources)
    lines = routing.notices((first, second))
    assert len(lines) == 2, lines
    assert lines[0] == (": GET /s/z (Second) begins with 's', the name of a stage served here: a URL's first segment "
                        "'s' is taken as the stage, as on AWS, and that stage answers /s/z itself; this method is "
                        "reached as /s/s/z")
    assert lines[1].startswith(": DELETE /y/{name} (Second) is also defined by First (); AWS gives each API its own "
                               "host, lambdagate serves them on one port: /y/{name} goes to First, the first in the "
                               "template; both are served with stage 's', so this one is not reachable here")


# --------------------------------------------------------------------------------------------------------------
# End to end: tests/apps/routing serves three APIs on one port: the implicit API (stage Prod, a greedy resource at
# the root), SiblingApi (stage sibling, the shape of §10.12) and StrictApi (stage strict, no greedy resource).
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APPS / "routing" / "template.yaml", watch=False)
    yield running
    running.close()


E2E_CASES = [
    # (id, verb, target, expected API, expected resource, or None for 403)
    ("literal-beats-greedy", "GET", "/hardcoded", "Prod", "/hardcoded"),
    ("trailing-slash-ignored", "GET", "/hardcoded/", "Prod", "/hardcoded"),
    ("sec1.1-REC-leading-slashes-collapsed", "GET", "//hardcoded", "Prod", "/hardcoded"),
    ("param-beats-greedy", "GET", "/items/5", "Prod", "/items/{id}"),
    ("param-trailing-slash-ignored", "GET", "/items/5/", "Prod", "/items/{id}"),
    ("nested-param", "GET", "/items/5/detail", "Prod", "/items/{id}/detail"),
    ("greedy", "GET", "/somewhere/else", "Prod", "/{proxy+}"),
    ("greedy-under-literal", "GET", "/files/a/b", "Prod", "/files/{path+}"),
    ("root", "GET", "/", "Prod", "/"),
    ("ANY-PUT", "PUT", "/somewhere", "Prod", "/{proxy+}"),
    ("explicit-POST", "POST", "/post-only", "Prod", "/post-only"),
    ("sec10.12-wrong-method-POST-goes-to-the-greedy-sibling", "POST", "/hardcoded", "Prod", "/{proxy+}"),
    ("sec10.12-items-without-methods-goes-to-the-greedy-sibling", "GET", "/items", "Prod", "/{proxy+}"),
    ("sec3-REC-root-wrong-method", "POST", "/", None, None),
    # the stage in the URL
    ("stage-form", "GET", "/Prod/hardcoded", "Prod", "/hardcoded"),
    ("stage-form-root", "GET", "/Prod/", "Prod", "/"),
    ("stage-form-root-without-slash", "GET", "/Prod", "Prod", "/"),
    ("stage-form-greedy", "DELETE", "/Prod/a/b", "Prod", "/{proxy+}"),
    ("stage-form-names-the-api", "GET", "/strict/hardcoded", "strict", "/hardcoded"),
    ("resource-beginning-with-its-stage-name", "GET", "/strict/strict/inner", "strict", "/strict/inner"),
    ("sec10.12-REC-sibling-greedy-answers-OPTIONS", "OPTIONS", "/sibling/test", "sibling", "/{proxy+}"),
    ("sec10.12-REC-resource-keeps-POST", "POST", "/sibling/test", "sibling", "/test"),
    ("sec10.12-REC-ANY-answers-OPTIONS", "OPTIONS", "/sibling/test/any", "sibling", "/test/any"),
    ("sec10.12-REC-ANY-answers-GET", "GET", "/sibling/test/any", "sibling", "/test/any"),
    ("sec10.12-REC-neither-has-GET", "GET", "/sibling/test", None, None),
    # fact sheet §3 [REC]: no greedy resource, so these stay 403
    ("sec3-REC-items-slash-403", "GET", "/strict/items/", None, None),
    ("sec3-REC-items-403", "GET", "/strict/items", None, None),
    ("sec3-REC-files-slash-403", "GET", "/strict/files/", None, None),
    ("sec3-REC-wrong-method-POST", "POST", "/strict/hardcoded", None, None),
    ("sec3-REC-wrong-method-GET", "GET", "/strict/post-only", None, None),
    ("sec3-REC-wrong-method-DELETE", "DELETE", "/strict/items/5", None, None),
    ("sec3-REC-HEAD-without-method", "HEAD", "/strict/hardcoded", None, None),
    ("sec3-REC-HEAD-without-method-param", "HEAD", "/strict/items/5", None, None),
    ("resource-beginning-with-its-stage-name-in-the-root-form", "GET", "/strict/inner", "strict", "/strict/inner"),
    ("a-stage-form-miss-is-not-taken-by-the-root-greedy", "GET", "/strict/elsewhere", None, None),
]


@pytest.mark.parametrize("verb, target, stage, resource", [pytest.param(*c[1:], id=c[0]) for c in E2E_CASES])
def test_routing_e2e(served: RunningGateway, verb: str, target: str, stage: str | None,
                     resource: str | None) -> None:
    reply = served.request(verb, target, body="{}" if verb in ("POST", "PUT") else None)
    if resource is None:
        assert reply.status == 403
        assert reply.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
        assert reply.body == (b"" if verb == "HEAD" else b'{"message":"Missing Authentication Token"}')
        return
    assert reply.status == 200, reply.body
    if verb == "HEAD":
        return
    event = json.loads(reply.body)
    assert (event["requestContext"]["stage"], event["resource"], event["httpMethod"]) == (stage, resource, verb)


@pytest.mark.parametrize("staged, root", [("/Prod/items/7", "/items/7"), ("/Prod//a//b/", "//a//b/"),
                                          ("/Prod/", "/")], ids=["param", "raw-slashes", "root"])
def test_the_event_is_the_same_in_both_url_forms(served: RunningGateway, staged: str, root: str) -> None:
    """fact sheet §1.1/§1.2 [REC]: `path` without the stage (leading slashes collapsed), `requestContext.path` the
    stage then the raw path as sent."""
    events = [json.loads(served.request("GET", target).body) for target in (staged, root)]
    for event in events:
        del event["requestContext"]["requestId"], event["requestContext"]["extendedRequestId"]
        del event["requestContext"]["requestTime"], event["requestContext"]["requestTimeEpoch"]
        del event["headers"]["X-Amzn-Trace-Id"], event["multiValueHeaders"]["X-Amzn-Trace-Id"]
    assert events[0] == events[1]
    assert (events[0]["path"], events[0]["requestContext"]["path"]) == (
        "/" + root.lstrip("/"), "/Prod" + (root if root != "/" else "/"))


def test_start_up_lists_both_url_forms_and_the_notices(served: RunningGateway) -> None:
    """`serve` prints describe_routes' lines: each method with the URL forms that reach it on the port."""
    routes = describe_routes(served.deployment)
    assert "GET     /Prod/hardcoded or /hardcoded  ->  EchoFunction   (ServerlessRestApi)" in routes
    assert "GET     /strict/hardcoded  ->  StrictFunction   (StrictApi)" in routes
    assert "OPTIONS /sibling/{proxy+}  ->  SiblingFunction   (SiblingApi)" in routes
    template = (APPS / "routing" / "template.yaml").resolve()
    assert f"{template}:48: GET /hardcoded (StrictApi) is also defined by ServerlessRestApi ({template}:19)" \
        in served.console
