"""Operating-system specifics, kept in one place: Linux's /proc sharpens measurements where present."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from pathlib import Path


def _status_mb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return max(1, round(int(line.split()[1]) / 1024))
    except (OSError, ValueError, IndexError):
        return None
    return None


def max_memory_used_mb(pid: int) -> int | None:
    """Peak resident memory of a process in MB (VmHWM), or None where /proc is not available (macOS)."""
    return _status_mb(pid, "VmHWM:")


def resident_memory_mb(pid: int) -> int | None:
    """Current resident memory in MB (VmRSS), or None where /proc is not available: no memory limit there."""
    return _status_mb(pid, "VmRSS:")


@cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    """Give the memory freed since the last call back to the operating system (glibc's malloc_trim). After a burst
    of large bodies and results (up to 10 MB each) glibc keeps the freed memory for itself, which reads as growth
    of the gateway's resident memory; elsewhere a no-op."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
