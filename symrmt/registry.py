"""Named derivations: the paper-level results symrmt can state, solve, simulate and verify.

A :class:`Derivation` bundles a result's equations (for ``symrmt show``), its numerical solution
(``solve``), a simulation of the random object it describes (``simulate``) and a verification
(``verify``) that runs a ladder of sizes and returns a :class:`~symrmt.verify.report.Report`.
:class:`SpectralDerivation` is the case of an :class:`~symrmt.symbolic.laws.AlgebraicLaw`: the
theory is the generated solver's CDF/density, the simulation the law's random-matrix model
(:mod:`symrmt.simulate.models`), and the error the Kolmogorov–Smirnov distance per trial.
Other kinds (learning curves, ODE integrators) subclass :class:`Derivation` and implement
``equations``, ``solve``, ``simulate``, ``theory`` and ``measure``.

Derivations are found in ``derivations/*.py`` (each module exports ``DERIVATION``) — the
directory next to the package, the current directory's ``derivations/``, and the directories in
the ``SYMRMT_DERIVATIONS`` environment variable (``os.pathsep``-separated) — and among the ones
added with :func:`register`.
"""
from __future__ import annotations

import contextvars
import difflib
import functools
import inspect
import math
import os
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ._importing import import_file
from .errors import DerivationError, ParameterError
from .symbolic.laws import AlgebraicLaw, to_exact
from .symbolic.parsing import safe_sympify

__all__ = ["Parameter", "Derivation", "SpectralDerivation", "SpectralTheory", "from_law", "load", "available",
           "register", "search_paths"]


