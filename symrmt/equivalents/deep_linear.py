"""Deep linear random features: the test error for any depth L by products of S-transforms, and
the feature spectrum as a free multiplicative convolution of Marchenko–Pastur laws.

Setting (the linear case of Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999; the S-transform
route of Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592, and Zavatone-Veth & Pehlevan,
arXiv 2303.00564): ``x ~ N(0, Σ)`` in dimension d, ``F = W_L ⋯ W_1`` with ``W_ℓ`` of shape
``k_ℓ × k_{ℓ−1}`` and i.i.d. ``N(0, 1/k_{ℓ−1})`` entries (``k_0 = d``, ``γ_ℓ = k_ℓ/d``),
features ``φ = F x``, ``n = α d`` samples, ``y = βᵀx + ε`` with ``β`` isotropic,
``‖β‖² = signal``, ``Var ε = noise``; readout ``a = argmin (1/n)‖y − Φa‖² + λ‖a‖²``; test
error on a fresh noisy point, averaged over data *and* weights (d → ∞).

Derivation (each step one identity; the code states them in SymPy, :func:`deep_linear_rf_system`):

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

import numpy as np
import sympy as sp

from .. import _checks
from ..errors import ParameterError
from ..symbolic import free, laws
from ..symbolic.laws import AlgebraicLaw, Construction, to_exact
from ..symbolic.symbols import m as M_SYM, z as Z_SYM
from ..symbolic.system import System
from .._checks import broadcast, checked
from .spectrum import KAPPA, kappa_equation, population_spectrum

__all__ = ["deep_linear_rf_system", "deep_linear_equations", "solve_deep_linear_rf", "linear_feature_law", "input_space_law", "resize",
           "SYMBOLS"]

SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("alpha", "ridge")}
SYMBOLS.update({name: sp.Symbol(name, nonnegative=True) for name in ("noise", "signal")})

def _gammas(depth: int) -> list[sp.Symbol]:
    return [sp.Symbol(f"gamma{ell}", positive=True) for ell in range(1, depth + 1)]


def check_widths(widths: Any) -> tuple[float, ...]:
    """Layer widths k_ℓ/d as a tuple of finite floats > 0 (a single number is one layer)."""
    return _checks.layer_widths("widths", widths)


def _error_terms(depth: int):
    """Step 3 in SymPy, with ``df1(κ)`` an undefined function and ``t2`` a symbol
    (``d df1/dκ = −t2``): returns ``(df1, t2, κ_L, bias, df2_features, test_error)``."""
    al, s2, sig = SYMBOLS["alpha"], SYMBOLS["noise"], SYMBOLS["signal"]
    gs = _gammas(depth)
    k = KAPPA
    D, T = sp.Function("df1")(k), sp.Symbol("t2", positive=True)
    kL = k * gs[-1] * sp.Mul(*[(1 - D / g) for g in gs])
    g = sig * k * D
    dsub = {sp.Derivative(D, k): -T}
    dkL = sp.diff(kL, k).subs(dsub)
    dg = sp.diff(g, k).subs(dsub)
    bias = g - kL * dg / dkL
    df2f = D - kL * T / dkL
    return D, T, kL, bias, df2f, (s2 + bias) / (1 - df2f / al)


def deep_linear_equations(depth: int) -> list[tuple[str, sp.Basic]]:
    """The κ equation, the feature-space ridge and the test error, as a referee reads them
    (``df1 = tr Σ(Σ+κ)⁻¹``, ``t2 = tr Σ(Σ+κ)⁻²``)."""
    al, lam = SYMBOLS["alpha"], SYMBOLS["ridge"]
    gs = _gammas(int(depth))
    D, T, kL, bias, df2f, test = _error_terms(int(depth))
    df = sp.Symbol("df1", positive=True)
    s_total = sp.Mul(*[1 / (1 - df / g) for g in gs]) / (1 - df / al) / gs[-1]
    Dk = {D: df}
    return [("S-transform of the features' Gram (df form)", sp.Eq(sp.Symbol("S"), s_total)),
            ("kappa equation (S-transforms multiply)", sp.Eq(KAPPA, lam * s_total)),
            ("feature-space ridge kappa_L", sp.Eq(sp.Symbol("kappa_L"), kL.subs(Dk))),
            ("bias term B = kappa_L^2 v'(M + kappa_L)^-2 v", sp.Eq(sp.Symbol("B"), sp.factor(bias.subs(Dk)))),
            ("df2 of the features (per input dimension)", sp.Eq(sp.Symbol("df2_L"), sp.factor(df2f.subs(Dk)))),
            ("test error", sp.Eq(sp.Symbol("E_test"), (SYMBOLS["noise"] + sp.Symbol("B"))
                                 / (1 - sp.Symbol("df2_L") / al)))]


def deep_linear_rf_system(depth: int, spectrum: Any = None) -> System:
    """The depth-L linear random-features equivalent as a :class:`~symrmt.symbolic.system.System`.

    Unknown ``kappa`` (the input-space renormalized ridge κ, plus ``m_pop`` for a law spectrum);
    parameters ``alpha`` (n/d), ``ridge`` (λ), ``noise``, ``signal``, ``gamma1..gammaL`` (k_ℓ/d);
    observables ``test_error``, ``kappa_features`` (κ_L), ``df1``, ``df2_features`` (df2 of the
    feature covariance at κ_L, per input dimension), ``bias`` (the κ_L² vᵀ(M+κ_L)⁻²v term).
    """
    depth = _checks.integer("depth", depth, low=1)
    al, lam, s2, sig = (SYMBOLS[k] for k in ("alpha", "ridge", "noise", "signal"))
    gs = _gammas(int(depth))
    spec = population_spectrum(spectrum)
    k = KAPPA
    # step 2: κ equation from the product of S-transforms (data Wishart q = 1/α, layers q = 1/γ_ℓ)
    eq = gs[-1] * kappa_equation(spec.df1, k, lam / gs[-1], [1 / al, *[1 / g for g in gs]])
    D, T, kL, bias, df2f, test = _error_terms(int(depth))
    back = {D: spec.df1, T: spec.t2}
    obs = {"test_error": test.subs(back), "kappa_features": kL.subs(back), "df1": spec.df1,
           "df2_features": df2f.subs(back), "bias": bias.subs(back)}
    k0 = lam / gs[-1] + 1 + 2 / al + sum(2 / gg for gg in gs)
    initial = {k: k0, **(spec.initial(k0) if spec.initial else {})}
    return System([sp.expand(eq), *spec.equations], [k, *spec.unknowns], [al, lam, s2, sig, *gs],
                  observables=obs, domains={k: "positive", **spec.domains}, initial=initial,
                  name=f"deep_linear_rf_L{int(depth)}")


def solve_deep_linear_rf(alpha: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0, widths: Any = (2.0, 1.5),
                         data_covariance: Any = None, strict: bool = False):
    """Test error of ridge on depth-L linear random features (weights and data averaged, d → ∞).

    Parameters
    ----------
    alpha : > 0 (n/d);  ridge : > 0 (λ);  noise : >= 0;  signal : >= 0 (‖β‖²) — broadcast arrays.
    widths : sequence of numbers > 0
        ``γ_ℓ = k_ℓ/d``, ℓ = 1..L (any depth).
    data_covariance : None (identity), ``(points, weights)`` or an AlgebraicLaw — Σ.

    Returns
    -------
    SolveResult
        ``res["test_error"]``, ``res["kappa"]`` (input space), ``res["kappa_features"]``, ...;
        a point whose κ leaves the physical branch (some ``1 − df/α`` or ``1 − df/γ_ℓ`` ≤ 0) is
        flagged ``converged = False`` with NaN values.
    """
    ws = check_widths(widths)
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "ridge": checked("ridge", ridge, "positive"),
                      "noise": checked("noise", noise, "nonnegative"),
                      "signal": checked("signal", signal, "nonnegative")})
    solver = deep_linear_rf_system(len(ws), data_covariance).compile()
    grid = dict(vals, **{f"gamma{i + 1}": np.full(vals["alpha"].shape, w) for i, w in enumerate(ws)})
    res = solver.solve(strict=False, **grid)
    df = np.asarray(res["df1"]).real
    ok = np.asarray(res.converged) & (1 - df / vals["alpha"] > 0)
    for w in ws:
        ok &= 1 - df / w > 0
    with np.errstate(invalid="ignore"):
        ok &= np.asarray(res["test_error"]).real > 0
    res.reject(ok)
    if strict and not ok.all():
        from ..errors import ConvergenceError

        raise ConvergenceError(f"deep-linear-rf: {int((~ok).sum())} point(s) did not converge to the physical branch")
    return res


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
