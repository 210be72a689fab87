"""py-spy for `serve.py --profile`: sample one process under load, and summarise where lambdagate's time goes.

`pip install py-spy` (in the venv lambdagate runs from). py-spy needs ptrace permission on the process: as root,
or with kernel.yama.ptrace_scope = 0.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any


def find_pyspy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def record(pid: int, seconds: int, out: Path, rate: int = 200) -> str | None:
    """Sample `pid` for `seconds` into a raw (collapsed stacks) file; the error text when py-spy failed."""
    pyspy = find_pyspy()
    if not pyspy:
        return "py-spy not found (pip install py-spy)"
    spy = subprocess.run([pyspy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate),
                          "--format", "raw", "--function", "--output", str(out)],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=seconds + 60)
    if spy.returncode != 0 or not out.exists():
        return f"py-spy failed: {spy.stderr.decode(errors='replace')[-500:]}"
    return None


def summarize(raw: Path, root: Path, possible_samples: int) -> dict[str, Any]:
    """Top functions: lambdagate's inclusive, lambdagate's innermost frame, and the leaves of any code. py-spy
    leaves out idle samples (a thread waiting in select), so samples / possible_samples is how busy it was."""
    total = 0
    own_self: dict[str, int] = {}
    own_incl: dict[str, int] = {}
    any_self: dict[str, int] = {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        leaf = frame_name(frames[-1])
        any_self[leaf] = any_self.get(leaf, 0) + count
        own = [f for f in frames if is_own(f)]
        for name in {frame_name(f) for f in own}:
            own_incl[name] = own_incl.get(name, 0) + count
        # self time of lambdagate's own code: the innermost lambdagate frame, when nothing below it is
        # lambdagate's either (time in the libraries it calls directly is charged to it as well)
        if own:
            name = frame_name(own[-1])
            own_self[name] = own_self.get(name, 0) + count

    def top(table: dict[str, int], n: int = 12) -> list[dict[str, Any]]:
        return [{"function": k, "percent": round(100 * v / max(1, total), 1)}
                for k, v in sorted(table.items(), key=lambda kv: -kv[1])[:n]]

    try:
        shown = str(raw.relative_to(root))
    except ValueError:
        shown = str(raw)
    return {"samples": total, "raw": shown, "busy_percent": round(100 * total / max(1, possible_samples), 1),
            "lambdagate_self_incl_callees": top(own_self), "lambdagate_inclusive": top(own_incl),
            "overall_self": top(any_self)}


def is_own(frame: str) -> bool:
    """A frame of lambdagate's code, other than the command line's, which is on every stack."""
    m = re.fullmatch(r"(.*) \((.*):(\d+)\)", frame.strip())
    path = m.group(2) if m else ""
    return (path.startswith("lambdagate/") or "/lambdagate/" in path) and not path.endswith(
        ("lambdagate/cli.py", "lambdagate/__main__.py", "lambdagate/commands.py"))


def frame_name(frame: str) -> str:
    """`handle (/x/src/lambdagate/gateway.py:42)` -> `handle (lambdagate/gateway.py:42)`."""
    m = re.fullmatch(r"(.*) \((.*):(\d+)\)", frame.strip())
    if not m:
        return frame.strip()
    function, path, line = m.groups()
    for marker in ("/lambdagate/", "/site-packages/", "/lib/python"):
        if marker in path:
            path = path[path.index(marker) + 1:]
            break
    return f"{function} ({path}:{line})"


def print_summary(profile: dict[str, Any], title: str) -> None:
    print()
    print(f"py-spy, {title} ({profile['samples']} samples, {profile['raw']}; "
          f"the process busy {profile['busy_percent']:.0f}% of the time):")
    print("  lambdagate functions, inclusive (% of samples with the function on the stack):")
    for item in profile["lambdagate_inclusive"][:10]:
        print(f"    {item['percent']:5.1f}%  {item['function']}")
    print("  innermost lambdagate frame (its own code + the library calls it makes directly):")
    for item in profile["lambdagate_self_incl_callees"][:10]:
        print(f"    {item['percent']:5.1f}%  {item['function']}")
    print("  leaf functions, any code:")
    for item in profile["overall_self"][:10]:
        print(f"    {item['percent']:5.1f}%  {item['function']}")
