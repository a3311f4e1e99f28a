"""The learning model: its description, derived equations and generated solver in one object.

``model(...)`` checks a description (:mod:`symrmt.learning.description`);
:meth:`LearningModel.equations` shows what :mod:`symrmt.learning.algebra` derived;
:meth:`LearningModel.solve` runs the generated numba solver on broadcast arrays;
:meth:`LearningModel.simulation_inputs` gives the plain arrays a torch simulation of the same
description draws from.  :meth:`LearningModel.simulate` and :meth:`LearningModel.verify` go
through the registered derivation (``symrmt.derivation.from_model``), which binds the model to
:mod:`symrmt.simulate` and :mod:`symrmt.verify`; this theory library imports neither.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import sympy as sp

from .._checks import broadcast, checked
from ..errors import ConvergenceError, DerivationError, ParameterError
from .algebra import assemble, build_system, display_equations
from .description import LearningModelData, check_ensemble, model_data

__all__ = ["LearningModel", "model", "set_derivation_factory", "SimulationInputs"]

_FACTORY: list[Callable] = []


def set_derivation_factory(factory: Callable) -> None:
    """Install the function ``factory(model, name) -> Derivation`` that :meth:`LearningModel.simulate`
    and :meth:`LearningModel.verify` use (``symrmt.derivation.from_model`` installs itself)."""
    _FACTORY[:] = [factory]


class SimulationInputs(dict):
    """Plain arrays a simulation draws from (see :meth:`LearningModel.simulation_inputs`)."""


class LearningModel:
    """A learning problem composed like a law: one description, its equations, solver and checks.

    Build it with :func:`model`.  Attributes mirror the description: ``data`` (Measure),
    ``target`` (Source), ``signal``, ``noise``, ``layers`` (tuple of Layer), ``ensemble``
    (float; ``inf`` for the infinite ensemble), ``depth``.
    """

    def __init__(self, desc: LearningModelData) -> None:
        self._desc = desc
        self._systems: dict[bool, Any] = {}

    # ------------------------------------------------------------ the description
    description = property(lambda self: self._desc, doc="The checked description (LearningModelData).")
    data = property(lambda self: self._desc.data)
    target = property(lambda self: self._desc.target)
    signal = property(lambda self: self._desc.signal)
    noise = property(lambda self: self._desc.noise)
    layers = property(lambda self: self._desc.layers)
    ensemble = property(lambda self: self._desc.ensemble)
    activation = property(lambda self: self._desc.activation,
                          doc="None, or the last layer's linearized Activation (κ0, κ1, κ*).")
    activations = property(lambda self: self._desc.activations,
                           doc="Per layer: None (linear) or its linearized Activation.")
    nonlinear = property(lambda self: self._desc.nonlinear, doc="Whether some layer has an activation.")
    depth = property(lambda self: self._desc.depth)

    def __repr__(self) -> str:
        layers = ", ".join(f"linear(width={l.width:g}{', structured' if l.structured else ''})"
                           for l in self.layers)
        k = "inf" if math.isinf(self.ensemble) else f"{self.ensemble:g}"
        act = "" if not self.nonlinear else \
            f", activation={[None if a is None else a.function for a in self.activations]!r}"
        return (f"LearningModel(data={self.data.description} ({self.data.size} atoms), "
                f"target=source(power={self.target.power:g}), layers=[{layers}]{act}, ensemble={k})")

    # ------------------------------------------------------------ equations
    def system(self, assembled: bool = True):
        """The derived :class:`~symrmt.symbolic.system.System` (built once per model).

        Parameters
        ----------
        assembled : bool
            True (default): every observable :meth:`solve` returns, as an expression (what
            ``symrmt codegen`` exports).  False: the System :meth:`solve` compiles, whose
            observables are only :data:`symrmt.learning.algebra.PRIMITIVES`; the others are
            assembled from them by :func:`symrmt.learning.algebra.assemble` after the solve.
        """
        if not isinstance(assembled, (bool, np.bool_)):
            raise ParameterError(f"assembled: must be True or False, got {assembled!r}")
        key = bool(assembled)
        if key not in self._systems:
            self._systems[key] = build_system(self._desc, assembled=key).system
        return self._systems[key]

    def equations(self) -> list[tuple[str, sp.Basic]]:
        """The derived equations as ``(label, Eq)`` pairs: κ from the product of S-transforms,
        the feature-space ridge, the test error (one model, infinite and K-ensemble), train
        error, GCV and the bias–variance terms (:mod:`symrmt.learning.algebra`)."""
        return display_equations(self._desc)

    def latex(self) -> str:
        """The equations of :meth:`equations` in LaTeX, one per line."""
        return "\n".join(f"% {label}\n{sp.latex(eq)}" for label, eq in self.equations())

    # ------------------------------------------------------------ solver
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names :meth:`solve` accepts: samples, ridge, noise, signal, ensemble, width1..L."""
        return ("samples", "ridge", "noise", "signal", "ensemble",
                *(f"width{i + 1}" for i in range(self.depth)))

    def solve(self, samples: Any = 1.0, ridge: Any = 0.1, noise: Any = None, signal: Any = None,
              ensemble: Any = None, strict: bool = True, **widths: Any):
        """Solve the derived equations on a broadcast grid (arrays in every argument).

        Parameters
        ----------
        samples : float or array, > 0
            ``P/D``.
        ridge : float or array, > 0
            λ in ``(1/P)‖y − Φa‖² + λ‖a‖²``.
        noise, signal : float or array, >= 0
            Label-noise variance and ``‖w̄‖²`` (default: the model's).
        ensemble : int, ``"inf"`` or array
            K (default: the model's).
        strict : bool
            Raise :class:`~symrmt.errors.ConvergenceError` if some point did not converge to the
            physical branch (default); if False such points are flagged in ``converged`` with
            NaN values.
        **widths
            ``width1=..``, ``width2=..``: override the layers' widths (arrays allowed).

        Returns
        -------
        SolveResult
            ``res["kappa"]``, ``res["test_error"]``, ``res["train_error"]``, ``res["gcv"]``,
            ``res["bias"]``, ``res["variance"]``, ``res["variance_samples"]``,
            ``res["variance_noise"]``, ``res["variance_features"]``, ``res["test_error_single"]``,
            ``res["test_error_inf"]``, ``res["kappa_features"]``, ``res.converged``.  With an
            activation the bias, variance and ``test_error_inf`` entries are absent (one model).
        """
        if not isinstance(strict, (bool, np.bool_)):
            raise ParameterError(f"strict: must be True or False, got {strict!r}")
        if self.nonlinear and ensemble is not None and np.any(_inv_ensemble(ensemble) != 1):
            raise ParameterError(f"ensemble: a model with an activation is derived for ensemble=1 only, "
                                 f"got {ensemble!r}")
        allowed = {f"width{i + 1}" for i in range(self.depth)}
        unknown = sorted(set(widths) - allowed)
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown}; this model takes {list(self.parameter_names)}")
        vals = {"samples": checked("samples", samples, "positive"), "ridge": checked("ridge", ridge, "positive"),
                "noise": checked("noise", self.noise if noise is None else noise, "nonnegative"),
                "signal": checked("signal", self.signal if signal is None else signal, "nonnegative"),
                "inv_ensemble": _inv_ensemble(self.ensemble if ensemble is None else ensemble)}
        for i, layer in enumerate(self.layers):
            name = f"width{i + 1}"
            vals[name] = checked(name, widths.get(name, layer.width), "positive")
        vals = broadcast(vals)
        solver = self.system(assembled=False).compile()
        res = _solve_assembled(solver, vals, self._desc)
        ok = _physical(res, vals, self._desc)
        if not ok.all():
            _continue_in_samples(solver, res, vals, ok, self._desc)
            ok = _physical(res, vals, self._desc)
        res.reject(ok)
        if strict and not ok.all():
            raise ConvergenceError(f"learning model: {int((~ok).sum())} of {ok.size} point(s) did not converge "
                                   "to the physical branch; pass strict=False for per-point flags")
        return res

    # ------------------------------------------------------------ simulation inputs
    def simulation_inputs(self, d: int, **widths: Any) -> SimulationInputs:
        """The plain arrays a torch simulation of this model at input dimension ``d`` draws from.

        Returns
        -------
        SimulationInputs
            ``eigenvalues`` (d,) of Σ (quantiles of the data measure), ``target`` (d,) the
            source weights ``w̄_i² · d/signal`` (mean 1), ``widths`` (tuple of ``N_ℓ/D``),
            ``weights`` (per layer: None or the N_{ℓ−1} eigenvalues of ``C_ℓ``), ``ensemble``,
            ``activations`` (per layer: None or the activation as given) and
            ``activation_shifts`` (per layer: κ0, the Gaussian mean the simulation subtracts from
            that layer's features; 0 for a linear layer).
        """
        from .._checks import integer

        d = integer("d", d, low=2)
        eig = self.data.population(d)
        if self.target.isotropic:
            tgt = np.ones(d)
        else:
            tgt = eig ** self.target.power
            tgt = tgt / tgt.mean()
        ws = tuple(float(checked(f"width{i + 1}", widths.get(f"width{i + 1}", l.width), "positive"))
                   for i, l in enumerate(self.layers))
        dims = [d] + [max(1, int(round(w * d))) for w in ws]
        weights = tuple(None if l.weights is None else l.weights.population(dims[i])
                        for i, l in enumerate(self.layers))
        acts = self.activations
        return SimulationInputs(eigenvalues=eig, target=tgt, widths=ws, weights=weights, ensemble=self.ensemble,
                                activations=tuple(None if a is None else a.function for a in acts),
                                activation_shifts=tuple(0.0 if a is None else a.kappa0 for a in acts))

    # ------------------------------------------------------------ through the derivation
    def derivation(self, name: str = "learning-model"):
        """This model as a registered-style :class:`~symrmt.derivation.Derivation`
        (``symrmt.derivation.from_model``)."""
        if not _FACTORY:
            raise DerivationError("the learning model's simulation is bound by symrmt.derivation.from_model: "
                                  "import symrmt.derivation (or use symrmt.registry.from_model)")
        return _FACTORY[0](self, name)

    def simulate(self, d: int, trials: int = 1, seed: int = 0, device: Any = None, **params: Any):
        """Trained models of this description at input dimension ``d`` (torch, float64):
        a :class:`~symrmt.simulate.measurement.Measurement` (see
        :func:`symrmt.simulate.learning_model.simulate_learning_model`)."""
        return self.derivation().simulate(d, trials=trials, seed=seed, device=device, **params)

    def verify(self, **kwargs: Any):
        """Verify the derived test error against trained models through the common pipeline
        (ladder of sizes, extrapolated deviation, verdict, report): see
        :meth:`symrmt.derivation.Derivation.verify`."""
        return self.derivation().verify(**kwargs)


