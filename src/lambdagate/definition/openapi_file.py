"""An OpenAPI 3 or Swagger 2 file (`--openapi FILE`) served as one REST API, its functions mapped to local code.

`aws apigateway get-export --export-type oas30|swagger --parameters extensions=integrations` writes the API's id,
region and stage into the document: oas30 as `servers: [{url: "https://<apiId>.execute-api.<region>.amazonaws.com/
{basePath}", variables: {basePath: {default: "/<stage>"}}}]`, swagger as `host: <apiId>.execute-api.<region>.
amazonaws.com` and `basePath: /<stage>` (AGDG api-gateway-export-api.md and its exported examples). lambdagate
keeps them, and takes the account from the functions' ARNs, so events and SourceArns look like the deployed API's.

Stages: the exported one, then those of the mapping file (`stages:`, with their variables); `--stage` may name
any. A document naming none is served as stage `prod`.

Permissions: an OpenAPI document holds no Lambda resource policy. Without `--policy`, lambdagate assumes that each
function lets this API invoke it (one allow statement per function, said once at start-up); with `--policy FILE`
(`aws lambda get-policy` output) only the statements given count, as on AWS.
"""

from __future__ import annotations

import re
from typing import Any

from ..arns import function_name
from ..errors import DefinitionError
from . import openapi, resource_ids
from .mapping import FUNCTION_FLAG
from .model.deployment import Deployment
from .model.function import Permission
from .model.location import Location
from .model.restapi import Api, Method, Stage
from .security import ApiSecurity
from .stack import LoadOptions
from .template import Template

DEFAULT_STAGE = "prod"
_HOST = re.compile(r"^(?:https?://)?([a-z0-9]{10})\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com")
_APIGATEWAY_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:([a-z]{2}(?:-[a-z]+)+-\d):")
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[^:]+:(\d{12}):function:")


def is_openapi(data: dict[str, Any]) -> bool:
    return ("openapi" in data or "swagger" in data) and "Resources" not in data


def load(t: Template, options: LoadOptions) -> Deployment:
    data = t.data
    if not isinstance(data.get("paths"), dict):
        raise t.error(("paths",), "an OpenAPI document needs a 'paths' mapping")
    host_id, host_region, exported = _exported(data)
    names = list(dict.fromkeys(([exported] if exported else []) + list(options.mapping.stages)))
    name = options.stage or (names[0] if names else DEFAULT_STAGE)
    api = host_id or resource_ids.api_id(options.stack_name, t.path.stem)
    stage = Stage(name, resource_ids.deployment_id(api, name), dict(options.mapping.stages.get(name, {})))
    warnings: list[str] = []
    security = ApiSecurity(api)
    try:
        methods = openapi.methods_from_paths(data["paths"], stage, lambda k: t.location(*k), ("paths",), warnings)
        security.read_openapi(data, methods, lambda k: t.location(*k))
        binary = openapi.binary_media_types(data, ())
        responses = openapi.gateway_responses(data.get(openapi.GATEWAY_RESPONSES_KEY),
                                              (openapi.GATEWAY_RESPONSES_KEY,))
    except openapi.InvalidDefinition as e:
        raise t.error(e.keys, e.message) from None
    arns = _function_arns(methods)
    _check_mapped(t, options, methods, warnings)
    uris = [m.integration.uri for verbs in methods.values() for m in verbs.values()]
    region = host_region or next((r.group(1) for r in map(_APIGATEWAY_URI.match, uris) if r), options.region)
    account = next((a.group(1) for a in map(_LAMBDA_ARN.match, arns) if a), options.account_id)
    title = (data.get("info") or {}).get("title") if isinstance(data.get("info"), dict) else None
    served = security.complete(Api(t.path.stem, str(title or t.path.stem), api, stage,
                                   openapi.resource_tree(api, methods), tuple(binary), t.location(), responses))
    permissions: list[Permission] = []
    if not options.policies and arns:
        warnings.append(f"{t.file}: no --policy given: lambdagate assumes every function lets this API invoke it "
                        "(an OpenAPI file holds no resource policy); pass --policy FILE with `aws lambda get-policy` "
                        "output to check the permissions as AWS does")
        source = f"arn:aws:execute-api:{region}:{account}:{api}/*"
        permissions = [Permission.allow(arn, "lambda:InvokeFunction", "apigateway.amazonaws.com", source, None,
                                  Location(f"{t.file} (assumed: no --policy)")) for arn in arns]
    return Deployment((served,), {}, tuple(permissions), region, account, tuple(warnings))


def _exported(data: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(API id, region, stage) from oas30 `servers` or swagger `host`/`basePath`, where present."""
    url, base_path = str(data.get("host") or ""), data.get("basePath")
    servers = data.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url") or "")
        variable = ((servers[0].get("variables") or {}).get("basePath") or {})
        base_path = variable.get("default") if isinstance(variable, dict) else None
        if base_path is None and "{basePath}" not in url:
            base_path = re.sub(r"^[a-z]+://[^/]*", "", url) or None
    host = _HOST.match(url)
    stage = str(base_path).strip("/") if isinstance(base_path, str) and base_path.strip("/") else None
    return (host.group(1), host.group(2), stage) if host else (None, None, stage)


def _function_arns(methods: dict[str, dict[str, Method]]) -> list[str]:
    found = [m.integration.function_arn for verbs in methods.values() for m in verbs.values()
             if m.integration.type == "aws_proxy"]
    return list(dict.fromkeys(a for a in found if a))


def _check_mapped(t: Template, options: LoadOptions, methods: dict[str, dict[str, Method]],
                  warnings: list[str]) -> None:
    """One error listing every function ARN that has no local code (with the methods that integrate it) and the
    flag that adds it; an ARN whose name a stage variable should give is reported as that missing variable."""
    users: dict[str, list[str]] = {}
    for path, verbs in methods.items():
        for verb, method in verbs.items():
            arn = method.integration.function_arn
            if method.integration.type == "aws_proxy" and arn and options.mapping.find(arn) is None:
                users.setdefault(arn, []).append(f"{verb} {path}")
    named = {arn: used for arn, used in users.items() if function_name(arn)}
    variables = [w for w in warnings if "has no stage variable" in w]
    if not named and not variables:
        return
    lines = []
    if named:
        lines.append(f"{len(named)} Lambda function(s) of the integrations have no local code:")
        lines += [f"  {arn} ({', '.join(used)})" for arn, used in named.items()]
        example = function_name(next(iter(named)))
        lines.append(f"map each with {FUNCTION_FLAG} (NAME as in the ARN, e.g. --function {example}=./src:"
                     "app.handler:python3.12), or in a --mapping FILE")
    if variables:
        lines.append("the function name of these integrations comes from a stage variable: give the stage's "
                     "variables in the --mapping file (stages: {NAME: {variables: {...}}})")
        lines += [f"  {w}" for w in variables]
    raise DefinitionError(t.file, None, "", "\n".join(lines))
