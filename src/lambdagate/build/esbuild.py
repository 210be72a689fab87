"""`Metadata: BuildMethod: esbuild`: the function bundled by esbuild with its `BuildProperties`, as `sam build`
does it (AWS SAM developer guide, "Building Node.js Lambda functions with esbuild"; the command line as
`sam build --debug` prints it):

    esbuild <EntryPoints> --bundle --platform=node --outdir=<build> --format=<Format> --target=<Target>
            [--minify] [--sourcemap] [--sources-content=false] [--external:<External>...] [--loader:<Loader>...]
            [--main-fields=<MainFields>] [--out-extension:<OutExtension>...] [--banner:<Banner>] [--footer:<Footer>]

Defaults (the guide): EntryPoints the handler's module; Minify true; Sourcemap false; MainFields main,module;
Format cjs (esbuild's for --platform=node); Target es2020 [UNCERTAIN: SAM's default, not stated in the guide].
With Sourcemap true, NODE_OPTIONS=--enable-source-maps joins the function's environment, and an environment that
has it turns Sourcemap on unless BuildProperties says false (the guide). With one entry point the bundle is
`<build>/<entry's name>.js`, so the Handler names the file without its folders, as after `sam build`.

esbuild itself: the one the project installs (its node_modules/.bin), else the one lambdagate installs once from
npm into its cache (`tools/esbuild`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..definition.model.function import Build
from ..runtime import bundled
from . import cache
from .node import NPM_QUIET
from .steps import StepFailed, run, shown

ESBUILD_RANGE = "0"                   # the newest esbuild 0.x from npm
HANDLER_SUFFIXES = (".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx")
SOURCE_MAPS = "--enable-source-maps"
LIST_FLAGS = {"External": "--external:", "Loader": "--loader:", "OutExtension": "--out-extension:"}
KNOWN = {"EntryPoints", "Format", "Target", "Minify", "Sourcemap", "SourcesContent", "MainFields", "Banner",
         "Footer", "Platform", *LIST_FLAGS}


def _list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def entry_points(build: Build, handler: str) -> list[str]:
    properties = dict(build.properties)
    if "EntryPoints" in properties:
        return _list(properties["EntryPoints"])
    module = handler.rsplit(".", 1)[0]
    for suffix in HANDLER_SUFFIXES:
        if (Path(build.source) / (module + suffix)).is_file():
            return [module + suffix]
    raise StepFailed(f"no EntryPoints in BuildProperties and no {module}.ts/.js for the handler {handler!r} in "
                     f"{build.source}")


def source_maps(build: Build, environment: dict[str, str]) -> bool:
    properties = dict(build.properties)
    if "Sourcemap" in properties:
        return _flag(properties["Sourcemap"])
    return SOURCE_MAPS in environment.get("NODE_OPTIONS", "")


def arguments(build: Build, handler: str, environment: dict[str, str], outdir: Path) -> list[str]:
    properties = dict(build.properties)
    argv = [*entry_points(build, handler), "--bundle", f"--platform={properties.get('Platform', 'node')}",
            f"--outdir={outdir}", f"--format={properties.get('Format', 'cjs')}",
            f"--target={properties.get('Target', 'es2020')}"]
    if _flag(properties.get("Minify", True)):
        argv.append("--minify")
    if source_maps(build, environment):
        argv.append("--sourcemap")
        if "SourcesContent" in properties and not _flag(properties["SourcesContent"]):
            argv.append("--sources-content=false")
    argv.append("--main-fields=" + ",".join(_list(properties.get("MainFields", "main,module"))))
    for name, flag in LIST_FLAGS.items():
        argv += [flag + item for item in _list(properties.get(name, ()))]
    for name in ("Banner", "Footer"):
        for item in _list(properties.get(name, ())) if name in properties else []:
            argv.append(f"--{name.lower()}:{item if '=' in item else 'js=' + item}")
    return argv


def unknown_properties(build: Build) -> list[str]:
    return [name for name, _ in build.properties if name not in KNOWN]


def esbuild_command(build: Build, dependencies: Path | None, notice: Callable[[str], None]) -> str:
    """The project's esbuild when it has one, else lambdagate's (installed from npm once)."""
    for folder in (Path(build.source) / "node_modules", dependencies):
        if folder is not None and (folder / ".bin" / "esbuild").is_file():
            return str(folder / ".bin" / "esbuild")
    tool = bundled.cache_dir() / "tools" / "esbuild"

    def install(folder: Path) -> None:
        notice(f"installing esbuild from npm into {shown(tool)} (once) ...")
        (folder / "package.json").write_text('{"private": true}\n')
        run(["npm", "install", f"esbuild@{ESBUILD_RANGE}", *NPM_QUIET], folder)

    return str(cache.publish(tool, install) / "node_modules" / ".bin" / "esbuild")


def bundle(build: Build, handler: str, environment: dict[str, str], dependencies: Path | None, target: Path,
           notice: Callable[[str], None]) -> None:
    esbuild = esbuild_command(build, dependencies, notice)
    env = {"NODE_PATH": str(dependencies)} if dependencies is not None else {}
    run([esbuild, *arguments(build, handler, environment, target), "--log-level=warning"], Path(build.source), env)