# ---------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Parameter:
    """A named parameter with a default, a description and an allowed range.

    ``low``/``high`` bound the value (exclusive unless ``low_inclusive``/``high_inclusive``);
    ``integer`` requires an integer.  Values are kept exact (SymPy rationals).
    """

    name: str
    default: Any
    description: str = ""
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = False
    high_inclusive: bool = False
    integer: bool = False

    @property
    def allowed(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{self.name} {'>=' if self.low_inclusive else '>'} {self.low}")
        if self.high is not None:
            parts.append(f"{self.name} {'<=' if self.high_inclusive else '<'} {self.high}")
        if self.integer:
            parts.append("an integer")
        return " and ".join(parts) or "any real number"

    def check(self, value: Any) -> sp.Expr:
        """Return ``value`` as an exact SymPy number, or raise :class:`ParameterError`."""
        if isinstance(value, Fraction):
            value = sp.Rational(value.numerator, value.denominator)
        v = to_exact(value, self.name)
        if not (v.is_number and v.is_real):
            raise ParameterError(f"{self.name}: expected a real number ({self.allowed}), got {v}")
        try:
            f = float(v)
        except (OverflowError, TypeError, ValueError):
            f = math.inf
        if not math.isfinite(f):
            raise ParameterError(f"{self.name}: {_short(v)} is not representable as a float64 (it overflows; "
                                 f"|{self.name}| must be below 1.8e308)")
        if f == 0 and v != 0:
            raise ParameterError(f"{self.name}: {_short(v)} is not representable as a float64 (it underflows to 0; "
                                 f"a nonzero |{self.name}| must be at least 5e-324)")
        # compared exactly (a value just outside a bound must not round onto it)
        lo = None if self.low is None else _exact(self.low)
        hi = None if self.high is None else _exact(self.high)
        bad = (lo is not None and (v < lo or (v == lo and not self.low_inclusive))) or \
              (hi is not None and (v > hi or (v == hi and not self.high_inclusive))) or \
              (self.integer and not v.is_integer)
        if bad:
            raise ParameterError(f"{self.name}: must satisfy {self.allowed}, got {_short(v)}")
        return v


def _exact(bound: float) -> sp.Rational:
    """A bound as the exact rational it is written as (``0.1`` → 1/10, not its binary value)."""
    return sp.Rational(repr(bound)) if isinstance(bound, float) else sp.Rational(bound)


def _short(v: sp.Expr) -> str:
    """``v`` for a message: as is when short, else to 6 significant digits (``1.00000e-400``)."""
    text = str(v)
    return text if len(text) <= 24 else str(sp.N(v, 6))


def _plain(v: Any) -> Any:
    """JSON-friendly form of an exact parameter value (int, or float)."""
    v = safe_sympify(v, "parameter value")
    return int(v) if v.is_integer else float(v)


# ---------------------------------------------------------------------- base class
class Derivation:
    """Base class of named derivations.

    Subclasses set the class attributes and implement :meth:`equations`, :meth:`solve`,
    :meth:`simulate`, :meth:`theory` and :meth:`measure`; :meth:`verify` is generic.

    Attributes
    ----------
    name : str
        Registry name (``symrmt show NAME``).
    summary, reference : str
        One line each; the reference cites the paper (arXiv id where one exists).
    parameters : tuple of Parameter
    sizes, quick_sizes : tuple of int
        Default ladders of sizes for :meth:`verify` (full and quick mode).
    trials, quick_trials : int
        Trials at the smallest size; see :meth:`trials_for`.
    trials_exponent : float
        Trials at size n scale like ``(n_min/n)^a`` (at least 2): ``a = 1`` keeps the number of
        eigenvalues per size constant (spectra: one large matrix is already precise); ``a = 0``
        keeps the trials constant, which a fluctuation-dominated scalar statistic needs for its
        relative uncertainty not to grow with n.
    in_demo : bool
        Whether ``symrmt demo`` verifies this derivation (expected verdict: "agrees").
    expected_rate : float
        p in the ``n^{-p}`` decay of the error when the theory is right (1 for a KS distance of a
        spectrum by eigenvalue rigidity; 1/2 for a fluctuation-dominated Monte-Carlo mean).
    log_correction : bool
        Whether the finite-size term is ``n^{-p} log n`` rather than ``n^{-p}`` (see
        :func:`~symrmt.verify.scaling.finite_size_scaling`).
    statistic : str
        Name of the per-trial error :meth:`measure` returns.
    scaling_model : str
        ``"power"``: the per-trial error is positive (a distance) and must decay like ``n^{-p}``
        (:func:`~symrmt.verify.scaling.finite_size_scaling`); ``"bias"``: it is a signed relative
        deviation of a scalar observable whose mean must extrapolate to 0 with a finite-size bias
        ``C n^{-p}`` (:func:`~symrmt.verify.scaling.bias_scaling`).
    resolution, quick_resolution : float
        For ``"bias"``: the relative error the ladder (full or quick) must be able to detect to say
        "agrees".
    """

    name: str = ""
    summary: str = ""
    reference: str = ""
    parameters: tuple[Parameter, ...] = ()
    sizes: tuple[int, ...] = (250, 500, 1000, 2000)
    quick_sizes: tuple[int, ...] = (100, 200, 400, 800)
    trials: int = 8
    quick_trials: int = 6
    trials_exponent: float = 1.0
    in_demo: bool = True
    expected_rate: float = 1.0
    log_correction: bool = False
    statistic: str = "error"
    scaling_model: str = "power"
    resolution: float = 0.05
    quick_resolution: float = 0.1

    # -------------------------------------------------------------- parameters
    def bind(self, **params: Any) -> dict[str, sp.Expr]:
        """Defaults overridden by ``params``, each checked; unknown names raise ParameterError."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown} for {self.name}; its parameters are "
                                 f"{sorted(known) or 'none'}")
        return {k: p.check(params.get(k, p.default)) for k, p in known.items()}

    def describe(self) -> dict:
        """Name, summary, reference and parameters (JSON-ready)."""
        return {"name": self.name, "summary": self.summary, "reference": self.reference,
                "parameters": [{"name": p.name, "default": _plain(p.check(p.default)), "description": p.description,
                                "allowed": p.allowed} for p in self.parameters]}

    # -------------------------------------------------------------- resource limits
    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every ``simulate`` a subclass defines checks :meth:`cost` against :mod:`symrmt.limits`
        before it runs (the one place where all kinds of derivation are bounded)."""
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("simulate")
        if fn is not None and not getattr(fn, "_checks_cost", False):
            cls.simulate = _cost_checked(fn)

    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """Estimated peak memory and work of ``simulate(n, trials, **params)``.

        Returns
        -------
        symrmt.limits.Cost
            Default: a conservative dense bound, ``trials`` dense ``n×n`` float64 problems
            (:func:`symrmt.limits.dense_cost`); kinds and derivations whose models are larger or
            cheaper override it.
        """
        from .limits import dense_cost

        return dense_cost([(n, n), (n, n)], trials)

    def check_cost(self, n: int, trials: int = 1, /, device: Any = None, **params: Any):
        """Raise :class:`ParameterError` (stating the estimate and the limit) if :meth:`cost`
        exceeds the limits of :mod:`symrmt.limits`; returns the cost."""
        from .limits import check_cost

        return check_cost(self.cost(n, trials, **params), f"{self.name}: simulating n={n} with {trials} trial(s)",
                          device)

    # -------------------------------------------------------------- to implement
    def equations(self) -> list[tuple[str, sp.Basic]]:
        """The derivation's equations as ``(label, SymPy object)`` pairs, in the paper's order."""
        raise NotImplementedError

    def solve(self, **params: Any) -> Any:
        """Numerical solution of the theory at ``params``."""
        raise NotImplementedError

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any) -> Any:
        """Simulate ``trials`` independent instances at size ``n`` (seeded torch generator on
        ``device``; ``dtype`` default float64; ``progress`` a tqdm bar on long runs).  Inside
        :meth:`verify` the ladder's bar is the only one: ``progress`` is False there, and a
        simulation reports finished trials with :func:`symrmt._progress.advance`."""
        raise NotImplementedError

    def theory(self, **params: Any) -> Any:
        """What :meth:`measure` compares a simulation with (default: :meth:`solve`)."""
        return self.solve(**params)

    def measure(self, sample: Any, theory: Any) -> dict:
        """Compare a simulation with the theory: ``{"errors": per-trial errors (array), ...extras}``."""
        raise NotImplementedError

    def plot_data(self, sample: Any, theory: Any, n: int) -> dict:
        """Data for the report's figure (default: only the error ladder)."""
        return {}

    def figures(self, directory: str | Path, quick: bool = True, seed: int = 0, device: Any = None) -> dict[str, Path]:
        """Extra figures for the report beyond the verification plot (e.g. a learning curve with
        simulated points on it); returns ``{title: path}``.  None by default."""
        return {}

    def codegen_target(self, **params: Any) -> Any:
        """The object ``symrmt codegen`` turns into a standalone solver module."""
        raise DerivationError(f"{self.name}: no standalone solver is defined for this derivation")

    # -------------------------------------------------------------- generic parts
    def show(self, latex: bool = False) -> str:
        """The equations as text (or LaTeX), one per line, each under its label."""
        lines = [f"{self.name}: {self.summary}", f"Reference: {self.reference}", ""]
        for label, eq in self.equations():
            lines.append(f"{label}:")
            lines.append("    " + (sp.latex(eq) if latex else sp.pretty(eq, use_unicode=True, wrap_line=False).replace("\n", "\n    ")))
        return "\n".join(lines)

    def trials_for(self, n: int, sizes: Sequence[int], trials: int) -> int:
        """Trials at size n: ``trials`` at the smallest size, then ``∝ (n_min/n)^a`` with
        ``a = trials_exponent`` (at least 2); with a = 1 each size holds about the same number of
        eigenvalues and the run time is dominated by the largest size."""
        if n == min(sizes):
            return trials
        return max(2, int(round(trials * (min(sizes) / n) ** self.trials_exponent)))

    def verify(self, sizes: Sequence[int] | None = None, trials: int | None = None, seed: int = 0,
               device: Any = None, quick: bool = False, theory_params: Mapping[str, Any] | None = None,
               dtype: Any = None, progress: bool | None = None, **params: Any):
        """Run the size ladder, fit the finite-size scaling and return a :class:`~symrmt.verify.report.Report`.

        Parameters
        ----------
        sizes : increasing sizes (each >= 2); default :attr:`sizes`, or :attr:`quick_sizes` if ``quick``
        trials : trials at the smallest size (>= 1); see :meth:`trials_for`
        seed : base seed; size n uses ``derive_seed(seed, n)``
        device : None (CUDA if available, else CPU), "cpu" or "cuda"
        quick : smaller default sizes and trials (used by ``symrmt demo``)
        theory_params : parameters at which the *theory* is evaluated instead of ``params`` — a
            control: a deliberately wrong formula must come out as "disagrees"
        dtype : None (float64) or "float32"
        progress : one bar for the whole ladder, advancing trial by trial and weighted by each
            size's estimated work (with an ETA): True, False, None (on when stderr is a terminal
            and the environment variable ``CI`` is not set) or a text stream to draw it on
        **params : the derivation's parameters
        """
        from .simulate.device import check_seed, check_size, check_trials, derive_seed, resolve_device, resolve_dtype
        from .verify import bias_scaling, environment, finite_size_scaling, mean_ci
        from .verify.scaling import pooled_stderrs
        from .verify.report import Report

        t0 = time.perf_counter()
        sizes = tuple(self.quick_sizes if quick else self.sizes) if sizes is None else tuple(sizes)
        if not sizes:
            raise ParameterError("sizes: need at least one size")
        sizes = tuple(sorted({check_size(n, "sizes") for n in sizes}))
        trials = check_trials(trials if trials is not None else (self.quick_trials if quick else self.trials))
        seed = check_seed(seed)
        p = self.bind(**params)
        self.check_ladder(sizes, trials, **p)  # before torch is even imported
        dev, dt = resolve_device(device), resolve_dtype(dtype)
        tp = self.bind(**{**p, **dict(theory_params or {})})
        theory = self.theory(**tp)
        ladder, sample = [], None
        bar = self.progress_ladder(sizes, trials, progress, **p)
        for i, n in enumerate(sizes):
            t_n = self.trials_for(n, sizes, trials)
            s_n = derive_seed(seed, n)
            t1 = time.perf_counter()
            token = _COST_CHECKED.set(True)  # checked above, for the whole ladder
            try:
                with bar.size(i):  # the one bar of the ladder (simulate shows none of its own)
                    sample = self.simulate(n, t_n, s_n, dev, dtype=dt, progress=False, **p)
            except BaseException:
                bar.close()
                raise
            finally:
                _COST_CHECKED.reset(token)
            meas = dict(self.measure(sample, theory))
            errors = np.asarray(meas.pop("errors"), dtype=float)
            ladder.append({"n": n, "trials": t_n, "seed": s_n, "error": mean_ci(errors).to_dict(),
                           "per_trial": errors.tolist(), **meas, "seconds": time.perf_counter() - t1})
        bar.close()
        if len(sizes) >= 2 and self.scaling_model == "bias":
            ses = pooled_stderrs(sizes, [r["per_trial"] for r in ladder])
            for r, se in zip(ladder, ses):
                r["error"]["pooled_stderr"] = float(se)
            fit = bias_scaling(sizes, [r["error"]["value"] for r in ladder], ses, self.expected_rate,
                               self.quick_resolution if quick else self.resolution).to_dict()
        elif len(sizes) >= 2:
            fit = finite_size_scaling(sizes, [r["error"]["value"] for r in ladder],
                                      [r["error"]["stderr"] for r in ladder], self.expected_rate,
                                      self.log_correction).to_dict()
        else:
            e = ladder[0]["error"]
            fit = {"sizes": list(sizes), "errors": [e["value"]], "stderrs": [e["stderr"]],
                   "expected_rate": self.expected_rate, "slope": float("nan"), "slope_se": float("nan"),
                   "intercept": math.log(max(e["value"], 1e-300)), "plateau": float("nan"), "plateau_se": float("nan"),
                   "verdict": "inconclusive", "reasons": ["a single size: no finite-size scaling possible"]}
        meta = {"seed": seed, "device": str(dev), "dtype": str(dt).replace("torch.", ""), "quick": bool(quick),
                "sizes": list(sizes), "trials": trials, "seconds": time.perf_counter() - t0,
                "versions": environment(dev, dt)}
        report = Report(derivation=self.name, summary=self.summary, reference=self.reference,
                        params={k: _plain(v) for k, v in p.items()}, theory_params={k: _plain(v) for k, v in tp.items()},
                        statistic=self.statistic, ladder=ladder, scaling=fit, meta=meta)
        report.plot_data = self.plot_data(sample, theory, sizes[-1])
        return report

    def progress_ladder(self, sizes: Sequence[int], trials: int, progress: Any = None, **params: Any):
        """The progress bar of a verification ladder (:class:`symrmt._progress.Ladder`).

        Parameters
        ----------
        sizes : sequence of int
            The ladder's sizes, in run order.
        trials : int
            Trials at the smallest size (see :meth:`trials_for`).
        progress : bool, None or a text stream
            True: a bar; False: none; None: a bar only when stderr is a terminal and ``CI`` is not
            set; a stream: a bar written there.
        **params
            The bound parameters (for :meth:`cost`).

        Returns
        -------
        symrmt._progress.Ladder
            One step per size, weighted by the estimated work of its trials (:meth:`cost`), so
            the bar's percentage and ETA follow the run time rather than the trial count.
        """
        from ._progress import Ladder, wanted

        steps = []
        show = wanted(progress)
        for n in sizes:
            t_n = self.trials_for(n, sizes, trials)
            weight = float("nan")
            if show:
                try:
                    weight = self.cost(n, t_n, **params).work
                except Exception:  # noqa: BLE001 - a cost estimate only weights the bar
                    pass
            steps.append((f"n={n}", t_n, weight))
        return Ladder(steps, desc=self.name, progress=progress)

    def check_ladder(self, sizes: Sequence[int], trials: int, **params: Any) -> None:
        """Check every size of a ladder (memory) and the whole ladder (total work) against
        :mod:`symrmt.limits` before anything runs; :class:`ParameterError` otherwise."""
        from .limits import Cost, check_cost

        total = Cost(0.0, 0.0)
        for n in sorted(sizes, reverse=True):  # the largest size first: its message is the telling one
            total = total + self.check_cost(n, self.trials_for(n, sizes, trials), **params)
        check_cost(total, f"{self.name}: verifying sizes {list(sizes)} with {trials} trial(s) at the smallest")

    def __repr__(self) -> str:
        return f"<Derivation {self.name}: {self.summary}>"


