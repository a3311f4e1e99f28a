"""The classical learning curves as instances of :func:`symrmt.learning.model`.

Each function keeps the parameterization of its paper and of its registry derivation and maps
it onto one composed model, so that every curve comes from the same derived equations
(:mod:`symrmt.learning.algebra`) and the same generated solver:

* :func:`solve_ridge` — ridge (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592, §2–3):
  no layers, ``samples = 1/q``;
* :func:`solve_linear_random_features` — linear random features with ensembles (same paper):
  one isotropic layer of ``width = 1/β``, ``samples = 1/α``, and the model's ridge
  ``λ_model = λ/β`` (AZP's features ``Fᵀx`` with entries of variance ``1/N`` are ``√β`` times the
  model's, which have variance ``1/D``);
* :func:`solve_deep_linear_rf` — depth-L linear random features (Zavatone-Veth & Pehlevan,
  arXiv 2303.00564): an isotropic chain, ``samples = α``, ``width_ℓ = γ_ℓ``;
* :func:`solve_powerlaw_ridge` — ridge on a power-law (or any) spectrum with a power-law target
  (Loureiro et al. arXiv 2102.08127; Wei, Hu & Steinhardt arXiv 2203.06176): Σ's eigenvalues
  ``ω_i`` (default ``i^{−a}``, i = 1..p) as the data measure, ``samples = n/p``, the per-sample
  ridge ``λ̃`` as λ, and the target ``θ_i² = i^{−2b}`` as the source ``w̄_i² ∝ ω_i^{2b/a}``.

The classical outputs that the model names differently are restated: ridge's ``bias`` is the
model's ``bias + variance_samples`` (the signal part over the sample draw) and its ``variance``
the model's ``variance_noise``, so that ``test_error = bias + variance + noise`` in both.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks
from .._checks import broadcast, checked
from ..errors import ParameterError
from .description import _measure, linear
from .model import model

__all__ = ["solve_ridge", "solve_linear_random_features", "solve_deep_linear_rf", "solve_powerlaw_ridge",
           "powerlaw_spectrum"]


def solve_ridge(q: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0, spectrum: Any = None,
                strict: bool = False):
    """Ridge regression's deterministic equivalent on a broadcast grid (AZP, arXiv 2405.00592).

    Parameters
    ----------
    q : float or array, > 0
        N/P, dimension over samples.
    ridge : float or array, > 0
        λ in ``(1/P)‖y − Xw‖² + λ‖w‖²``.
    noise : float or array, >= 0
        σ², the label-noise variance.
    signal : float or array, >= 0
        ``‖w̄‖²`` (w̄ isotropic).
    spectrum : None or measure
        Σ's spectrum: None (identity), a :class:`~symrmt.measures.Measure`, ``(points, weights)``,
        an array of eigenvalues or a bound AlgebraicLaw.
    strict : bool
        Raise :class:`~symrmt.errors.ConvergenceError` if a point does not converge (default: the
        point is flagged in ``converged`` and its values are NaN).

    Returns
    -------
    SolveResult
        ``kappa`` (λ = κ(1 − q·df1(κ))), ``df1``, ``df2``, ``test_error``, ``train_error``,
        ``gcv``, ``bias`` (κ² signal t2/(1 − q·df2)), ``variance`` (q·df2·σ²/(1 − q·df2)) and
        the model's own entries (:meth:`symrmt.learning.LearningModel.solve`).
    """
    qq = checked("q", q, "positive")
    vals = _checked(ridge=ridge, noise=noise, signal=signal)
    res = model(data=_population(spectrum, "spectrum")).solve(samples=1 / qq, strict=strict, **vals)
    obs = res.observables
    obs["bias"], obs["variance"] = obs["bias"] + obs["variance_samples"], obs["variance_noise"]
    return res


def solve_linear_random_features(alpha: Any, beta: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0,
                                 ensemble: Any = 1, spectrum: Any = None, strict: bool = False):
    """Linear random-feature ridge ensembles (AZP, arXiv 2405.00592) on a broadcast grid.

    Parameters
    ----------
    alpha : float or array, > 0
        D/P.
    beta : float or array, > 0
        D/N (N features ``Fᵀx``, entries of F of variance ``1/N``).
    ridge : float or array, > 0
        λ in ``(1/P)‖y − Za‖² + λ‖a‖²``.
    noise, signal : float or array, >= 0
        σ² and ``‖w̄‖²``.
    ensemble : int, ``inf`` or array
        K, the number of independently featured models averaged.
    spectrum : None or measure
        Σ's spectrum, as in :func:`solve_ridge`.
    strict : bool
        As in :func:`solve_ridge`.

    Returns
    -------
    SolveResult
        ``kappa`` (λ = κ(1 − α df1)(1 − β df1) in AZP's ridge), ``test_error`` (ensemble of K),
        ``test_error_single``, ``test_error_inf`` and the model's other entries.
    """
    a, b = checked("alpha", alpha, "positive"), checked("beta", beta, "positive")
    vals = _checked(ridge=ridge, noise=noise, signal=signal)
    vals["ridge"] = vals["ridge"] / b
    m = model(data=_population(spectrum, "spectrum"), layers=[linear(1.0)])
    return m.solve(samples=1 / a, width1=1 / b, ensemble=ensemble,
                                                            strict=strict, **vals)


def solve_deep_linear_rf(alpha: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0, widths: Any = (2.0, 1.5),
                         data_covariance: Any = None, strict: bool = False):
    """Ridge on depth-L linear random features, weights and data averaged (d → ∞).

    Parameters
    ----------
    alpha : float or array, > 0
        n/d.
    ridge : float or array, > 0
        λ in ``(1/n)‖y − Φa‖² + λ‖a‖²``.
    noise, signal : float or array, >= 0
        ``Var ε`` and ``‖β‖²``.
    widths : sequence of float, > 0
        ``γ_ℓ = k_ℓ/d``, ℓ = 1..L (any depth; a single number is one layer).
    data_covariance : None or measure
        Σ's spectrum, as ``spectrum`` in :func:`solve_ridge`.
    strict : bool
        As in :func:`solve_ridge`.

    Returns
    -------
    SolveResult
        ``test_error``, ``kappa`` (input space), ``kappa_features`` (κ_L) and the model's other
        entries; a point off the physical branch is flagged ``converged = False`` (NaN values).
    """
    ws = _checks.layer_widths("widths", widths)
    al = checked("alpha", alpha, "positive")
    vals = _checked(ridge=ridge, noise=noise, signal=signal)
    m = model(data=_population(data_covariance, "data_covariance"), layers=[linear(w) for w in ws])
    return m.solve(samples=al, strict=strict, **vals)


def powerlaw_spectrum(p: Any, a: Any, spectrum: Any = None):
    """Σ's spectrum for :func:`solve_powerlaw_ridge`: ``spectrum`` as a measure, or the power law
    ``ω_i = i^{−a}``, i = 1..p (:func:`symrmt.measures.power_law`), when it is None."""
    from ..measures import power_law

    if spectrum is None:
        return power_law(float(checked("a", a, "positive")), _checks.integer("p", p, low=1))
    return _population(spectrum, "spectrum")


def solve_powerlaw_ridge(n: Any, p: int, a: float, b: float, noise: Any, ridge: Any, spectrum: Any = None,
                         strict: bool = False):
    """The Gaussian-equivalent ridge curve for eigenvalues ``ω_i`` and a target ``θ_i = i^{−b}``.

    Loss ``Σ_μ (y_μ − w·x_μ)² + nλ̃‖w‖²`` on n samples of ``x ~ N(0, diag ω)``,
    ``y = Σ θ_i x_i + ε``: ``κ − λ̃ = (κ/n) Σ_i ω_i/(ω_i + κ)``,
    ``E_test = [σ² + κ² Σ_i ω_i θ_i²/(ω_i + κ)²]/(1 − Σ_i ω_i²/(ω_i + κ)²/n)``.

    Parameters
    ----------
    n : float or array, > 0
        Samples.
    p : int, >= 1
        Features (the size of the default power law; ignored with ``spectrum``).
    a : float, > 0
        Spectrum decay ``ω_i = i^{−a}``; with ``spectrum``, the eigenvalues are ranked
        ``ω_(1) ≥ ω_(2) ≥ …`` and the target ``θ_(i)² = i^{−2b}`` is the source
        ``θ² ∝ ω^{2b/a}`` only for the power law itself (see Notes).
    b : float, >= 0
        Target decay ``θ_i = i^{−b}``.
    noise : float or array, >= 0
        σ².
    ridge : float or array, > 0
        The per-sample ridge λ̃.
    spectrum : None or measure
        Σ's eigenvalues as a measure (``symrmt.measures.empirical``, ``power_law``, …, or an
        array of eigenvalues); default the power law ``i^{−a}``, i = 1..p.
    strict : bool
        As in :func:`solve_ridge`.

    Returns
    -------
    SolveResult
        ``kappa``, ``test_error``, ``df1`` (per feature), ``gcv`` and the model's other entries.

    Notes
    -----
    The model's target is a source condition ``w̄_i² ∝ ω_i^{power}``; ``θ_i = i^{−b}`` on
    ``ω_i = i^{−a}`` is ``power = 2b/a`` with ``‖w̄‖² = Σ_i i^{−2b}``.  With another spectrum of
    m atoms (``p = m``) the same source ``power = 2b/a`` and ``‖w̄‖² = Σ_i ω_i^{2b/a}`` are used:
    for any spectrum whose ranked eigenvalues are ``c·i^{−a}`` this is the target ``θ_i ∝ i^{−b}``.
    """
    from .description import source

    mu = powerlaw_spectrum(p, a, spectrum)
    a_, b_ = float(checked("a", a, "positive")), float(checked("b", b, "nonnegative"))
    pts, wts = mu.arrays()
    size = int(np.count_nonzero(wts > 0)) if spectrum is not None else _checks.integer("p", p, low=1)
    power = 2 * b_ / a_
    keep = (wts > 0) & (pts > 0)
    signal = float(np.sum(wts[keep] * pts[keep] ** power)) * size
    nn = checked("n", n, "positive")
    vals = _checked(ridge=ridge, noise=noise, signal=signal)
    res = model(data=mu, target=source(power) if power else None).solve(samples=nn / size, strict=strict, **vals)
    return res


def _population(value: Any, name: str):
    """None (the identity) or Σ's spectrum as a measure, errors naming the argument ``name``."""
    return None if value is None else _measure(name, value)


def _checked(**values: Any) -> dict:
    rules = {"ridge": "positive", "noise": "nonnegative", "signal": "nonnegative"}
    return broadcast({k: checked(k, v, rules[k]) for k, v in values.items()})
