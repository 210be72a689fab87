"""Request bodies sent with a Content-Encoding, as API Gateway takes them (fact sheet §10.2e).

API Gateway decodes a request body sent as `gzip`, `deflate` or `identity` before the integration sees it, and
keeps the `Content-Encoding` header in what it passes on; a coding it does not support, or a body that is not in
the coding it claims, is answered 415 Unsupported Media Type (AGDG api-gateway-make-request-with-compressed-payload,
api-gateway-enable-compression "supported content codings"; seen from a Lambda proxy integration in
dougmoscrop/serverless-http#194 and serverless/serverless#2797: the event's body decoded, `isBase64Encoded` false
for a text type, the header still there). The HTTP server passes bodies on as sent (aiohttp would decode them
itself, and any coding it knows), so that this module is the one place that decides.
"""

from __future__ import annotations

import zlib

from . import errors

SUPPORTED = ("gzip", "deflate", "identity")


def decoded(body: bytes, content_encoding: str, limit: int) -> bytes:
    """`body` without its codings (listed in the order they were applied). At most `limit` + 1 bytes come out: a
    body that decodes to more cannot fit a Lambda event anyway, and a small body must not become gigabytes."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in SUPPORTED:
            raise errors.unsupported_media_type(content_encoding)
        body = _inflate(body, coding, limit, content_encoding)
    return body


def _inflate(body: bytes, coding: str, limit: int, header: str) -> bytes:
    # gzip (RFC 1952); deflate as the zlib format (RFC 1950) HTTP means, or the raw RFC 1951 stream the AWS
    # documentation names
    for wbits in ((31,) if coding == "gzip" else (15, -15)):
        inflater = zlib.decompressobj(wbits=wbits)
        try:
            out = inflater.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit or (inflater.eof and not inflater.unused_data):
            return out
    raise errors.unsupported_media_type(header)