#: True while a ladder checked as a whole runs (its simulate calls need no second check)
_COST_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar("symrmt_cost_checked", default=False)


def _count(x: Any) -> int | None:
    """``x`` as an int >= 1 (NumPy integers and integral floats included), else None."""
    from ._checks import integer

    try:
        return integer("n", x, low=1)
    except ParameterError:
        return None


def _cost_checked(simulate):
    """Wrap a ``simulate(self, n, trials, seed, device, ...)`` so that it calls
    :meth:`Derivation.check_cost` first (arguments it cannot judge are left to ``simulate``)."""

    signature = inspect.signature(simulate)
    default_trials = signature.parameters["trials"].default if "trials" in signature.parameters else 1

    @functools.wraps(simulate)
    def checked(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs).arguments
        except TypeError:  # let simulate itself report the malformed call
            return simulate(self, *args, **kwargs)
        size = _count(bound.get("n"))
        count = _count(bound.get("trials", default_trials))
        if not _COST_CHECKED.get() and size is not None and count is not None:
            params = {k: v for k, v in kwargs.items()
                      if k not in ("n", "trials", "seed", "device", "dtype", "progress")}
            self.check_cost(size, count, **params)
            token = _COST_CHECKED.set(True)  # a subclass's simulate calling super().simulate
            try:
                return simulate(self, *args, **kwargs)
            finally:
                _COST_CHECKED.reset(token)
        return simulate(self, *args, **kwargs)

    checked._checks_cost = True
    return checked


