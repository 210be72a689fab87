"""Command line: `lambdagate serve`. The one place where errors become exit codes."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .app import ServeConfig, serve
from .errors import LambdagateError


def _pairs(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        for pair in item.split():
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise LambdagateError(f"--parameter-overrides: expected NAME=VALUE, got {pair!r}")
            out[name] = value
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambdagate", description="API Gateway REST APIs with Lambda proxy "
                                     "integration on your machine, answering exactly as AWS does.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the template's APIs on localhost")
    s.add_argument("--template", "-t", type=Path, help="SAM/CloudFormation template (default: ./template.yaml)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", "-p", type=int, default=3000)
    s.add_argument("--parameter-overrides", nargs="+", default=[], metavar="NAME=VALUE")
    s.add_argument("--env-vars", "-n", type=Path, help="JSON file of environment variables (SAM's format)")
    s.add_argument("--region", default="us-east-1")
    s.add_argument("--max-environments", type=int, default=8,
                   help="execution environments per function at most (a local cap; AWS has none)")
    s.add_argument("--no-watch", action="store_true", help="do not reload functions when their code changes")
    s.add_argument("--quiet", "-q", action="store_true", help="show only failed requests and notices")
    s.add_argument("--python-channel", choices=("socket", "runtime-api"), default="socket",
                   help="how Python environments get work: awslambdaric's bootstrap over a socket (default, "
                        "faster) or its native client over the HTTP Lambda Runtime API")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            config = ServeConfig(template=args.template, host=args.host, port=args.port,
                                 parameter_overrides=_pairs(args.parameter_overrides), env_vars=args.env_vars,
                                 region=args.region, max_environments=args.max_environments,
                                 watch=not args.no_watch, quiet=args.quiet, python_channel=args.python_channel)
            _run(serve(config))
    except LambdagateError as e:
        print(f"lambdagate: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


def _run(coroutine: object) -> None:
    try:
        import uvloop

        uvloop.run(coroutine)  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(coroutine)  # type: ignore[arg-type]
