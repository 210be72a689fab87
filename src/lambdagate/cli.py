"""Command line: the parsers, and the one place where errors become exit codes.

A flag's `dest` is the name of the Source or Config field it sets (tests/test_config.py checks it).
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path

from . import commands, samconfig
from .build.command import build
from .config import CHANNELS, DEFAULT_DASHBOARD_PORT, DEFAULT_PORT, DEFAULT_REGION, LOG_LEVELS, Config, Source
from .errors import LambdagateError
from .samconfig import pairs, parameter_overrides


def _source_options(p: argparse.ArgumentParser) -> None:
    """The flags that say what to serve: the same for serve, test-invoke and doctor (config.Source)."""
    p.add_argument("--template", "-t", type=Path, help="SAM/CloudFormation template, or a CDK "
                   "cdk.out/<Stack>.template.json (default: ./template.yaml)")
    p.add_argument("--openapi", type=Path, metavar="FILE", help="an OpenAPI 3 / Swagger 2 file with API Gateway's "
                   "extensions (e.g. `aws apigateway get-export ... extensions=integrations`) instead of a template")
    p.add_argument("--function", action="append", default=[], dest="functions",
                   metavar="NAME=PATH:HANDLER:RUNTIME", help="local code for the function NAME (as in its ARN); "
                   "repeatable")
    p.add_argument("--layer", action="append", default=[], dest="layers", metavar="ARN=PATH",
                   help="local content (folder or .zip) for a layer the template knows only by ARN, e.g. the "
                        "Powertools layer; an ARN without its version covers every version; repeatable")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="YAML/JSON file of functions (path, handler, "
                   "runtime, timeout, memory, environment), layers (ARN: path) and, for --openapi, stages and their "
                   "variables")
    p.add_argument("--stage", metavar="NAME", help="the stage to serve (default: each API's first)")
    p.add_argument("--policy", action="append", default=[], type=Path, dest="policies", metavar="FILE",
                   help="`aws lambda get-policy` output: statements checked as AWS does (with --openapi: without "
                        "it, every function is assumed to allow the API); repeatable")
    p.add_argument("--parameter-overrides", nargs="+", default=[], metavar="NAME=VALUE",
                   help="template parameters: NAME=VALUE or ParameterKey=NAME,ParameterValue=VALUE (SAM's forms)")
    p.add_argument("--env-vars", "-n", type=Path, help="JSON file of environment variables (SAM's format), applied "
                   "over the template's; a variable the template does not declare is set too (SAM leaves it out)")
    p.add_argument("--region", default=DEFAULT_REGION)
    p.add_argument("--user-pool-jwks", action="append", default=[], metavar="POOL_ID=FILE",
                   help="the JWKS of a Cognito user pool whose tokens Cognito authorizers check (default: a pool made "
                        "by `lambdagate tokens`, else the pool's own keys, fetched); repeatable")
    p.add_argument("--iam-credentials", action="append", default=[], metavar="KEY:SECRET[:CALLER_ARN]",
                   help="an access key that AWS_IAM methods accept besides your local profile's; repeatable")
    p.add_argument("--config-file", type=Path, metavar="FILE", help="SAM CLI's configuration file, relative to the "
                   "template's folder (default: samconfig.toml, .yaml or .yml there, when one exists)")
    p.add_argument("--config-env", default=samconfig.DEFAULT_ENV, metavar="NAME",
                   help="the configuration file's environment whose local_start_api and global parameters apply "
                        "(default: default)")


def _source(args: argparse.Namespace) -> Source:
    return Source(template=args.template, openapi=args.openapi, functions=tuple(args.functions),
                  layers=tuple(args.layers),
                  mapping=args.mapping, stage=args.stage, policies=tuple(args.policies),
                  parameter_overrides=parameter_overrides(args.parameter_overrides), env_vars=args.env_vars,
                  region=args.region or DEFAULT_REGION, user_pool_jwks=tuple(args.user_pool_jwks),
                  iam_credentials=tuple(args.iam_credentials), config_file=args.config_file,
                  config_env=args.config_env)


def _aws_options(p: argparse.ArgumentParser, own_stage_and_region: bool) -> None:
    """The flags that name a deployed API for `--aws` (read with boto3 and the user's credentials, read-only)."""
    p.add_argument("--aws", action="store_true", help="look at the API deployed to AWS (read-only calls with your "
                   "credentials)")
    p.add_argument("--stack", metavar="NAME", help="with --aws: the CloudFormation stack that holds the API")
    p.add_argument("--rest-api-id", metavar="ID", help="with --aws: the REST API's id (with --stage)")
    if own_stage_and_region:
        p.add_argument("--stage", metavar="NAME", help="with --aws: the stage")
        p.add_argument("--region", help="with --aws: the AWS region (default: your profile's)")
    p.set_defaults(region=None)   # with --aws, no region given means the profile's own
    p.add_argument("--profile", metavar="NAME", help="with --aws: the AWS profile (default: the usual chain)")


def _ci_options(p: argparse.ArgumentParser, json_help: str) -> None:
    """The outputs for scripts and CI: JSON, SARIF 2.1.0, GitHub Actions annotations."""
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help=json_help)
    shape.add_argument("--annotations", action="store_true", help="also print GitHub Actions annotations "
                       "(::error file=...,line=...::message) after the report")
    p.add_argument("--sarif", type=Path, metavar="FILE", help="also write the findings as SARIF 2.1.0 to FILE")