# ---------------------------------------------------------------------- spectral laws
class SpectralTheory:
    """The solved law at bound parameters: fast CDF (tabulated), density, support and exact moments."""

    def __init__(self, law: AlgebraicLaw, n_moments: int = 4, grid_points: int = 4001):
        from .verify.stats import grid_cdf

        self.law = law
        self.compiled = law.compile()
        self.support = [(float(a), float(b)) for a, b in self.compiled.support()]
        if not self.support:
            raise DerivationError(f"{law.name}: the solver returned an empty support")
        self.density = self.compiled.density
        self.cdf = grid_cdf(self.compiled.cdf, self.support, grid_points, density=self.density)
        self.moments = [float(sp.N(mk)) for mk in law.moments(n_moments)]


class SpectralDerivation(Derivation):
    """A derivation whose theory is an :class:`AlgebraicLaw` (a spectral law).

    Subclasses implement :meth:`build_law` with the law's construction written as in the paper
    (e.g. ``free_add(semicircle(s), marchenko_pastur(g))``); parameters arrive as exact SymPy
    numbers or, for :meth:`equations`, as positive symbols.  Error: the Kolmogorov–Smirnov distance
    between each simulated matrix's empirical spectral CDF and the solver's CDF, which decays like
    ``n^{-1}`` (up to logs) by eigenvalue rigidity when the law is right.
    """

    statistic = "ks"
    log_correction = True
    #: which of the law's transforms :meth:`equations` shows ("R", "S"); symbolic transforms of
    #: high-degree laws with several parameters can be expensive, so subclasses may narrow this
    transforms: tuple[str, ...] = ("R", "S")

    def build_law(self, **params: sp.Expr) -> AlgebraicLaw:
        raise NotImplementedError

    def symbols(self) -> dict[str, sp.Symbol]:
        return {p.name: sp.Symbol(p.name, positive=True) for p in self.parameters}

    def symbolic_law(self) -> AlgebraicLaw:
        """The law with every parameter a positive symbol named after it."""
        return self.build_law(**self.symbols())

    def law(self, **params: Any) -> AlgebraicLaw:
        """The law at bound parameters (defaults filled in)."""
        return self.build_law(**self.bind(**params))

    def equations(self) -> list[tuple[str, sp.Basic]]:
        from .symbolic.symbols import R as Rs, S as Ss, m, u, w

        law = self.symbolic_law()
        eqs = list(self.extra_equations_for(self.symbols()))
        eqs.append((f"minimal polynomial of m(z) = ∫ρ(x)/(x − z)dx for {law.name}", sp.Eq(sp.collect(law.expr, m), 0)))
        for label, fn, var, sym in (("R-transform", law.r_transform, w, Rs), ("S-transform", law.s_transform, u, Ss)):
            if label[0] not in self.transforms:
                continue
            try:
                val = fn()
            except (DerivationError, NotImplementedError, ValueError):
                continue
            if isinstance(val, sp.Poly):
                eqs.append((f"{label} (implicit)", sp.Eq(val.as_expr(), 0)))
            else:
                eqs.append((label, sp.Eq(sp.Function(sym.name)(var), val)))
        return eqs

    def extra_equations_for(self, symbols: Mapping[str, sp.Symbol]) -> list[tuple[str, sp.Basic]]:
        """Equations stating the construction (override: e.g. R-transforms add)."""
        return []

    def solve(self, at: Sequence[float] | None = None, **params: Any) -> dict:
        """Support, exact moments and (at points ``at``) density and CDF of the law."""
        law = self.law(**params)
        comp = law.compile()
        out = {"law": law.name, "params": {k: _plain(v) for k, v in self.bind(**params).items()},
               "support": [[float(a), float(b)] for a, b in comp.support()],
               "moments": [float(sp.N(mk)) for mk in law.moments(4)]}
        if at is not None:
            x = np.asarray(at, dtype=float)
            out["at"] = x.tolist()
            out["density"] = np.asarray(comp.density(x), dtype=float).tolist()
            out["cdf"] = np.asarray(comp.cdf(x), dtype=float).tolist()
        return out

    def theory(self, **params: Any) -> SpectralTheory:
        return SpectralTheory(self.law(**params))

    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """The cost of the law's random-matrix model (:func:`symrmt.simulate.models.model_cost`)."""
        from .simulate.models import model_cost

        try:  # a ladder asks once per size: build the law once
            key = tuple(sorted(params.items()))
            hash(key)
        except TypeError:
            key = None
        cached = self.__dict__.get("_cost_law")
        if key is None or cached is None or cached[0] != key:
            cached = (key, self.law(**params))
            if key is not None:
                self.__dict__["_cost_law"] = cached
        return model_cost(cached[1], n, trials)

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any):
        """Sorted eigenvalues ``(trials, n)`` (torch tensor) of the law's random-matrix model."""
        from .simulate import sample_eigenvalues

        return sample_eigenvalues(self.law(**params), n, trials, seed, device, dtype, progress)

    def measure(self, sample: Any, theory: SpectralTheory) -> dict:
        from .verify.stats import ks_distance, mean_ci, moment_statistics, wasserstein1

        eig = sample.detach().cpu().numpy()
        hull = (min(a for a, _ in theory.support), max(b for _, b in theory.support))
        return {"errors": ks_distance(eig, theory.cdf),
                "wasserstein1": mean_ci(wasserstein1(eig, theory.cdf, hull)).to_dict(),
                "moments": moment_statistics(eig, theory.moments)}

    def plot_data(self, sample: Any, theory: SpectralTheory, n: int) -> dict:
        return {"eigenvalues": sample.detach().cpu().numpy(), "density": theory.density,
                "support": theory.support, "n": n}

    def codegen_target(self, **params: Any) -> AlgebraicLaw:
        return self.law(**params) if params else self.symbolic_law()


