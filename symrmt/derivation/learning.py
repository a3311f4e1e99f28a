"""The learning-curve kind: a deterministic equivalent's observable vs models trained in torch.

A :class:`LearningCurveDerivation` compares one observable (``quantity``: a test error or an excess
risk) of the generated solver with the same quantity measured on models trained in torch.  The
per-trial statistic is the *signed* relative deviation ``(E_trial − E_theory) / E_theory``; its mean
over trials is the relative bias of the simulation, which for a correct deterministic equivalent
vanishes like ``size^{-1}`` (``expected_rate = 1``).  The verdict extrapolates it to infinite size
with its uncertainty (:func:`~symrmt.verify.scaling.bias_scaling`): a significant limit is a
disagreement; "agrees" also requires the ladder to resolve a relative error of ``resolution``.
``measure`` also reports the simulated mean, its 95 % confidence interval and whether the theory
lies inside it.  When the theory is conditional on each trial's draw,
:meth:`~symrmt.derivation.Derivation.trial_theory` gives it per trial and the deviation is taken
trial by trial.

Options (an activation, a population spectrum) are passed by keyword like parameters and listed
in :attr:`~symrmt.derivation.Derivation.options` with their defaults; ``solve`` accepts arrays
for every numeric parameter.  A population spectrum is a
:class:`~symrmt.derivation.parameters.MeasureParameter`: an option (never swept, never parsed
as a number) that ``describe()`` and ``show()`` list with the numeric parameters, its kind, its
default and the values it allows.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import ConvergenceError, ParameterError
from .base import Derivation
from .parameters import MeasureParameter, checked_array, plain

__all__ = ["LearningCurveDerivation", "SPECTRUM", "system_equations", "chain_shapes"]

#: The population spectrum of a learning curve's inputs (ridge, linear random features).
SPECTRUM = MeasureParameter("spectrum", "the spectrum of the population covariance Σ of the inputs", "Σ = I")


def system_equations(system, label: str) -> list[tuple[str, sp.Basic]]:
    """``(label, Eq)`` pairs for a :class:`~symrmt.symbolic.system.System`'s equations and
    observables, for :meth:`~symrmt.derivation.Derivation.equations`."""
    out = [(f"{label} ({i + 1})" if len(system.residuals) > 1 else label, sp.Eq(sp.factor(e), 0))
           for i, e in enumerate(system.residuals)]
    out += [(name, sp.Eq(sp.Symbol(name), expr)) for name, expr in system.observables.items()]
    return out


def chain_shapes(n: int, alpha: float, widths: Any) -> list[tuple[float, float]]:
    """Matrices (rows, cols) of one trial of a deep feature chain at d = n, for
    :meth:`LearningCurveDerivation.shapes`: the data (αd×d), each layer's
    weights (k_ℓ×k_{ℓ−1}) and features (αd×k_ℓ, k_ℓ = γ_ℓ d), and the ridge system of the last
    width (or of the sample count, whichever is smaller).  Invalid ``widths`` count as none (the
    simulation itself reports them)."""
    try:
        ks = [float(g) * n for g in widths]
    except (TypeError, ValueError):
        ks = []
    m, prev, out = alpha * n, float(n), [(alpha * n, n), (n, n)]
    for k in ks:
        out += [(k, prev), (m, k)]
        prev = k
    last = min(m, prev)
    return out + [(last, last)]


class LearningCurveDerivation(Derivation):
    """Base class: subclasses set ``quantity`` and implement ``solve_arrays`` and ``run_simulation``.

    Attributes
    ----------
    quantity : str
        The compared observable.
    measure_parameters : tuple of MeasureParameter
        Parameters whose value is a measure (default None); each is also an option.
    curve : tuple or None
        ``(parameter, grid, points, fixed[, compare])``: the learning curve :meth:`figures` draws —
        the theory on ``grid`` of ``parameter`` and trained models at ``points``, the other
        parameters at their defaults overridden by ``fixed``; optional ``compare`` as in
        :meth:`learning_curve`.
    """

    curve: tuple | None = None
    measure_parameters: tuple[MeasureParameter, ...] = ()

    quantity: str = "test_error"
    expected_rate = 1.0
    scaling_model = "bias"
    resolution = 0.05
    trials_exponent = 0.0
    statistic = "relative_deviation"
    trials = 16
    quick_trials = 10

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's :attr:`measure_parameters` join its options (default None)."""
        super().__init_subclass__(**kwargs)
        if "measure_parameters" in cls.__dict__:
            cls.options = {**cls.options, **{p.name: None for p in cls.measure_parameters}}

    def describe(self) -> dict:
        """As :meth:`symrmt.derivation.Derivation.describe`, with the measure parameters listed
        after the numeric ones (``"kind": "measure"``)."""
        out = super().describe()
        out["parameters"] = [*out["parameters"], *(p.describe() for p in self.measure_parameters)]
        return out

    def show(self, latex: bool = False) -> str:
        """The equations (:meth:`symrmt.derivation.Derivation.show`), then every parameter: name,
        kind, default and allowed values."""
        rows = [f"  {p.name} = {plain(p.check(p.default))}  (number)  {p.description}; allowed: {p.allowed}"
                for p in self.parameters]
        rows += [f"  {p.name} = None  (measure; None: {p.default_means})  {p.description}; allowed: {p.allowed}"
                 for p in self.measure_parameters]
        return super().show(latex=latex) + "\n\nParameters:\n" + "\n".join(rows)

    def solve(self, strict: bool = True, **params: Any):
        """Solve on a broadcast grid: any numeric parameter may be an array; defaults fill the rest.

        Parameters
        ----------
        strict : bool
            If True (default), raise :class:`~symrmt.errors.ConvergenceError` when the fixed
            point did not converge at some point of the grid; if False, return the result with
            those points flagged in ``converged`` (and NaN values).
        **params
            The derivation's parameters and options by name.
        """
        if not isinstance(strict, (bool, np.bool_)):
            raise ParameterError(f"strict: must be True or False, got {strict!r}")
        nums, opts = self.split(params)
        known = {p.name for p in self.parameters}
        unknown = sorted(set(nums) - known)
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown} for {self.name}; its parameters are "
                                 f"{sorted(known | set(self.options))}")
        values = {p.name: checked_array(p, nums.get(p.name, p.default)) for p in self.parameters}
        res = self.solve_arrays(**values, **opts)
        if strict:
            conv = res.get("converged") if isinstance(res, Mapping) else getattr(res, "converged", None)
            if conv is not None and not np.all(conv):
                bad = int(np.size(conv) - np.count_nonzero(conv))
                raise ConvergenceError(f"{self.name}: the fixed point did not converge at {bad} of "
                                       f"{np.size(conv)} point(s); pass strict=False to get per-point "
                                       f"flags (converged) and NaN there")
        return res

    def theory(self, **params: Any) -> float:
        res = self.solve(strict=False, **params)
        if not np.all(res.converged):
            raise ParameterError(f"{self.name}: the fixed point did not converge at {params}")
        return float(np.asarray(res[self.quantity]).real)

    def _floats(self, params: Mapping[str, Any]) -> tuple[dict, dict]:
        """Bound numeric parameters as floats (:attr:`solve_only` ones left out) and the options."""
        nums, opts = self.split(self.bind(**params))
        return {k: float(v) for k, v in nums.items() if k not in self.solve_only}, opts

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any):
        """The trained models at size ``n``; these simulations run in float64 only, so another
        ``dtype`` is an error rather than silently ignored."""
        import torch

        from ..simulate.device import resolve_dtype

        if resolve_dtype(dtype) is not torch.float64:
            raise ParameterError(f"dtype: {self.name} trains its models in float64 only, got {dtype!r}")
        nums, opts = self._floats(params)
        return self.run_simulation(n, trials, seed, device, **nums, **opts)

    def shapes(self, n: int, /, **params: Any) -> list[tuple[float, float]]:
        """The matrices (rows, cols) one trial of the simulation at size ``n`` holds at once, for
        :meth:`cost`; ``params``: the bound numeric parameters (floats) and the options.  Default:
        two dense ``n×n`` matrices; derivations whose models have other aspect ratios override it."""
        return [(n, n), (n, n)]

    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """Dense linear algebra on :meth:`shapes`, the trials one after the other."""
        from ..limits import dense_cost

        nums, opts = self._floats(params)
        return dense_cost(self.shapes(n, **nums, **opts), trials)

    def measure(self, sample: Any, theory: Any) -> dict:
        """Signed relative deviation of :attr:`quantity` per trial, from the theory (or from
        :meth:`trial_theory` when the theory is conditional on the trial)."""
        from ..verify import mean_ci

        vals = np.asarray(sample[self.quantity], dtype=float)
        lo, hi = sample.ci(self.quantity)
        per_trial = self.trial_theory(sample, theory)
        if per_trial is None:
            return {"errors": (vals - theory) / abs(theory), "theory": theory, "quantity": self.quantity,
                    "simulated": float(vals.mean()), "ci95": [lo, hi], "theory_in_ci": bool(lo <= theory <= hi)}
        th = np.asarray(per_trial, dtype=float)
        dci = mean_ci(vals - th)
        return {"errors": (vals - th) / np.abs(th), "theory": float(th.mean()), "quantity": self.quantity,
                "theory_per_trial": th.tolist(),
                "simulated": float(vals.mean()), "ci95": [lo, hi], "difference_ci95": [dci.low, dci.high],
                "theory_in_ci": bool(dci.low <= 0 <= dci.high)}

    def learning_curve(self, path: str | Path, parameter: str, grid: Sequence[float], points: Sequence[float],
                       n: int, trials: int = 3, seed: int = 0, device: Any = None, log: bool = True,
                       compare: Mapping[str, Mapping[str, Any]] | None = None, **params: Any) -> dict:
        """Theory along ``grid`` of ``parameter`` and trained models (size ``n``, ``trials`` seeds
        each, 95 % CIs) at ``points``, drawn into the PNG ``path``; ``compare`` maps labels to
        parameter overrides whose theory curves are drawn dashed (e.g. a baseline model).

        Returns ``{"png", parameter, "theory", "simulated", "ci"}`` (theory at ``points``).
        """
        from ..verify.plots import plot_learning_curve

        grid, points = np.asarray(grid, dtype=float), np.asarray(points, dtype=float)
        curve = np.asarray(self.solve(strict=False, **{**params, parameter: grid})[self.quantity]).real
        sims = [self.simulate(n, trials, seed + i, device, **{**params, parameter: float(x)})
                for i, x in enumerate(points)]
        means = np.array([s.mean(self.quantity) for s in sims])
        cis = np.array([s.ci(self.quantity) for s in sims])
        nums, opts = self.split(params)
        fixed = ", ".join(f"{k} = {v}" for k, v in {**nums, **opts}.items() if v is not None)
        png = plot_learning_curve(path, grid, curve, points, means, cis, xlabel=parameter, ylabel=self.quantity,
                                  title=f"{self.name}" + (f" ({fixed})" if fixed else ""),
                                  theory_label="theory (generated solver)",
                                  sim_label=f"trained models (n = {n}, {trials} seeds, 95 % CI)", log=log,
                                  extra_curves={label: np.asarray(self.solve(strict=False, **{**params, **over,
                                                                                             parameter: grid})
                                                                  [self.quantity]).real
                                                for label, over in (compare or {}).items()})
        theory_at = np.asarray(self.solve(strict=False, **{**params, parameter: points})[self.quantity]).real
        return {"png": png, parameter: points, "theory": theory_at, "simulated": means, "ci": cis}

    def figures(self, directory: str | Path, quick: bool = True, seed: int = 0, device: Any = None) -> dict[str, Path]:
        if self.curve is None:
            return {}
        parameter, grid, points, fixed, *rest = self.curve
        sizes = self.quick_sizes if quick else self.sizes
        n = sizes[-2] if quick and len(sizes) > 1 else sizes[-1]  # quick: the second-largest size
        out = self.learning_curve(Path(directory) / f"{self.name}-curve.png", parameter, grid, points, n,
                                  trials=3 if quick else 8, seed=seed, device=device,
                                  compare=rest[0] if rest else None, **fixed)
        return {f"{self.name}: learning curve in {parameter}": out["png"]}

    # to implement ---------------------------------------------------------------
    def solve_arrays(self, **params: Any):  # pragma: no cover - abstract
        raise NotImplementedError

    def run_simulation(self, n: int, trials: int, seed: int, device: Any, **params: Any):  # pragma: no cover
        raise NotImplementedError
