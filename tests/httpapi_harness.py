"""An HTTP API served without the REST pipeline: HttpApiGateway behind lambdagate's HTTP server, the real Lambda
service running the handlers in real workers, on a free loopback port in a thread of its own. The adapter from the
Lambda service to the HTTP API invoker (`invoke`) is the few lines phase 2 puts in the runner
(docs/http-api-integration.md)."""

from __future__ import annotations

import asyncio
import http.client
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import Reply
from lambdagate.config import Config, Source
from lambdagate.definition.loader import load
from lambdagate.definition.model import Deployment, Function
from lambdagate.exchange import HttpRequest, HttpResponse, InvocationLog
from lambdagate.httpapi import HttpApiExchange, HttpApiGateway
from lambdagate.runtime.service import LambdaService
from lambdagate.server import HttpServer


@dataclass
class _Answer:
    response: HttpResponse     # what HttpServer reads from its handler's result


class LiveHttpApi:
    def __init__(self, template: Path, state_dir: Path) -> None:
        self.deployment: Deployment = load(Source(template=template))
        self.records: list[HttpApiExchange] = []
        self.output = io.StringIO()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        source = Source(template=template)
        self.service = LambdaService(self.deployment, Config(source=source, max_environments=2, watch=False), self)
        self.gateway = HttpApiGateway(self.deployment, self.service)
        self.server = HttpServer(self.handle, "127.0.0.1", 0)
        self._run(self.service.start())
        self._run(self.server.start())

    # the Lambda service's observer: the functions' output is kept, nothing else is needed here
    def function_output(self, function: Function, line: str) -> None:
        self.output.write(line + "\n")

    def invocation(self, log: InvocationLog) -> None: ...

    def notice(self, text: str) -> None:
        self.output.write(text + "\n")

    def exchange(self, exchange: object) -> None: ...

    async def handle(self, request: HttpRequest) -> Any:
        response, record = await self.gateway.handle(request)
        self.records.append(record)
        return _Answer(response)

    async def _settle(self) -> None:
        """Invocations that outlived their request (the 503) end with the service; wait for them."""
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), 30)

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def request(self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(method, target, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return Reply(response.status, list(response.getheaders()), response.read())
        finally:
            conn.close()

    def close(self) -> None:
        self._run(self.server.close())
        self._run(self.service.close())
        self._run(self._settle())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
