"""Command line. The one place where errors become exit codes."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

from . import commands
from .app import ServeConfig, serve
from .errors import LambdagateError
from .observe.execution_log import LEVELS


def _pairs(values: list[str], flag: str, separator: str = "=") -> list[tuple[str, str]]:
    out = []
    for item in values:
        name, sep, value = item.partition(separator)
        if not sep or not name:
            raise LambdagateError(f"{flag}: expected NAME{separator}VALUE, got {item!r}")
        out.append((name.strip(), value.strip() if separator == ":" else value))
    return out


def _template_options(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--parameter-overrides", nargs="+", default=[], metavar="NAME=VALUE")
    p.add_argument("--env-vars", "-n", type=Path, help="JSON file of environment variables (SAM's format)")
    p.add_argument("--region", default="us-east-1")


def _definition(args: argparse.Namespace) -> dict[str, Any]:
    """The ServeConfig fields that say what to serve, from the flags `_template_options` adds."""
    return {"template": args.template, "openapi": args.openapi, "functions": tuple(args.functions),
            "mapping": args.mapping, "stage": args.stage, "policies": tuple(args.policies),
            "parameter_overrides": dict(_pairs(args.parameter_overrides, "--parameter-overrides")),
            "env_vars": args.env_vars, "region": args.region}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambdagate", description="API Gateway REST APIs with Lambda proxy "
                                     "integration on your machine, answering exactly as AWS does.")
    parser.add_argument("--version", action="version", version=f"lambdagate {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the template's APIs on localhost")
    _template_options(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", "-p", type=int, default=3000)
    s.add_argument("--max-environments", type=int, default=8,
                   help="execution environments per function at most (a local cap; AWS has none)")
    s.add_argument("--no-watch", action="store_true", help="do not reload functions when their code changes")
    s.add_argument("--quiet", "-q", action="store_true", help="show only failed requests and notices")
    s.add_argument("--python-channel", choices=("socket", "runtime-api"), default="socket",
                   help="how Python environments get work: awslambdaric's bootstrap over a socket (default, "
                        "faster) or its native client over the HTTP Lambda Runtime API")
    s.add_argument("--node-channel", choices=("socket", "runtime-api"), default="socket",
                   help="how Node.js environments get work: over a socket (default, faster) or the HTTP Runtime API")
    s.add_argument("--execution-log", choices=LEVELS, default="full",
                   help="execution logging: full = INFO with data tracing (default), info, error, off")
    s.add_argument("--dashboard-port", type=int, default=3001, help="the dashboard's own port (default 3001)")
    s.add_argument("--no-dashboard", action="store_true")

    t = sub.add_parser("test-invoke", help="the console's Test button: one request, no server")
    t.add_argument("method")
    t.add_argument("path", help="the resource path, e.g. /items/42 (a query string may follow)")
    _template_options(t)
    t.add_argument("--header", "-H", action="append", default=[], metavar="NAME:VALUE")
    t.add_argument("--query", "-q", action="append", default=[], metavar="NAME=VALUE")
    t.add_argument("--body", "-d", help="the request body, or @FILE")
    t.add_argument("--json", action="store_true", help="TestInvokeMethod's JSON answer")

    b = sub.add_parser("build", help="build the functions as `sam build` does (dependencies, esbuild, makefile, "
                       "layers) and install what Lambda's runtimes carry; `serve` does it at start-up")
    _template_options(b)

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

    diagnostics = _diagnostics()
    if diagnostics is not None:
        diagnostics.add_parsers(sub)
    return parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("lambdagate")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def _diagnostics() -> Any:
    """`doctor` and `explain` (diagnostics_cli.py)."""
    try:
        return importlib.import_module("lambdagate.diagnostics_cli")
    except ImportError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            config = ServeConfig(**_definition(args), host=args.host, port=args.port,
                                 max_environments=args.max_environments,
                                 watch=not args.no_watch, quiet=args.quiet, python_channel=args.python_channel,
                                 node_channel=args.node_channel,
                                 execution_log=args.execution_log,
                                 dashboard_port=None if args.no_dashboard else args.dashboard_port)
            _run(serve(config))
            return 0
        if args.command == "test-invoke":
            return commands.test_invoke(
                ServeConfig(**_definition(args), watch=False, quiet=True),
                args.method, args.path, _pairs(args.header, "--header", ":"), _pairs(args.query, "--query"),
                args.body, args.json)
        if args.command == "build":
            from .build.command import build

            return build(ServeConfig(**_definition(args)))
        if args.command == "logs":
            return commands.logs(args.template, args.group, args.filter, args.since, args.follow, args.list)
        if args.command == "metrics":
            return commands.metrics(args.template, args.since, args.json)
        diagnostics = _diagnostics()
        return int(diagnostics.run(args)) if diagnostics is not None else 2
    except LambdagateError as e:
        print(f"lambdagate: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def _run(coroutine: Any) -> None:
    try:
        import uvloop

        uvloop.run(coroutine)
    except ImportError:
        asyncio.run(coroutine)
