"""What a stage serves, read from AWS into lambdagate's one model (definition.model.deployment.Deployment), so
that `doctor` runs its own checks on it.

- The methods: the stage's export (GetExport oas30 with `extensions=integrations`: the deployment the stage
  serves), read by the same OpenAPI reader as `--openapi`; the API's resources (GetResources `embed=methods`: its
  current state) name the resource ids, and what they hold that the export does not is a change not yet deployed.
  Without an export that carries integrations, the resources are read instead, and the report says so.
- The stage: variables, method settings (logging), access log settings (GetStage).
- Each function an AWS_PROXY integration names: its configuration (GetFunction), its code and layers unpacked from
  their presigned locations, its resource policy (GetPolicy) read by definition/policy.py, the one strict reader.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..config import DEFAULT_ACCOUNT
from ..definition import openapi
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function, Permission
from ..definition.model.location import Location
from ..definition.model.restapi import Api, Method, MethodSetting, Resource, Stage
from ..definition.policy import parse_policy
from ..definition.resource_ids import resource_id
from ..errors import DefinitionError, LambdagateError
from . import shapes
from .access import AwsAccess
from .target import StageRef

EXPORT_PARAMETERS = {"extensions": "integrations"}   # AGDG api-gateway-export-api.html


@dataclass
class DeployedFunction:
    arn: str                                    # as the integration names it (may carry a qualifier)
    configuration: shapes.FunctionConfiguration | None = None   # None: Lambda has no such function
    package: Path | None = None                 # the deployment .zip, downloaded
    unavailable: str | None = None              # why the code is not here (container image, no download)
    statements: tuple[Permission, ...] = ()
    policy_error: str | None = None             # the resource policy holds a statement lambdagate cannot evaluate
    reserved_concurrency: int | None = None

    @property
    def name(self) -> str:
        return (self.configuration or {}).get("FunctionName") or self.arn.split(":function:")[-1].split(":")[0]


@dataclass
class DeployedStage:
    ref: StageRef
    deployment: Deployment
    stage: shapes.Stage
    source: str                                  # where the methods were read from
    functions: dict[str, DeployedFunction]
    resource_ids: dict[str, str]                 # resource path -> id
    undeployed: list[str] = field(default_factory=list)   # "GET /items": in the API's resources, not the stage's
    notes: list[str] = field(default_factory=list)
    resources: list[shapes.Resource] = field(default_factory=list)   # GetResources, as AWS answered

    def method_arn(self, path: str, verb: str) -> str:
        """AGDG arn-format-reference.html: arn:aws:apigateway:<region>::/restapis/<id>/resources/<id>/methods/<verb>."""
        rid = self.resource_ids.get(path)
        return method_arn(self.ref, rid, verb)


def method_arn(ref: StageRef, rid: str | None, verb: str) -> str:
    if rid is None:
        return ref.arn
    return f"arn:aws:apigateway:{ref.region}::/restapis/{ref.api_id}/resources/{rid}/methods/{verb}"


def read(access: AwsAccess, ref: StageRef, workdir: Path | None) -> DeployedStage:
    """`workdir`: where to unpack the functions' code; None reads configuration only."""
    rest_api = cast(shapes.RestApi, access.call("apigateway", "get_rest_api", missing_ok=True, restApiId=ref.api_id))
    if rest_api is None:
        raise LambdagateError(f"no REST API {ref.api_id} in {ref.region}; check --rest-api-id and --region")
    raw_stage = cast(shapes.Stage, access.call("apigateway", "get_stage", missing_ok=True, restApiId=ref.api_id,
                                               stageName=ref.stage))
    if raw_stage is None:
        raise LambdagateError(f"API {ref.api_id} has no stage {ref.stage!r}")
    stage = _stage(raw_stage, ref.stage)
    items = [cast(shapes.Resource, r) for r in access.pages("apigateway", "get_resources", "items",
                                                             restApiId=ref.api_id, embed=["methods"])]
    ids = {str(r.get("path")): str(r.get("id")) for r in items if r.get("path")}
    locate = _locator(ref, ids)
    current = _from_resources(items, stage, locate)
    exported = _export(access, ref, stage, locate)
    notes: list[str] = []
    if exported is not None:
        methods, source = exported, f"the export of stage {ref.stage} (GetExport)"
        undeployed = [f"{verb} {path}" for path, verbs in current.items() for verb in verbs
                      if verb not in exported.get(path, {})]
    else:
        methods, source, undeployed = current, "the API's resources (GetResources)", []
        notes.append("GetExport gave no integrations: the methods were read from the API's current resources, which "
                     "may hold changes the stage does not serve yet")
    arns = list(dict.fromkeys(m.integration.function_arn for verbs in methods.values() for m in verbs.values()
                              if m.integration.type == "aws_proxy" and m.integration.function_arn))
    account = next((a.split(":")[4] for a in arns if len(a.split(":")) > 4 and a.split(":")[4].isdigit()),
                   DEFAULT_ACCOUNT)
    functions = {arn: _function(access, arn, workdir) for arn in arns}
    api = Api(ref.name, str(rest_api.get("name") or ref.api_id), ref.api_id, stage, _tree(ref, methods, ids),
              tuple(t for t in rest_api.get("binaryMediaTypes") or [] if t), Location(ref.arn))
    models = {arn: model for arn, f in functions.items() if (model := _model(f, workdir)) is not None}
    statements = tuple(s for f in functions.values() for s in f.statements)
    deployment = Deployment((api,), models, statements, ref.region, account)
    return DeployedStage(ref, deployment, raw_stage, source, functions, ids, undeployed, notes, items)


