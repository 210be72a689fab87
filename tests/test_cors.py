"""CORS as SAM's `Cors` property sets it up: API Gateway answers the preflight from a MOCK integration, the
function adds its own headers to real answers; tested from a real browser page on another origin."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from conftest import APPS
from fakes import FakeInvoker, request
from harness import RunningGateway
from lambdagate.context_variables import request_context
from lambdagate.definition.model.deployment import Deployment
from lambdagate.definition.model.restapi import Api, GatewayResponse, Stage
from lambdagate.exchange import Exchange
from lambdagate.gateway import ApiGateway


@pytest.fixture(scope="module")
def cors() -> Iterator[RunningGateway]:
    running = RunningGateway(APPS / "cors" / "template.yaml", watch=False)
    yield running
    running.close()


def test_preflight_is_answered_by_api_gateway(cors: RunningGateway) -> None:
    reply = cors.request("OPTIONS", "/items", headers=[("Origin", "http://other.example"),
                                                       ("Access-Control-Request-Method", "POST")])
    assert reply.status == 200
    assert reply.body == b"{}\n"  # SAM's response template, as is
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.header("Access-Control-Allow-Headers") == "Content-Type,X-Custom"
    assert reply.header("Access-Control-Allow-Methods") == "GET,OPTIONS,POST"  # the path's methods, sorted
    assert reply.header("Access-Control-Max-Age") == "600"
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("x-amzn-RequestId")
    assert "[ItemsFunction] START" not in cors.console  # no function ran
    anything = cors.request("OPTIONS", "/things/1")
    assert anything.header("Access-Control-Allow-Methods") == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"


def test_paths_without_cors_have_no_preflight(cors: RunningGateway) -> None:
    reply = cors.request("OPTIONS", "/plain")
    assert (reply.status, reply.body) == (403, b'{"message":"Missing Authentication Token"}')


@pytest.mark.parametrize("headers", [[], [("Content-Type", "text/plain")]], ids=["no-content-type", "text"])
def test_sec10_14_REC_a_preflight_on_a_binary_api_answers_500(cors: RunningGateway,
                                                              headers: list[tuple[str, str]]) -> None:
    """Fact sheet §10.16 [REC] (clebert/aws-simple#167, brefphp/bref#922; Powertools' example template,
    aws-powertools/powertools-lambda-python#3373): BinaryMediaTypes */* and a MOCK preflight."""
    before = len(cors.console)
    reply = cors.request("OPTIONS", "/binary/b/items", headers=[("Origin", "http://other.example"), *headers])
    assert (reply.status, reply.body) == (500, b'{"message": "Internal server error"}')
    assert reply.header("x-amzn-ErrorType") == "InternalServerErrorException"
    assert reply.header("Access-Control-Allow-Origin") is None
    log = cors.log_lines(reply.header("x-amzn-RequestId") or "")
    assert "Execution failed due to configuration error: Unable to transform request" in log, cors.console[before:]


def test_sec10_14_a_preflight_with_convert_to_text_is_answered(cors: RunningGateway) -> None:
    reply = cors.request("OPTIONS", "/b/converted", headers=[("Origin", "http://other.example")])
    assert (reply.status, reply.header("Access-Control-Allow-Origin")) == (200, "*")


def test_an_integration_lambdagate_does_not_emulate_is_named(cors: RunningGateway) -> None:
    reply = cors.request("GET", "/elsewhere")
    assert reply.status == 501
    assert reply.header("x-lambdagate-limitation") == "integration"
    assert b"HTTP_PROXY integration" in reply.body
    assert "GET /elsewhere (ProxiedApi): HTTP_PROXY integration is not emulated" in cors.console


def test_gateway_response_customisation_rules() -> None:
    api = Api("A", "a", "abc1234567", Stage("prod", "d1", {"env": "blue"}), (), gateway_responses=(
        GatewayResponse("DEFAULT_4XX", None, (("gatewayresponse.header.Access-Control-Allow-Origin", "'*'"),
                                              ("gatewayresponse.header.X-Stage", "stageVariables.env"),
                                              ("gatewayresponse.header.X-Asked", "method.request.header.X-Ask")),
                        ()),
        GatewayResponse("MISSING_AUTHENTICATION_TOKEN", 404, (),
                        (("application/json", '{"error":$context.error.messageString,"id":"$context.requestId"}'),)),
    ))
    def handle(api: Api) -> Exchange:
        gateway = ApiGateway(Deployment((api,), {}, (), "us-east-1", "123456789012"), FakeInvoker({}))
        return asyncio.run(gateway.handle(request("GET", "/x", headers=(("X-Ask", "yes"),))))

    x = handle(api)
    out = x.response
    assert out.status == 404
    assert out.body == b'{"error":"Missing Authentication Token","id":"%s"}' % x.ids.request_id.encode()
    headers = dict(out.headers)
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["X-Stage"] == "blue"
    assert headers["X-Asked"] == "yes" and headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # unchanged types keep their exact bytes
    plain = handle(Api("B", "b", "abc1234568", Stage("prod", "d2"), ()))
    same = plain.response
    assert same.body == b'{"message":"Missing Authentication Token"}' and same.status == 403
    assert request_context(plain, "1")["error.messageString"] == '"Missing Authentication Token"'


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html><html><body><pre id="out">waiting</pre><script>
async function run() {
  const out = [];
  try {
    const r = await fetch('http://127.0.0.1:%(port)d/items', {method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Custom': 'from-the-page'}, body: '{}'});
    out.push('items:' + r.status + ':' + (await r.text()));
  } catch (e) { out.push('items:failed'); }
  try {
    await fetch('http://127.0.0.1:%(port)d/plain', {method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Custom': 'x'}, body: '{}'});
    out.push('plain:answered');
  } catch (e) { out.push('plain:blocked'); }
  document.getElementById('out').textContent = out.join('\\n');
}
run();
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (CI installs Debian's package)")
def test_cross_origin_request_from_a_real_browser(cors: RunningGateway) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: list[web.AppRunner] = []
    port_box: list[int] = []

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE % {"port": cors.port}, content_type="text/html")

    async def start() -> None:
        app = web.Application()
        app.router.add_get("/", page)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runner_box.append(runner)
        port_box.append(runner.addresses[0][1])
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
            try:
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{port_box[0]}/")  # another origin than the API's port
                tab.wait_for_function("document.getElementById('out').textContent !== 'waiting'", timeout=15000)
                result = tab.inner_text("#out").splitlines()
            finally:
                browser.close()
    finally:
        asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    assert result[0] == 'items:200:{"method": "POST", "custom": "from-the-page"}'
    assert result[1] == "plain:blocked"  # no preflight answer there: the browser refuses, as with AWS
