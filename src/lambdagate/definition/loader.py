"""Which loader reads a definition, and what every loaded deployment gets on top:

- functions that only the mapping provides (`--function`, `--mapping`: an integration names a function ARN the
  definition does not define);
- the `--policy` statements;
- one start-up warning per method lambdagate does not serve as AWS would, by method and resource with file:line
  (the gateway answers them itself: 501 for what it does not emulate, 502 for a function it does not have).

Dispatch by content: an `openapi`/`swagger` document -> openapi_file; the SAM transform or an `AWS::Serverless::*`
resource -> sam; any other template -> cloudformation.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from .. import samconfig
from ..arns import function_name, unqualified
from ..config import SAM_BUILD, STATE_FOLDER, Source
from ..errors import DefinitionError, LambdagateError
from . import openapi_file, sam
from .cloudformation import CloudFormation
from .code import CodeStore
from .http_routes import route_problem
from .lambdas import apply_env_vars, env_var_notice
from .mapping import FUNCTION_FLAG, FunctionSpec, read_mapping
from .model.deployment import Deployment
from .model.function import Function
from .model.restapi import Integration
from .policy import read_policy
from .stack import LoadOptions
from .template import load_template


def load(source: Source) -> Deployment:
    """What `source` says to serve, as one Deployment: the definition, env.json, the mapping and the policies."""
    definition = source.definition()
    options = LoadOptions(parameter_overrides=dict(source.parameter_overrides), env_vars=read_env_vars(source.env_vars),
                          region=source.region, state_dir=source.state_dir, stage=source.stage,
                          mapping=read_mapping(source.mapping, source.functions, source.layers),
                          policies=tuple(p for path in source.policies for p in read_policy(path)))
    deployment = load_definition(definition, options, openapi_only=source.openapi is not None)
    notices = samconfig.load(definition.parent, source.config_file, source.config_env).notices
    notice = env_var_notice(options.env_var_notes, str(source.env_vars))
    built = (f"serving {SAM_BUILD / 'template.yaml'}, `sam build`'s output (not older than the template it was built "
             "from), as `sam local start-api` does; run `sam build` again after changing the template, or remove "
             ".aws-sam/ to serve the source",) if source.sam_built else ()
    return replace(deployment, warnings=built + deployment.warnings + notices + ((notice,) if notice else ()))


def read_env_vars(path: Path | None) -> dict[str, dict[str, str]]:
    """SAM's `--env-vars` file: {"Parameters": {...}, "<FunctionLogicalId>": {...}}."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise LambdagateError(f"{path}: cannot read the --env-vars file: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise LambdagateError(f"{path}:{e.lineno}: the --env-vars file is not JSON: {e.msg}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise LambdagateError(f"{path}: expected {{\"FunctionLogicalId\": {{\"NAME\": \"value\"}}, ...}} "
                              "(SAM's env.json format)")
    return {k: {n: str(v) for n, v in section.items()} for k, section in data.items()}


def load_definition(path: Path, options: LoadOptions, openapi_only: bool = False) -> Deployment:
    template = load_template(path)
    if openapi_file.is_openapi(template.data):
        deployment = openapi_file.load(template, options)
    elif openapi_only:
        raise DefinitionError(template.file, 1, "", "not an OpenAPI 3 or Swagger 2 document (no 'openapi' or "
                              "'swagger' field); serve templates with --template")
    elif sam.is_sam(template.data):
        deployment = sam.SamLoader(template, options).load()
    else:
        deployment = CloudFormation(template, options).load()
    return complete(deployment, options, CodeStore(options.state_dir or path.parent.resolve() / STATE_FOLDER))


def complete(deployment: Deployment, options: LoadOptions, code: CodeStore) -> Deployment:
    functions = dict(deployment.functions)
    warnings = list(deployment.warnings)
    for api in deployment.apis:
        for resource in api.resources:
            for verb, method in resource.methods.items():
                where = f"{method.location}: {verb} {resource.path} ({api.logical_id})"
                integration = method.integration
                arn = integration.function_arn
                arn = arn if arn is None or arn in functions else unqualified(arn)
                if integration.type == "aws_proxy" and arn is not None and arn not in functions:
                    spec = options.mapping.find(arn)
                    if spec is not None:
                        functions[arn] = _mapped(spec, arn, code, options)
                        continue
                problem = _problem(integration, arn is None or arn in functions)
                if problem:
                    warnings.append(f"{where}: {problem}")
        for authorizer in api.authorizers:   # a Lambda authorizer's function: the integrations' rules
            arn = authorizer.function_arn
            if authorizer.type not in ("TOKEN", "REQUEST") or arn is None or arn in functions or \
                    unqualified(arn) in functions:
                continue
            spec = options.mapping.find(arn)
            if spec is not None:
                functions[arn] = _mapped(spec, arn, code, options)
                continue
            warnings.append(f"{authorizer.location}: authorizer {authorizer.name} ({api.logical_id}): its function "
                            f"{arn or authorizer.uri} is not in the template (give it with --functions or a mapping "
                            "file): its methods answer 500 {\"message\":null}")
    for http_api in deployment.http_apis:   # HTTP APIs: the same rules, said by definition/httpapi.route_problem
        for route in http_api.routes:
            target = route.integration.function_arn if route.integration else None
            spec = options.mapping.find(target) if target is not None and target not in functions else None
            if spec is not None and target is not None:
                functions[target] = _mapped(spec, target, code, options)
            problem = route_problem(route, target is None or target in functions)
            if problem:
                warnings.append(f"{route.location}: {route.route_key} ({http_api.logical_id}): {problem}")
    return replace(deployment, functions=functions, permissions=deployment.permissions + options.policies,
                   warnings=tuple(dict.fromkeys(warnings)))


def _problem(integration: Integration, known: bool) -> str | None:
    kind = integration.type
    if kind == "aws_proxy":
        if integration.function_arn is None:
            return (f"the AWS_PROXY integration URI {integration.uri!r} names no Lambda function (.../functions/"
                    "<function ARN>/invocations); requests to it answer 502")
        if not known:
            return (f"integrates {integration.function_arn}, which the definition does not define; requests to it "
                    f"answer 502 (Function not found) unless it is mapped with {FUNCTION_FLAG}")
        return None
    if kind == "mock":
        templates = integration.request_templates + tuple(
            t for r in integration.responses for t in r.response_templates)
        if any("$" in text or "#" in text for _, text in templates):
            return ("MOCK integration's mapping templates use Velocity (VTL) logic, which lambdagate does not run; "
                    "requests to it answer 501")
        return None
    if kind == "none":
        return ("no integration: AWS refuses to deploy an API with such a method (\"No integration defined for "
                "method\"); requests to it answer 501")
    detail = " with VTL mapping templates" if integration.request_templates else ""
    return f"{kind.upper()} integration{detail} is not emulated; requests to it answer 501"


def _mapped(spec: FunctionSpec, arn: str, code: CodeStore, options: LoadOptions) -> Function:
    name = function_name(arn)
    env = dict(spec.environment or ())
    for variable in apply_env_vars(env, options.env_vars, (name, arn)):
        options.env_var_notes.setdefault(variable, []).append(name)
    return Function(logical_id=name, name=name, arn=arn, runtime=spec.runtime, handler=spec.handler,
                    code_dir=str(code.task_root(name, spec.path) or spec.path),
                    timeout=spec.timeout if spec.timeout is not None else 3.0,
                    memory_size=spec.memory_size if spec.memory_size is not None else 128,
                    environment=tuple(env.items()), location=spec.location)
