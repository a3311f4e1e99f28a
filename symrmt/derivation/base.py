"""The :class:`Derivation` base class: a named result that states, solves, simulates and verifies.

A derivation binds a theory (equations and their generated solver) to the simulation of the
random object it describes (:mod:`symrmt.simulate`) and to the statistics of :mod:`symrmt.verify`.
Every kind (spectral laws, learning curves, ODE integrators) runs the one verification pipeline
of :meth:`Derivation.verify`, a visible sequence of steps that kinds specialise by overriding
hooks, never by re-implementing the sequence::

    bind parameters -> check the cost of the ladder -> theory(**params)
      -> run_ladder: measure_size(n) for each size n   (simulate -> trial_theory -> measure)
      -> conclude (finite-size fit and verdict) -> Report

Options (non-numeric settings such as an activation) are values carried through the pipeline
with the parameters (:meth:`Derivation.bind`); a derivation object is never copied and mutated
to carry them.  A theory that depends on the trial's draw (the omniscient risk of the drawn
kernel, the test error given the drawn weights) is computed by the derivation's
:meth:`Derivation.trial_theory` from what the simulation returns: a simulation returns what it
drew and measured, never theory.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import math
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import DerivationError, ParameterError
from .parameters import Parameter, option_value, plain

__all__ = ["Derivation"]


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
        Numeric parameters (checked exactly by :meth:`bind`).
    options : dict
        Non-numeric options and their defaults (e.g. ``{"activation": "relu"}``), passed by keyword
        like parameters and carried as values through the pipeline.
    option_choices : dict
        The values an option may be given as text (``symrmt ... --option K=V``), by option name
        (e.g. ``{"form": ("limit", "finite-d")}``); an option not listed here (a spectrum given
        as a measure, a tuple of widths) is set from Python only.
    solve_only : tuple of str
        Parameters that only :meth:`solve` takes (e.g. the dimension and seed of weights drawn to
        evaluate a conditional theory); :meth:`verify` leaves them out.
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
    options: Mapping[str, Any] = {}
    option_choices: Mapping[str, tuple] = {}
    solve_only: tuple[str, ...] = ()
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

    # -------------------------------------------------------------- parameters and options
    def bind(self, **params: Any) -> dict[str, Any]:
        """Defaults overridden by ``params``: each numeric parameter checked (exact SymPy number),
        each option as given; unknown names raise :class:`ParameterError` listing the known ones."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known) - set(self.options))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown} for {self.name}; its parameters are "
                                 f"{sorted(set(known) | set(self.options)) or 'none'}")
        bound: dict[str, Any] = {k: p.check(params.get(k, p.default)) for k, p in known.items()}
        bound.update({k: params.get(k, v) for k, v in self.options.items()})
        return bound

    def split(self, params: Mapping[str, Any]) -> tuple[dict, dict]:
        """``(numeric parameters, options)`` of a parameter mapping (options with their defaults)."""
        opts = {k: params.get(k, v) for k, v in self.options.items()}
        return {k: v for k, v in params.items() if k not in self.options}, opts

    def option_from_text(self, name: str, text: str) -> Any:
        """The value of option ``name`` that ``text`` names, one of :attr:`option_choices`
        (:func:`~symrmt.derivation.parameters.option_value`; the text is never evaluated)."""
        if name not in self.options:
            raise ParameterError(f"unknown option {name!r} for {self.name}; its options are "
                                 f"{sorted(self.options) or 'none'}")
        if name not in self.option_choices:
            settable = sorted(self.option_choices) or "none"
            raise ParameterError(f"option {name} of {self.name} cannot be set from text (only from Python); "
                                 f"options settable so: {settable}")
        return option_value(name, text, self.option_choices[name])

    def describe(self) -> dict:
        """Name, summary, reference, parameters and options (JSON-ready)."""
        return {"name": self.name, "summary": self.summary, "reference": self.reference,
                "parameters": [{"name": p.name, "default": plain(p.check(p.default)), "description": p.description,
                                "allowed": p.allowed} for p in self.parameters],
                **({"options": {k: repr(v) for k, v in self.options.items()}} if self.options else {}),
                **({"option_choices": {k: list(v) for k, v in self.option_choices.items()}}
                   if self.option_choices else {})}

    def report_params(self, bound: Mapping[str, Any]) -> dict:
        """Bound parameters for a report: numbers as JSON numbers, options as text."""
        nums, opts = self.split(bound)
        return {**{k: plain(v) for k, v in nums.items()}, **{k: _option_text(v) for k, v in opts.items()}}

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
        from ..limits import dense_cost

        return dense_cost([(n, n), (n, n)], trials)

    def check_cost(self, n: int, trials: int = 1, /, device: Any = None, **params: Any):
        """Raise :class:`ParameterError` (stating the estimate and the limit) if :meth:`cost`
        exceeds the limits of :mod:`symrmt.limits`; returns the cost."""
        from ..limits import check_cost

        return check_cost(self.cost(n, trials, **params), f"{self.name}: simulating n={n} with {trials} trial(s)",
                          device)

    def check_ladder(self, sizes: Sequence[int], trials: int, **params: Any) -> None:
        """Check every size of a ladder (memory) and the whole ladder (total work) against
        :mod:`symrmt.limits` before anything runs; :class:`ParameterError` otherwise."""
        from ..limits import Cost, check_cost

        total = Cost(0.0, 0.0)
        for n in sorted(sizes, reverse=True):  # the largest size first: its message is the telling one
            total = total + self.check_cost(n, self.trials_for(n, sizes, trials), **params)
        check_cost(total, f"{self.name}: verifying sizes {list(sizes)} with {trials} trial(s) at the smallest")

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

    def trial_theory(self, sample: Any, theory: Any) -> np.ndarray | None:
        """The theory of each trial, for a theory conditional on the trial's draw.

        Parameters
        ----------
        sample
            What :meth:`simulate` returned: the draw (weights, population points, ...) and the
            measurements of every trial.
        theory
            What :meth:`theory` returned for the bound parameters.

        Returns
        -------
        numpy.ndarray or None
            One theory value per trial, computed by theory code (numpy, generated solvers) from the
            trial's draw; None (the default) when the theory does not depend on the trial.
        """
        return None

    def measure(self, sample: Any, theory: Any) -> dict:
        """Compare a simulation with the theory: ``{"errors": per-trial errors (array), ...extras}``."""
        raise NotImplementedError

    def plot_data(self, sample: Any, theory: Any, n: int) -> dict:
        """Data for the report's figure from one size's sample (default: none; the ladder panels
        need only the report).  Spectral kinds return ``eigenvalues`` (drawn per size) and the
        theory's ``density`` and ``support``."""
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

    # -------------------------------------------------------------- the verification pipeline
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
        **params : the derivation's parameters and options (:attr:`solve_only` ones are ignored)

        Notes
        -----
        The steps, each a method a kind may override: :meth:`ladder_sizes`, :meth:`bind`,
        :meth:`check_ladder`, :meth:`theory`, :meth:`run_ladder` (:meth:`measure_size` per size),
        :meth:`conclude`, :meth:`run_meta`; the report is an instance of :attr:`report_class`.
        """
        from ..simulate.device import check_seed, check_trials, resolve_device, resolve_dtype

        t0 = time.perf_counter()
        sizes = self.ladder_sizes(sizes, quick)
        trials = check_trials(trials if trials is not None else (self.quick_trials if quick else self.trials))
        seed = check_seed(seed)
        p = self._verify_bind(params)
        self.check_ladder(sizes, trials, **p)  # before torch is even imported
        dev, dt = resolve_device(device), resolve_dtype(dtype)
        tp = self._verify_bind({**p, **dict(theory_params or {})})
        theory = self.theory(**tp)
        bar = self.progress_ladder(sizes, trials, progress, **p)
        token = _COST_CHECKED.set(True)  # checked above, for the whole ladder
        try:
            rows, plots = self.run_ladder(sizes, trials, seed, theory, dev, dt, bar, **p)
        finally:
            _COST_CHECKED.reset(token)
            bar.close()
        fit = self.conclude(sizes, rows, quick)
        meta = {"seed": seed, "device": str(dev), "dtype": str(dt).replace("torch.", ""), "quick": bool(quick),
                "sizes": list(sizes), "trials": trials, **self.run_meta(sizes, rows, **p),
                "seconds": time.perf_counter() - t0, "versions": _environment(dev, dt)}
        report = self.report_class(derivation=self.name, summary=self.summary, reference=self.reference,
                                   params=self.report_params(p), theory_params=self.report_params(tp),
                                   statistic=self.statistic, ladder=rows, scaling=fit, meta=meta)
        report.plot_data = _figure_data(plots)
        return report

    @property
    def report_class(self):
        """The class of the report :meth:`verify` returns (default :class:`~symrmt.verify.Report`)."""
        from ..verify import Report

        return Report

    def _verify_bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        bound = self.bind(**{k: v for k, v in params.items() if k not in self.solve_only})
        return {k: v for k, v in bound.items() if k not in self.solve_only}

    def ladder_sizes(self, sizes: Sequence[int] | None, quick: bool) -> tuple[int, ...]:
        """The checked ladder: ``sizes`` (or the default ladder), sorted, duplicates removed."""
        from ..simulate.device import check_size

        sizes = tuple(self.quick_sizes if quick else self.sizes) if sizes is None else tuple(sizes)
        if not sizes:
            raise ParameterError("sizes: need at least one size")
        return tuple(sorted({check_size(n, "sizes") for n in sizes}))

    def run_ladder(self, sizes: Sequence[int], trials: int, seed: int, theory: Any, device: Any, dtype: Any,
                   bar: Any, **params: Any) -> tuple[list[dict], list[dict]]:
        """One :meth:`measure_size` row per size (size n seeded with ``derive_seed(seed, n)``);
        returns ``(rows, [plot_data(sample, theory, n) per size])``."""
        from ..simulate.device import derive_seed

        rows, plots = [], []
        for i, n in enumerate(sizes):
            with bar.size(i):  # the one bar of the ladder (simulate shows none of its own)
                row, sample = self._measure(n, self.trials_for(n, sizes, trials), derive_seed(seed, n), theory,
                                            device, dtype, **params)
            rows.append(row)
            plots.append(self.plot_data(sample, theory, n))
        return rows, plots

    def measure_size(self, n: int, trials: int, seed: int, theory: Any, device: Any = None, dtype: Any = None,
                     **params: Any) -> dict:
        """Simulate ``trials`` instances at size ``n`` and compare them with ``theory``.

        Parameters
        ----------
        n, trials, seed
            Size, number of trials and the seed of this size's simulation.
        theory
            :meth:`theory` at the bound parameters.
        device, dtype
            As for :meth:`simulate`.
        **params
            The bound parameters and options (:meth:`bind`).

        Returns
        -------
        dict
            One ladder row: ``n``, ``trials``, ``seed``, ``error`` (mean, standard error, 95 %
            interval of the per-trial statistic), ``per_trial``, the extras of :meth:`measure`
            and ``seconds``.
        """
        return self._measure(n, trials, seed, theory, device, dtype, **params)[0]

    def _measure(self, n, trials, seed, theory, device, dtype, **params) -> tuple[dict, Any]:
        from ..verify import mean_ci

        t1 = time.perf_counter()
        sample = self.simulate(n, trials, seed, device, dtype=dtype, progress=False, **params)
        meas = dict(self.measure(sample, theory))
        errors = np.asarray(meas.pop("errors"), dtype=float)
        return ({"n": n, "trials": trials, "seed": seed, "error": mean_ci(errors).to_dict(),
                 "per_trial": errors.tolist(), **meas, "seconds": time.perf_counter() - t1}, sample)

    def conclude(self, sizes: Sequence[int], rows: list[dict], quick: bool = False) -> dict:
        """The verdict of a ladder: the finite-size fit of the rows' errors.

        ``"bias"`` derivations extrapolate the signed mean deviation to infinite size
        (:func:`~symrmt.verify.scaling.bias_scaling`, pooled standard errors written into the
        rows); ``"power"`` ones fit ``C n^{-p}`` to the distances
        (:func:`~symrmt.verify.scaling.finite_size_scaling`).  A single size is "inconclusive".
        """
        from ..verify import bias_scaling, finite_size_scaling
        from ..verify.scaling import pooled_stderrs

        if len(sizes) >= 2 and self.scaling_model == "bias":
            ses = pooled_stderrs(sizes, [r["per_trial"] for r in rows])
            for r, se in zip(rows, ses):
                r["error"]["pooled_stderr"] = float(se)
            return bias_scaling(sizes, [r["error"]["value"] for r in rows], ses, self.expected_rate,
                                self.quick_resolution if quick else self.resolution).to_dict()
        if len(sizes) >= 2:
            return finite_size_scaling(sizes, [r["error"]["value"] for r in rows],
                                       [r["error"]["stderr"] for r in rows], self.expected_rate,
                                       self.log_correction).to_dict()
        e = rows[0]["error"]
        return {"sizes": list(sizes), "errors": [e["value"]], "stderrs": [e["stderr"]],
                "expected_rate": self.expected_rate, "slope": float("nan"), "slope_se": float("nan"),
                "intercept": math.log(max(e["value"], 1e-300)), "plateau": float("nan"), "plateau_se": float("nan"),
                "verdict": "inconclusive", "reasons": ["a single size: no finite-size scaling possible"]}

    def run_meta(self, sizes: Sequence[int], rows: list[dict], **params: Any) -> dict:
        """Extra entries of the report's ``meta`` (none by default)."""
        return {}

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
        from .._progress import Ladder, wanted

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

    def __repr__(self) -> str:
        return f"<Derivation {self.name}: {self.summary}>"


