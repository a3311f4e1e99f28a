"""Timing helpers shared by the benchmarks (each ``bench_*.py`` is run as a script, so this
module is found next to it)."""
from __future__ import annotations

import os
import time
from typing import Callable


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    """The smallest wall-clock time of ``repeat`` calls of ``fn`` (seconds)."""
    t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (``n/a`` where the platform has none)."""
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"
