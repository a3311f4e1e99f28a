"""Parameter grids of a sweep: axes ``k=lo:hi:num[:log]``, ranges ``k=lo:hi``, checked against a
derivation's parameters.

An :class:`Axis` holds the values of one swept parameter (float64, increasing); a :class:`Grid`
is the Cartesian product of its axes, in the order given (the first axis varies slowest: the flat
index of a point is its row-major index).  Text is parsed by a restricted parser — plain numbers
(integers, decimals, fractions like ``1/2``) and the literal ``log`` — never evaluated as code.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from .._numbers import float_number
from ..errors import ParameterError

__all__ = ["Axis", "Grid", "parse_number", "parse_axis", "parse_range", "grid_from", "MAX_POINTS"]

#: The most points a grid may hold (a typing slip like ``num=1e6`` is refused, not allocated).
MAX_POINTS = 1_000_000

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_number(text: str, what: str = "value") -> float:
    """``text`` as a finite float64: ``3``, ``-0.25``, ``1e-3``, ``1/2``; anything else raises
    :class:`ParameterError` naming ``what`` (so does a value a float64 cannot hold)."""
    return float_number(text, what)


@dataclass(frozen=True)
class Axis:
    """One swept parameter.

    Parameters
    ----------
    name : str
        The derivation parameter's name.
    values : tuple of float
        Distinct values, increasing.
    log : bool
        Whether the values are log-spaced (only for plots and the record of the grid).
    """

    name: str
    values: tuple
    log: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ParameterError(f"grid: {self.name!r} is not a parameter name")
        vals = np.asarray(self.values, dtype=float).ravel()
        if vals.size == 0:
            raise ParameterError(f"grid: {self.name}: needs at least one value")
        if not np.all(np.isfinite(vals)):
            raise ParameterError(f"grid: {self.name}: values must be finite, got {vals.tolist()}")
        if vals.size > 1 and not np.all(np.diff(vals) > 0):
            raise ParameterError(f"grid: {self.name}: values must be distinct and increasing, got {vals.tolist()}")
        object.__setattr__(self, "values", tuple(float(v) for v in vals))

    def __len__(self) -> int:
        return len(self.values)

    def to_dict(self) -> dict:
        return {"name": self.name, "values": list(self.values), "log": self.log}


def parse_axis(text: str, what: str = "--param") -> Axis:
    """``"k=lo:hi:num[:log]"`` → :class:`Axis` (``num`` points from lo to hi, both included,
    linearly or log-spaced); ``"k=v"`` is a one-point axis.

    Examples
    --------
    >>> parse_axis("q=0.25:1:4").values
    (0.25, 0.5, 0.75, 1.0)
    >>> parse_axis("ridge=0.01:1:3:log").values
    (0.01, 0.1, 1.0)
    """
    key, sep, spec = str(text).partition("=")
    key = key.strip()
    if not sep or not _NAME.match(key):
        raise ParameterError(f"{what}: expected NAME=LO:HI:NUM[:log], got {text!r}")
    parts = [p.strip() for p in spec.split(":")]
    log = False
    if len(parts) == 4 and parts[3].lower() == "log":
        log, parts = True, parts[:3]
    if len(parts) == 1:
        return Axis(key, (parse_number(parts[0], f"{what} {key}"),))
    if len(parts) != 3:
        raise ParameterError(f"{what} {key}: expected LO:HI:NUM[:log] (or a single value), got {spec!r}")
    lo, hi = parse_number(parts[0], f"{what} {key} (low)"), parse_number(parts[1], f"{what} {key} (high)")
    if not re.fullmatch(r"\d+", parts[2]):
        raise ParameterError(f"{what} {key}: NUM must be a positive integer, got {parts[2]!r}")
    num = int(parts[2])
    return _axis(key, lo, hi, num, log, what)


def _axis(key: str, lo: float, hi: float, num: int, log: bool, what: str) -> Axis:
    if not 1 <= num <= MAX_POINTS:
        raise ParameterError(f"{what} {key}: NUM must be between 1 and {MAX_POINTS}, got {num}")
    if num == 1:
        if lo != hi:
            raise ParameterError(f"{what} {key}: one point needs LO == HI, got {lo:g}:{hi:g}")
        return Axis(key, (lo,), log)
    if not lo < hi:
        raise ParameterError(f"{what} {key}: needs LO < HI, got {lo:g}:{hi:g}")
    if log:
        if lo <= 0:
            raise ParameterError(f"{what} {key}: a log-spaced axis needs LO > 0, got {lo:g}")
        values = np.geomspace(lo, hi, num)
    else:
        values = np.linspace(lo, hi, num)
    values[0], values[-1] = lo, hi  # the endpoints exactly as written
    return Axis(key, tuple(values), log)


def parse_range(text: str, what: str = "--range") -> tuple[str, float, float, bool]:
    """``"k=lo:hi[:log]"`` → ``(k, lo, hi, log)`` (a search range of :func:`~symrmt.sweep.falsify`)."""
    key, sep, spec = str(text).partition("=")
    key = key.strip()
    if not sep or not _NAME.match(key):
        raise ParameterError(f"{what}: expected NAME=LO:HI[:log], got {text!r}")
    parts = [p.strip() for p in spec.split(":")]
    log = len(parts) == 3 and parts[2].lower() == "log"
    if log:
        parts = parts[:2]
    if len(parts) != 2:
        raise ParameterError(f"{what} {key}: expected LO:HI[:log], got {spec!r}")
    lo, hi = parse_number(parts[0], f"{what} {key} (low)"), parse_number(parts[1], f"{what} {key} (high)")
    if not lo < hi:
        raise ParameterError(f"{what} {key}: needs LO < HI, got {lo:g}:{hi:g}")
    if log and lo <= 0:
        raise ParameterError(f"{what} {key}: a log range needs LO > 0, got {lo:g}")
    return key, lo, hi, log


class Grid:
    """The Cartesian product of axes (first axis slowest).

    Parameters
    ----------
    axes : sequence of Axis
        Distinct parameter names.
    """

    def __init__(self, axes: Sequence[Axis]):
        axes = tuple(axes)
        if not axes:
            raise ParameterError("grid: needs at least one swept parameter")
        for a in axes:
            if not isinstance(a, Axis):
                raise ParameterError(f"grid: expected Axis objects, got {type(a).__name__}")
        names = [a.name for a in axes]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ParameterError(f"grid: parameter(s) {dup} given twice")
        size = math.prod(len(a) for a in axes)
        if size > MAX_POINTS:
            raise ParameterError(f"grid: {size} points is more than the {MAX_POINTS} allowed")
        self.axes = axes

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    def __len__(self) -> int:
        return math.prod(self.shape)

    def points(self) -> Iterator[dict[str, float]]:
        """The points as ``{name: value}``, in row-major order."""
        for combo in itertools.product(*(a.values for a in self.axes)):
            yield dict(zip(self.names, combo))

    def arrays(self) -> dict[str, np.ndarray]:
        """Each parameter on the full grid (``indexing="ij"``), for one vectorized solve."""
        mesh = np.meshgrid(*(np.asarray(a.values) for a in self.axes), indexing="ij")
        return dict(zip(self.names, mesh))

    def to_dict(self) -> list[dict]:
        return [a.to_dict() for a in self.axes]

    def check(self, derivation: Any, fixed: Mapping[str, Any] | None = None) -> None:
        """Refuse names that are not ``derivation``'s parameters, names both swept and fixed, and
        values outside a parameter's range (:class:`ParameterError` naming the parameter)."""
        known = {p.name: p for p in derivation.parameters}
        unknown = [n for n in self.names if n not in known]
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown} for {derivation.name}; its parameters are "
                                 f"{sorted(known) or 'none'}")
        both = sorted(set(self.names) & set(fixed or {}))
        if both:
            raise ParameterError(f"parameter(s) {both} are both swept and fixed")
        for a in self.axes:
            for v in (a.values[0], a.values[-1]) if not known[a.name].integer else a.values:
                known[a.name].check(v)


def grid_from(grid: Any) -> Grid:
    """A :class:`Grid` from a Grid, a sequence of Axis or ``"k=lo:hi:num[:log]"`` strings, or a
    mapping ``{name: values}`` (values: a sequence of numbers, or a ``"lo:hi:num[:log]"`` string)."""
    if isinstance(grid, Grid):
        return grid
    if isinstance(grid, Mapping):
        axes = []
        for name, vals in grid.items():
            if isinstance(vals, str):
                axes.append(parse_axis(f"{name}={vals}", "grid"))
            else:
                try:
                    arr = np.asarray(vals, dtype=float).ravel()
                except (TypeError, ValueError) as exc:
                    raise ParameterError(f"grid: {name}: expected numbers, got {vals!r}") from exc
                axes.append(Axis(str(name), tuple(arr)))
        return Grid(axes)
    if isinstance(grid, (list, tuple)):
        return Grid([a if isinstance(a, Axis) else parse_axis(a, "grid") for a in grid])
    if isinstance(grid, str):
        return Grid([parse_axis(grid, "grid")])
    raise ParameterError(f"grid: expected a mapping {{name: values}}, a Grid or axis strings, got {type(grid).__name__}")