def _figure_data(plots: list[dict]) -> dict:
    """The report's figure data: the largest size's, plus the per-size eigenvalues (small multiples)."""
    data = dict(plots[-1]) if plots else {}
    per_size = [{"eigenvalues": p["eigenvalues"], "n": p.get("n")} for p in plots if "eigenvalues" in p]
    if len(per_size) > 1:
        data["per_size"] = per_size
    return data


def _environment(device: Any, dtype: Any) -> dict:
    from ..verify import environment

    return environment(device, dtype)


#: True while a ladder checked as a whole runs (its simulate calls need no second check)
_COST_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar("symrmt_cost_checked", default=False)


def _count(x: Any) -> int | None:
    """``x`` as an int >= 1 (NumPy integers and integral floats included), else None."""
    from .._checks import integer

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


def _option_text(value: Any) -> str:
    """An option as report text: arrays (a spectrum given as data) by their size and range."""
    if isinstance(value, (list, tuple, np.ndarray)) and np.size(value) > 8:
        arr = np.asarray(value, dtype=object if isinstance(value, tuple) else None)
        if arr.dtype.kind in "fiu":
            return f"array of {arr.size} values in [{arr.min():.4g}, {arr.max():.4g}]"
        return f"{type(value).__name__} of {len(value)} entries"
    return str(value)
