"""Response format: each route's (or --event's) invocation in a real execution environment, its answer checked
by the validator `serve` uses, every violation named by its path with the runtime's fix; function errors with
the frame that raised them."""

from __future__ import annotations

from .. import causes as catalogue
from ..violations import violations
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
            found = violations(probe.result.payload)
            for v in found:
                _add(result, merged, Finding(
                    "response.malformed", "error", f"{probe.label}: {v.reason}",
                    catalogue.MALFORMED_PROXY_RESPONSE.explanation,
                    f"{v.fix_for(target.function.runtime)} (AGDG set-up-lambda-proxy-integrations.html, output "
                    "format)", (Evidence(f"{probe.label} answered {_quote(probe.result.payload)}"),
                                Evidence.at(target.location("Handler"), f"Handler: {target.function.handler}"))))
            if not found:
                valid.append(probe.label)
    if not valid and not result.findings and notes and all("did not start" in n or "throttled" in n for n in notes):
        result.skipped = notes[0].split(": ", 1)[-1] if "did not start" in notes[0] else notes[0]
        return result
    parts = [f"{len(valid)} of {len(probes)} answer(s) valid proxy results"] + notes
    result.summary = "; ".join(parts)
    return result


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


def _function_error(target: Target, probe: Probe) -> Finding:
    assert probe.result is not None
    error = error_json(probe.result.payload)
    error_type = str(error.get("errorType") or probe.error_type)
    message = str(error.get("errorMessage", ""))
    spots = frames(error, target.function.code_dir)
    hit = catalogue.match(catalogue.LAMBDA_CAUSES, message)
    cause = catalogue.by_error_type(error_type) or (hit[0] if hit else None)
    said = Evidence(f"the runtime says: {error_type}: {message}"[:300])
    if cause is not None:
        return Finding(f"response.{cause.id}", "error", f"{probe.label}: {cause.title}: {message}"[:300],
                       cause.explanation, cause.fix, (*spots, said))
    # fact sheet §3 row 1; AGDG handle-errors-in-lambda-integration.html: with proxy integration the function sets
    # statusCode itself
    return Finding(
        "response.function-error", "error", f"{probe.label}: the function raised {error_type}: {message}"[:300],
        "The function failed with an unhandled error: API Gateway answers 502 Internal server error and logs "
        "`Lambda execution failed with status 200 due to customer function error: <errorMessage>`.",
        "Fix the code at the frame shown; for expected failures return a proxy result with a 4XX/5XX statusCode "
        "instead of raising.", (*spots, said))
