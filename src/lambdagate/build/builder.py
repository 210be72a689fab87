"""What each function needs before it runs, prepared in order: the runtime's packages for its interpreter, its
layers' builds, its own build (esbuild, makefile) or its dependencies (requirements.txt, package.json), and the
AWS SDK packages it imports. Each step is cached; a step that fails is reported and the function is served
without it (it then fails as unbuilt code fails on Lambda, with a hint in the terminal).

A function's builds are reached through stable links in `.lambdagate/build/<LogicalId>/`:

    code             -> <hash>/            esbuild's bundle or the Makefile's ARTIFACTS_DIR (the new code_dir)
    python-packages  -> <cache>/python/packages/<hash>/      (package_dirs: after the code on sys.path)
    node_modules     -> <cache>/node/packages/<hash>/node_modules   (package_dirs: first in NODE_PATH)

and layers' builds through `.lambdagate/build/layers/<LogicalId>/current`. `.lambdagate/build/package.json` ends
Node.js's package scope there (node.end_package_scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..definition.model.function import Build, Function
from ..runtime import bundled, catalog
from ..runtime.catalog import NODE_RUNTIMES, PYTHON_RUNTIMES
from ..runtime.interpreters import Interpreter, version_of
from ..runtime.launchers import Runtimes
from . import cache, esbuild, makefile, node, python
from .layers import build_layer
from .steps import Progress, StepFailed, shown

Notice = Callable[[str], None]
NOT_INSTALLED = "`lambdagate build` (or `lambdagate serve`) installs it"
ARTIFACT_BUILDS = ("esbuild", "makefile")
# What `sam build` does for a Node.js function without BuildMethod (aws-lambda-builders' "nodejs-npm" workflow).
DEFAULT_NODE_BUILD = "nodejs-npm"


class Builder:
    def __init__(self, state_dir: Path, notice: Notice, install: bool = True, verbose: bool = False,
                 runtimes: Runtimes | None = None) -> None:
        self.state_dir = state_dir
        self.notice = notice
        self.install = install              # False: only use what earlier builds left, and say what is missing
        self.verbose = verbose              # also say what was already built
        self.runtimes = runtimes or Runtimes(state_dir)
        self.progress = Progress(notice)
        self.problems: list[str] = []
        self._sdk_imports: dict[tuple[str, int], set[str]] = {}

    # -- one function -----------------------------------------------------------------------------------------
    def function(self, fn: Function, sam_built: bool = False) -> Function:
        if not catalog.runtime(fn.runtime).served:
            return fn
        if fn.runtime in PYTHON_RUNTIMES:
            self._runtime_packages(fn)
        if not sam_built:  # `sam build`'s output is built already
            fn = self._layers(fn)
            method = fn.build.method if fn.build is not None else None
            if fn.build is not None and method in ARTIFACT_BUILDS:
                fn = self._artifact(fn, fn.build)
            elif fn.build is not None and method != DEFAULT_NODE_BUILD and method not in catalog.SERVED:
                self._problem(fn, f"BuildMethod {method} ({fn.build.location}) is not one lambdagate runs (it runs "
                                  f"{' and '.join(ARTIFACT_BUILDS)}, and the default builds of Python and Node.js); "
                                  "the function is served from its CodeUri as it is")
            elif fn.runtime in PYTHON_RUNTIMES:
                fn = replace(fn, package_dirs=self._python_packages(fn))
            elif fn.runtime in NODE_RUNTIMES:
                fn = self._node_with_dependencies(fn)
        if fn.runtime in NODE_RUNTIMES:
            self._sdk(fn)
        return fn

    def _folder(self, fn: Function) -> Path:
        return self._root() / fn.logical_id

    def _root(self) -> Path:
        root = self.state_dir / "build"
        node.end_package_scope(root)
        return root

    def _problem(self, fn: Function, text: str) -> None:
        where = f"{fn.location}: " if fn.location.file else ""
        self.problems.append(f"{where}{fn.logical_id}: {text}")

    def _attempt(self, fn: Function, what: str, work: Callable[[], object]) -> bool:
        try:
            self.progress.step(f"{fn.logical_id}: {what}", work)
        except (StepFailed, OSError) as e:
            self._problem(fn, f"{what} failed, the function is served without it: {e}")
            return False
        return True

    # -- the runtime's packages -------------------------------------------------------------------------------
    def _runtime_packages(self, fn: Function) -> None:
        chosen = self.runtimes.interpreters.choose(version_of(fn.runtime)).interpreter
        if chosen.own or bundled.complete(bundled.python_runtime_packages(chosen)) or not self.install:
            return
        self._attempt(fn, f"installing awslambdaric and boto3 for {chosen.name} ({chosen.executable}), as "
                          f"Lambda's {fn.runtime} runtime has them (once, into "
                          f"{shown(bundled.python_runtime_packages(chosen))})",
                      lambda: python.install_runtime_packages(chosen))

    # -- dependencies -----------------------------------------------------------------------------------------
    def _python_packages(self, fn: Function) -> tuple[str, ...]:
        requirements = python.requirements_of(Path(fn.code_dir))
        if requirements is None:
            return ()
        interpreter = self.runtimes.python_interpreter(fn.runtime)
        installed = python.packages_dir(requirements, interpreter)
        what = f"pip install -r {shown(requirements)} ({interpreter.name})"
        if not self._ready(fn, installed, what, lambda: python.install_requirements(requirements, interpreter)):
            return ()
        return (str(cache.point(self._folder(fn) / "python-packages", installed)),)

    def _node_packages(self, fn: Function, folder: Path) -> Path | None:
        """The production dependencies of `folder`'s package.json, installed in the cache (their node_modules)."""
        if not node.needs_install(folder) or not self.runtimes.node:
            return None
        major = self._node_major()
        installed = node.dependencies_dir(folder, major)
        lock = next((n for n in node.LOCK_FILES if (folder / n).is_file()), None)
        what = f"npm {'ci' if lock else 'install'} --omit=dev ({shown(folder / node.PACKAGE_JSON)})"
        if not self._ready(fn, installed, what, lambda: node.install_dependencies(folder, major)):
            return None
        return installed / "node_modules"

    def _node_with_dependencies(self, fn: Function) -> Function:
        """As `sam build` does for Node.js: the code with its node_modules in one folder (the function's
        /var/task), so that Node.js finds the dependencies by its own rules. The copy is cheap; the dependencies
        are linked from the cache."""
        source = Path(fn.build.source if fn.build is not None else fn.code_dir)
        dependencies = self._node_packages(fn, source)
        if dependencies is None:
            return fn
        folder = self._folder(fn)
        out = folder / cache.tree_hash(source, "nodejs-npm", str(dependencies))

        def make(target: Path) -> None:
            node.copy_code(source, target)
            (target / "node_modules").symlink_to(dependencies, target_is_directory=True)

        what = f"copy {shown(source)} with its node_modules"
        if not self._ready(fn, out, what, lambda: cache.publish(out, make)):
            return fn
        link = cache.point(folder / "code", out)
        cache.prune(folder, [out])
        build = fn.build or Build(fn.logical_id, DEFAULT_NODE_BUILD, str(source), location=fn.location)
        return replace(fn, code_dir=str(link), build=build)

    def _ready(self, fn: Function, built: Path, what: str, make: Callable[[], object]) -> bool:
        """A cached build is there, or made now (when installing); else a problem is noted."""
        if bundled.complete(built):
            if self.verbose:
                self.notice(f"{fn.logical_id}: {what}: up to date")
            return True
        if not self.install:
            self._problem(fn, f"not built yet ({what}); {NOT_INSTALLED}")
            return False
        return self._attempt(fn, what, make)

    def _node_major(self) -> int:
        version = self.runtimes.node_version().lstrip("v").split(".")[0]
        return int(version) if version.isdigit() else 0

    # -- builds that replace the code folder ------------------------------------------------------------------
    def _artifact(self, fn: Function, build: Build) -> Function:
        source = Path(build.source)
        folder = self._folder(fn)
        dependencies: Path | None = None
        if build.method == "esbuild":
            for name in esbuild.unknown_properties(build):
                self._problem(fn, f"BuildProperties {name} is not one lambdagate passes to esbuild; it is ignored")
            dependencies = self._node_packages(fn, source)
        key = cache.tree_hash(source, build.method, repr(build.properties), fn.handler,
                              str(dependencies.resolve()) if dependencies else "")
        out = folder / key

        def make(target: Path) -> None:
            if build.method == "esbuild":
                esbuild.bundle(build, fn.handler, dict(fn.environment), dependencies, target, self.notice)
            else:
                makefile.make(build, target)

        what = f"make build-{fn.logical_id} ({shown(source)})"
        if build.method == "esbuild":
            try:
                what = f"esbuild {' '.join(esbuild.entry_points(build, fn.handler))} ({shown(source)})"
            except StepFailed as e:
                self._problem(fn, f"cannot build it: {e}")
                return fn
        link = folder / "code"
        if not self._ready(fn, out, what, lambda: cache.publish(out, make)):
            if link.is_symlink() and link.exists():   # an earlier build is better than the source
                return replace(fn, code_dir=str(link))
            return fn
        cache.point(link, out)
        cache.prune(folder, [out])
        environment = dict(fn.environment)
        if build.method == "esbuild" and esbuild.source_maps(build, environment):
            options = environment.get("NODE_OPTIONS", "")
            if esbuild.SOURCE_MAPS not in options:
                environment["NODE_OPTIONS"] = f"{options} {esbuild.SOURCE_MAPS}".strip()
        return replace(fn, code_dir=str(link), environment=tuple(environment.items()))

    def _layers(self, fn: Function) -> Function:
        if not fn.layer_builds:
            return fn
        built = dict(fn.layer_builds)
        layers, builds = [], []
        for layer in fn.layers:
            build = built.get(layer)
            if build is None:
                layers.append(layer)
                continue
            folder = self._root() / "layers" / build.logical_id
            out = folder / cache.tree_hash(Path(build.source), build.method)
            interpreter = self._layer_interpreter(build)
            what = f"build layer {build.logical_id} ({build.method}, {shown(build.source)})"
            if self._ready(fn, out, what, lambda b=build, o=out, i=interpreter: cache.publish(  # type: ignore[misc]
                    o, lambda target: build_layer(b, target, i))):
                link = cache.point(folder / "current", out)
                cache.prune(folder, [out])
                layers.append(str(link))
                builds.append((str(link), build))
            else:
                layers.append(layer)
                builds.append((layer, build))
        return replace(fn, layers=tuple(layers), layer_builds=tuple(builds))

    def _layer_interpreter(self, build: Build) -> Interpreter | None:
        if build.method in PYTHON_RUNTIMES:
            return self.runtimes.python_interpreter(build.method)
        return None

    # -- the AWS SDK for JavaScript ---------------------------------------------------------------------------
    def _sdk(self, fn: Function) -> None:
        major = catalog.runtime(fn.runtime).major
        source = Path(fn.build.source if fn.build is not None else fn.code_dir)
        key = (str(source), major)
        if key not in self._sdk_imports:
            self._sdk_imports[key] = bundled.imported_sdk_packages(source, major)
        own = [source / "node_modules", Path(fn.code_dir) / "node_modules", *(Path(p) for p in fn.package_dirs)]
        own += [Path(layer) / "nodejs" / sub / "node_modules" for layer in fn.layers for sub in (f"node{major}", "")]
        wanted = {p for p in self._sdk_imports[key] if not node.vendored(p, own)}
        missing = node.sdk_missing(wanted, major)
        if not missing:
            return
        where = shown(bundled.node_sdk(major))
        if not self.install:
            self._problem(fn, f"imports {', '.join(missing)}, which Lambda's {fn.runtime} runtime carries and "
                              f"lambdagate has not installed yet (into {where}); {NOT_INSTALLED}")
            return
        self._attempt(fn, f"installing {', '.join(missing)} from npm, as Lambda's {fn.runtime} runtime carries "
                          f"it (once, into {where})", lambda: node.install_sdk(missing, major))
