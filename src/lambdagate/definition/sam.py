"""SAM (and the CloudFormation resources SAM templates mix in) -> the Deployment model.

What SAM does at deploy time and lambdagate repeats here:
- `Globals.Function` / `Globals.Api` merge into each resource (maps merged, lists global-first, scalars overridden).
- A function's `Events` of `Type: Api` without `RestApiId` go to the implicit API `ServerlessRestApi`, stage `Prod`.
- Each Api event gets an implicit `AWS::Lambda::Permission` for `<apiId>/*/<METHOD|*>/<path with {x} -> *>`
  (aws/serverless-application-model, eventsources/push.py; fact sheet §10.3). DefinitionBody integrations get none.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DefinitionError
from . import cors, openapi
from .ids import api_id, deployment_id, resource_id
from .intrinsics import Resolver
from .model import Api, Deployment, Function, Integration, Location, Method, Permission, Stage
from .template import Template, load_template

IMPLICIT_API = "ServerlessRestApi"
IMPLICIT_STAGE = "Prod"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
FUNCTION_TYPES = ("AWS::Serverless::Function",)
API_TYPES = ("AWS::Serverless::Api",)
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")


@dataclass
class LoadOptions:
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    env_vars: dict[str, dict[str, str]] = field(default_factory=dict)   # SAM's env.json
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    stack_name: str = "lambdagate"
    state_dir: Path | None = None      # where inline code and unpacked zips go (.lambdagate/)


def load_deployment(path: Path, options: LoadOptions | None = None) -> Deployment:
    return _Loader(load_template(path), options or LoadOptions()).load()


class _Loader:
    def __init__(self, template: Template, options: LoadOptions) -> None:
        self.t = template
        self.o = options
        self.base = template.path.parent.resolve()
        self.warnings: list[str] = []
        resources = template.data.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise template.error(("Resources",), "a template needs a non-empty 'Resources' mapping")
        self.resources: dict[str, dict[str, Any]] = {}
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise template.error(("Resources", logical_id), "each resource needs a 'Type'")
            self.resources[logical_id] = resource
        self.resolver = Resolver(template, self._parameters(), self._pseudo(), self._ref, self._get_att)

    # -- parameters and references ------------------------------------------------------------------------
    def _pseudo(self) -> dict[str, str]:
        return {"AWS::Region": self.o.region, "AWS::AccountId": self.o.account_id,
                "AWS::StackName": self.o.stack_name, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackId": f"arn:aws:cloudformation:{self.o.region}:{self.o.account_id}:stack/"
                                f"{self.o.stack_name}/00000000-0000-0000-0000-000000000000"}

    def _parameters(self) -> dict[str, str]:
        declared = self.t.data.get("Parameters") or {}
        unknown = set(self.o.parameter_overrides) - set(declared)
        if unknown:
            raise DefinitionError(self.t.file, self.t.line_of("Parameters"), "--parameter-overrides",
                                  f"no parameter named {', '.join(sorted(unknown))} in the template")
        values: dict[str, str] = {}
        for name, spec in declared.items():
            if name in self.o.parameter_overrides:
                values[name] = self.o.parameter_overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                default = spec["Default"]
                values[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
            else:
                raise self.t.error(("Parameters", name),
                                   f"parameter {name!r} has no Default: pass --parameter-overrides {name}=VALUE")
        return values

    def _type(self, logical_id: str) -> str | None:
        r = self.resources.get(logical_id)
        return r["Type"] if r else None

    def _ref(self, logical_id: str) -> str | None:
        kind = self._type(logical_id)
        if kind is None and logical_id == IMPLICIT_API and self._uses_implicit_api():
            kind = "AWS::Serverless::Api"
        if kind is None:
            return None
        if kind in FUNCTION_TYPES:
            return self._function_name(logical_id)
        if kind in API_TYPES or kind == "AWS::ApiGateway::RestApi":
            return api_id(self.o.stack_name, logical_id)
        if kind in LAYER_TYPES:
            return f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:layer:{logical_id}:1"
        return logical_id

    def _get_att(self, logical_id: str, attribute: str) -> str | None:
        kind = self._type(logical_id)
        if kind in FUNCTION_TYPES and attribute == "Arn":
            return self._function_arn(logical_id)
        if kind in API_TYPES and attribute == "RootResourceId":
            return resource_id(api_id(self.o.stack_name, logical_id), "/")
        return None

    def _function_name(self, logical_id: str) -> str:
        props = self.resources[logical_id].get("Properties") or {}
        if "FunctionName" in props:
            return self.resolver.string(props["FunctionName"], ("Resources", logical_id, "Properties",
                                                                "FunctionName"))
        return logical_id

    def _function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.o.region}:{self.o.account_id}:function:{self._function_name(logical_id)}"

    def _enabled(self, logical_id: str) -> bool:
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.resolver.condition(str(condition), ("Resources", logical_id, "Condition"))

    def _properties(self, logical_id: str, globals_section: str) -> dict[str, Any]:
        props = self.resources[logical_id].get("Properties") or {}
        if not isinstance(props, dict):
            raise self.t.error(("Resources", logical_id, "Properties"), "Properties must be a mapping")
        glob = ((self.t.data.get("Globals") or {}).get(globals_section) or {})
        return _merge_globals(glob, props)

    def _uses_implicit_api(self) -> bool:
        for r in self.resources.values():
            if r["Type"] in FUNCTION_TYPES:
                for event in ((r.get("Properties") or {}).get("Events") or {}).values():
                    if isinstance(event, dict) and event.get("Type") == "Api" and \
                            "RestApiId" not in (event.get("Properties") or {}):
                        return True
        return False

    # -- the whole deployment ------------------------------------------------------------------------------
    def load(self) -> Deployment:
        functions: dict[str, Function] = {}
        for logical_id, r in self.resources.items():
            if r["Type"] in FUNCTION_TYPES and self._enabled(logical_id):
                fn = self._function(logical_id)
                if fn is not None:
                    functions[fn.arn] = fn
            elif r["Type"] == "AWS::Lambda::Function":
                self.warnings.append(f"{self.t.location('Resources', logical_id)}: {logical_id}: "
                                     "AWS::Lambda::Function is not served yet; use AWS::Serverless::Function")
        apis = self._apis()
        permissions = list(self._explicit_permissions())
        permissions += self._implicit_permissions()
        return Deployment(tuple(apis), functions, tuple(permissions), self.o.region, self.o.account_id,
                          tuple(self.warnings))

    # -- functions --------------------------------------------------------------------------------------------
    def _function(self, logical_id: str) -> Function | None:
        keys: tuple[str | int, ...] = ("Resources", logical_id, "Properties")
        props = self._properties(logical_id, "Function")
        if props.get("PackageType") == "Image":
            self.warnings.append(f"{self.t.location(*keys, 'PackageType')}: {logical_id}: container image "
                                 "functions are not served (no Docker); skipped")
            return None
        for required in ("Handler", "Runtime"):
            if required not in props:
                raise self.t.error(keys, f"function {logical_id} has no {required}")
        handler = self.resolver.string(props["Handler"], keys + ("Handler",))
        runtime = self.resolver.string(props["Runtime"], keys + ("Runtime",))
        code_dir = self._code_dir(logical_id, props, runtime, keys)
        env: dict[str, str] = {}
        variables = ((props.get("Environment") or {}).get("Variables") or {})
        for name, value in self.resolver.resolve(variables, keys + ("Environment", "Variables")).items():
            env[name] = _env_text(value)
        # SAM's env.json: `Parameters` for every function, then the function's own section; like SAM, only
        # variables the template declares are overridden.
        for section in (self.o.env_vars.get("Parameters") or {}, self.o.env_vars.get(logical_id) or {}):
            for name, value in section.items():
                if name in env:
                    env[name] = _env_text(value)
        reserved = props.get("ReservedConcurrentExecutions")
        return Function(
            logical_id=logical_id,
            name=self._function_name(logical_id),
            arn=self._function_arn(logical_id),
            runtime=runtime,
            handler=handler,
            code_dir=code_dir,
            timeout=float(self.resolver.string(props.get("Timeout", 3), keys + ("Timeout",))),
            memory_size=int(self.resolver.string(props.get("MemorySize", 128), keys + ("MemorySize",))),
            environment=tuple(env.items()),
            reserved_concurrency=None if reserved is None else int(
                self.resolver.string(reserved, keys + ("ReservedConcurrentExecutions",))),
            layers=self._layers(props.get("Layers") or [], keys + ("Layers",)),
            architecture=str((self.resolver.resolve(props.get("Architectures") or ["x86_64"], keys) or
                              ["x86_64"])[0]),
            location=self.t.location("Resources", logical_id),
        )

    def _code_dir(self, logical_id: str, props: dict[str, Any], runtime: str, keys: tuple[str | int, ...]) -> str:
        if "InlineCode" in props:
            code = self.resolver.string(props["InlineCode"], keys + ("InlineCode",))
            folder = self._state_dir("inline", logical_id)
            suffix = ".js" if runtime.startswith("nodejs") else ".py"
            (folder / ("index" + suffix)).write_text(code, encoding="utf-8")
            return str(folder)
        code_uri = self.resolver.resolve(props.get("CodeUri", "."), keys + ("CodeUri",))
        if not isinstance(code_uri, str):
            raise self.t.error(keys + ("CodeUri",), "CodeUri points to S3; lambdagate needs a local folder or "
                               ".zip (serve the template before `sam package`, or the `sam build` output)")
        path = (self.base / code_uri).resolve()
        if path.is_file() and zipfile.is_zipfile(path):
            return str(self._unzip(logical_id, path))
        if not path.is_dir():
            raise self.t.error(keys + ("CodeUri",), f"CodeUri {code_uri!r}: no such folder ({path})")
        return str(path)

    def _state_dir(self, *parts: str) -> Path:
        root = self.o.state_dir or (self.base / ".lambdagate")
        folder = root.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _unzip(self, logical_id: str, archive: Path) -> Path:
        """A deployment package is unpacked with the modes stored in it, as Lambda unpacks it."""
        target = self._state_dir("packages", logical_id)
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                extracted = Path(z.extract(info, target))
                mode = (info.external_attr >> 16) & 0o7777
                if mode:
                    extracted.chmod(mode)
        return target

    def _layers(self, layers: list[Any], keys: tuple[str | int, ...]) -> tuple[str, ...]:
        paths = []
        for i, layer in enumerate(layers):
            ref = layer.get("Ref") if isinstance(layer, dict) else None
            if ref in self.resources and self._type(ref) in LAYER_TYPES:
                props = self.resources[ref].get("Properties") or {}
                content = props.get("ContentUri", props.get("Content"))
                where = ("Resources", ref, "Properties", "ContentUri")
                content = self.resolver.resolve(content, where)
                if not isinstance(content, str):
                    raise self.t.error(where, "the layer's content must be a local folder to be served")
                path = (self.base / content).resolve()
                if not path.is_dir():
                    raise self.t.error(where, f"layer folder {content!r} does not exist ({path})")
                paths.append(str(path))
            else:
                arn = self.resolver.string(layer, keys + (i,))
                self.warnings.append(f"{self.t.location(*keys, i)}: layer {arn} is not in this template and "
                                     "cannot be fetched: code that imports from it fails as on AWS without it")
        return tuple(paths)

    # -- APIs -----------------------------------------------------------------------------------------------
    def _api_events(self) -> dict[str, list[tuple[str, str, dict[str, Any], tuple[str | int, ...]]]]:
        """{api logical id: [(function logical id, event name, event properties, keys)]}"""
        out: dict[str, list[tuple[str, str, dict[str, Any], tuple[str | int, ...]]]] = {}
        for logical_id, r in self.resources.items():
            if r["Type"] not in FUNCTION_TYPES or not self._enabled(logical_id):
                continue
            events = self._properties(logical_id, "Function").get("Events") or {}
            for name, event in events.items():
                if not isinstance(event, dict) or event.get("Type") != "Api":
                    continue
                keys: tuple[str | int, ...] = ("Resources", logical_id, "Properties", "Events", name, "Properties")
                props = event.get("Properties") or {}
                for required in ("Path", "Method"):
                    if required not in props:
                        raise self.t.error(keys, f"an Api event needs {required}")
                api = IMPLICIT_API
                if "RestApiId" in props:
                    ref = props["RestApiId"]
                    api = str(ref.get("Ref") if isinstance(ref, dict) else ref)
                    if api not in self.resources:
                        raise self.t.error(keys + ("RestApiId",), f"RestApiId {api!r} is not an API of this "
                                           "template")
                out.setdefault(str(api), []).append((logical_id, name, props, keys))
        return out

    def _apis(self) -> list[Api]:
        events = self._api_events()
        logical_ids = [i for i, r in self.resources.items() if r["Type"] in API_TYPES and self._enabled(i)]
        if IMPLICIT_API in events and IMPLICIT_API not in logical_ids:
            logical_ids.insert(0, IMPLICIT_API)
        return [self._api(i, events.get(i, [])) for i in logical_ids]

    def _api(self, logical_id: str, events: list[tuple[str, str, dict[str, Any], tuple[str | int, ...]]]) -> Api:
        implicit = logical_id not in self.resources
        keys: tuple[str | int, ...] = ("Resources", logical_id, "Properties")
        props = _merge_globals((self.t.data.get("Globals") or {}).get("Api") or {},
                               {} if implicit else (self.resources[logical_id].get("Properties") or {}))
        ident = api_id(self.o.stack_name, logical_id)
        if implicit:
            stage_name = IMPLICIT_STAGE
        elif "StageName" in props:
            stage_name = self.resolver.string(props["StageName"], keys + ("StageName",))
        else:
            raise self.t.error(keys, f"API {logical_id} has no StageName")
        variables = {k: _env_text(v) for k, v in
                     self.resolver.resolve(props.get("Variables") or {}, keys + ("Variables",)).items()}
        binary = [str(b).replace("~1", "/") for b in
                  self.resolver.resolve(props.get("BinaryMediaTypes") or [], keys + ("BinaryMediaTypes",))]
        methods: dict[str, dict[str, Method]] = {}
        body = self._definition_body(props, keys)
        if body is not None:
            binary += [str(b) for b in body.get(openapi.BINARY_TYPES_KEY) or []]
            methods = openapi.methods_from_paths(body.get("paths") or {}, variables,
                                                 lambda k: self.t.location(*keys, "DefinitionBody", *k[1:]),
                                                 ("paths",))
        for function_id, _event_name, event, ekeys in events:
            path = self.resolver.string(event["Path"], ekeys + ("Path",))
            verb = self.resolver.string(event["Method"], ekeys + ("Method",)).upper()
            verb = "ANY" if verb in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else verb
            arn = self._function_arn(function_id)
            timeout = int(self.resolver.string(event.get("TimeoutInMillis", 29000), ekeys))
            uri = (f"arn:aws:apigateway:{self.o.region}:lambda:path/2015-03-31/functions/{arn}/invocations")
            normalised = "/" + "/".join(p for p in path.split("/") if p)
            methods.setdefault(normalised, {})[verb] = Method(
                verb, Integration("aws_proxy", uri, "POST", timeout, None, arn), self.t.location(*ekeys))
        if "Cors" in props:
            try:
                config = cors.parse_cors(self.resolver.resolve(props["Cors"], keys + ("Cors",)))
            except cors.CorsError as e:
                raise self.t.error(keys + ("Cors",), str(e)) from None
            if config is not None:
                cors.add_preflights(methods, config, self.t.location(*keys, "Cors"))
        name = ident
        if not implicit and "Name" in props:
            name = self.resolver.string(props["Name"], keys + ("Name",))
        elif implicit:
            name = self.o.stack_name
        access = self.resolver.resolve(props.get("AccessLogSetting") or {}, keys + ("AccessLogSetting",))
        stage = Stage(stage_name, deployment_id(ident, stage_name), variables,
                      str(access["Format"]) if isinstance(access, dict) and "Format" in access else None,
                      str(access["DestinationArn"]) if isinstance(access, dict) and "DestinationArn" in access
                      else None)
        return Api(logical_id, name, ident, stage,
                   openapi.resource_tree(ident, methods), tuple(binary),
                   Location(self.t.file, self.t.line_of(*keys[:2])) if not implicit else Location(self.t.file))

    def _definition_body(self, props: dict[str, Any], keys: tuple[str | int, ...]) -> dict[str, Any] | None:
        body: Any
        if "DefinitionBody" in props:
            body = self.resolver.resolve(props["DefinitionBody"], keys + ("DefinitionBody",))
        elif "DefinitionUri" in props:
            uri = self.resolver.resolve(props["DefinitionUri"], keys + ("DefinitionUri",))
            if not isinstance(uri, str):
                raise self.t.error(keys + ("DefinitionUri",), "DefinitionUri must be a local file to be served")
            definition = load_template(self.base / uri) if (self.base / uri).is_file() else None
            if definition is None:
                raise self.t.error(keys + ("DefinitionUri",), f"no such file: {uri}")
            body = definition.data
        else:
            return None
        if not isinstance(body, dict):
            raise self.t.error(keys + ("DefinitionBody",), "the definition must be an OpenAPI mapping")
        return body

    # -- permissions ----------------------------------------------------------------------------------------
    def _explicit_permissions(self) -> list[Permission]:
        out = []
        for logical_id, r in self.resources.items():
            if r["Type"] != "AWS::Lambda::Permission" or not self._enabled(logical_id):
                continue
            keys: tuple[str | int, ...] = ("Resources", logical_id, "Properties")
            props = self.resolver.resolve(r.get("Properties") or {}, keys)
            for required in ("FunctionName", "Action", "Principal"):
                if required not in props:
                    raise self.t.error(keys, f"AWS::Lambda::Permission needs {required}")
            out.append(Permission(str(props["FunctionName"]), str(props["Action"]), str(props["Principal"]),
                                  props.get("SourceArn"), props.get("SourceAccount"),
                                  self.t.location("Resources", logical_id)))
        return out

    def _implicit_permissions(self) -> list[Permission]:
        out = []
        for api_logical_id, events in self._api_events().items():
            ident = api_id(self.o.stack_name, api_logical_id)
            for function_id, _name, event, keys in events:
                path = self.resolver.string(event["Path"], keys + ("Path",))
                verb = self.resolver.string(event["Method"], keys + ("Method",)).upper()
                verb = "*" if verb in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else verb
                arn_path = "/".join("*" if p.startswith("{") and p.endswith("}") else p
                                    for p in path.split("/") if p)
                source = (f"arn:aws:execute-api:{self.o.region}:{self.o.account_id}:{ident}/*/{verb}/{arn_path}")
                out.append(Permission(self._function_arn(function_id), "lambda:InvokeFunction",
                                      "apigateway.amazonaws.com", source, None, self.t.location(*keys)))
        return out


def _merge_globals(glob: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge, lists are global items then local ones, scalars are overridden."""
    out = dict(glob)
    for key, value in local.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict) and \
                not _is_intrinsic(value) and not _is_intrinsic(out[key]):
            out[key] = _merge_globals(out[key], value)
        elif key in out and isinstance(out[key], list) and isinstance(value, list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
