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

import pytest

from harness import RunningGateway
from lambdagate.definition.model import Api, Integration, Method, Resource, Stage
from lambdagate.routing import Router

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
    ("sec3-REC-items-slash-is-the-items-resource-without-methods", ITEMS, "GET", "/items/", None, None),
    ("sec3-REC-items-is-a-resource-without-methods", ITEMS, "GET", "/items", None, None),
    ("items-slash-does-not-match-param-alone", {"/items/{id}": ("GET",)}, "GET", "/items/", None, None),
    ("sec3-REC-wrong-verb", ITEMS, "POST", "/hardcoded", None, None),
    ("sec3-REC-HEAD-without-HEAD-method", ITEMS, "HEAD", "/hardcoded", None, None),
    ("ANY-takes-every-verb", ITEMS, "DELETE", "/x", "/{proxy+}", {"proxy": "x"}),
    ("ANY-takes-HEAD", ITEMS, "HEAD", "/x", "/{proxy+}", {"proxy": "x"}),
    ("sec1.1-REC-greedy-without-trailing-slash", ITEMS, "GET", "/proxy-value/", "/{proxy+}", {"proxy": "proxy-value"}),
    ("sec1.1-REC-greedy-inner-double-slash", ITEMS, "GET", "/proxy-value//double-slash", "/{proxy+}",
     {"proxy": "proxy-value//double-slash"}),
    ("sec1.1-REC-greedy-still-encoded", ITEMS, "GET", "/a%2Fb/test%2Balias@gmail.com/c+d", "/{proxy+}",
     {"proxy": "a%2Fb/test%2Balias@gmail.com/c+d"}),
    ("sec1.1-REC-greedy-after-literal", ITEMS, "PUT", "/files/x/y/", "/files/{path+}", {"path": "x/y"}),
    ("greedy-needs-one-segment", ITEMS, "GET", "/files/", None, None),
    ("param-value-one-segment-raw", ITEMS, "GET", "/items/a%2Fb", "/items/{id}", {"id": "a%2Fb"}),
    ("no-resource-no-greedy", {"/hardcoded": ("GET",)}, "GET", "/elsewhere", None, None),
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


# --------------------------------------------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------------------------------------------
E2E_CASES = [
    # (id, verb, target, expected resource or None for 403)
    ("literal-beats-greedy", "GET", "/hardcoded", "/hardcoded"),
    ("trailing-slash-ignored", "GET", "/hardcoded/", "/hardcoded"),
    ("sec1.1-REC-leading-slashes-collapsed", "GET", "//hardcoded", "/hardcoded"),
    ("param-beats-greedy", "GET", "/items/5", "/items/{id}"),
    ("param-trailing-slash-ignored", "GET", "/items/5/", "/items/{id}"),
    ("nested-param", "GET", "/items/5/detail", "/items/{id}/detail"),
    ("greedy", "GET", "/somewhere/else", "/{proxy+}"),
    ("greedy-under-literal", "GET", "/files/a/b", "/files/{path+}"),
    ("root", "GET", "/", "/"),
    ("ANY-PUT", "PUT", "/somewhere", "/{proxy+}"),
    ("explicit-POST", "POST", "/post-only", "/post-only"),
    ("sec3-REC-items-slash-403", "GET", "/items/", None),
    ("sec3-REC-items-403", "GET", "/items", None),
    ("sec3-REC-files-slash-403", "GET", "/files/", None),
    ("sec3-REC-wrong-method-POST", "POST", "/hardcoded", None),
    ("sec3-REC-wrong-method-GET", "GET", "/post-only", None),
    ("sec3-REC-wrong-method-DELETE", "DELETE", "/items/5", None),
    ("sec3-REC-root-wrong-method", "POST", "/", None),
    ("sec3-REC-HEAD-without-method", "HEAD", "/hardcoded", None),
    ("sec3-REC-HEAD-without-method-param", "HEAD", "/items/5", None),
]


@pytest.mark.parametrize("verb, target, resource", [pytest.param(*c[1:], id=c[0]) for c in E2E_CASES])
def test_routing_e2e(gateway: RunningGateway, verb: str, target: str, resource: str | None) -> None:
    reply = gateway.request(verb, target, body="{}" if verb in ("POST", "PUT") else None)
    if resource is None:
        assert reply.status == 403
        assert reply.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
        assert reply.body == (b"" if verb == "HEAD" else b'{"message":"Missing Authentication Token"}')
        return
    assert reply.status == 200, reply.body
    event = json.loads(reply.body)
    assert event["resource"] == resource
    assert event["httpMethod"] == verb
