"""Functions, layers and permissions of a template: `AWS::Lambda::Function` and `AWS::Serverless::Function` (one
builder), `AWS::Lambda::LayerVersion`/`AWS::Serverless::LayerVersion`, `AWS::Lambda::Permission`.

Where the code is, in the order lambdagate looks:
- a `--function`/`--mapping` entry for the function's name, ARN or logical id;
- inline code: `Code.ZipFile` / SAM's `InlineCode` (CloudFormation writes it to `index.js` / `index.py`);
- a local path: SAM's `CodeUri`, or `Code` as a string, the form `aws cloudformation package` uploads and
  `sam build` writes (AWS CLI reference, cloudformation package: "Code property for the AWS::Lambda::Function");
- the CDK asset folder: `Code: {S3Bucket, S3Key}` with `Metadata: {aws:asset:path: asset.<hash>,
  aws:asset:property: Code}`, relative to cdk.out, as the `cdk synth` CLI writes it (aws-cdk cx-api
  `ASSET_RESOURCE_PATH_METADATA`; a template synthesised without asset metadata has only the S3 location).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .mapping import FUNCTION_FLAG, LAYER_FLAG, env_text
from .model.function import Build, Function, Permission
from .stack import LAYER_TYPES, Keys, Stack

ASSET_PATH = "aws:asset:path"


def lambda_function(stack: Stack, logical_id: str) -> Function | None:
    keys: Keys = ("Resources", logical_id, "Properties")
    props = stack.properties(logical_id)

    def code(runtime: str) -> str:
        value = props.get("Code")
        if isinstance(value, dict) and "ZipFile" in value:
            return str(stack.code.inline(stack.o.prefix + logical_id,
                                         stack.string(value["ZipFile"], keys + ("Code", "ZipFile")), runtime))
        return _task_root(stack, logical_id, value, keys + ("Code",), "Code")

    if isinstance(props.get("Code"), dict) and "ImageUri" in props["Code"]:
        props = {**props, "PackageType": "Image"}
    return _function(stack, logical_id, props, keys, code)


def serverless_function(stack: Stack, logical_id: str, props: dict[str, Any]) -> Function | None:
    """`props` with SAM's Globals already merged in."""
    keys: Keys = ("Resources", logical_id, "Properties")

    def code(runtime: str) -> str:
        if "InlineCode" in props:
            return str(stack.code.inline(stack.o.prefix + logical_id,
                                         stack.string(props["InlineCode"], keys + ("InlineCode",)), runtime))
        return _task_root(stack, logical_id, props.get("CodeUri", "."), keys + ("CodeUri",), "CodeUri")

    return _function(stack, logical_id, props, keys, code)


