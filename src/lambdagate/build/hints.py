"""When a function's code fails to import a module, what to do about it: the file that lists the module (or
should), or the TypeScript file that needs a build, with the command. Shown after the request's error lines in
the terminal (`lambdagate: ...`) and as the fix in `lambdagate doctor`; never part of an answer."""

from __future__ import annotations

import re
from pathlib import Path

from ..definition.model.function import Function
from ..runtime import bundled, catalog
from . import node, python
from .esbuild import HANDLER_SUFFIXES
from .steps import shown

_PYTHON_MISSING = re.compile(r"No module named '(?P<missing>[^']+)'")
_NODE_MISSING = re.compile(r"Cannot find (?:module|package) '(?P<missing>[^']+)'")
BUILD = "`lambdagate build` (which `lambdagate serve` runs at start-up: its output says why it did not succeed)"


def unbuilt_hint(function: Function, error_type: str | None, message: str) -> str:
    """A hint for an import failure of unbuilt or incomplete code, or "" when there is nothing to add."""
    source = Path(function.build.source if function.build is not None else function.code_dir)
    if function.runtime.startswith("python") and error_type == "Runtime.ImportModuleError":
        found = _PYTHON_MISSING.search(message)
        return _python(function, source, found.group("missing").split(".")[0]) if found else ""
    if function.runtime.startswith("nodejs"):
        found = _NODE_MISSING.search(message)
        return _node(function, source, found.group("missing")) if found else ""
    return ""


def _python(function: Function, source: Path, module: str) -> str:
    requirements = python.requirements_of(source)
    if requirements is None:
        return (f"'{module}' is not in the function's code: list it in {shown(source / python.REQUIREMENTS)} "
                "(lambdagate installs it as `sam build` does), vendor it, or bring it in a layer")
    if not function.package_dirs:
        return f"{shown(requirements)} lists the function's dependencies and they are not installed: run {BUILD}"
    return (f"'{module}' is not installed by {shown(requirements)}: add it there (lambdagate installs it when the "
            "file changes)")


def _node(function: Function, source: Path, missing: str) -> str:
    if missing.startswith((".", "/")):
        return ""
    handler_module = function.handler.rsplit(".", 1)[0]
    if missing == Path(handler_module).name or missing == handler_module:
        typescript = next((source / (handler_module + s) for s in HANDLER_SUFFIXES[:4]
                           if (source / (handler_module + s)).is_file()), None)
        if typescript is None:
            return ""
        if function.build is not None and function.build.method == "esbuild":
            return f"{shown(typescript)} needs its esbuild build, which did not succeed: run {BUILD}"
        return (f"{shown(typescript)} is TypeScript, and Lambda runs JavaScript: give {function.logical_id} "
                "`Metadata: {BuildMethod: esbuild, BuildProperties: {EntryPoints: [" + typescript.name + "]}}` "
                "(as `sam init`'s TypeScript template has) and lambdagate bundles it")
    parts = missing.split("/")
    package = "/".join(parts[:2]) if missing.startswith("@") else parts[0]
    major = catalog.runtime(function.runtime).major
    if bundled.sdk_package(package, major) is not None:
        return (f"{package} is one of the AWS SDK packages Lambda's {function.runtime} runtime carries, which "
                f"lambdagate installs from npm on first use: that did not succeed; run {BUILD}")
    listed = node.manifest(source).get("dependencies") or {}
    if package in listed and not (Path(function.code_dir) / "node_modules").is_dir():
        return f"{shown(source / node.PACKAGE_JSON)} lists {package} and it is not installed: run {BUILD}"
    if package not in listed:
        return (f"{package} is not a dependency in {shown(source / node.PACKAGE_JSON)}: add it there (lambdagate "
                "installs the dependencies as `sam build` does), or bring it in a layer")
    return ""
