"""Handler configuration: the Handler string fits its runtime, the module file exists under CodeUri (paths tried
are named), the function exists and is callable, and importing the module in a clean execution environment works.

Loading rules (fact sheet §5.2): Python splits Handler at the last dot and imports the module path with `/` read
as `.` (awslambdaric `_get_handler`); Node.js takes `<folder>/<module>.<function.path>`, tries the module as
given, `.js`, `.mjs`, `.cjs`, and refuses `..`. provided.* runtimes pass Handler to their bootstrap untouched.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

from .. import causes as catalogue
from .. import errors
from ..build.hints import unbuilt_hint
from .findings import Check, Evidence, Finding, shown
from .invoke import Probe, error_json, frames
from .source import python_names, search_files
from .targets import Target

NODE_EXTENSIONS = ("", ".js", ".mjs", ".cjs")
_JS_EXPORT = re.compile(r"exports\.(\w+)\s*=|export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+(\w+)")


def check(target: Target) -> Check:
    fn = target.function
    result = Check("handler", target.logical_id)
    if fn.runtime.startswith("python"):
        _python(target, result)
    elif fn.runtime.startswith("nodejs"):
        _node(target, result)
    elif fn.runtime.startswith("provided"):
        result.summary = f"{fn.handler!r} goes to the custom runtime's bootstrap as _HANDLER, unchecked"
    else:
        result.skipped = f"lambdagate does not check {fn.runtime} handlers"
    return result


def _finding(target: Target, rule: str, title: str, cause: str, fix: str, *more: Evidence) -> Finding:
    handler = Evidence.at(target.location("Handler"), f"Handler: {target.function.handler}")
    return Finding(rule, "error", title, cause, fix, (handler, *more))


def _python(target: Target, result: Check) -> None:
    fn = target.function
    handler = fn.handler
    module, dot, name = handler.rpartition(".")
    if not dot or not module or not name or "" in module.replace("/", ".").split("."):
        detail = "not enough values to unpack (expected 2, got 1)" if not dot else "empty module or function name"
        result.findings.append(_finding(
            target, "handler.malformed", f"Handler {handler!r} is not <module>.<function>",
            errors.MALFORMED_HANDLER_MESSAGE.format(handler=handler, detail=detail) + " (Runtime.MalformedHandlerName)",
            catalogue.MALFORMED_HANDLER_NAME.fix))
        return
    if module.split(".")[0] in sys.builtin_module_names:
        result.findings.append(_finding(
            target, "handler.builtin-module", f"Handler module {module!r} is a built-in module",
            f"Cannot use built-in module {module} as a handler module (Runtime.BuiltInModuleConflict)",
            "Rename the handler's file so that it does not shadow a built-in module."))
        return
    parts = module.replace("/", ".").split(".")
    roots = [Path(fn.code_dir)] + [Path(layer) / "python" for layer in fn.layers]
    tried = []
    for root in roots:
        tried += [root.joinpath(*parts[:-1], parts[-1] + ".py"), root.joinpath(*parts, "__init__.py")]
    found = next((p for p in tried if p.is_file()), None)
    if found is None:
        result.findings.append(_finding(
            target, "handler.module-missing", f"no module {module!r} for Handler {handler!r}",
            errors.IMPORT_MODULE_ERROR_MESSAGE.format(module=module, detail=f"No module named '{parts[0]}'") +
            " (Runtime.ImportModuleError): tried " + ", ".join(shown(p) for p in tried),
            _module_suggestion(target, parts[-1], ".py", name) or catalogue.IMPORT_MODULE_ERROR.fix))
        return
    names = python_names(found)
    where = Evidence(f"module {module}", shown(found))
    if names.syntax_error is not None:
        message, line = names.syntax_error
        result.findings.append(_finding(
            target, "handler.syntax-error", f"{shown(found)}:{line}: syntax error",
            errors.SYNTAX_ERROR_MESSAGE.format(module=module, detail=message) + " (Runtime.UserCodeSyntaxError)",
            catalogue.SYNTAX_ERROR.fix, Evidence(message, shown(found), line)))
        return
    if name in names.functions:
        result.summary = f"{handler}: {shown(found)}:{names.functions[name]}"
    elif name in names.not_callable:
        result.findings.append(_finding(
            target, "handler.not-callable", f"{module}.{name} is not a function",
            f"{name} is defined as a value that cannot be called; Lambda calls it with (event, context).",
            f"Define `def {name}(event, context):` in {shown(found)}.",
            Evidence(f"{name} = ...", shown(found), names.not_callable[name])))
    elif name in names.other or names.dynamic:
        result.summary = f"{handler}: {shown(found)} defines {name} by assignment or import (checked by importing)"
    else:
        close = difflib.get_close_matches(name, list(names.functions), n=1)
        suggestion = f"did you mean {module}.{close[0]}? " if close else ""
        result.findings.append(_finding(
            target, "handler.function-missing", f"{shown(found)} has no function {name!r}",
            errors.HANDLER_NOT_FOUND_MESSAGE.format(function=name, module=module) + " (Runtime.HandlerNotFound)",
            suggestion + (f"Set Handler to {module}.{close[0]}, or define {name}." if close else
                          f"Define `def {name}(event, context):`, or point Handler at a function the module has "
                          f"({', '.join(names.functions) or 'it defines none'})."),
            *([Evidence(f"def {close[0]}", shown(found), names.functions[close[0]])] if close else [where])))


def _node(target: Target, result: Check) -> None:
    fn = target.function
    handler = fn.handler
    base = handler.rsplit("/", 1)[-1]
    folder = handler[:len(handler) - len(base)]
    module, dot, name = base.partition(".")
    if ".." in handler or not dot or not module or not name:
        result.findings.append(_finding(
            target, "handler.malformed", f"Handler {handler!r} is not <file>.<function>",
            "Bad handler (Runtime.MalformedHandlerName): Node.js handlers are <path/file>.<function>, without '..'",
            catalogue.MALFORMED_HANDLER_NAME.fix))
        return
    tried = [Path(fn.code_dir) / folder / (module + ext) for ext in NODE_EXTENSIONS]
    found = next((p for p in tried if p.is_file()), None)
    if found is None:
        result.findings.append(_finding(
            target, "handler.module-missing", f"no module {folder + module!r} for Handler {handler!r}",
            f"Error: Cannot find module '{module}' (Runtime.ImportModuleError): tried "
            + ", ".join(shown(p) for p in tried),
            unbuilt_hint(fn, None, f"Cannot find module '{module}'")
            or _module_suggestion(target, module, (".js", ".mjs", ".cjs"), name) or catalogue.IMPORT_MODULE_ERROR.fix))
        return
    result.summary = f"{handler}: {shown(found)} (the function is checked by importing)"


def _module_suggestion(target: Target, stem: str, suffixes: str | tuple[str, ...], name: str) -> str:
    """A file of that name elsewhere (Handler path or CodeUri to change), or a file of a close name."""
    fn = target.function
    code = Path(fn.code_dir)
    candidates = search_files(code, suffixes)
    same = [p for p in candidates if p.stem == stem]
    if same:
        relative = same[0].relative_to(code).with_suffix("").as_posix()
        return f"{shown(same[0])} exists below CodeUri: set Handler to {relative}.{name}"
    if target.template is not None and target.code_uri is not None:
        project = target.template.path.parent
        elsewhere = [p for p in search_files(project, suffixes) if p.stem == stem and code not in p.parents]
        if elsewhere:
            return (f"{shown(elsewhere[0])} exists, but outside CodeUri {target.code_uri!r} ({shown(code)}): set "
                    f"CodeUri to {shown(elsewhere[0].parent)!r} or move the file")
    close = difflib.get_close_matches(stem, sorted({p.stem for p in candidates if p.parent == code}), n=1)
    if close:
        return f"did you mean {close[0]}.{name}? ({close[0]} is at the root of CodeUri)"
    return ""


def add_init_failure(result: Check, target: Target, probe: Probe) -> None:
    """Importing the module in a fresh execution environment failed: the runtime's own words, merged into a static
    finding of the same kind."""
    assert probe.result is not None
    error = error_json(probe.result.payload)
    error_type = str(error.get("errorType") or probe.error_type)
    message = str(error.get("errorMessage", ""))
    spots = frames(error, target.function.code_dir)
    said = Evidence(f"the runtime says: {error_type}: {message}")
    detail = _import_detail(message)
    rule = {"Runtime.ImportModuleError": "handler.dependency-missing" if detail else "handler.module-missing",
            "Runtime.HandlerNotFound": "handler.function-missing", "Runtime.UserCodeSyntaxError":
            "handler.syntax-error", "Runtime.MalformedHandlerName": "handler.malformed"}.get(error_type,
                                                                                             "handler.init-failed")
    for n, finding in enumerate(result.findings):
        if finding.rule == rule:
            result.findings[n] = Finding(finding.rule, finding.level, finding.title, finding.cause, finding.fix,
                                         finding.evidence + (said,))
            return
    cause = catalogue.match(catalogue.LAMBDA_CAUSES, message)
    known = cause[0] if cause else catalogue.by_error_type(error_type)
    if known is catalogue.INVALID_ENTRYPOINT:
        result.summary = "the custom runtime's bootstrap does not start (see package permissions)"
        return
    suggestion = _export_suggestion(target) if rule == "handler.function-missing" else ""
    unbuilt = unbuilt_hint(target.function, error_type, message)   # what `serve` says after the request
    if unbuilt:
        suggestion = unbuilt + ". "
    result.findings.append(Finding(
        rule if known else "handler.init-failed", "error",
        f"the function does not start: {error_type}: {message}"[:300],
        (known.explanation if known else f"The module's own code raised {error_type} while being imported; every "
         "request fails with 502 until it imports.") + detail,
        suggestion + (known.fix if known else "Fix the module-level code at the frame shown (it runs once per "
                      "execution environment, before the handler)."), (*spots, said)))


def _export_suggestion(target: Target) -> str:
    """Node.js: a close name among what the module exports (read with a pattern, for the suggestion only)."""
    fn = target.function
    base = fn.handler.rsplit("/", 1)[-1]
    module, _, name = base.partition(".")
    folder = Path(fn.code_dir) / fn.handler[:len(fn.handler) - len(base)]
    for ext in NODE_EXTENSIONS[1:]:
        path = folder / (module + ext)
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            exported = [a or b for a, b in _JS_EXPORT.findall(text) if (a or b) != name]
            close = difflib.get_close_matches(name, exported, n=1)
            if close:
                return f"Did you mean {fn.handler[:len(fn.handler) - len(name)]}{close[0]}? "
    return ""


def _import_detail(message: str) -> str:
    found = catalogue.IMPORT_MODULE_ERROR.patterns[0].search(message)
    missing = re.search(r"No module named '(?P<name>[^']+)'", message)
    if found and missing and missing.group("name").split(".")[0] != found.group("module").replace("/", ".").split(
            ".")[0]:
        return (f" Here {found.group('module')!r} itself was found; it imports {missing.group('name')!r}, which is "
                "not in the package.")
    return ""
