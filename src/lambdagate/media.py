"""Binary media types: which requests are base64-encoded and which responses are decoded."""

from __future__ import annotations


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def matches_binary_type(media_type: str, binary_media_types: tuple[str, ...]) -> bool:
    """Fact sheet §2.4: an entry matches exactly or with a right-side wildcard (`application/*`, `*/*`);
    left-side wildcards (`*/test`) never match; a value without a slash never matches."""
    wanted = _media_type(media_type)
    if "/" not in wanted:
        return False
    kind, _, sub = wanted.partition("/")
    for entry in binary_media_types:
        entry = _media_type(entry)
        if entry == wanted:
            return True
        e_kind, _, e_sub = entry.partition("/")
        if e_sub == "*" and (e_kind == "*" or e_kind == kind):
            return True
    return False


def first_accept_type(accept: str | None) -> str | None:
    """Only the first media type of `Accept` counts (fact sheet §2.4), parameters ignored."""
    if not accept:
        return None
    first = accept.split(",", 1)[0]
    return _media_type(first) or None