def _function(stack: Stack, logical_id: str, props: dict[str, Any], keys: Keys,
              code: Callable[[str], str]) -> Function | None:
    if props.get("PackageType") == "Image":
        stack.warn(keys + ("PackageType",), f"{logical_id}: container image functions are not served (no Docker); "
                   "skipped")
        return None
    name, arn = stack.function_name(logical_id), stack.function_arn(logical_id)
    if "TenancyConfig" in props:
        # LDG tenant-isolation.html / tenant-isolation-invoke.html: PER_TENANT gives each tenant id its own execution
        # environments, and every invocation must carry a tenant id (X-Amz-Tenant-Id, mapped by API Gateway).
        stack.warn(keys + ("TenancyConfig",), f"{logical_id}: TenancyConfig (tenant isolation) is not emulated: "
                   "every request runs in the function's shared execution environments, with no tenant id in its "
                   "context, where AWS keeps one set of environments per tenant and refuses an invocation without a "
                   "tenant id")
    spec = stack.o.mapping.find(arn, name, logical_id)
    env: dict[str, str] = {}
    variables = ((props.get("Environment") or {}).get("Variables") or {})
    for key, value in stack.resolve(variables, keys + ("Environment", "Variables")).items():
        env[key] = env_text(value)
    if spec is not None:
        handler, runtime = spec.handler, spec.runtime
        root = stack.code.task_root(stack.o.prefix + logical_id, spec.path)
        code_dir = str(root or spec.path)
        env.update(spec.environment or ())
    else:
        for required in ("Handler", "Runtime"):
            if required not in props:
                raise stack.t.error(keys, f"function {logical_id} has no {required}")
        handler = stack.string(props["Handler"], keys + ("Handler",))
        runtime = stack.string(props["Runtime"], keys + ("Runtime",))
        code_dir = code(runtime)
    full_path = "/".join(stack.o.stack_path + (logical_id,))
    for variable in apply_env_vars(env, stack.o.env_vars, (logical_id, name, full_path)):
        stack.o.env_var_notes.setdefault(variable, []).append(stack.o.prefix.replace("-", "/") + logical_id)
    layer_paths, layer_builds = layers(stack, props.get("Layers") or [], keys + ("Layers",))
    reserved = props.get("ReservedConcurrentExecutions")
    timeout = float(stack.string(props.get("Timeout", 3), keys + ("Timeout",)))
    memory = int(stack.string(props.get("MemorySize", 128), keys + ("MemorySize",)))
    return Function(
        logical_id=logical_id, name=name, arn=arn, runtime=runtime, handler=handler, code_dir=code_dir,
        timeout=spec.timeout if spec is not None and spec.timeout is not None else timeout,
        memory_size=spec.memory_size if spec is not None and spec.memory_size is not None else memory,
        environment=tuple(env.items()),
        reserved_concurrency=None if reserved is None else int(
            stack.string(reserved, keys + ("ReservedConcurrentExecutions",))),
        layers=layer_paths,
        architecture=str((stack.resolve(props.get("Architectures") or ["x86_64"], keys) or ["x86_64"])[0]),
        location=stack.location("Resources", logical_id),
        build=None if spec is not None else build_metadata(stack, logical_id, code_dir),
        layer_builds=layer_builds,
    )


def apply_env_vars(env: dict[str, str], env_vars: dict[str, dict[str, str]], names: tuple[str, ...]) -> list[str]:
    """SAM's env.json over the template's values: `Parameters` for every function, then the function's own section,
    found by logical id, function name or full path (`Child/Function`), in SAM CLI's order (samcli/commands/local/
    lib/local_lambda.py, `_make_env_vars`). SAM CLI sets only the variables the template declares; lambdagate also
    sets the others (an `AWS_ENDPOINT_URL` for a local emulator) and returns their names for a start-up notice."""
    own = next((env_vars[name] for name in names if env_vars.get(name)), {})
    undeclared = []
    for section in (env_vars.get("Parameters") or {}, own):
        for name, value in section.items():
            if name not in env:
                undeclared.append(name)
            env[name] = env_text(value)
    return list(dict.fromkeys(undeclared))


def env_var_notice(notes: dict[str, list[str]], path: str) -> str | None:
    """One start-up line for the variables --env-vars gives that no template declares: {variable: functions}."""
    if not notes:
        return None
    shown = "; ".join(f"{name} ({', '.join(functions)})" for name, functions in notes.items())
    return (f"{path}: --env-vars sets variables the template does not declare for these functions: {shown}; "
            "lambdagate sets them (SAM CLI leaves them out)")


def _local_path(stack: Stack, logical_id: str, value: Any, keys: Keys) -> Path | None:
    """A local path written in the template, or the CDK asset folder named in the resource's Metadata."""
    resolved = stack.resolve(value, keys)
    if isinstance(resolved, str):
        return (stack.base / resolved).resolve()
    asset = (stack.resources[logical_id].get("Metadata") or {}).get(ASSET_PATH)
    return (stack.base / asset).resolve() if isinstance(asset, str) else None


def _task_root(stack: Stack, logical_id: str, value: Any, keys: Keys, prop: str) -> str:
    path = _local_path(stack, logical_id, value, keys)
    if path is None and value is None:
        raise stack.t.error(keys[:-1], f"function {logical_id} has no {prop}")
    if path is None:
        where = stack.resolve(value, keys)
        s3 = f"s3://{where.get('S3Bucket', where.get('Bucket', '?'))}/{where.get('S3Key', where.get('Key', '?'))}" \
            if isinstance(where, dict) else repr(where)
        raise stack.t.error(keys, f"{prop} is in S3 ({s3}); lambdagate runs code from this machine: serve the "
                            "template before `sam package`/`aws cloudformation package` (or the `sam build` / "
                            f"`cdk synth` output), or map the function with {FUNCTION_FLAG}")
    root = stack.code.task_root(stack.o.prefix + logical_id, path)
    if root is None:
        written = value if isinstance(value, str) else path.name
        raise stack.t.error(keys, f"{prop} {written!r}: no such folder or .zip ({path})")
    return str(root)


