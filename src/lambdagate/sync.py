"""lambdagate as a synchronous Python API: `with Gateway.from_template("template.yaml") as gw: gw.request("GET",
"/items/42")`. It exists so that tests and scripts need no event loop of their own.

Requests go through the same gateway code as `serve` and run in real execution environments, on an event loop in
a thread of the Gateway's own, with no socket. `request` answers like the console's Test button
(TestInvokeMethod, fact sheet §4.2); `serve_http` also opens the HTTP port, for tools that need one. A path that an
HTTP API answers (dispatch.py) is sent as a client's request: HTTP APIs have no test invocation
(aws-http-api.md §7.1), and their answer carries the access-log line instead of an execution log.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote, urlencode

from .build import prepared
from .config import Config, Options, config_from
from .dispatch import Record
from .exchange import Exchange, HttpRequest, Mode
from .httpapi.access_log import terminal_line
from .observe.console import Console
from .observe.execution_log import render, test_invoke_log
from .runner import Runner, startup_notices

HTTP_API_LOG = ("HTTP APIs have no test invocation (the console's Test button is REST's): this request went to the "
                "HTTP API as a client's would; its access-log line:")

if TYPE_CHECKING:
    from typing_extensions import Unpack

Headers = Mapping[str, str] | Sequence[tuple[str, str]]
Query = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


@dataclass
class TestInvokeResult:
    """TestInvokeMethod's answer: `status`, `body`, `headers`, `multiValueHeaders`, `log`, `latency` (§4.2)."""

    __test__ = False  # AWS's name, not a test class for pytest to collect

    status: int
    body: str
    headers: dict[str, str]
    multi_value_headers: dict[str, list[str]]
    log: str
    latency: int
    request_id: str
    body_bytes: bytes = b""
    execution_log: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "body": self.body, "headers": self.headers,
                "multiValueHeaders": self.multi_value_headers, "log": self.log, "latency": self.latency}


class Gateway:
    """The gateway of a template (or OpenAPI file) with its Lambda functions, on its own event loop."""

    def __init__(self, config: Config, output: TextIO | None = None, record: bool = True) -> None:
        self.output = output if output is not None else io.StringIO()
        console = Console(self.output, quiet=config.quiet)
        deployment = prepared(config.source, console.notice, install=config.build)
        self.deployment = deployment
        self.config = config
        self._loop = asyncio.new_event_loop()
        self.runner = Runner(deployment, console, config, record)
        for warning in startup_notices(deployment) + self.runner.access_notices():
            self.runner.console.notice(warning)
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self.runner.start())
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="lambdagate", daemon=True)
        self._thread.start()
        if not started.wait(60):
            raise RuntimeError("lambdagate's event loop did not start")
        self._closed = False
        self.url: str | None = None        # http://127.0.0.1:<port> once serve_http() has opened the port

    @classmethod
    def from_template(cls, template: str | Path, output: TextIO | None = None, **options: Unpack[Options]
                      ) -> Gateway:
        """Keywords as the `serve` flags (config.Options): stage, parameter_overrides, env_vars, region, ..."""
        return cls(config_from(options, template=Path(template)), output)

    @classmethod
    def from_openapi(cls, document: str | Path, output: TextIO | None = None, **options: Unpack[Options]
                     ) -> Gateway:
        """An OpenAPI 3 / Swagger 2 file (`--openapi`); its functions come from `mapping`/`functions`, its stage
        variables from the mapping file, permissions from `policies`."""
        return cls(config_from(options, openapi=Path(document)), output)

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def serve_http(self, host: str = "127.0.0.1", port: int = 0, dashboard_port: int | None = None,
                   dashboard_host: str | None = None) -> int:
        """Also listen for HTTP, as `serve` does; returns the port (and sets `url`)."""
        port = int(self.run(self.runner.listen(host, port, dashboard_port, dashboard_host), 60))
        self.url = f"http://{host}:{port}"
        return port

    def request(self, method: str, path: str, headers: Headers | None = None, query: Query | None = None,
                body: str | bytes | None = None, test_invoke: bool = True, timeout: float | None = None
                ) -> TestInvokeResult:
        """One request through the gateway, as the console's Test button sends it (`test_invoke`, the default:
        stage `test-invoke-stage`, only the headers given) or as a client would."""
        raw_path, _, raw_query = path.partition("?")
        if query:
            items = list(query.items()) if isinstance(query, Mapping) else list(query)
            pairs = [(k, v) for k, vs in items for v in ([vs] if isinstance(vs, str) else vs)]
            raw_query = "&".join(filter(None, [raw_query, urlencode(pairs, quote_via=quote)]))
        header_items = list(headers.items()) if isinstance(headers, Mapping) else list(headers or [])
        data = body.encode() if isinstance(body, str) else (body or b"")
        request = HttpRequest(method.upper(), raw_path if raw_path.startswith("/") else "/" + raw_path,
                              raw_query if (raw_query or "?" in path) else None, tuple(header_items), data,
                              "127.0.0.1", 0, time.time())
        mode = Mode.TEST_INVOKE if test_invoke else Mode.CLIENT
        exchange: Record = self.run(self.runner.dispatch.handle(request, mode), timeout)
        return _result(exchange)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def shutdown() -> None:
            await self.runner.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(shutdown(), 60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _result(exchange: Record) -> TestInvokeResult:
    multi: dict[str, list[str]] = {}
    for name, value in exchange.response.headers:
        multi.setdefault(name, []).append(value)
    body = exchange.response.body
    return TestInvokeResult(
        status=exchange.response.status,
        body=body.decode("utf-8", "replace"),
        headers={name: values[-1] for name, values in multi.items()},
        multi_value_headers=multi,
        log=test_invoke_log(exchange) if isinstance(exchange, Exchange) else _http_log(exchange),
        latency=round(exchange.latency_ms),
        request_id=exchange.request_id,
        body_bytes=body,
        execution_log=render(exchange) if isinstance(exchange, Exchange) else [],
    )


def _http_log(exchange: Record) -> str:
    assert not isinstance(exchange, Exchange)
    line = terminal_line(exchange)
    return "\n".join([HTTP_API_LOG, line or "(none: no stage of an HTTP API matched)"] +
                     ([f"lambdagate: {exchange.hint}"] if exchange.hint else [])) + "\n"