def _inv_ensemble(ensemble: Any) -> np.ndarray:
    arr = np.asarray(ensemble, dtype=object)
    flat = [check_ensemble(v) for v in arr.ravel()] if arr.ndim else [check_ensemble(ensemble)]
    out = np.array([0.0 if math.isinf(v) else 1.0 / v for v in flat])
    return out.reshape(arr.shape) if arr.ndim else out[0]


_PATH = 24


def _continue_in_samples(solver, res, vals: dict, ok: np.ndarray, desc: LearningModelData) -> None:
    """Re-solve each failed point along a path in ``samples`` from ``8·max(1, samples)`` (where
    the initial guess is good) down to its value, warm-starting point to point; fills ``res``."""
    failed = ([()] if not ok else []) if np.ndim(ok) == 0 else list(zip(*np.nonzero(~ok)))
    for idx in failed:
        point = {k: float(np.broadcast_to(v, np.shape(ok))[idx]) for k, v in vals.items()}
        s = point["samples"]
        path = {k: np.full(_PATH, v) for k, v in point.items()}
        path["samples"] = np.geomspace(8 * max(1.0, s), s, _PATH)
        sub = _solve_assembled(solver, path, desc)
        if not (sub.converged[-1] and np.asarray(sub["test_error"]).real[-1] > 0):
            continue
        for table, src in ((res.unknowns, sub.unknowns), (res.observables, sub.observables)):
            for name in table:
                table[name] = np.array(table[name], dtype=np.result_type(table[name], src[name]))
                table[name][idx] = src[name][-1]
        res.converged[idx], res.residual[idx] = True, sub.residual[-1]