def from_law(law: AlgebraicLaw, name: str | None = None, summary: str = "", reference: str = "") -> SpectralDerivation:
    """A parameterless :class:`SpectralDerivation` for an already-bound law (e.g. one just derived
    with the free calculus), so that it can be solved, simulated and verified like a named result."""
    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    if law.parameters:
        raise ParameterError(f"law {law.name!r} has unbound parameter(s) {[s.name for s in law.parameters]}; "
                             "bind them with law.subs(...) first")
    cls = type("LawDerivation", (SpectralDerivation,), {
        "name": name or law.name, "summary": summary or f"the law {law.name}",
        "reference": reference or "built with the free calculus of Rao & Edelman 2008, arXiv math/0601389",
        "transforms": (), "build_law": lambda self: law})
    return cls()


# ---------------------------------------------------------------------- discovery
_REGISTERED: dict[str, Derivation] = {}
_DISCOVERED: dict[str, tuple[Path, Derivation | None]] | None = None


def register(derivation: Derivation) -> Derivation:
    """Add a derivation to the registry (replacing one of the same name)."""
    if not isinstance(derivation, Derivation) or not derivation.name:
        raise ParameterError("register: expected a Derivation instance with a name")
    _REGISTERED[derivation.name] = derivation
    return derivation


def search_paths() -> list[Path]:
    """Directories searched for ``derivations/*.py``, in order."""
    paths = [Path(p) for p in os.environ.get("SYMRMT_DERIVATIONS", "").split(os.pathsep) if p]
    paths += [Path(__file__).resolve().parent.parent / "derivations", Path.cwd() / "derivations"]
    seen, out = set(), []
    for p in paths:
        key = p.resolve()
        if key not in seen and p.is_dir():
            seen.add(key)
            out.append(p)
    return out


