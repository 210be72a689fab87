"""`sam build`'s work without Docker or the SAM CLI, and what Lambda's runtimes carry, prepared before serving
(`lambdagate build`, and `lambdagate serve` at start-up). Nothing is written into the project's source folders:
builds go to `.lambdagate/build/` and to the shared cache (runtime/bundled.py).

    builder     per function, in order: runtime packages, layers, esbuild/makefile or dependencies, the AWS SDK
    cache       content hashes, locks, publishing a finished folder, stable links to builds
    steps       running pip / npm / esbuild / make with a progress line; failures quote the tool's output
    python      requirements.txt -> pip install --target; awslambdaric and boto3 for other interpreters
    node        package.json -> npm ci / npm install --omit=dev; the @aws-sdk/* packages the code imports
    esbuild     Metadata BuildMethod esbuild + BuildProperties -> a bundle
    makefile    BuildMethod makefile -> make build-<LogicalId> with ARTIFACTS_DIR
    layers      layers with BuildMethod python3.x, nodejsX.x or makefile
    hints       unbuilt code that fails to import -> the file that lists the module, and the command
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..config import Source
from ..definition.loader import load
from ..definition.model.deployment import Deployment
from ..definition.model.function import Function
from .builder import Builder

__all__ = ["Builder", "prepare", "prepared", "rebuild"]


def prepared(source: Source, notice: Callable[[str], None], install: bool = True) -> Deployment:
    """What `source` serves, its functions built (`install` False: with what earlier builds left, for commands that
    only look); progress goes to `notice`."""
    return prepare(load(source), source.state_dir, notice, install, source.sam_built)


def prepare(deployment: Deployment, state_dir: Path, notice: Callable[[str], None], install: bool = True,
            sam_built: bool = False, verbose: bool = False) -> Deployment:
    """The deployment with every function built (or, with `install` False, with what earlier builds left); what
    could not be prepared joins the deployment's warnings."""
    builder = Builder(state_dir, notice, install, verbose)
    functions = {arn: builder.function(fn, sam_built) for arn, fn in deployment.functions.items()}
    return replace(deployment, functions=functions, warnings=deployment.warnings + tuple(builder.problems))


def rebuild(function: Function, state_dir: Path, notice: Callable[[str], None]) -> None:
    """Build one function again after its code changed: what changed is rebuilt, its links switched (the
    function's paths stay the same). Problems are said at once."""
    builder = Builder(state_dir, notice)
    builder.function(function)
    for problem in builder.problems:
        notice(problem)
