"""The dashboard in a real headless browser (Debian's chromium driven by Playwright): metrics charts, the latest
requests, and for a request its execution log and its function's log. Works without internet (no CDN)."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator

import pytest

from conftest import copy_app
from harness import RunningGateway

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (CI installs Debian's package)")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningGateway, int]]:
    app = copy_app(tmp_path_factory, "observe")
    running = RunningGateway(app / "template.yaml", dashboard=True, watch=False)
    assert running.runner.dashboard is not None
    yield running, running.runner.dashboard.port
    running.close()


def test_page_shows_metrics_requests_and_logs(dashboard: tuple[RunningGateway, int]) -> None:
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