def _aws(args: argparse.Namespace) -> commands.AwsFlags | None:
    if not args.aws:
        if args.stack or args.rest_api_id or args.profile:
            raise LambdagateError("--stack, --rest-api-id and --profile name a deployed API: add --aws")
        return None
    return commands.AwsFlags(args.stack, args.rest_api_id, args.stage, args.region, args.profile)


SOURCE_COMMANDS = ("serve", "test-invoke", "doctor", "build")


def _with_samconfig(root: argparse.ArgumentParser, argv: list[str] | None,
                    args: argparse.Namespace) -> argparse.Namespace:
    """The command's flags over the samconfig file's values (samconfig.py): its values become the flags' defaults,
    so that a flag on the command line wins, as in SAM CLI."""
    if args.command not in SOURCE_COMMANDS:
        return args
    definition = args.openapi or args.template
    settings = samconfig.load(definition.resolve().parent if definition else Path.cwd(), args.config_file,
                              args.config_env)
    values = {k: v for k, v in settings.values.items() if args.command == "serve" or k not in samconfig.SERVE_ONLY}
    if not values:
        return args
    [action] = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    action.choices[args.command].set_defaults(**values)
    return root.parse_args(argv)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lambdagate", description="API Gateway REST APIs with Lambda proxy "
                                   "integration on your machine, answering exactly as AWS does.")
    root.add_argument("--version", action="version", version=f"lambdagate {version('lambdagate')}")
    sub = root.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the template's APIs on localhost")
    _source_options(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", "-p", type=int, default=DEFAULT_PORT)
    s.add_argument("--max-environments", type=int, default=8,
                   help="execution environments per function at most (a local cap; AWS has none)")
    s.add_argument("--no-watch", action="store_false", dest="watch",
                   help="do not reload functions when their code changes")
    s.add_argument("--no-build", action="store_false", dest="build",
                   help="serve what earlier builds left (`lambdagate build`); install and build nothing")
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

    t = sub.add_parser("test-invoke", help="the console's Test button: one request, no server",
                       description="As the console's Test button (TestInvokeMethod): stage test-invoke-stage, only "
                                   "the headers given, no execution or access log and no metrics. It calls the "
                                   "method without its authorizer, API key or usage plan (the caller is the "
                                   "console's IAM identity, the API key test-invoke-api-key); a request validator "
                                   "still applies (docs/aws-auth.md §9).")
    t.add_argument("method")
    t.add_argument("path", help="the resource path, e.g. /items/42 (a query string may follow)")
    _source_options(t)
    t.add_argument("--header", "-H", action="append", default=[], metavar="NAME:VALUE")
    t.add_argument("--query", "-q", action="append", default=[], metavar="NAME=VALUE")
    t.add_argument("--body", "-d", help="the request body, or @FILE")
    t.add_argument("--json", action="store_true", help="TestInvokeMethod's JSON answer")

    b = sub.add_parser("build", help="build the functions as `sam build` does (dependencies, esbuild, makefile, "
                       "layers) and install what Lambda's runtimes carry; `serve` does it at start-up")
    _source_options(b)

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
    _aws_options(d, own_stage_and_region=False)
    _ci_options(d, "print the report as JSON")

    k = sub.add_parser("tokens", help="a local Cognito user pool: print a token for the claims given",
                       description="Makes the pool's key pair and JWKS under .lambdagate/user-pools/POOL_ID/ on first "
                                   "use (serve then checks its tokens) and prints one token: an ID token, or an "
                                   "access token when --scope is given.")
    k.add_argument("pool", metavar="POOL_ID", help="the pool ID in the authorizer's UserPoolArn, e.g. us-east-1_AbC")
    k.add_argument("--template", "-t", type=Path, help="finds .lambdagate/ next to it (default: here)")
    k.add_argument("--claim", "-c", action="append", default=[], metavar="NAME=VALUE",
                   help="a claim to add or replace (a JSON value is taken as JSON); repeatable")
    k.add_argument("--group", action="append", default=[], help="a cognito:groups entry; repeatable")
    k.add_argument("--scope", action="append", default=[], help="makes an access token with this scope; repeatable")
    k.add_argument("--username", default="test-user")
    k.add_argument("--client-id", help="the app client id (default: one stable per pool)")
    k.add_argument("--expires-in", type=int, default=3600, metavar="SECONDS", help="negative: an expired token")

    e = sub.add_parser(
        "explain", help="explain API Gateway execution logs and Lambda logs: cause and fix of each failed request",
        description="Reads execution-log lines (console test output, CloudWatch, `aws logs tail`, "
                    "`aws logs filter-log-events` JSON) and Lambda logs, groups them by request and explains each "
                    "failed request. Exit code 0: no failed request, 1: failures explained, 2: unreadable input.")
    e.add_argument("file", nargs="?", default="-", metavar="FILE", help="the log text; - or nothing for stdin")
    _aws_options(e, own_stage_and_region=True)
    e.add_argument("--since", default="1h", help="with --aws: how far back, as `aws logs tail` takes it: 30m, 2h, "
                   "1d (default 1h)")
    e.add_argument("--request-id", metavar="ID", help="with --aws: only this request (API Gateway's request id)")
    _ci_options(e, "print the explanation as JSON")

    c = sub.add_parser(
        "compare", help="send the same requests to the deployed stage and to lambdagate, show the differences",
        description="Sends one request per method of the project's API (or each --request) to the deployed stage "
                    "and to lambdagate serving the project, and shows every difference in status, headers and body "
                    "side by side. Exit code 0: the same, 1: differences, 2: could not run.")
    _source_options(c)
    _aws_options(c, own_stage_and_region=False)
    c.add_argument("--url", help="the deployed stage's base URL (default with --aws: https://<api-id>.execute-api."
                   "<region>.amazonaws.com/<stage>), e.g. a custom domain")
    c.add_argument("--request", "-r", action="append", default=[], dest="requests", metavar="'METHOD /path'",
                   help="a request to send, e.g. 'GET /items/42?x=1'; repeatable (default: one per method)")
    _ci_options(c, "print the comparison as JSON")
    return root


def main(argv: list[str] | None = None) -> int:
    root = parser()
    args = root.parse_args(argv)
    try:
        args = _with_samconfig(root, argv, args)
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
        if args.command == "build":
            return build(_source(args))
        if args.command == "logs":
            return commands.logs(args.template, args.group, args.filter, args.since, args.follow, args.list)
        if args.command == "metrics":
            return commands.metrics(args.template, args.since, args.json)
        if args.command == "tokens":
            return commands.tokens(args.template, args.pool, pairs(args.claim, "--claim"), args.group, args.scope,
                                   args.username, args.client_id, args.expires_in)
        if args.command == "doctor":
            flags = _aws(args)
            if flags is not None:
                if args.names or args.events or args.package:
                    raise LambdagateError("FUNCTION names, --event and --package check a local project; --aws "
                                          "checks every function the deployed stage integrates")
                return commands.doctor_aws(flags, args.json, args.sarif, args.annotations)
            return commands.doctor(_source(args), args.names, args.events, args.package, args.json, args.sarif,
                                   annotations=args.annotations, invoke_all=args.invoke_all)
        if args.command == "compare":
            return commands.compare(_source(args), _aws(args), args.url, args.requests, args.json, args.sarif,
                                    args.annotations)
        flags = _aws(args)
        if flags is not None:
            if args.file != "-":
                raise LambdagateError(f"{args.file} and --aws: explain a log file, or the deployed API's logs")
            return commands.explain_aws(flags, args.since, args.request_id, args.json, args.sarif, args.annotations)
        return commands.explain(args.file, args.json, sarif=args.sarif, annotations=args.annotations)
    except LambdagateError as e:
        print(f"lambdagate: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
