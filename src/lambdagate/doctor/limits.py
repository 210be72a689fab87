"""Limits: Timeout above the integration timeout (requests see 504 first), reserved concurrency 0, response and
request payloads near Lambda's 6 MB, and a runtime that AWS has deprecated or that cannot run here."""

from __future__ import annotations

from datetime import date

from .. import causes as catalogue
from ..httpapi import causes as http_causes
from ..runtime.catalog import DEPRECATION, UnsupportedRuntime
from ..runtime.environment import MAX_RESPONSE_BYTES
from ..runtime.launchers import Runtimes
from .findings import Check, Evidence, Finding
from .invoke import Probe
from .targets import Target

NEAR_BYTES = 5 * 1024 * 1024       # "near" 6 MB: 5 MiB and more
REQUEST_LIMIT_BYTES = 6 * 1024 * 1024   # Lambda API_Invoke: "For synchronous invocations, the maximum payload size
#                                         is 6 MB" (the response limit is recorded as 6291556 bytes, §10.10a)
def check(target: Target, probes: list[Probe], runtimes: Runtimes, today: date,
          events: list[tuple[str, int]]) -> Check:
    fn = target.function
    result = Check("limits", target.logical_id)
    notes = [f"Timeout {fn.timeout:g} s, MemorySize {fn.memory_size} MB, {fn.runtime}"]
    _runtime(target, runtimes, today, result, notes)
    slow = [r for r in target.routes if fn.timeout > r.method.integration.timeout_ms / 1000]
    if slow:
        # fact sheet §3, §10.8: 504 after the integration timeout; LDG configuration-timeout.md: Timeout is whole
        # seconds, 1..900
        limit = min(r.method.integration.timeout_ms for r in slow) / 1000
        advice = (f"Set Timeout to at most {int(limit)} s" if limit >= 1 else
                  f"Make the function answer within {limit:g} s or raise timeoutInMillis (Timeout is whole "
                  "seconds, at least 1)")
        result.findings.append(Finding(
            "limits.timeout-over-integration", "warning",
            f"Timeout {fn.timeout:g} s is longer than the integration timeout ({limit:g} s)",
            "API Gateway stops waiting after the integration timeout and answers 504 Endpoint request timed out, "
            "while the function may run on until its Timeout: a slow request shows as a 504, not as Lambda's own "
            "`Task timed out`.",
            f"{advice}, or move long work out of the request; Regional and private APIs can raise the integration "
            "timeout above 29 s by a Service Quotas request.",
            (Evidence.at(target.location("Timeout"), f"Timeout: {fn.timeout:g}"),
             *(Evidence.at(r.method.location, f"{r.long_label}: timeoutInMillis "
                                              f"{r.method.integration.timeout_ms}") for r in slow[:5]))))
    http_slow = [r for r in target.http_routes if fn.timeout > r.timeout_ms / 1000]
    if http_slow:
        # aws-http-api.md §10.1 [DOC]: 50..30000 ms, not raisable; [REC] 503 Service Unavailable at ~30 s
        limit = min(r.timeout_ms for r in http_slow) / 1000
        result.findings.append(Finding(
            "limits.timeout-over-integration", "warning",
            f"Timeout {fn.timeout:g} s is longer than the HTTP API's integration timeout ({limit:g} s)",
            http_causes.INTEGRATION_TIMEOUT.explanation,
            f"Set Timeout to at most {max(1, int(limit))} s so that Lambda's own timeout shows, or move long work out "
            "of the request: an HTTP API's integration timeout cannot be raised above 30 s.",
            (Evidence.at(target.location("Timeout"), f"Timeout: {fn.timeout:g}"),
             *(Evidence.at(r.location, f"{r.long_label}: TimeoutInMillis {r.timeout_ms}") for r in http_slow[:5]))))
    if fn.reserved_concurrency == 0:
        result.findings.append(Finding(
            "limits.reserved-concurrency-zero", "error", "ReservedConcurrentExecutions is 0: every call is throttled",
            catalogue.RATE_EXCEEDED.explanation, catalogue.RATE_EXCEEDED.fix,
            (Evidence.at(target.location("ReservedConcurrentExecutions"), "ReservedConcurrentExecutions: 0"),)))
    for probe in probes:
        size = len(probe.result.payload) if probe.result is not None else 0
        if NEAR_BYTES <= size <= MAX_RESPONSE_BYTES:
            result.findings.append(Finding(
                "limits.response-size", "warning", f"{probe.label}: the answer is {size} bytes, near the "
                f"{MAX_RESPONSE_BYTES}-byte limit", catalogue.RESPONSE_TOO_LARGE.explanation,
                catalogue.RESPONSE_TOO_LARGE.fix, (Evidence(probe.label),)))
    for name, size in events:
        # fact sheet §10.2a: API Gateway takes bodies up to 10 MB
        if size >= NEAR_BYTES:
            over = size > REQUEST_LIMIT_BYTES
            result.findings.append(Finding(
                "limits.request-size", "error" if over else "warning",
                f"{name}: the event is {size} bytes, {'over' if over else 'near'} Lambda's 6 MB",
                "Lambda accepts at most 6 MB per synchronous invocation (Lambda API_Invoke), while API Gateway "
                "accepts request bodies up to 10 MB: a request body near 6 MB, or a binary "
                "body that base64 makes a third larger, cannot reach the function.",
                "Keep request bodies well under 6 MB (under about 4.5 MB for binary media types), or upload large "
                "content another way.", (Evidence(name),)))
    result.summary = "; ".join(notes)
    return result


def _runtime(target: Target, runtimes: Runtimes, today: date, result: Check, notes: list[str]) -> None:
    fn = target.function
    where = Evidence.at(target.location("Runtime"), f"Runtime: {fn.runtime}")
    try:
        notes += runtimes.check(fn, deprecation=False)   # what `serve` says at start-up
    except UnsupportedRuntime as e:
        result.findings.append(Finding(
            "limits.runtime-unavailable", "warning", f"{fn.runtime} cannot run here", str(e), e.fix, (where,)))
    deprecated = DEPRECATION.get(fn.runtime)
    if deprecated is not None and deprecated <= today:
        result.findings.append(Finding(
            "limits.runtime-deprecated", "warning", f"AWS deprecated {fn.runtime} on {deprecated.isoformat()}",
            "A deprecated runtime gets no more security patches, and Lambda then blocks creating and later updating "
            "functions that use it (LDG runtime-support-policy.md, lambda-runtimes.md).",
            "Move the function to a supported runtime of the same language.", (where,)))
    elif deprecated is not None and (deprecated - today).days <= 180:
        notes.append(f"AWS deprecates {fn.runtime} on {deprecated.isoformat()}")
