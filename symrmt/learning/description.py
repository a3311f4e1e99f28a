"""The description of a learning problem: data spectrum, target, feature layers, ensemble.

A :class:`LearningModel` is plain data, checked when it is built (:func:`model`): the spectrum
of the input covariance Σ (a :class:`~symrmt.measures.Measure`), the target's spectral weights in
Σ's eigenbasis (:func:`source`), a chain of random-feature layers (:func:`linear`) with optional
activations (linearized by Gaussian equivalence, :class:`Activation`), the label noise, the
signal strength and the ensemble size.  Its equations are derived from this
description by :mod:`symrmt.learning.algebra` (products of S-transforms); its solver, simulation
and verification are reached through its methods (:mod:`symrmt.learning.model`).

Conventions (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592; Zavatone-Veth & Pehlevan,
arXiv 2303.00564; docs/architecture.md): inputs ``x ~ N(0, Σ)`` in dimension D, P samples
(``samples = P/D``), ``y = w̄·x + ε`` with ``‖w̄‖² = signal`` and ``Var ε = noise``; layer ℓ has
``N_ℓ = width_ℓ·D`` units and weights ``W_ℓ = Z_ℓ C_ℓ^{1/2}`` (``Z_ℓ`` of shape N_ℓ × N_{ℓ−1}
with i.i.d. entries of variance ``1/N_{ℓ−1}``, ``C_ℓ`` the row covariance of the weights, in a
basis free from Σ); features ``φ = W_L ⋯ W_1 x``; readout by ridge,
``min (1/P)‖y − Φa‖² + λ‖a‖²``; an ensemble averages K such predictors with independent
weights and the same data.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import sympy as sp

from .._checks import finite_real, nonnegative, positive
from ..errors import ParameterError
from ..measures import Measure, as_measure, empirical
from ..symbolic.hermite import activation_expr, gaussian_moments, hermite_coefficients, numpy_function

__all__ = ["Layer", "Source", "Activation", "LearningModelData", "linear", "source", "model_data",
           "check_ensemble", "linearize_activation"]


@dataclass(frozen=True)
class Layer:
    """One linear random-feature layer.

    Attributes
    ----------
    width : float
        ``N_ℓ / D`` (> 0).
    weights : Measure or None
        Spectrum of the row covariance ``C_ℓ`` of the weights (None: isotropic, ``C_ℓ = I``).
    """

    width: float
    weights: Measure | None = None

    @property
    def structured(self) -> bool:
        return self.weights is not None


@dataclass(frozen=True)
class Source:
    """The target's spectral weights in Σ's eigenbasis: ``w̄_i² ∝ σ_i^power`` (a source condition).

    ``power = 0`` is the isotropic target; for a power-law spectrum ``σ_k ∝ k^{−a}`` and a target
    ``w̄_k² ∝ k^{−b}``, ``power = b/a``.  The weights are normalized so that ``‖w̄‖² = signal``.
    """

    power: float = 0.0

    @property
    def isotropic(self) -> bool:
        return self.power == 0


@dataclass(frozen=True)
class Activation:
    """A nonlinearity on a layer, linearized by Gaussian equivalence.

    With ``h`` a layer's preactivation (variance ``r`` per unit) and ``G ~ N(0, 1)``:
    ``κ0 = Eσ(√r G)``, ``κ1 = E[Gσ(√r G)]/√r``, ``κ*² = Eσ(√r G)² − κ0² − r κ1²`` (the Hermite
    coefficients μ0, μ1, μ* of ``σ(√r ·)``, :mod:`symrmt.symbolic.hermite`), and the centred
    features ``σ(h) − κ0`` are replaced by ``κ1 h + κ* z`` with ``z ~ N(0, I)`` independent of
    the input (Mei & Montanari, arXiv 1908.05355; Schröder et al., arXiv 2402.13999).

    Attributes
    ----------
    function : str or sympy.Expr
        The activation as given (a name or a SymPy expression in one variable).
    variance : float
        ``r``, the preactivation variance of the layer: ``r_ℓ = mean(C_ℓ) · v_{ℓ−1}`` with
        ``v_0 = mean(Σ)``, ``v_ℓ = r_ℓ`` after a linear layer and ``κ1² r_ℓ + κ*²`` after a
        nonlinear one (the variance of its centred features).
    kappa0, kappa1, kappastar : float
        The linearization coefficients.
    """

    function: Any
    variance: float
    kappa0: float
    kappa1: float
    kappastar: float

    @property
    def ratio(self) -> float:
        """``κ*²/κ1²``: the ridge the nonlinear part adds to the linear features."""
        return self.kappastar**2 / self.kappa1**2


def linearize_activation(activation: Any, variance: float) -> Activation:
    """The Gaussian-equivalent linearization of ``activation`` at preactivation variance ``variance``.

    Parameters
    ----------
    activation : str or sympy.Expr
        ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"`` or a SymPy expression in one
        variable (:func:`symrmt.symbolic.hermite.activation_expr`).
    variance : float, > 0
        ``r``, the variance of the preactivation.

    Returns
    -------
    Activation

    Raises
    ------
    ParameterError
        Unknown activation, ``E σ(G)² = ∞``, or ``κ1 = 0`` (the features carry no linear part of
        the input, so a linear target is not learned and the route has no κ equation).

    Examples
    --------
    >>> from symrmt.learning.description import linearize_activation
    >>> round(linearize_activation("relu", 1.0).kappa1, 12)
    0.5
    """
    r = positive("variance", variance)
    expr, var = activation_expr(activation)
    if r != 1.0:
        expr = expr.xreplace({var: sp.sqrt(sp.Float(r, 17)) * var})
    try:
        mu0, mu1, mus = hermite_coefficients(expr).as_floats()
    except ParameterError:
        if r == 1.0:
            raise
        # σ(√r ·) can defeat Gauss–Hermite rules (poles of tanh move to the real axis); adaptive
        e0, e1, e2 = gaussian_moments(numpy_function(expr, var), smooth=False)
        mu0, mu1, mus = float(e0), float(e1), math.sqrt(max(float(e2 - e0**2 - e1**2), 0.0))
    k1 = mu1 / math.sqrt(r)
    if not abs(k1) > 1e-12:
        raise ParameterError(f"activation: {activation!r} has κ1 = E[Gσ(√r G)]/√r = 0 at the preactivation "
                             f"variance r = {r:g}; allowed: activations with a linear part (κ1 ≠ 0)")
    return Activation(activation, r, mu0, k1, mus)


def linear(width: Any, weights: Any = None) -> Layer:
    """A linear random-feature layer of ``width = N_ℓ/D`` units per input dimension.

    Parameters
    ----------
    width : float, > 0
        Units of the layer over the input dimension D.
    weights : None or measure
        Spectrum of the weights' row covariance: None (isotropic), a
        :class:`~symrmt.measures.Measure`, ``(points, weights)``, an array of points or a bound
        AlgebraicLaw (by quadrature); supported on ``[0, ∞)`` with a positive mean.

    Raises
    ------
    ParameterError
        ``width`` not a finite number > 0, or ``weights`` not a nonnegative measure.

    Examples
    --------
    >>> import symrmt.learning as sl
    >>> sl.linear(width=2.0).width
    2.0
    """
    w = positive("width", width)
    mu = None if weights is None else _measure("weights", weights)
    return Layer(w, mu)


def source(power: Any = 0.0) -> Source:
    """Target weights ``w̄_i² ∝ σ_i^power`` in Σ's eigenbasis (``power = 0``: isotropic).

    Raises
    ------
    ParameterError
        ``power`` not a finite real number.
    """
    return Source(finite_real("power", power))


def _measure(name: str, value: Any) -> Measure:
    mu = as_measure(value, name, nonnegative=True)
    if not mu.mean > 0:
        raise ParameterError(f"{name}: the measure must have a positive mean, got {mu.mean!r}")
    return mu


def check_ensemble(value: Any, name: str = "ensemble") -> float:
    """``K`` as a float: a positive integer, or ``"inf"`` / ``math.inf`` for the infinite ensemble.

    Raises
    ------
    ParameterError
        Anything else (booleans, zero, negative, fractional, NaN, other strings).
    """
    if isinstance(value, str):
        if value.strip().lower() in ("inf", "infinity"):
            return math.inf
        raise ParameterError(f"{name}: must be a positive integer or 'inf', got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name}: must be a positive integer or 'inf', got {value!r}")
    v = float(value)
    if math.isinf(v) and v > 0:
        return math.inf
    if not math.isfinite(v) or v < 1 or v != math.floor(v):
        raise ParameterError(f"{name}: must be a positive integer or 'inf', got {value!r}")
    return v


@dataclass(frozen=True)
class LearningModelData:
    """The checked fields of a learning model (see :func:`model`)."""

    data: Measure
    target: Source
    signal: float
    noise: float
    layers: tuple[Layer, ...]
    activations: tuple
    ensemble: float
    identity_data: bool = field(default=False)

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def activation(self) -> Activation | None:
        """The last layer's activation (None: linear)."""
        return self.activations[-1] if self.activations else None

    @property
    def nonlinear(self) -> bool:
        """Whether some layer has an activation."""
        return any(a is not None for a in self.activations)