def _stage(raw: shapes.Stage, name: str) -> Stage:
    settings = []
    for key, value in (raw.get("methodSettings") or {}).items():
        path, _, verb = key.rpartition("/")
        resource = "/*" if path == "*" else "/" + path.replace("~1", "/").lstrip("/")
        settings.append(MethodSetting(resource, verb or "*", value.get("loggingLevel"), value.get("dataTraceEnabled"),
                                      value.get("throttlingBurstLimit"), value.get("throttlingRateLimit"),
                                      value.get("cachingEnabled")))
    logs = raw.get("accessLogSettings") or {}
    return Stage(name, str(raw.get("deploymentId") or ""), dict(raw.get("variables") or {}), logs.get("format"),
                 logs.get("destinationArn"), tuple(settings))


def _locator(ref: StageRef, ids: dict[str, str]) -> openapi.Locate:
    def locate(keys: openapi.Keys) -> Location:
        if len(keys) < 3:
            return Location(ref.arn)
        verb = "ANY" if keys[2] == openapi.ANY_METHOD_KEY else str(keys[2]).upper()
        path = "/" + "/".join(p for p in str(keys[1]).split("/") if p)
        return Location(method_arn(ref, ids.get(path), verb))
    return locate


def _from_resources(items: list[shapes.Resource], stage: Stage, locate: openapi.Locate) -> dict[str, dict[str, Method]]:
    """GetResources with embedded methods, as the `paths` of an export with integrations."""
    paths: dict[str, Any] = {}
    for item in items:
        for verb, method in (item.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration")
            operation: dict[str, Any] = {}
            if integration is not None:
                spec: dict[str, Any] = {k: v for k, v in integration.items() if k != "integrationResponses"}
                spec["responses"] = {(r.get("selectionPattern") or "default"): r
                                     for r in (integration.get("integrationResponses") or {}).values()}
                operation[openapi.INTEGRATION_KEY] = spec
            key = openapi.ANY_METHOD_KEY if verb == "ANY" else verb.lower()
            paths.setdefault(str(item.get("path")), {})[key] = operation
    return openapi.methods_from_paths(paths, stage, locate, ("paths",))


def _export(access: AwsAccess, ref: StageRef, stage: Stage, locate: openapi.Locate
            ) -> dict[str, dict[str, Method]] | None:
    answer = access.call("apigateway", "get_export", missing_ok=True, restApiId=ref.api_id, stageName=ref.stage,
                         exportType="oas30", parameters=EXPORT_PARAMETERS, accepts="application/json")
    if answer is None:
        return None
    body = answer.get("body")
    try:
        document = json.loads(body.read() if hasattr(body, "read") else body or b"{}")
    except ValueError:
        return None
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict) or not any(isinstance(op, dict) and openapi.INTEGRATION_KEY in op
                                              for ops in paths.values() if isinstance(ops, dict)
                                              for op in ops.values()):
        return None
    try:
        return openapi.methods_from_paths(paths, stage, locate, ("paths",))
    except openapi.InvalidDefinition as e:
        raise LambdagateError(f"the export of {ref}: {'.'.join(map(str, e.keys))}: {e.message}") from None


