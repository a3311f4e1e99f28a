"""The description of a learning problem: data spectrum, target, feature layers, ensemble.

A :class:`LearningModel` is plain data, checked when it is built (:func:`model`): the spectrum
of the input covariance Σ (a :class:`~symrmt.measures.Measure`), the target's spectral weights in
Σ's eigenbasis (:func:`source`), a chain of linear random-feature layers (:func:`linear`), the
label noise, the signal strength and the ensemble size.  Its equations are derived from this
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

from .._checks import finite_real, nonnegative, positive
from ..errors import ParameterError
from ..measures import Measure, as_measure, empirical

__all__ = ["Layer", "Source", "LearningModelData", "linear", "source", "model_data", "check_ensemble"]


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
    activation: Any
    ensemble: float
    identity_data: bool = field(default=False)

    @property
    def depth(self) -> int:
        return len(self.layers)


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
    if activation is not None:
        raise ParameterError("activation: only linear feature chains (activation=None) are derived so far; "
                             "nonlinear random features are the 'random-features' derivation "
                             "(symrmt.load('random-features'))")
    return LearningModelData(mu, tgt, nonnegative("signal", signal), nonnegative("noise", noise),
                             tuple(layers), activation, check_ensemble(ensemble), identity)