def model_data(data: Any = None, target: Any = None, signal: Any = 1, noise: Any = 0,
               layers: Sequence[Layer] | None = None, activation: Any = None,
               ensemble: Any = 1) -> LearningModelData:
    """Check the arguments of :func:`model` (one place); see there."""
    identity = data is None
    mu = empirical([1.0]) if data is None else _measure("data", data)
    if target is None:
        tgt = Source(0.0)
    elif isinstance(target, Source):
        tgt = target
    else:
        raise ParameterError(f"target: expected None (isotropic) or symrmt.learning.source(power=...), "
                             f"got {target!r}")
    if not tgt.isotropic and np.any(mu.points[mu.weights > 0] <= 0):
        raise ParameterError("target: a source condition w̄_i² ∝ σ_i^power needs a data spectrum without "
                             "zero eigenvalues")
    if layers is None:
        layers = ()
    if isinstance(layers, Layer):
        layers = (layers,)
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise ParameterError(f"layers: expected a list of symrmt.learning.linear(...) layers, got {layers!r}")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise ParameterError(f"layers[{i}]: expected symrmt.learning.linear(width=..., weights=...), "
                                 f"got {layer!r}")
    K = check_ensemble(ensemble)
    return LearningModelData(mu, tgt, nonnegative("signal", signal), nonnegative("noise", noise),
                             tuple(layers), _activations(activation, layers, mu, K, ensemble), K, identity)


