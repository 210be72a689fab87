"""What a module defines, read without running it (Python's `ast`), and where files are below a folder."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_FOLDERS = frozenset({".git", "__pycache__", ".lambdagate", ".aws-sam", "node_modules", ".venv", "venv",
                             "site-packages"})


@dataclass
class ModuleNames:
    functions: dict[str, int] = field(default_factory=dict)     # def / async def / class -> line
    not_callable: dict[str, int] = field(default_factory=dict)  # bound to a literal -> line
    other: dict[str, int] = field(default_factory=dict)         # assigned or imported: callable unknown
    dynamic: bool = False                                       # `from x import *` or a module __getattr__
    syntax_error: tuple[str, int] | None = None


def python_names(path: Path) -> ModuleNames:
    names = ModuleNames()
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as e:
        names.syntax_error = (f"{e.msg} ({path.name}, line {e.lineno})", e.lineno or 1)
        return names
    except OSError:
        names.dynamic = True  # unreadable here: importing it will tell
        return names
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.functions[node.name] = node.lineno
            if node.name == "__getattr__":
                names.dynamic = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            literal = isinstance(node.value, (ast.Constant, ast.List, ast.Dict, ast.Tuple, ast.Set,
                                              ast.JoinedStr))
            for target in targets:
                if isinstance(target, ast.Name):
                    (names.not_callable if literal else names.other)[target.id] = node.lineno
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    names.dynamic = True
                else:
                    names.other[(alias.asname or alias.name).split(".")[0]] = node.lineno
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            names.dynamic = True  # definitions under conditions: importing decides
    return names


def search_files(root: Path, suffixes: str | tuple[str, ...], depth: int = 3) -> list[Path]:
    """Files with one of the suffixes below `root`, at most `depth` folders down, skipping build and tool
    folders; in a stable order (shallow first)."""
    wanted = (suffixes,) if isinstance(suffixes, str) else suffixes
    found = []
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        level = len(Path(folder).parts) - base
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith(".")) if level < depth else []
        found += [Path(folder) / f for f in sorted(files) if f.endswith(wanted)]
    return sorted(found, key=lambda p: (len(p.parts), str(p)))
