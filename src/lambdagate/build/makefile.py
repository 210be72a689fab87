"""`Metadata: BuildMethod: makefile`: `make build-<LogicalId>` with ARTIFACTS_DIR set to the build's folder, run in
a scratch copy of the source folder so that the Makefile's own writes stay out of it, as `sam build` runs it by
default (AWS SAM developer guide, "Building custom runtimes": the Makefile has a target `build-<LogicalId>` that
puts what Lambda runs in $(ARTIFACTS_DIR))."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..definition.model.function import Build
from ..runtime.watch import counts_as_code
from .steps import StepFailed, run

MAKEFILE_NAMES = ("Makefile", "makefile", "GNUmakefile")


def scratch_copy(source: Path, target: Path) -> None:
    """The source folder's code (runtime/watch.py's rules), installed dependencies included."""
    def ignored(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if not counts_as_code((name,))}

    shutil.copytree(source, target, ignore=ignored, symlinks=True)


def make(build: Build, artifacts: Path) -> None:
    source = Path(build.source)
    if not any((source / name).is_file() for name in MAKEFILE_NAMES):
        raise StepFailed(f"BuildMethod makefile: no Makefile in {source}")
    with tempfile.TemporaryDirectory(prefix="lambdagate-make-") as scratch:
        copy = Path(scratch) / "source"
        scratch_copy(source, copy)
        run(["make", f"build-{build.logical_id}"], copy, {"ARTIFACTS_DIR": str(artifacts)})