def _activations(activation: Any, layers: Sequence[Layer], mu: Measure, K: float, ensemble: Any) -> tuple:
    """One entry per layer (None or Activation), linearized at each layer's preactivation variance."""
    if activation is None:
        return (None,) * len(layers)
    if not layers:
        raise ParameterError("activation: a nonlinearity acts on a layer; give at least one "
                             "layer (layers=[symrmt.learning.linear(width=...)])")
    if isinstance(activation, (list, tuple)):
        if len(activation) != len(layers):
            raise ParameterError(f"activation: a list needs one entry (None or an activation) per layer, "
                                 f"{len(layers)} here, got {len(activation)}")
        given = list(activation)
    else:
        given = [None] * (len(layers) - 1) + [activation]
    if all(a is None for a in given):
        return (None,) * len(layers)
    if K != 1:
        raise ParameterError(f"ensemble: with an activation only a single model (ensemble=1) is derived, "
                             f"got {ensemble!r} (the members' nonlinear parts are not free of each other "
                             "given the data)")
    out, v = [], mu.mean
    for layer, a in zip(layers, given):
        r = v * (layer.weights.mean if layer.structured else 1.0)
        if a is None:
            out.append(None)
            v = r
        else:
            act = linearize_activation(a, r)
            out.append(act)
            v = act.kappa1**2 * r + act.kappastar**2
    return tuple(out)