def _scan() -> dict[str, tuple[Path, Derivation | None]]:
    global _DISCOVERED
    if _DISCOVERED is None:
        found: dict[str, tuple[Path, Derivation | None]] = {}
        for d in search_paths():
            for f in sorted(d.glob("*.py")):
                if f.name.startswith("_"):
                    continue
                name = f.stem.replace("_", "-")
                found.setdefault(name, (f, None))
        _DISCOVERED = found
    return _DISCOVERED


def _import(path: Path) -> Derivation:
    mod_name = f"symrmt_derivations.{path.stem}"
    if mod_name in sys.modules:
        mod = sys.modules[mod_name]
    else:
        try:
            mod = import_file(mod_name, path)  # a project file, imported like any module
        except ImportError as exc:
            raise DerivationError(f"cannot import derivation file {path.name}: {exc}") from exc
    der = getattr(mod, "DERIVATION", None)
    if not isinstance(der, Derivation):
        raise DerivationError(f"{path.name} does not export DERIVATION (a symrmt.registry.Derivation)")
    return der


def available() -> list[str]:
    """Names of all derivations (registered and discovered), sorted."""
    return sorted(set(_REGISTERED) | set(_scan()))


def load(name: str) -> Derivation:
    """The derivation called ``name`` (file ``derivations/<name with _>.py`` or registered).

    An unknown name raises :class:`~symrmt.errors.ParameterError` whose message suggests the
    closest names (``did you mean 'marchenko-pastur'?``) before listing all of them.
    """
    if not isinstance(name, str):
        raise ParameterError(f"name: expected a string, got {type(name).__name__}")
    if name in _REGISTERED:
        return _REGISTERED[name]
    found = _scan()
    key = name.replace("_", "-")
    if key not in found:
        names = available()
        close = difflib.get_close_matches(key.lower(), names, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ParameterError(f"unknown derivation {name!r}; {hint}available: {', '.join(names) or 'none'}")
    path, der = found[key]
    if der is None:
        der = _import(path)
        if der.name != key:
            raise DerivationError(f"{path.name}: DERIVATION.name is {der.name!r}, expected {key!r}")
        found[key] = (path, der)
    return der