def _solve_assembled(solver, vals: dict, desc: LearningModelData):
    """The compiled primitives at ``vals`` with every other observable assembled from them
    (:func:`~symrmt.learning.algebra.assemble`); the primitives that are not documented outputs
    (``t2``, ``g``, ``dg``, ``log_derivative``, ``log_derivative_without_layer{ℓ}``) are dropped."""
    res = solver.solve(strict=False, **vals)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        res.observables = assemble(res.observables, vals["samples"], vals["ridge"], vals["noise"],
                                   vals["inv_ensemble"], desc.depth, desc.nonlinear)
    return res


def _physical(res, vals: dict, desc: LearningModelData) -> np.ndarray:
    """Converged, and on the physical branch: ``1 − q df > 0``, ``1 − df/γ_ℓ > 0``, positive and
    finite observables (an assembled one is NaN only where the flag says so)."""
    ok = np.asarray(res.converged, dtype=bool).copy()
    for value in res.observables.values():
        ok &= np.isfinite(np.broadcast_to(value, ok.shape))
    df = np.asarray(res["df1"]).real
    with np.errstate(invalid="ignore", divide="ignore"):
        ok &= 1 - np.asarray(res["df_features"]).real / vals["samples"] > 0
        for i in range(desc.depth):
            ok &= 1 - df / vals[f"width{i + 1}"] > 0
        for name in ("test_error", "test_error_single", "kappa_features"):
            ok &= np.asarray(res[name]).real > 0
    return ok


