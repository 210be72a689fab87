"""Operating-system specifics, kept in one place: Linux's /proc sharpens measurements where present."""

from __future__ import annotations

from pathlib import Path


def max_memory_used_mb(pid: int) -> int | None:
    """Peak resident memory of a process in MB (VmHWM), or None where /proc is not available (macOS)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return max(1, round(int(line.split()[1]) / 1024))
    except (OSError, ValueError, IndexError):
        return None
    return None
