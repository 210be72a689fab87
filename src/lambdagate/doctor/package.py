"""Package permissions: Lambda runs the function as a user other than the files' owner, so every file must be
readable and every folder readable and searchable by others (644 / 755), executables 755; a .zip carries these
modes with each entry. Otherwise: `[Errno 13] Permission denied: '/var/task/lambda_function.py'` (the article),
`EACCES: permission denied, open '/var/task/index.js'`, or Runtime.InvalidEntrypoint for a custom runtime's
bootstrap.

Sources: LDG lambda-deploy-functions.md ("Deployment package file permissions": 644 files, 755 folders and
executables), troubleshooting-deployment.md (`chmod -R o+rX .`), deployment-package-v2.md (`zipinfo` shows the
stored modes; zip the code, not the containing folder); fact sheet §10.9.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

from .. import causes as catalogue
from ..errors import LambdagateError
from .findings import Check, Evidence, Finding, shown
from .targets import Target

SHOWN_PATHS = 10
_NOT_PACKAGED = frozenset({".git", "__pycache__", ".lambdagate"})


def check(target: Target, package_given: bool) -> Check:
    result = Check("package", target.logical_id)
    if target.zip_path is not None:
        _zip(target, target.zip_path, result, package_given)
    else:
        _folders(target, result)
    return result


def _folders(target: Target, result: Check) -> None:
    fn = target.function
    counted = [0, 0]
    roots = [(Path(fn.code_dir), "CodeUri")] + [(Path(layer), "layer") for layer in fn.layers]
    for root, kind in roots:
        bad = []
        for folder, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d not in _NOT_PACKAGED)
            for name in subdirs:
                mode = _mode(Path(folder) / name)
                counted[1] += 1
                if mode is not None and mode & 0o005 != 0o005:
                    bad.append((Path(folder) / name, mode))
            for name in sorted(files):
                mode = _mode(Path(folder) / name)
                counted[0] += 1
                if mode is not None and not mode & 0o004:
                    bad.append((Path(folder) / name, mode))
        if bad:
            evidence = [Evidence.at(target.location("CodeUri") if kind == "CodeUri" else target.location("Layers"),
                                    f"{kind} {shown(root)}")]
            evidence += [Evidence(stat.filemode(mode), shown(path)) for path, mode in bad[:SHOWN_PATHS]]
            if len(bad) > SHOWN_PATHS:
                evidence.append(Evidence(f"... and {len(bad) - SHOWN_PATHS} more"))
            result.findings.append(Finding(
                "package.unreadable", "error", f"{len(bad)} path(s) under {shown(root)} cannot be read by Lambda",
                catalogue.PERMISSION_DENIED.explanation + " Python reports `[Errno 13] Permission denied: "
                "'/var/task/...'`, Node.js `EACCES: permission denied, open '/var/task/...'`.",
                f"chmod -R o+rX {shown(root)}  (then build and deploy the package again)", tuple(evidence)))
    if fn.runtime.startswith("provided"):
        _bootstrap_folder(target, result)
    result.summary = f"{counted[0]} file(s) and {counted[1]} folder(s) readable by others"


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except OSError:
        return None  # a broken link: not part of what runs


def _bootstrap_folder(target: Target, result: Check) -> None:
    fn = target.function
    candidates = [Path(fn.code_dir) / "bootstrap"] + [Path(layer) / "bootstrap" for layer in fn.layers]
    present = next((p for p in candidates if p.is_file()), None)
    if present is None:
        result.findings.append(_bootstrap_finding(
            target, "package.bootstrap-missing", "no bootstrap for the custom runtime",
            "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap] (Runtime.InvalidEntrypoint); "
            "tried " + ", ".join(shown(p) for p in candidates)))
    elif not present.stat().st_mode & 0o001:
        result.findings.append(_bootstrap_finding(
            target, "package.bootstrap-not-executable", f"{shown(present)} is not executable by others",
            f"fork/exec /var/task/bootstrap: permission denied (Runtime.InvalidEntrypoint); its mode is "
            f"{stat.filemode(present.stat().st_mode)}", Evidence(stat.filemode(present.stat().st_mode),
                                                                  shown(present))))


def _bootstrap_finding(target: Target, rule: str, title: str, cause: str, *more: Evidence) -> Finding:
    return Finding(rule, "error", title, cause, catalogue.INVALID_ENTRYPOINT.fix,
                   (Evidence.at(target.location("Runtime"), f"Runtime: {target.function.runtime}"), *more))


def _zip(target: Target, path: Path, result: Check, package_given: bool) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (OSError, zipfile.BadZipFile) as e:
        raise LambdagateError(f"{path}: cannot read the deployment package: {e}") from None
    bad, unknown = [], 0
    modes: dict[str, int] = {}
    for info in infos:
        mode = info.external_attr >> 16
        if info.create_system != 3 or not mode & 0o777:
            unknown += 1
            continue
        modes[info.filename.rstrip("/")] = mode
        need = 0o005 if info.is_dir() else 0o004
        if mode & need != need:
            bad.append((info.filename, mode))
    where = Evidence(f"deployment package {shown(path)}", shown(path)) if package_given else \
        Evidence.at(target.location("CodeUri"), f"CodeUri: {target.code_uri}")
    if bad:
        evidence = [where] + [Evidence(f"{stat.filemode(mode)} {name}") for name, mode in bad[:SHOWN_PATHS]]
        if len(bad) > SHOWN_PATHS:
            evidence.append(Evidence(f"... and {len(bad) - SHOWN_PATHS} more"))
        result.findings.append(Finding(
            "package.zip-unreadable", "error", f"{len(bad)} entr{'y' if len(bad) == 1 else 'ies'} of "
            f"{shown(path)} cannot be read by Lambda", catalogue.PERMISSION_DENIED.explanation + " The .zip "
            "stores each entry's mode, and Lambda unpacks it with those modes.",
            f"Unpack it, `chmod -R o+rX` the folder, and zip it again from inside the folder (`cd folder && zip -r "
            f"../{path.name} .`); `zipinfo {path.name}` must show -rw-r--r-- files and drwxr-xr-x folders.",
            tuple(evidence)))
    if package_given:
        _zip_layout(target, path, [i.filename for i in infos], where, result)
    if target.function.runtime.startswith("provided"):
        stored = modes.get("bootstrap")
        if "bootstrap" not in [i.filename for i in infos]:
            result.findings.append(_bootstrap_finding(target, "package.bootstrap-missing",
                                                      f"no bootstrap at the root of {shown(path)}",
                                                      "Couldn't find valid bootstrap(s) (Runtime.InvalidEntrypoint)"))
        elif stored is not None and not stored & 0o001:
            result.findings.append(_bootstrap_finding(
                target, "package.bootstrap-not-executable", f"bootstrap in {shown(path)} is not executable",
                f"fork/exec /var/task/bootstrap: permission denied (Runtime.InvalidEntrypoint); stored mode "
                f"{stat.filemode(stored)}"))
    result.summary = f"{len(infos)} entries of {shown(path)}, modes checked"
    if unknown:
        result.summary += f"; {unknown} without a Unix mode (not checked)"


def _zip_layout(target: Target, path: Path, names: list[str], where: Evidence, result: Check) -> None:
    """The handler's module must be at the root of the .zip, which Lambda unpacks into /var/task."""
    fn = target.function
    if fn.runtime.startswith("python"):
        module = fn.handler.rpartition(".")[0].replace(".", "/")
        wanted = [f"{module}.py", f"{module}/__init__.py"]
    elif fn.runtime.startswith("nodejs"):
        base = fn.handler.rsplit("/", 1)[-1]
        stem = fn.handler[:len(fn.handler) - len(base)] + base.partition(".")[0]
        wanted = [stem + ext for ext in (".js", ".mjs", ".cjs")]
    else:
        return
    if any(name in names for name in wanted):
        return
    nested = [n for n in names if any(n.endswith("/" + w) for w in wanted)]
    if nested:
        folder = str(PurePosixPath(nested[0]).parent)
        for w in wanted:
            if nested[0].endswith("/" + w):
                folder = nested[0][: -len(w) - 1]
        cause = (f"The .zip holds the code under {folder}/ ({nested[0]}), but Lambda unpacks the .zip into "
                 f"/var/task and looks for {wanted[0]} at its root.")
        fix = f"Zip the folder's contents, not the folder: `cd {folder} && zip -r ../{path.name} .`"
    else:
        cause = f"The .zip has no {' or '.join(wanted)} at its root, so the runtime cannot import the handler."
        fix = f"Add the handler's file to the root of the .zip, or change Handler ({fn.handler})."
    result.findings.append(Finding("package.handler-not-at-root", "error",
                                   f"{shown(path)} has no {wanted[0]} at its root", cause, fix, (where,)))
