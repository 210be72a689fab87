"""`sam build`'s work without Docker: `lambdagate build` then `lambdagate serve` on a fresh copy of a project with a
requirements.txt dependency, a Powertools app, a makefile build and a layer with BuildMethod; builds cached and
never written into the source folders; hints for unbuilt code; `.aws-sam/build/template.yaml` served as
`sam local start-api` serves it; esbuild's command line from BuildProperties."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS, copy_app
from harness import RunningGateway
from lambdagate.build import prepared
from lambdagate.build.esbuild import arguments
from lambdagate.build.hints import unbuilt_hint
from lambdagate.config import Source
from lambdagate.definition.model.function import Build, Function
from lambdagate.doctor import examine
from served import Served, lambdagate

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "built")


@pytest.fixture(scope="module")
def first_build(project: Path) -> str:
    done = lambdagate("build", cwd=project)
    assert done.returncode == (0 if shutil.which("make") else 1), done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def served(project: Path, first_build: str) -> Iterator[Served]:
    running = Served(project)
    yield running
    running.close()


@pytest.mark.slow
def test_build_says_what_it_built(first_build: str) -> None:
    assert "lambdagate: DepsFunction (python3.13): deps + .lambdagate/build/DepsFunction/python-packages" \
        in first_build
    assert "lambdagate: 3 functions, " in first_build


@pytest.mark.slow
def test_a_requirements_dependency_and_a_built_layer(served: Served) -> None:
    reply = served.request("GET", "/deps")
    assert reply.status == 200, served.output
    body = reply.json()
    assert body["shared"] == "shared from a built layer" and body["requests"] and body["tabulate"]


@pytest.mark.slow
def test_a_powertools_app(served: Served) -> None:
    reply = served.request("GET", "/hello")
    assert (reply.status, reply.json()) == (200, {"message": "hello world"}), served.output
    output = served.settled()
    record = next(json.loads(line.split("] ", 1)[1]) for line in output.splitlines()
                  if line.startswith("[PowertoolsFunction] {\"level\""))
    assert (record["message"], record["service"], record["cold_start"]) == ("Hello world API - HTTP 200",
                                                                            "PowertoolsHelloWorld", True)
    assert '"Metrics":[{"Name":"ColdStart","Unit":"Count"}]' in output      # EMF on stdout, as on Lambda


@pytest.mark.slow
@needs_make
def test_a_makefile_build(served: Served) -> None:
    reply = served.request("GET", "/made")
    assert (reply.status, reply.json()) == (200, {"made": "by make build-MakefileFunction"}), served.output


@pytest.mark.slow
def test_the_source_folders_are_left_as_they_were(project: Path, served: Served) -> None:
    original = APPS / "built"
    served.request("GET", "/deps")
    listed = sorted(str(p.relative_to(project)) for p in project.rglob("*") if ".lambdagate" not in p.parts)
    assert listed == sorted(str(p.relative_to(original)) for p in original.rglob("*") if "__pycache__" not in p.parts)


@pytest.mark.slow
def test_a_second_build_is_cached(project: Path, first_build: str) -> None:
    again = lambdagate("build", cwd=project)
    # on Python 3.13, or the closest interpreter this machine has
    assert re.search(r"DepsFunction: pip install -r deps/requirements.txt \(Python 3\.\d+\): up to date", again.stdout)
    assert re.search(r"PowertoolsFunction: pip install -r powertools/requirements.txt \(Python 3\.\d+\): up to date",
                     again.stdout)
    assert " ..." not in again.stdout.replace("(once", "")     # no step ran


# -- unbuilt code: the hint names the file that lists the module, and the command ---------------------------------
def _never_built(folder: Path) -> None:
    """Requirements no build has installed yet (the shared cache is keyed by their content)."""
    requirements = folder / "powertools" / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"# {uuid.uuid4()}\n")


@pytest.fixture(scope="module")
def unbuilt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    folder = copy_app(tmp_path_factory, "built")
    _never_built(folder)
    running = RunningGateway(folder / "template.yaml", watch=False, build=False)
    yield running
    running.close()


def test_an_unbuilt_dependency_is_hinted_with_its_requirements_file(unbuilt: RunningGateway) -> None:
    reply = unbuilt.request("GET", "/hello")
    assert reply.status == 502
    assert "requirements.txt lists the function's dependencies and they are not installed: run `lambdagate build`" \
        in unbuilt.console
    assert "Unable to import module 'app': No module named 'aws_lambda_powertools'" in unbuilt.console


def test_doctor_gives_the_same_fix_and_says_what_is_not_built(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(APPS / "built", folder)
    _never_built(folder)
    report = examine(Source(template=folder / "template.yaml"), ["PowertoolsFunction"])
    handler = next(c for c in report.checks if c.family == "handler")
    [finding] = [f for f in handler.findings if f.rule == "handler.dependency-missing"]
    assert "lists the function's dependencies and they are not installed: run `lambdagate build`" in finding.fix
    assert any("PowertoolsFunction: not built yet (pip install -r" in note for note in report.notes)


TS_ONLY = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs22.x
      Events:
        Hello: {Type: Api, Properties: {Path: /hello, Method: get}}
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_typescript_without_a_build_is_hinted(tmp_path: Path) -> None:
    (tmp_path / "hello-world").mkdir()
    (tmp_path / "hello-world" / "app.ts").write_text("export const lambdaHandler = async () => ({statusCode: 200});")
    (tmp_path / "template.yaml").write_text(TS_ONLY)
    running = RunningGateway(tmp_path / "template.yaml", watch=False)
    try:
        assert running.request("GET", "/hello").status == 502
        assert "is TypeScript, and Lambda runs JavaScript: give HelloWorldFunction `Metadata: {BuildMethod: " \
               "esbuild, BuildProperties: {EntryPoints: [app.ts]}}`" in running.console
    finally:
        running.close()


def _function(runtime: str, code_dir: Path, **more: object) -> Function:
    return Function("Fn", "Fn", "arn:aws:lambda:us-east-1:123456789012:function:Fn", runtime, "app.handler",
                    str(code_dir), **more)  # type: ignore[arg-type]


def test_hints(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\n")
    (tmp_path / "package.json").write_text('{"dependencies": {"axios": "1"}}')
    python = _function("python3.12", tmp_path)
    message = "Unable to import module 'app': No module named 'requests'"
    assert "requirements.txt lists the function's dependencies and they are not installed" in unbuilt_hint(
        python, "Runtime.ImportModuleError", message)
    built = _function("python3.12", tmp_path, package_dirs=(str(tmp_path / "packages"),))
    assert "'requests' is not installed by" in unbuilt_hint(built, "Runtime.ImportModuleError", message)
    assert unbuilt_hint(python, "Runtime.HandlerNotFound", message) == ""
    node = _function("nodejs22.x", tmp_path)
    assert "lists axios and it is not installed" in unbuilt_hint(node, "Error", "Cannot find package 'axios' "
                                                                            "imported from /var/task/app.mjs")
    assert "left-pad is not a dependency in" in unbuilt_hint(node, "Runtime.ImportModuleError",
                                                            "Error: Cannot find module 'left-pad'")
    assert "@aws-sdk/client-s3 is one of the AWS SDK packages Lambda's nodejs22.x runtime carries" in unbuilt_hint(
        node, "Error", "Cannot find package '@aws-sdk/client-s3' imported from /var/task/app.mjs")
    assert unbuilt_hint(node, "Error", "Cannot find module './local'") == ""


# -- sam build's output ---------------------------------------------------------------------------------------------
def _sam_built(folder: Path) -> None:
    shutil.copytree(APPS / "code-dot", folder)
    built = folder / ".aws-sam" / "build"
    (built / "RootFunction").mkdir(parents=True)
    (built / "RootFunction" / "root.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    (built / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          RootFunction:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, CodeUri: RootFunction, Handler: root.handler}
        """))


