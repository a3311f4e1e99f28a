"""Deep linear random features: the test error for any depth L by products of S-transforms, and
the feature spectrum as a free multiplicative convolution of Marchenko–Pastur laws.

Setting (the linear case of Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999; the S-transform
route of Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592, and Zavatone-Veth & Pehlevan,
arXiv 2303.00564): ``x ~ N(0, Σ)`` in dimension d, ``F = W_L ⋯ W_1`` with ``W_ℓ`` of shape
``k_ℓ × k_{ℓ−1}`` and i.i.d. ``N(0, 1/k_{ℓ−1})`` entries (``k_0 = d``, ``γ_ℓ = k_ℓ/d``),
features ``φ = F x``, ``n = α d`` samples, ``y = βᵀx + ε`` with ``β`` isotropic,
``‖β‖² = signal``, ``Var ε = noise``; readout ``a = argmin (1/n)‖y − Φa‖² + λ‖a‖²``; test
error on a fresh noisy point, averaged over data *and* weights (d → ∞).

Derivation (each step one identity; the solver, :func:`solve_deep_linear_rf`, is the isotropic
chain of :func:`symrmt.learning.model`, whose equations :mod:`symrmt.learning.algebra` derives):

1. Conditional on F, the problem is ridge in input space with covariance ``M = Σ^½ FᵀF Σ^½`` and
   teacher ``v = Σ^½ β``: ``E = [σ² + κ_L² vᵀ(M + κ_L)⁻²v] / (1 − df2_M(κ_L)/n)`` with
   ``κ_L − λ = (κ_L/n) Tr M(M + κ_L)⁻¹`` (REFERENCES §2/§3; ``Ω = FΣFᵀ`` has M's non-zero spectrum).
2. ``FᵀF`` is a product of free Wisharts: in dimension d its law is
   ``γ_L · MP(1/γ_1) ⊠ ⋯ ⊠ MP(1/γ_L)``, i.e. its S-transform (df form) is
   ``S(df) = (1/γ_L) Π_ℓ 1/(1 − df/γ_ℓ)`` — the white-Wishart S-transform
   ``1/(1 − q df)`` (:func:`~symrmt.equivalents.spectrum.wishart_s_transform`) once per layer with
   ``q_ℓ = d/k_ℓ``; the data Wishart adds ``q = d/n = 1/α``.  S-transforms multiply, so with
   ``df = df1_Σ(κ)``:  ``λ = κ γ_L (1 − df/α) Π_ℓ (1 − df/γ_ℓ)`` (the κ equation).
3. Subordination: ``κ_L(M + κ_L)⁻¹ ≍ κ(Σ + κ)⁻¹`` with ``κ_L(κ) = κ γ_L Π_ℓ (1 − df1_Σ(κ)/γ_ℓ)``
   (the feature-space ridge).  Hence ``g = κ_L vᵀ(M+κ_L)⁻¹v ≍ signal · κ df1(κ)`` and, by
   differentiating in κ_L (``d df1/dκ = −t2``, ``t2 = tr Σ(Σ+κ)⁻²``):

       E = [noise + g − κ_L g′/κ_L′] / (1 − (1/α)(df1 − κ_L t2/κ_L′)),   ′ = d/dκ.

   At L = 0 this is AZP's ridge formula; at L = 1 it is AZP's single-model linear-random-features
   formula (with ``β_AZP = 1/γ_1``, ``λ_AZP = λ/γ_1``, features rescaled) — checked in the tests.

Spectrum: ``Ω_ℓ = W_ℓ Ω_{ℓ−1} W_ℓᵀ`` has on ``k_{ℓ−1}`` dimensions the law
``law(Ω_{ℓ−1}) ⊠ MP(k_{ℓ−1}/k_ℓ, variance k_ℓ/k_{ℓ−1})``, moved to ``k_ℓ`` dimensions by adding or
removing zero eigenvalues (:func:`resize`); :func:`linear_feature_law` builds this layer-by-layer
law with :func:`~symrmt.symbolic.free.free_multiply`, :func:`input_space_law` the one-shot
product of step 2 — two routes whose agreement (moments, exactly) checks step 2.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import ParameterError
from ..learning.classical import solve_deep_linear_rf
from ..symbolic import free, laws
from ..symbolic.laws import AlgebraicLaw, Construction, to_exact
from ..symbolic.symbols import m as M_SYM, z as Z_SYM

__all__ = ["solve_deep_linear_rf", "linear_feature_law", "input_space_law", "resize"]


# ---------------------------------------------------------------------- free-probability route
def resize(law: AlgebraicLaw, fraction: Any) -> AlgebraicLaw:
    """The same non-zero spectrum seen in a space ``1/fraction`` times as large.

    ``law' = t·law + (1 − t)δ_0`` with ``t = fraction = N/N'`` (N the old, N' the new dimension):
    ``m' = t m − (1 − t)/z``, so ``P'(m', z) = P((m' + (1 − t)/z)/t, z)`` (denominators cleared).
    For ``t > 1`` the law must carry an atom of mass ≥ ``1 − 1/t`` at 0 (e.g. ``XᵀX`` of a wide
    X), which is removed.  The substitution is a Möbius map in m, so irreducibility is kept.
    """
    t = to_exact(fraction, "fraction")
    if t.is_number and not t > 0:
        raise ParameterError(f"fraction: must be > 0, got {t}")
    if t == 1:
        return law
    expr = law.expr.subs(M_SYM, (M_SYM + (1 - t) / Z_SYM) / t)
    num, _ = sp.fraction(sp.together(expr))
    poly = sp.Poly(sp.expand(num), M_SYM, Z_SYM)
    zmin = min(mon[1] for mon in poly.monoms())   # clearing 1/z may leave a spurious factor z^k
    num = sp.expand(poly.as_expr() / Z_SYM**zmin)
    return AlgebraicLaw(num, name=f"resize({law.name}, {sp.sstr(t)})",
                        construction=Construction("polynomial"), constraints=law.constraints)


def _exact_widths(widths: Sequence[Any]) -> list[sp.Expr]:
    out = [to_exact(w, f"widths[{i}]") for i, w in enumerate(widths)]
    for i, w in enumerate(out):
        if not (w.is_number and w > 0):
            raise ParameterError(f"widths: every width must be > 0, got widths[{i}] = {w}")
    return out


def _data_law(spectrum: Any) -> AlgebraicLaw:
    if spectrum is None:
        return laws.atoms([1], [1])
    if isinstance(spectrum, AlgebraicLaw):
        return spectrum
    points, weights = spectrum
    return laws.atoms(points, weights)


def linear_feature_law(widths: Sequence[Any], spectrum: Any = None) -> AlgebraicLaw:
    """Limit spectral law of ``Ω_L = W_L⋯W_1 Σ W_1ᵀ⋯W_Lᵀ`` (k_L × k_L), layer by layer.

    ``law_{k_{ℓ−1}}(Ω^½ W_ℓᵀW_ℓ Ω^½) = law(Ω_{ℓ−1}) ⊠ MP(ratio k_{ℓ−1}/k_ℓ, variance k_ℓ/k_{ℓ−1})``
    (``W_ℓᵀW_ℓ = (k_ℓ/k_{ℓ−1})·GᵀG/k_ℓ``), then :func:`resize` to ``k_ℓ`` dimensions.  Widths are
    made exact (floats through their decimal representation).
    """
    ws = [sp.Integer(1)] + _exact_widths(widths)
    law = _data_law(spectrum)
    for ell in range(1, len(ws)):
        ratio = ws[ell - 1] / ws[ell]
        law = free.free_multiply(law, laws.marchenko_pastur(ratio=ratio, variance=1 / ratio))
        law = resize(law, ratio)
    return law


def input_space_law(widths: Sequence[Any], spectrum: Any = None) -> AlgebraicLaw:
    """Limit law of ``M = Σ^½ FᵀF Σ^½`` in dimension d: ``Σ ⊠ γ_L·MP(1/γ_1) ⊠ ⋯ ⊠ MP(1/γ_L)`` —
    the product of S-transforms of step 2 (module docstring) as a law.  ``Ω_L`` has the same
    non-zero spectrum: ``law(Ω_L) = resize(input_space_law, 1/γ_L)``."""
    ws = _exact_widths(widths)
    law = _data_law(spectrum)
    for ell, g in enumerate(ws):
        scale = ws[-1] if ell == 0 else 1
        law = free.free_multiply(law, laws.marchenko_pastur(ratio=1 / g, variance=scale))
    return law
