"""The classical laws, given by their minimal polynomials in closed form.

Semicircle, Marchenko–Pastur, free Poisson and finite atomic laws (conventions:
docs/architecture.md and :mod:`symrmt.symbolic.algebraic_law`).  Laws derived from these with the
free calculus (Wachter, sample covariance, ...) are in :mod:`symrmt.symbolic.laws`, the catalogue
users read; that module re-exports everything here.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import ParameterError
from .algebraic_law import AlgebraicLaw, Construction, constraint
from .parsing import to_exact
from .symbols import m, z

__all__ = ["semicircle", "marchenko_pastur", "free_poisson", "atoms"]


def semicircle(variance: Any = 1) -> AlgebraicLaw:
    """Wigner semicircle law of variance σ²: the limit law of ``(G + Gᵀ)/√(2n)`` (scaled by σ).

    ``σ² m² + z m + 1 = 0``; R-transform ``R(w) = σ² w``; support ``[-2σ, 2σ]``;
    moments ``m_{2k} = Catalan(k) σ^{2k}``.  (Voiculescu; Rao & Edelman 2008, Table 1.)

    Parameters
    ----------
    variance : number or SymPy expression, > 0
    """
    s2 = to_exact(variance, "variance")
    c = constraint("variance", s2, "positive")
    return AlgebraicLaw(
        s2 * m**2 + z * m + 1,
        name="semicircle",
        construction=Construction("semicircle", (), {"variance": s2}),
        constraints=(c,),
    )


def marchenko_pastur(ratio: Any, variance: Any = 1) -> AlgebraicLaw:
    """Marchenko–Pastur law: the limit spectrum of ``XᵀX/n``, X of shape n×d, ratio γ = d/n.

    Entries of X are i.i.d. with variance σ².  Minimal polynomial (docs/architecture.md)
    ``γ σ² z m² + (z - σ²(1 - γ)) m + 1 = 0``; atom of mass ``1 - 1/γ`` at 0 when γ > 1;
    S-transform ``S(u) = 1/(σ²(1 + γu))``; free cumulants ``κ_k = γ^{k-1} σ^{2k}``; moments are
    Narayana polynomials (``m_2 = σ⁴(1 + γ)``).  (Marchenko & Pastur 1967.)

    Parameters
    ----------
    ratio : number or SymPy expression, > 0
        γ = d/n.
    variance : number or SymPy expression, > 0
        σ², the variance of the entries of X.
    """
    g = to_exact(ratio, "ratio")
    s2 = to_exact(variance, "variance")
    cs = (constraint("ratio", g, "positive"), constraint("variance", s2, "positive"))
    return AlgebraicLaw(
        g * s2 * z * m**2 + (z - s2 * (1 - g)) * m + 1,
        name="marchenko-pastur",
        construction=Construction("marchenko_pastur", (), {"ratio": g, "variance": s2}),
        constraints=cs,
    )


def free_poisson(rate: Any, jump: Any = 1) -> AlgebraicLaw:
    """Free Poisson law with rate λ and jump size α: ``R(w) = λ α / (1 - α w)``.

    Minimal polynomial ``α z m² + (z + α - λα) m + 1 = 0``.  ``free_poisson(1/γ, γσ²)`` equals
    ``marchenko_pastur(γ, σ²)``.  (Nica & Speicher, Lecture 12.)

    Parameters
    ----------
    rate : > 0
    jump : real, != 0
    """
    lam = to_exact(rate, "rate")
    a = to_exact(jump, "jump")
    cs = (constraint("rate", lam, "positive"), constraint("jump", a, "nonzero"))
    return AlgebraicLaw(
        a * z * m**2 + (z + a - lam * a) * m + 1,
        name="free-poisson",
        construction=Construction("free_poisson", (), {"rate": lam, "jump": a}),
        constraints=cs,
    )


def _sequence(values: Any, name: str) -> list:
    """``values`` as a list of entries (a sequence or 1-d array), else a ParameterError naming ``name``."""
    if isinstance(values, (str, bytes, dict, set, frozenset)):
        raise ParameterError(f"{name}: expected a sequence of numbers, got {values!r}")
    if hasattr(values, "ndim") and getattr(values, "ndim") != 1:
        raise ParameterError(f"{name}: expected a 1-d sequence of numbers, got an array of shape "
                             f"{getattr(values, 'shape', '?')}")
    try:
        return list(values)
    except TypeError as exc:
        raise ParameterError(f"{name}: expected a sequence of numbers, got {values!r}") from exc


def atoms(points: Sequence[Any], weights: Sequence[Any] | None = None) -> AlgebraicLaw:
    """A finite discrete law ``Σ_i p_i δ_{x_i}`` (e.g. a population spectrum).

    ``m(z) = Σ_i p_i/(x_i - z)``, so ``Π_i (x_i - z) m - Σ_i p_i Π_{j≠i} (x_j - z) = 0``.
    Atoms of zero weight are dropped; numeric points must be distinct, numeric weights
    non-negative, and the weights must sum to 1 (checked exactly).

    Parameters
    ----------
    points : sequence of numbers or SymPy expressions
        Python, NumPy or SymPy numbers (a 1-d NumPy array is fine); floats are kept exact as
        by :func:`to_exact`.
    weights : sequence of the same length, default uniform

    Raises
    ------
    ParameterError
        ``points`` or ``weights`` not a sequence, a non-numeric or non-finite entry, negative
        weights, weights not summing to 1, or repeated points.
    """
    pts = [to_exact(p, f"points[{i}]") for i, p in enumerate(_sequence(points, "points"))]
    if not pts:
        raise ParameterError("points: need at least one atom")
    if weights is None:
        wts = [sp.Rational(1, len(pts))] * len(pts)
    else:
        wts = [to_exact(p, f"weights[{i}]") for i, p in enumerate(_sequence(weights, "weights"))]
    if len(wts) != len(pts):
        raise ParameterError(f"weights: expected {len(pts)} weights (one per point), got {len(wts)}")
    cs = []
    for i, wi in enumerate(wts):
        cs.append(constraint(f"weights[{i}]", wi, "nonnegative"))
    total = sp.simplify(sum(wts))
    if total != 1:
        raise ParameterError(f"weights: must sum to 1, got {total}")
    keep = [(p, wi) for p, wi in zip(pts, wts) if wi != 0]
    pts = [p for p, _ in keep]
    wts = [wi for _, wi in keep]
    for i in range(len(pts)):
        if not pts[i].is_real and pts[i].is_real is not None:
            raise ParameterError(f"points[{i}]: must be real, got {pts[i]}")
        for j in range(i):
            if sp.simplify(pts[i] - pts[j]) == 0:
                raise ParameterError(f"points: must be distinct, points {j} and {i} are both {pts[i]}")
    prod_all = sp.Mul(*[(p - z) for p in pts])
    rest = sum(wi * sp.Mul(*[(pj - z) for j, pj in enumerate(pts) if j != i]) for i, wi in enumerate(wts))
    return AlgebraicLaw(
        prod_all * m - rest,
        name="atoms",
        construction=Construction("atoms", (), {"points": tuple(pts), "weights": tuple(wts)}),
        constraints=tuple(cs),
    )