def test_sam_builds_template_is_served_when_it_is_not_older(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sam_built(tmp_path / "app")
    monkeypatch.chdir(tmp_path / "app")
    source = Source()
    deployment, state_dir = prepared(source, lambda _: None, install=False), source.state_dir
    assert deployment.warnings[0].startswith("serving .aws-sam/build/template.yaml, `sam build`'s output")
    [function] = deployment.functions.values()
    assert function.code_dir == str(tmp_path / "app" / ".aws-sam" / "build" / "RootFunction")
    assert state_dir == tmp_path / "app" / ".lambdagate"
    old = os.stat(tmp_path / "app" / "template.yaml").st_mtime - 60
    os.utime(tmp_path / "app" / ".aws-sam" / "build" / "template.yaml", (old, old))
    deployment = prepared(Source(), lambda _: None, install=False)
    assert set(f.logical_id for f in deployment.functions.values()) == {"RootFunction", "SubFunction"}


# -- esbuild's command line -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("properties", "expected"), [
    ({"EntryPoints": ("app.ts",)},
     ["app.ts", "--bundle", "--platform=node", "--outdir=/out", "--format=cjs", "--target=es2020", "--minify",
      "--main-fields=main,module"]),
    ({"EntryPoints": ("src/a.ts", "src/b.ts"), "Format": "esm", "Target": "es2022", "Minify": False,
      "Sourcemap": True, "SourcesContent": False, "External": ("@aws-sdk/*", "sharp"), "Loader": (".png=file",),
      "OutExtension": (".js=.mjs",), "MainFields": "module,main", "Banner": ("js=const a = 1;",)},
     ["src/a.ts", "src/b.ts", "--bundle", "--platform=node", "--outdir=/out", "--format=esm", "--target=es2022",
      "--sourcemap", "--sources-content=false", "--main-fields=module,main", "--external:@aws-sdk/*",
      "--external:sharp", "--loader:.png=file", "--out-extension:.js=.mjs", "--banner:js=const a = 1;"]),
], ids=["sam-init-defaults", "every-property"])
def test_esbuild_arguments_from_build_properties(properties: dict[str, object], expected: list[str]) -> None:
    build = Build("Fn", "esbuild", "/src", tuple(properties.items()))
    assert arguments(build, "app.handler", {}, Path("/out")) == expected


