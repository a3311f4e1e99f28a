"""What a simulation returns: per-trial measurements, and the per-trial draws theory may need.

A simulation never computes theory.  When a theory is conditional on each trial's draw (the
weights of a network, a population sample), the simulation returns that draw as NumPy arrays in
:attr:`Measurement.draws` and theory code evaluates it (a derivation's ``trial_theory``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import ParameterError

__all__ = ["Measurement", "student_interval"]


def student_interval(samples: Any, level: float = 0.95) -> dict:
    """Mean of i.i.d. ``samples`` with its standard error and a Student-t confidence interval:
    ``{"value", "stderr", "low", "high", "trials", "level"}`` (degenerate for one sample).

    Raises
    ------
    ParameterError
        No samples, or ``level`` outside (0, 1).
    """
    from scipy import stats

    if not 0 < level < 1:
        raise ParameterError(f"level: must be in (0, 1), got {level}")
    x = np.asarray(samples, dtype=float).ravel()
    if x.size == 0:
        raise ParameterError("samples: need at least one value")
    mean = float(x.mean())
    if x.size == 1:
        return {"value": mean, "stderr": 0.0, "low": mean, "high": mean, "trials": 1, "level": level}
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * se
    return {"value": mean, "stderr": se, "low": mean - half, "high": mean + half, "trials": int(x.size),
            "level": level}


@dataclass
class Measurement:
    """Per-trial measurements ``{name: array of shape (trials,)}`` with summary statistics.

    Attributes
    ----------
    values : dict
        ``{name: float array (trials,)}`` (or per-trial arrays, e.g. spectra).
    draws : dict
        ``{name: list (one entry per trial) of NumPy arrays}``: what each trial drew, for theories
        conditional on it (empty when nothing is needed).
    sizes : dict
        The sizes the simulation used (e.g. ``{"d": 200, "n": 300}``).
    """

    values: dict
    draws: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Sequence[dict], draws: dict | None = None, sizes: dict | None = None) -> "Measurement":
        """One dict of measured values per trial -> a Measurement (float arrays, or object arrays
        of per-trial arrays)."""
        values = {}
        for k in rows[0]:
            col = [r[k] for r in rows]
            values[k] = (np.array(col, dtype=float) if all(np.ndim(v) == 0 for v in col)
                         else np.array(col))
        return cls(values, dict(draws or {}), dict(sizes or {}))

    def mean(self, name: str) -> float:
        return float(np.mean(self.values[name]))

    def stderr(self, name: str) -> float:
        v = np.asarray(self.values[name], dtype=float)
        return float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else 0.0

    def ci(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Student-t confidence interval of the mean of ``name`` (degenerate for one trial)."""
        est = student_interval(self.values[name], level)
        return est["low"], est["high"]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]
