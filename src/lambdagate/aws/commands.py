"""What `doctor --aws`, `explain --aws` and `compare` do and print (commands.py calls them with the terminal's
marks): human text, JSON, SARIF and GitHub annotations, exit codes 0 (nothing found), 1 (found), 2 (could not run)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TextIO

from ..code_scanning import Result, sarif_file, workflow_commands
from ..config import DEFAULT_ACCOUNT, Config, Source
from ..doctor.report import ASCII_MARKS, UNICODE_MARKS, human
from ..doctor.report import as_json as report_json
from ..doctor.sarif import results
from ..errors import DefinitionError, LambdagateError
from ..sync import Gateway
from . import compare_report, deployed, doctor, logs, target
from .access import AwsAccess
from .compare import compare as send_both
from .compare import requests_for
from .target import StageRef


@dataclass(frozen=True)
class AwsFlags:
    """--stack / --rest-api-id / --stage / --region / --profile: which deployed API, reached how."""

    stack: str | None
    rest_api_id: str | None
    stage: str | None
    region: str | None
    profile: str | None

    def access(self) -> AwsAccess:
        return AwsAccess(self.region, self.profile)

    def one(self, access: AwsAccess) -> StageRef:
        refs = target.resolve(access, self.stack, self.rest_api_id, self.stage)
        if len(refs) > 1:
            raise LambdagateError("several stages match: " + "; ".join(str(r) for r in refs) +
                                  " — pass --rest-api-id and --stage")
        return refs[0]


def _finish(out: TextIO, text: str, annotations: bool, found: list[Result], sarif: Path | None, tool: str) -> None:
    sarif_file(sarif, tool, found)
    out.write(text)
    if annotations:
        out.write(workflow_commands(found))


def doctor_aws(flags: AwsFlags, as_json: bool, sarif: Path | None, annotations: bool, out: TextIO, unicode: bool,
               today: date | None, access: AwsAccess | None) -> int:
    access = access or flags.access()
    report = doctor.examine(access, target.resolve(access, flags.stack, flags.rest_api_id, flags.stage), today)
    text = report_json(report) if as_json else human(report, UNICODE_MARKS if unicode else ASCII_MARKS)
    _finish(out, text, annotations, results(report), sarif, "lambdagate doctor --aws")
    return report.exit_code


def explain_aws(flags: AwsFlags, since_seconds: int, request_id: str | None, as_json: bool, sarif: Path | None,
                annotations: bool, out: TextIO, unicode: bool, access: AwsAccess | None) -> int:
    access = access or flags.access()
    ref = flags.one(access)
    fetched = logs.fetch(access, ref, since_seconds, request_id)
    explanation = fetched.explanation
    if as_json:
        document = json.loads(explanation.json())
        text = json.dumps({"stage": str(ref), "log_groups": fetched.groups, "notes": fetched.notes, **document},
                          indent=2, ensure_ascii=False) + "\n"
    else:
        head = [f"lambdagate explain: {ref} in {ref.region}, logs since {since_seconds // 60} min ago "
                f"({', '.join(fetched.groups) or 'no log group found'})"]
        head += [f"  note: {note}" for note in fetched.notes]
        text = "\n".join(head) + "\n" + explanation.human(("✓", "✗") if unicode else ("ok", "FAILED"))
    _finish(out, text, annotations, explanation.results(logs.execution_group(ref)), sarif, "lambdagate explain --aws")
    return 1 if explanation.failed else 0


def _local(source: Source) -> Gateway:
    """The project served in-process; `--stage` names the deployed stage, and the template's stage of that name when
    it has one (SAM's implicit API calls its stage Prod), else its first."""
    try:
        return Gateway(Config(source=source, watch=False, quiet=True, dashboard_port=None), output=io.StringIO())
    except DefinitionError as e:
        if source.stage is None or "--stage" not in str(e):
            raise
    return Gateway(Config(source=replace(source, stage=None), watch=False, quiet=True, dashboard_port=None),
                   output=io.StringIO())


def compare(source: Source, flags: AwsFlags | None, url: str | None, requests: list[str], as_json: bool,
            sarif: Path | None, annotations: bool, out: TextIO, unicode: bool, access: AwsAccess | None) -> int:
    masks: dict[str, str] = {DEFAULT_ACCOUNT: "<account-id>"}
    if flags is not None:
        access = access or flags.access()
        ref = flags.one(access)
        stage = deployed.read(access, ref, None)   # the stage exists, and its ids
        masks.update({ref.api_id: "<api-id>", stage.deployment.account_id: "<account-id>"})
        base = url or ref.url
    elif url is None:
        raise LambdagateError("compare needs the deployed API: --aws with --stack or --rest-api-id, or --url")
    else:
        base = url
    with _local(source) as gateway:
        for api in gateway.deployment.apis:
            masks[api.id] = "<api-id>"
        comparisons = send_both(base, gateway, requests_for(gateway.deployment, requests), masks)
    local = str(source.definition())
    if as_json:
        text = compare_report.as_json(comparisons, base, local)
    else:
        text = compare_report.human(comparisons, base, local, ("✓", "✗") if unicode else ("ok", "DIFF"))
    _finish(out, text, annotations, compare_report.results(comparisons), sarif, "lambdagate compare")
    return compare_report.exit_code(comparisons)
