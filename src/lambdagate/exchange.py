"""The typed values that travel between the steps of a request."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpRequest:
    """A client request as it arrived: names and order of headers as sent, path and query raw."""

    method: str
    raw_path: str                      # without the query string, not decoded
    raw_query: str | None              # None when the target had no '?'
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str
    server_port: int
    received_at: float                 # seconds since the epoch
    body_too_large: bool = False       # over API Gateway's 10 MB: the body was not read to the end

    def header(self, name: str) -> str | None:
        """The last value of a header (case-insensitive), as API Gateway's single-value view has it."""
        lowered = name.lower()
        value = None
        for k, v in self.headers:
            if k.lower() == lowered:
                value = v
        return value


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