def _tree(ref: StageRef, methods: dict[str, dict[str, Method]], ids: dict[str, str]) -> tuple[Resource, ...]:
    return tuple(Resource(ids.get(r.path) or resource_id(ref.api_id, r.path), r.path, r.methods)
                 for r in openapi.resource_tree(ref.api_id, methods))


def _function(access: AwsAccess, arn: str, workdir: Path | None) -> DeployedFunction:
    found = DeployedFunction(arn)
    answer = access.call("lambda", "get_function", missing_ok=True, FunctionName=arn)
    if answer is None:
        return found
    got = cast(shapes.GetFunctionResponse, answer)
    found.configuration = got.get("Configuration") or {}
    location = (got.get("Code") or {}).get("Location")
    if found.configuration.get("PackageType") == "Image":
        found.unavailable = "a container image: lambdagate checks .zip packages"
    elif workdir is None:
        found.unavailable = "the code was not downloaded"
    elif not location:
        found.unavailable = "GetFunction gave no Code.Location"
    else:
        try:
            path = workdir / f"{found.name}.zip"
            path.write_bytes(access.download(location, f"the package of {found.name}"))
            _unpack(path, workdir / found.name)
            for n, layer in enumerate(found.configuration.get("Layers") or []):
                _layer(access, layer.get("Arn", ""), workdir / f"{found.name}-layer-{n}")
            found.package = path
        except LambdagateError as e:
            found.unavailable = str(e)
    policy = access.call("lambda", "get_policy", missing_ok=True, FunctionName=arn)
    if policy is not None:
        try:
            found.statements = parse_policy(str(policy.get("Policy", "")), f"{found.name}'s resource policy")
        except DefinitionError as e:
            found.policy_error = str(e)
    found.reserved_concurrency = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return found


def _layer(access: AwsAccess, arn: str, folder: Path) -> None:
    answer = access.call("lambda", "get_layer_version_by_arn", missing_ok=True, Arn=arn)
    location = ((answer or {}).get("Content") or {}).get("Location")
    if location:
        path = folder.with_suffix(".zip")
        path.write_bytes(access.download(location, f"layer {arn}"))
        _unpack(path, folder)


def _unpack(package: Path, folder: Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(package.read_bytes())) as archive:
            archive.extractall(folder)   # zipfile drops absolute paths and `..` parts of member names
    except zipfile.BadZipFile as e:
        raise LambdagateError(f"{package.name}: the deployed package is not a .zip: {e}") from None


def _model(found: DeployedFunction, workdir: Path | None) -> Function | None:
    config = found.configuration
    if config is None:
        return None
    folder = (workdir / found.name) if workdir is not None else Path(found.name)
    layers = sorted(str(p) for p in workdir.glob(f"{found.name}-layer-*") if p.is_dir()) if workdir else []
    return Function(
        logical_id=found.name, name=found.name, arn=found.arn, runtime=str(config.get("Runtime") or ""),
        handler=str(config.get("Handler") or ""), code_dir=str(folder), timeout=float(config.get("Timeout", 3)),
        memory_size=int(config.get("MemorySize", 128)),
        environment=tuple(((config.get("Environment") or {}).get("Variables") or {}).items()),
        reserved_concurrency=found.reserved_concurrency, layers=tuple(layers),
        architecture=(config.get("Architectures") or ["x86_64"])[0], location=Location(found.arn))
