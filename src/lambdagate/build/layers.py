"""Layers with `Metadata: BuildMethod` (AWS SAM developer guide, "Building Lambda layers"): `python3.X` puts the
layer's files and its requirements.txt's packages in `python/`, `nodejsX.x` its files and its package.json's
production dependencies in `nodejs/` (with `nodejs/node_modules`), `makefile` runs `make build-<LogicalId>` with
ARTIFACTS_DIR. Those are the folders Lambda merges into /opt (LDG packaging-layers.md, "Layer paths for each
runtime")."""

from __future__ import annotations

from pathlib import Path

from ..definition.model.function import Build
from ..runtime.interpreters import Interpreter
from . import makefile, python
from .node import NPM_QUIET, manifest
from .steps import StepFailed, run


def build_layer(build: Build, target: Path, interpreter: Interpreter | None) -> None:
    source = Path(build.source)
    method = build.method
    if method == "makefile":
        makefile.make(build, target)
    elif method.startswith("python"):
        assert interpreter is not None
        folder = target / "python"
        makefile.scratch_copy(source, folder)
        requirements = python.requirements_of(source)
        if requirements is not None:
            python.pip_install(interpreter, folder, ["-r", str(requirements)], source)
    elif method.startswith("nodejs"):
        folder = target / "nodejs"
        makefile.scratch_copy(source, folder)
        if manifest(folder).get("dependencies") and not (folder / "node_modules").is_dir():
            run(["npm", "install", "--omit=dev", *NPM_QUIET], folder)
    else:
        raise StepFailed(f"BuildMethod {method!r} for a layer: lambdagate builds python3.x, nodejsX.x and makefile "
                         "layers")
