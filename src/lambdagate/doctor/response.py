"""Response format: each route's (or --event's) invocation in a real execution environment, its answer checked
by the validator `serve` uses, every violation named by its path with the runtime's fix; function errors with
the frame that raised them. An HTTP API route's answer is checked by its payload format's rules: 2.0's
(httpapi/violations.py: malformed answers, structured keys sent as an inferred body, no content type), 1.0's REST's."""

from __future__ import annotations

from .. import causes as catalogue
from ..httpapi import causes as http_causes
from ..httpapi.violations import inferred_keys, violations_v2, without_content_type
from ..violations import Violation, violations
from .findings import Check, Evidence, Finding
from .invoke import Probe, error_json, frames
from .targets import Target

_SHOWN = 160  # characters of the function's answer quoted as evidence


def check(target: Target, probes: list[Probe]) -> Check:
    result = Check("response", target.logical_id)
    probes = [p for p in probes if not p.import_only]
    if not probes:
        result.skipped = "no route and no --event file: nothing to invoke"
        return result
    valid, notes = [], []
    merged: dict[tuple[str, str], int] = {}
    for probe in probes:
        if probe.unavailable is not None:
            result.skipped = probe.unavailable
            return result
        if probe.not_run is not None:
            notes.append(f"{probe.label} not invoked: {probe.not_run}")
        elif probe.throttled:
            notes.append(f"{probe.label} throttled (see limits)")
        elif probe.gave_up:
            _add(result, merged, _timed_out(target, probe))
        elif probe.init_failed:
            notes.append(f"{probe.label}: the function did not start (see handler configuration)")
        elif probe.failed and probe.aws_calls:
            notes.append(f"{probe.label} not checked: the function called AWS "
                         f"({', '.join(dict.fromkeys(str(c) for c in probe.aws_calls))}), which doctor answers with "
                         "an error, and failed")
        elif probe.failed:
            _add(result, merged, _function_error(target, probe))
        elif probe.result is not None:
            found = _violations(probe)
            for v in found:
                _add(result, merged, Finding(
                    "response.malformed", "error", f"{probe.label}: {v.reason}",
                    http_causes.MALFORMED_RESULT.explanation if probe.http_route is not None else
                    catalogue.MALFORMED_PROXY_RESPONSE.explanation,
                    f"{v.fix_for(target.function.runtime)} ({_output_page(probe)})",
                    (Evidence(f"{probe.label} answered {_quote(probe.result.payload)}"),
                     Evidence.at(target.location("Handler"), f"Handler: {target.function.handler}"))))
            for finding in _http_answer_notes(target, probe):
                _add(result, merged, finding)
            if not found:
                valid.append(probe.label)
    if not valid and not result.findings and notes and all("did not start" in n or "throttled" in n for n in notes):
        result.skipped = notes[0].split(": ", 1)[-1] if "did not start" in notes[0] else notes[0]
        return result
    parts = [f"{len(valid)} of {len(probes)} answer(s) valid proxy results"] + notes
    result.summary = "; ".join(parts)
    return result


def _violations(probe: Probe) -> list[Violation]:
    assert probe.result is not None
    if probe.http_route is not None and probe.http_route.payload_format_version == "2.0":
        return violations_v2(probe.result.payload)
    return violations(probe.result.payload)


def _output_page(probe: Probe) -> str:
    if probe.http_route is not None:
        version = probe.http_route.payload_format_version
        return f"AGDG http-api-develop-integrations-lambda.html, payload format {version}"
    return "AGDG set-up-lambda-proxy-integrations.html, output format"


def _http_answer_notes(target: Target, probe: Probe) -> list[Finding]:
    """A payload 2.0 answer that is valid but not what its author meant (aws-http-api.md §5.1, §5.3)."""
    if probe.http_route is None or probe.http_route.payload_format_version != "2.0" or probe.result is None:
        return []
    payload, out = probe.result.payload, []
    keys = inferred_keys(payload)
    handler = Evidence.at(target.location("Handler"), f"Handler: {target.function.handler}")
    if keys:
        out.append(Finding(
            "response.inferred-body", "warning", f"{probe.label}: the answer has {', '.join(keys)} but no statusCode",
            "Payload 2.0 infers an answer without statusCode: 200, application/json, and the whole answer is the body; "
            f"its {', '.join(keys)} key(s) are sent as data, not applied (aws-http-api.md §5.1 [DOC]).",
            'Add "statusCode": 200 (and a string body) to the answer.',
            (Evidence(f"{probe.label} answered {_quote(payload)}"), handler)))
    if without_content_type(payload) and not violations_v2(payload):
        out.append(Finding(
            "response.default-content-type", "warning", f"{probe.label}: the answer names no Content-Type",
            "An HTTP API sends a structured answer without a content-type header as text/plain; charset=utf-8 (a REST "
            "API says application/json), so clients that look at the type do not parse a JSON body "
            "(aws-http-api.md §5.3 [REC]).",
            'Add "headers": {"Content-Type": "application/json"} (or the body\'s type) to the answer.',
            (Evidence(f"{probe.label} answered {_quote(payload)}"), handler)))
    return out