def build_metadata(stack: Stack, logical_id: str, source: str) -> Build | None:
    """The resource's `Metadata: BuildMethod` and `BuildProperties`, which `sam build` reads."""
    metadata = stack.resources[logical_id].get("Metadata")
    if not isinstance(metadata, dict) or "BuildMethod" not in metadata:
        return None
    keys: Keys = ("Resources", logical_id, "Metadata")
    method = stack.string(metadata["BuildMethod"], keys + ("BuildMethod",))
    properties = stack.resolve(metadata.get("BuildProperties") or {}, keys + ("BuildProperties",))
    if not isinstance(properties, dict):
        raise stack.t.error(keys + ("BuildProperties",), "BuildProperties must be a mapping")
    frozen = tuple((str(k), tuple(v) if isinstance(v, list) else v) for k, v in properties.items())
    return Build(logical_id, method, source, frozen, stack.location(*keys))


def layers(stack: Stack, values: list[Any], keys: Keys) -> tuple[tuple[str, ...], tuple[tuple[str, Build], ...]]:
    """The local content of each layer, in order: a layer of this template (`!Ref`), one another stack of the
    deployment defines (its ARN passed as a parameter or an output), or one mapped by ARN (`--layer`, `layers:`);
    and how those with `Metadata: BuildMethod` are built."""
    paths: list[str] = []
    builds: list[tuple[str, Build]] = []
    for i, layer in enumerate(values):
        ref = layer.get("Ref") if isinstance(layer, dict) else None
        if isinstance(ref, str) and stack.type_of(ref) in LAYER_TYPES:
            owner, logical_id = stack, ref
        else:
            arn = stack.string(layer, keys + (i,))
            mapped = stack.o.mapping.layer(arn)
            defined = stack.o.stack_layers.get(arn)
            if mapped is not None:
                root = stack.code.task_root("layer-" + re.sub(r"[^A-Za-z0-9_.-]", "-", arn), mapped)
                if root is None:
                    raise stack.t.error(keys + (i,), f"layer {arn} is mapped to {mapped}, which is no folder or .zip")
                paths.append(str(root))
                continue
            if defined is None:
                stack.warn(keys + (i,), f"layer {arn} is not in this template and cannot be fetched: code that "
                           f"imports from it fails as on AWS without it; map it to a local copy with {LAYER_FLAG} or "
                           "in the mapping file's layers:")
                continue
            owner, logical_id = defined
        root_path = layer_root(owner, logical_id)
        paths.append(root_path)
        built = build_metadata(owner, logical_id, root_path)
        if built is not None:
            builds.append((root_path, built))
    return tuple(paths), tuple(builds)


def layer_root(stack: Stack, logical_id: str) -> str:
    """The folder of a template's AWS::Serverless::LayerVersion / AWS::Lambda::LayerVersion content."""
    props = stack.properties(logical_id)
    prop = "ContentUri" if "ContentUri" in props else "Content"
    where: Keys = ("Resources", logical_id, "Properties", prop)
    path = _local_path(stack, logical_id, props.get(prop), where)
    root = stack.code.task_root(f"layer-{stack.o.prefix}{logical_id}", path) if path is not None else None
    if root is None:
        raise stack.t.error(where, "the layer's content must be a local folder or .zip to be served")
    return str(root)


def permissions(stack: Stack) -> list[Permission]:
    out = []
    for logical_id in stack.logical_ids("AWS::Lambda::Permission"):
        keys: Keys = ("Resources", logical_id, "Properties")
        props = stack.resolve(stack.properties(logical_id), keys)
        for required in ("FunctionName", "Action", "Principal"):
            if required not in props:
                raise stack.t.error(keys, f"AWS::Lambda::Permission needs {required}")
        out.append(Permission.allow(str(props["FunctionName"]), str(props["Action"]), str(props["Principal"]),
                              props.get("SourceArn"), props.get("SourceAccount"),
                              stack.location("Resources", logical_id)))
    return out