def test_source_maps_follow_node_options_unless_build_properties_say_otherwise() -> None:
    options = {"NODE_OPTIONS": "--enable-source-maps"}
    assert "--sourcemap" in arguments(Build("Fn", "esbuild", "/s", (("EntryPoints", ("a.ts",)),)), "a.h", options,
                                      Path("/o"))
    assert "--sourcemap" not in arguments(Build("Fn", "esbuild", "/s", (("EntryPoints", ("a.ts",)), (
        "Sourcemap", False))), "a.h", options, Path("/o"))


def test_version(tmp_path: Path) -> None:
    from importlib import metadata

    done = lambdagate("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"lambdagate {metadata.version('lambdagate')}\n")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_doctor_says_what_serve_says_about_a_node_runtime(tmp_path: Path) -> None:
    """No "install the runtime's language" for nodejs24.x when node is installed: the start-up note instead."""
    folder = tmp_path / "app"
    shutil.copytree(APPS / "code-dot", folder)
    (folder / "template.yaml").write_text(TS_ONLY.replace("CodeUri: hello-world/", "CodeUri: .")
                                          .replace("nodejs22.x", "nodejs24.x").replace("app.lambdaHandler",
                                                                                       "index.handler"))
    (folder / "index.mjs").write_text("export const handler = async () => ({statusCode: 200, body: 'ok'});\n")
    report = examine(Source(template=folder / "template.yaml"))
    limits = next(c for c in report.checks if c.family == "limits")
    assert not [f for f in limits.findings if f.rule == "limits.runtime-unavailable"]
    local = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if not local.startswith("v24."):
        assert f"Runtime nodejs24.x runs on the local node {local}" in limits.summary
