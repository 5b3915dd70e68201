"""Helpers shared by the benchmarks: percentiles, resident memory, machine description."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence

import psutil


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def rss_mib() -> float:
    """Resident memory of this process in MiB."""
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (Linux: VmHWM)."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss_mib()


def machine() -> str:
    """One line describing where the figures were measured."""
    return (
        f"{platform.node() or 'host'}: {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
