"""How execution logs show a token, a principal or an API key (aws-auth.md §1.11, §4.3 [REC] LOG-2017 and a 2016
capture): one `*` per hidden character, the last 6 characters in clear (`****...bMZHBg`)."""

from __future__ import annotations

SHOWN = 6


def mask(value: str) -> str:
    """A value of 6 characters or fewer is hidden whole ([UNCERTAIN]: no capture shows a short value)."""
    if len(value) <= SHOWN:
        return "*" * len(value)
    return "*" * (len(value) - SHOWN) + value[-SHOWN:]
