"""Where a stage's logs go in CloudWatch Logs: the log groups API Gateway writes to (fact sheet §4.1) and the stream
lambdagate writes a stage's requests in."""

from __future__ import annotations

import hashlib


def execution_log_group(api_id: str, stage: str) -> str:
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def access_log_group(api_id: str, stage: str, destination: str | None) -> str:
    """The destination's log group name (`arn:aws:logs:<region>:<account>:log-group:<name>`), or lambdagate's own
    `API-Gateway-Access-Logs_<apiId>/<stage>` when the stage names none; the same for REST and HTTP APIs."""
    if destination and ":log-group:" in destination:
        return destination.split(":log-group:", 1)[1].removesuffix(":*")
    return f"API-Gateway-Access-Logs_{api_id}/{stage}"


def stream_name(api_id: str, stage: str) -> str:
    return hashlib.sha256(f"{api_id}/{stage}".encode()).hexdigest()[:32]