def _add(result: Check, merged: dict[tuple[str, str], int], finding: Finding) -> None:
    """The same violation on several routes is one finding, naming every route."""
    label, _, rest = finding.title.partition(": ")
    key = (finding.rule, rest)
    if key in merged:
        n = merged[key]
        old = result.findings[n]
        result.findings[n] = Finding(old.rule, old.level, old.title, old.cause, old.fix,
                                     old.evidence + (Evidence(f"also {label}"),))
        return
    merged[key] = len(result.findings)
    result.findings.append(finding)


def _quote(payload: bytes) -> str:
    text = payload.decode("utf-8", "replace")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + " ..."


def _timed_out(target: Target, probe: Probe) -> Finding:
    return Finding(
        "response.integration-timeout", "error", f"{probe.label}: no answer within the integration timeout "
        f"({probe.wait:g} s)", catalogue.INTEGRATION_TIMEOUT.explanation, catalogue.INTEGRATION_TIMEOUT.fix,
        (Evidence.at(probe.route.method.location if probe.route else target.function.location, probe.label),
         Evidence.at(target.location("Timeout"), f"Timeout: {target.function.timeout:g}")))


# A KeyError on one of these fields means the function reads the other payload format than the route sends
_V2_ONLY = ("rawPath", "routeKey", "rawQueryString", "cookies")
_V1_ONLY = ("httpMethod", "path", "resource", "multiValueHeaders", "multiValueQueryStringParameters")


def _function_error(target: Target, probe: Probe) -> Finding:
    assert probe.result is not None
    error = error_json(probe.result.payload)
    error_type = str(error.get("errorType") or probe.error_type)
    message = str(error.get("errorMessage", ""))
    spots = frames(error, target.function.code_dir)
    hit = catalogue.match(catalogue.LAMBDA_CAUSES, message)
    cause = catalogue.by_error_type(error_type) or (hit[0] if hit else None)
    said = Evidence(f"the runtime says: {error_type}: {message}"[:300])
    mismatch = _payload_mismatch(probe, error_type, message)
    if mismatch is not None:
        return Finding("response.payload-format", "error", f"{probe.label}: {mismatch[0]}", mismatch[1],
                       mismatch[2], (Evidence.at(probe.http_route.location, probe.http_route.long_label)
                                     if probe.http_route else Evidence(probe.label), *spots, said))
    if cause is not None:
        return Finding(f"response.{cause.id}", "error", f"{probe.label}: {cause.title}: {message}"[:300],
                       cause.explanation, cause.fix, (*spots, said))
    if probe.http_route is not None:   # aws-http-api.md §6 [REC]: 500 and integrationErrorMessage
        return Finding(
            "response.function-error", "error", f"{probe.label}: the function raised {error_type}: {message}"[:300],
            http_causes.FUNCTION_ERROR.explanation, http_causes.FUNCTION_ERROR.fix, (*spots, said))
    # fact sheet §3 row 1; AGDG handle-errors-in-lambda-integration.html: with proxy integration the function sets
    # statusCode itself
    return Finding(
        "response.function-error", "error", f"{probe.label}: the function raised {error_type}: {message}"[:300],
        "The function failed with an unhandled error: API Gateway answers 502 Internal server error and logs "
        "`Lambda execution failed with status 200 due to customer function error: <errorMessage>`.",
        "Fix the code at the frame shown; for expected failures return a proxy result with a 4XX/5XX statusCode "
        "instead of raising.", (*spots, said))


def _payload_mismatch(probe: Probe, error_type: str, message: str) -> tuple[str, str, str] | None:
    """(title, cause, fix) when an HTTP API route's function reads a field of the other payload format."""
    if probe.http_route is None or error_type not in ("KeyError", "TypeError"):
        return None
    version = probe.http_route.payload_format_version
    fields = _V2_ONLY if version == "1.0" else _V1_ONLY
    missing = next((f for f in fields if f"'{f}'" in message or f"reading '{f}'" in message), None)
    if missing is None:
        return None
    other = "2.0" if version == "1.0" else "1.0"
    return (f"the function reads {missing!r}, a field of payload {other}; this route sends payload {version}",
            f"The route's integration has PayloadFormatVersion {version} (aws-http-api.md §3, §4): its event has no "
            f"{missing!r}, so the function fails and the HTTP API answers 500 Internal Server Error.",
            f"Set PayloadFormatVersion: '{other}' on the route's integration (the HttpApi event), or read the "
            f"{version} event's fields (" + ("rawPath, requestContext.http.method" if version == "2.0" else
                                              "path, httpMethod") + ").")
