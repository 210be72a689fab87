"""Command line of `lambdagate doctor` and `lambdagate explain`: parsers, and running them to an exit code.

Exit codes: doctor 0 all checks passed, 1 findings, 2 could not run; explain 0 no failed request in the log,
1 failures explained, 2 the input could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .doctor import DoctorOptions, examine
from .doctor.report import ASCII_MARKS, UNICODE_MARKS, as_json, human
from .doctor.sarif import as_sarif
from .errors import LambdagateError
from .explain import explain_text

COMMANDS = ("doctor", "explain")


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = subparsers.add_parser(
        "doctor", help="check the functions behind the template's Lambda proxy integrations for the causes of 502s",
        description="For every function behind a Lambda proxy integration (or those named): handler "
                    "configuration, package permissions, resource policy, response format (the function is invoked "
                    "in a real execution environment) and limits.")
    d.add_argument("functions", nargs="*", metavar="FUNCTION", help="logical id or FunctionName (default: all "
                   "functions behind a proxy integration)")
    d.add_argument("--template", "-t", type=Path, help="SAM/CloudFormation template (default: ./template.yaml)")
    d.add_argument("--event", "-e", dest="events", type=Path, action="append", default=[], metavar="FILE",
                   help="a proxy event (JSON) to invoke the functions with, instead of one per route; repeatable")
    d.add_argument("--policy", type=Path, metavar="FILE",
                   help="the function's resource policy, as `aws lambda get-policy` prints it")
    d.add_argument("--package", type=Path, metavar="FILE",
                   help="the deployment .zip to check, instead of the CodeUri folder")
    d.add_argument("--parameter-overrides", nargs="+", default=[], metavar="NAME=VALUE")
    d.add_argument("--region", default="us-east-1")
    d.add_argument("--json", action="store_true", help="print the report as JSON")
    d.add_argument("--sarif", type=Path, metavar="FILE", help="also write the findings as SARIF 2.1.0 to FILE")
    e = subparsers.add_parser(
        "explain", help="explain API Gateway execution logs and Lambda logs: cause and fix of each failed request",
        description="Reads execution-log lines (console test output, CloudWatch, `aws logs tail`, "
                    "`aws logs filter-log-events` JSON) and Lambda logs, groups them by request and explains each "
                    "failed request.")
    e.add_argument("file", nargs="?", default="-", metavar="FILE", help="the log text; - or nothing for stdin")
    e.add_argument("--json", action="store_true", help="print the explanation as JSON")


def _marks(out: TextIO) -> bool:
    try:
        "✓✗".encode(out.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _pairs(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        for pair in item.split():
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise LambdagateError(f"--parameter-overrides: expected NAME=VALUE, got {pair!r}")
            out[name] = value
    return out


def run(args: argparse.Namespace, out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        if args.command == "doctor":
            return _doctor(args, out)
        return _explain(args, out, stdin or sys.stdin)
    except LambdagateError as e:
        print(f"lambdagate {args.command}: error: {e}", file=sys.stderr)
        return 2


def _doctor(args: argparse.Namespace, out: TextIO) -> int:
    report = examine(DoctorOptions(template=args.template, functions=list(args.functions), events=list(args.events),
                                   policy=args.policy, package=args.package, region=args.region,
                                   parameter_overrides=_pairs(args.parameter_overrides)))
    if args.sarif is not None:
        try:
            args.sarif.write_text(as_sarif(report), encoding="utf-8")
        except OSError as e:
            raise LambdagateError(f"{args.sarif}: cannot write the SARIF file: {e.strerror}") from None
    out.write(as_json(report) if args.json else human(report, UNICODE_MARKS if _marks(out) else ASCII_MARKS))
    return report.exit_code


def _explain(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    try:
        text = stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise LambdagateError(f"{args.file}: cannot read the log: {e.strerror}") from None
    explanation = explain_text(text)
    if args.json:
        out.write(explanation.json())
    else:
        out.write(explanation.human(("✓", "✗") if _marks(out) else ("ok", "FAILED")))
    return 1 if explanation.failed else 0
