"""The dashboard in a real headless browser (Debian's chromium driven by Playwright): metrics charts, the latest
requests, and for a request its execution log and its function's log. Works without internet (no CDN). It answers
only its own address's Host (DNS rebinding), checks its query parameters, and stays on loopback unless told."""

from __future__ import annotations

import http.client
import shutil
import urllib.request
from collections.abc import Iterator

import pytest

from conftest import copy_app
from harness import RunningGateway
from lambdagate import Gateway
from lambdagate.dashboard.server import host_allowed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningGateway, int]]:
    app = copy_app(tmp_path_factory, "observe")
    running = RunningGateway(app / "template.yaml", dashboard=True, watch=False)
    assert running.runner.dashboard is not None
    yield running, running.runner.dashboard.port
    running.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (CI installs Debian's package)")
def test_page_shows_metrics_requests_and_logs(dashboard: tuple[RunningGateway, int]) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    running, port = dashboard
    ok = running.request("GET", "/ok")
    boom = running.request("GET", "/boom")
    assert (ok.status, boom.status) == (200, 502)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page()
            external: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(f"http://127.0.0.1:{port}/")
                    else external.append(r.url))
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("body[data-ready='true']", timeout=15000)
            rows = page.locator("#requests tbody tr")
            assert rows.count() >= 2
            assert "observed-api (dev)" in page.inner_text("#apis")
            assert float(page.get_attribute("#chart-Count", "data-total") or 0) >= 2
            assert float(page.get_attribute("#chart-5XXError", "data-total") or 0) >= 1
            request_id = boom.header("x-amzn-RequestId")
            page.click(f"#requests tbody tr[data-request-id='{request_id}']")
            page.wait_for_selector("#detail-body:not([hidden])")
            execution = page.inner_text("#execution-log")
            assert f"({request_id}) Lambda execution failed with status 200 due to customer function error: " \
                   "observed failure." in execution
            function = page.inner_text("#function-log")
            assert "START RequestId:" in function and "[ERROR] RuntimeError: observed failure" in function
            assert "502" in page.inner_text("#detail-summary")
            assert external == []  # nothing fetched from anywhere else
        finally:
            browser.close()


def test_prometheus_endpoint(dashboard: tuple[RunningGateway, int]) -> None:
    running, port = dashboard
    running.request("GET", "/ok")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert 'apigateway_requests_total{api_name="observed-api",stage="dev",method="GET",resource="/ok"}' in text


def get(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1", "127.0.0.1",
                                  ""], ids=["rebound-name", "name-resolving-to-loopback", "other-port", "no-port",
                                            "empty"])
@pytest.mark.faults
def test_a_foreign_host_is_refused(dashboard: tuple[RunningGateway, int], host: str) -> None:
    _, port = dashboard
    for target in ("/", "/api/requests", "/metrics"):
        status, body = get(port, target, host.format(port=port))
        assert status == 403 and b"is not this dashboard's address" in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST.:{port}"])
@pytest.mark.faults
def test_its_own_address_is_answered(dashboard: tuple[RunningGateway, int], host: str) -> None:
    _, port = dashboard
    assert get(port, "/api/requests", host.format(port=port))[0] == 200


@pytest.mark.faults
def test_a_name_given_as_dashboard_host_is_answered() -> None:
    assert host_allowed("devbox.local:3001", "devbox.local", 3001)
    assert host_allowed("10.1.2.3:3001", "0.0.0.0", 3001) and not host_allowed("devbox.local:3001", "0.0.0.0", 3001)


@pytest.mark.parametrize("target", ["/api/requests?limit=ten", "/api/requests?limit=0", "/api/requests?limit=-1",
                                    "/api/metrics?minutes=1e9", "/api/metrics?minutes=99999999"])
@pytest.mark.faults
def test_bad_query_parameters_are_400_that_say_why(dashboard: tuple[RunningGateway, int], target: str) -> None:
    _, port = dashboard
    status, body = get(port, target)
    assert status == 400 and b"expected a whole number from 1 to" in body


@pytest.mark.faults
def test_the_dashboard_stays_on_loopback_when_the_api_listens_everywhere(tmp_path_factory: pytest.TempPathFactory
                                                                          ) -> None:
    app = copy_app(tmp_path_factory, "observe")
    with Gateway.from_template(app / "template.yaml", watch=False) as gateway:
        gateway.serve_http(host="0.0.0.0", dashboard_port=0)
        assert gateway.runner.server is not None and gateway.runner.server.host == "0.0.0.0"
        assert gateway.runner.dashboard is not None and gateway.runner.dashboard.host == "127.0.0.1"
