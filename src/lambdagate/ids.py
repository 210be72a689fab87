"""Request ids shaped like AWS's, made cheaply: they only need to be unique, not unguessable."""

from __future__ import annotations

import base64
import random

_random = random.Random()


_VARIANT = "89ab89ab89ab89ab"


def uuid4() -> str:
    """A version-4 UUID string (`x-amzn-RequestId`, Lambda request ids)."""
    h = f"{_random.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"


def extended_request_id() -> str:
    """16 characters ending in '=' like `Vwc2MGFUrPEFV_g=` (fact sheet §1.2; `x-amz-apigw-id`)."""
    return base64.urlsafe_b64encode(_random.randbytes(11)).decode()


def trace_id(epoch: float) -> str:
    """X-Ray's `Root=1-<8 hex of the epoch seconds>-<24 hex>`."""
    return f"Root=1-{int(epoch):08x}-{_random.getrandbits(96):024x}"
