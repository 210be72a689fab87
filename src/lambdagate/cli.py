"""Command line: the parsers, and the one place where errors become exit codes.

A flag's `dest` is the name of the Source or Config field it sets (tests/test_config.py checks it).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from . import commands
from .config import CHANNELS, DEFAULT_DASHBOARD_PORT, DEFAULT_PORT, DEFAULT_REGION, LOG_LEVELS, Config, Source
from .errors import LambdagateError


def pairs(values: Sequence[str], flag: str, separator: str = "=") -> list[tuple[str, str]]:
    """`NAME=VALUE` items (`NAME:VALUE` for headers) as pairs; a missing separator or name is an error."""
    out = []
    for item in values:
        name, sep, value = item.partition(separator)
        if not sep or not name.strip():
            raise LambdagateError(f"{flag}: expected NAME{separator}VALUE, got {item!r}")
        out.append((name.strip(), value.strip() if separator == ":" else value))
    return out


def parameter_overrides(values: Sequence[str]) -> dict[str, str]:
    """`--parameter-overrides` as SAM CLI takes it: `Name=Value` pairs or CloudFormation's
    `ParameterKey=Name,ParameterValue=Value`, separated by spaces (quote a value that holds one), in one argument or
    several (AWS SAM CLI command reference, sam local start-api)."""
    out: dict[str, str] = {}
    for argument in values:
        try:
            items = shlex.split(argument)
        except ValueError as e:
            raise LambdagateError(f"--parameter-overrides: {e} in {argument!r}") from None
        if not all("=" in item for item in items):  # one pair whose value has spaces, given as one argument
            items = [argument]
        for item in items:
            if item.startswith("ParameterKey="):
                key, sep, value = item.removeprefix("ParameterKey=").partition(",ParameterValue=")
                if not sep or not key:
                    raise LambdagateError("--parameter-overrides: expected ParameterKey=NAME,ParameterValue=VALUE, "
                                          f"got {item!r}")
                out[key] = value
            else:
                out.update(pairs([item], "--parameter-overrides"))
    return out


def _source_options(p: argparse.ArgumentParser) -> None:
    """The flags that say what to serve: the same for serve, test-invoke and doctor (config.Source)."""
    p.add_argument("--template", "-t", type=Path, help="SAM/CloudFormation template, or a CDK "
                   "cdk.out/<Stack>.template.json (default: ./template.yaml)")
    p.add_argument("--openapi", type=Path, metavar="FILE", help="an OpenAPI 3 / Swagger 2 file with API Gateway's "
                   "extensions (e.g. `aws apigateway get-export ... extensions=integrations`) instead of a template")
    p.add_argument("--function", action="append", default=[], dest="functions",
                   metavar="NAME=PATH:HANDLER:RUNTIME", help="local code for the function NAME (as in its ARN); "
                   "repeatable")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="YAML/JSON file of functions (path, handler, "
                   "runtime, timeout, memory, environment) and, for --openapi, stages and their variables")
    p.add_argument("--stage", metavar="NAME", help="the stage to serve (default: each API's first)")
    p.add_argument("--policy", action="append", default=[], type=Path, dest="policies", metavar="FILE",
                   help="`aws lambda get-policy` output: statements checked as AWS does (with --openapi: without "
                        "it, every function is assumed to allow the API); repeatable")
    p.add_argument("--parameter-overrides", nargs="+", default=[], metavar="NAME=VALUE",
                   help="template parameters: NAME=VALUE or ParameterKey=NAME,ParameterValue=VALUE (SAM's forms)")
    p.add_argument("--env-vars", "-n", type=Path, help="JSON file of environment variables (SAM's format)")
    p.add_argument("--region", default=DEFAULT_REGION)


def _source(args: argparse.Namespace) -> Source:
    return Source(template=args.template, openapi=args.openapi, functions=tuple(args.functions),
                  mapping=args.mapping, stage=args.stage, policies=tuple(args.policies),
                  parameter_overrides=parameter_overrides(args.parameter_overrides), env_vars=args.env_vars,
                  region=args.region)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lambdagate", description="API Gateway REST APIs with Lambda proxy "
                                   "integration on your machine, answering exactly as AWS does.")
    sub = root.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the template's APIs on localhost")
    _source_options(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", "-p", type=int, default=DEFAULT_PORT)
    s.add_argument("--max-environments", type=int, default=8,
                   help="execution environments per function at most (a local cap; AWS has none)")
    s.add_argument("--no-watch", action="store_false", dest="watch",
                   help="do not reload functions when their code changes")
    s.add_argument("--quiet", "-q", action="store_true", help="show only failed requests and notices")
    s.add_argument("--python-channel", choices=CHANNELS, default="socket",
                   help="how Python environments get work: awslambdaric's bootstrap over a socket (default, "
                        "faster) or its native client over the HTTP Lambda Runtime API")
    s.add_argument("--node-channel", choices=CHANNELS, default="socket",
                   help="how Node.js environments get work: over a socket (default, faster) or the HTTP Runtime API")
    s.add_argument("--execution-log", choices=LOG_LEVELS, default=None,
                   help="execution logging for every method: full = INFO with data tracing, info, error, off "
                        "(default: as the stage's MethodSettings say, full where they say nothing)")
    s.add_argument("--dashboard-port", type=int, default=DEFAULT_DASHBOARD_PORT,
                   help=f"the dashboard's own port (default {DEFAULT_DASHBOARD_PORT})")
    s.add_argument("--no-dashboard", action="store_const", const=None, dest="dashboard_port")
    s.add_argument("--dashboard-host", default="127.0.0.1",
                   help="the dashboard's address (default 127.0.0.1, whatever --host says: it shows request logs)")

    t = sub.add_parser("test-invoke", help="the console's Test button: one request, no server")
    t.add_argument("method")
    t.add_argument("path", help="the resource path, e.g. /items/42 (a query string may follow)")
    _source_options(t)
    t.add_argument("--header", "-H", action="append", default=[], metavar="NAME:VALUE")
    t.add_argument("--query", "-q", action="append", default=[], metavar="NAME=VALUE")
    t.add_argument("--body", "-d", help="the request body, or @FILE")
    t.add_argument("--json", action="store_true", help="TestInvokeMethod's JSON answer")

    g = sub.add_parser("logs", help="print logs kept under .lambdagate/, like `aws logs tail`")
    g.add_argument("group", nargs="?", help="log group name or a part of it (default: every group)")
    g.add_argument("--template", "-t", type=Path, help="finds .lambdagate/ next to it (default: here)")
    g.add_argument("--filter", help="only events containing TEXT")
    g.add_argument("--since", default="10m", help="how far back: 30s, 10m, 2h, 1d (default 10m)")
    g.add_argument("--follow", "-f", action="store_true")
    g.add_argument("--list", action="store_true", help="list the log groups")

    m = sub.add_parser("metrics", help="print the API's CloudWatch-style metrics per minute")
    m.add_argument("--template", "-t", type=Path, help="finds .lambdagate/ next to it (default: here)")
    m.add_argument("--since", default="1h", help="how far back: 30m, 2h, 1d (default 1h)")
    m.add_argument("--json", action="store_true")

    d = sub.add_parser(
        "doctor", help="check the functions behind the template's Lambda proxy integrations for the causes of 502s",
        description="For every function behind a Lambda proxy integration (or those named): handler "
                    "configuration, package permissions, resource policy, response format (the function is invoked "
                    "in a real execution environment) and limits. Exit code 0: all checks passed, 1: findings, "
                    "2: could not run. Only routes of safe methods are invoked unless --invoke-all, and nothing "
                    "reaches AWS.")
    d.add_argument("names", nargs="*", metavar="FUNCTION", help="logical id or FunctionName (default: all "
                   "functions behind a proxy integration)")
    _source_options(d)
    d.add_argument("--event", "-e", dest="events", type=Path, action="append", default=[], metavar="FILE",
                   help="a proxy event (JSON) to invoke the functions with, instead of one per route; repeatable")
    d.add_argument("--package", type=Path, metavar="FILE",
                   help="the deployment .zip to check, instead of the CodeUri folder")
    d.add_argument("--invoke-all", action="store_true",
                   help="invoke the routes of every method, not only GET, HEAD and OPTIONS (the functions still "
                        "reach no AWS: doctor answers their AWS calls itself)")
    d.add_argument("--json", action="store_true", help="print the report as JSON")
    d.add_argument("--sarif", type=Path, metavar="FILE", help="also write the findings as SARIF 2.1.0 to FILE")

    e = sub.add_parser(
        "explain", help="explain API Gateway execution logs and Lambda logs: cause and fix of each failed request",
        description="Reads execution-log lines (console test output, CloudWatch, `aws logs tail`, "
                    "`aws logs filter-log-events` JSON) and Lambda logs, groups them by request and explains each "
                    "failed request. Exit code 0: no failed request, 1: failures explained, 2: unreadable input.")
    e.add_argument("file", nargs="?", default="-", metavar="FILE", help="the log text; - or nothing for stdin")
    e.add_argument("--json", action="store_true", help="print the explanation as JSON")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "serve":
            config = Config(source=_source(args), host=args.host, port=args.port, dashboard_port=args.dashboard_port,
                            dashboard_host=args.dashboard_host, max_environments=args.max_environments,
                            watch=args.watch, quiet=args.quiet,
                            python_channel=args.python_channel, node_channel=args.node_channel,
                            execution_log=args.execution_log)
            return commands.serve(config)
        if args.command == "test-invoke":
            return commands.test_invoke(Config(source=_source(args), watch=False, quiet=True), args.method, args.path,
                                        pairs(args.header, "--header", ":"), pairs(args.query, "--query"),
                                        args.body, args.json)
        if args.command == "logs":
            return commands.logs(args.template, args.group, args.filter, args.since, args.follow, args.list)
        if args.command == "metrics":
            return commands.metrics(args.template, args.since, args.json)
        if args.command == "doctor":
            return commands.doctor(_source(args), args.names, args.events, args.package, args.json, args.sarif,
                                   invoke_all=args.invoke_all)
        return commands.explain(args.file, args.json)
    except LambdagateError as e:
        print(f"lambdagate: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