def model(data: Any = None, target: Any = None, signal: Any = 1, noise: Any = 0, layers: Any = None,
          activation: Any = None, ensemble: Any = 1) -> LearningModel:
    """Describe a learning problem; its equations are derived by S-transforms.

    Parameters
    ----------
    data : None or measure
        Spectrum of the input covariance Σ: None (identity), a
        :class:`~symrmt.measures.Measure` (``symrmt.measures.empirical``, ``power_law``,
        ``from_law``), ``(points, weights)``, an array of points or a bound AlgebraicLaw.
    target : None or Source
        The target's spectral weights in Σ's eigenbasis: None (isotropic) or
        :func:`~symrmt.learning.source` (``w̄_i² ∝ σ_i^power``).
    signal : float, >= 0
        ``‖w̄‖²``.
    noise : float, >= 0
        Label-noise variance.
    layers : list of Layer
        Linear random-feature layers (:func:`~symrmt.learning.linear`); empty: ridge on x.
    activation : None, str, sympy.Expr or list
        A nonlinearity on the last layer (``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``,
        ``"linear"`` or a SymPy expression in one variable), or a list with one entry (None or an
        activation) per layer; each is linearized by Gaussian equivalence at its layer's
        preactivation variance and the features are centred by their Gaussian mean κ0
        (:class:`~symrmt.learning.description.Activation`).  With one layer on isotropic data
        this is Mei–Montanari random features (arXiv 1908.05355) with ``psi1 = width``,
        ``psi2 = samples`` and their ridge ``ridge/width``.  Needs at least one layer and
        ``ensemble=1``.
    ensemble : int or "inf"
        K models with independent weights averaged (1 with an activation).

    Returns
    -------
    LearningModel

    Raises
    ------
    ParameterError
        Any argument of the wrong kind or out of range (naming it).

    Examples
    --------
    >>> import symrmt.learning as sl
    >>> m = sl.model(layers=[sl.linear(width=2.0)], noise=0.1)
    >>> float(m.solve(samples=1.5, ridge=0.1)["test_error"]) > 0.1
    True
    """
    return LearningModel(model_data(data, target, signal, noise, layers, activation, ensemble))
