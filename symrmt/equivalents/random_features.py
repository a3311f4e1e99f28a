"""Nonlinear random features: Mei & Montanari's asymptotics (arXiv 1908.05355) and its
Gaussian-equivalent form (Loureiro et al. 2021, arXiv 2102.08127; Gerace et al. 2020).

Setting (MM §2): ``x``, ``θ_a`` uniform on the sphere of radius √d; features
``σ(⟨θ_a, x⟩/√d)``, ``a = 1..N``; ``ψ1 = N/d``, ``ψ2 = n/d``; objective
``(1/n)Σ_i (y_i − Σ_a a_a σ_a(x_i))² + (Nλ/d)‖a‖²``; ``y = ⟨β1, x⟩ + f_NL(x) + ε`` with
``‖β1‖ = F1``, ``E f_NL² = F*²``, ``Var ε = τ²``.  ``risk`` is the excess test risk
``E(f(x) − f̂(x))²``.

Mei–Montanari route: ``μ0, μ1, μ*`` from :mod:`symrmt.symbolic.hermite`, ``ζ = μ1/μ*``,
``λ̄ = λ/μ*²``, ``ξ = i√(ψ1ψ2λ̄)``; ``(ν1, ν2)`` on the Herglotz branch (Im ν > 0) of

    ν1 = ψ1 / (−ξ − ν2 − ζ²ν2/(1 − ζ²ν1ν2)),  ν2 = ψ2 / (−ξ − ν1 − ζ²ν1/(1 − ζ²ν1ν2)),

``χ = ν1ν2``, and ``risk = F1² E1/E0 + (τ² + F*²) E2/E0 + F*²`` with MM's polynomials E0, E1,
E2 in (χ, ζ, ψ1, ψ2) (their Theorem 1).  The generated solver follows the branch by
continuation in ξ from ``Im ξ`` large (where ``ν_i ≈ −ψ_i/ξ``).

Gaussian-equivalent route: the features are replaced by Gaussians with covariance
``Ω = μ1² ΘΘᵀ/d + μ*² I`` (spectral law: a Möbius image of Marchenko–Pastur(ψ1), derived by the
free calculus) and target covariance ``ψ = μ1Θβ1/√d``; per-sample ridge ``λ̃ = ψ1 λ``; κ from the
S-transform of the feature Wishart (ratio N/n = ψ1/ψ2): ``λ̃ = κ(1 − (ψ1/ψ2) df1_Ω(κ))``; then
``E_test = [σ_y² − Σ ψ̃²(ω + 2κ)/(ω + κ)²]/(1 − (ψ1/ψ2) df2_Ω)`` with
``Σ ψ̃²(ω+2κ)/(ω+κ)² = ψ1 F1² [1 − μ*² m − κ(κ + μ*²) m']``, ``m = m_Ω(−κ)``, and
``risk = E_test − τ²``.  It needs no μ* > 0, so it also covers a linear activation.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..symbolic import free, laws
from ..symbolic.hermite import hermite_coefficients
from ..symbolic.symbols import m as M_SYM, z as Z_SYM
from ..symbolic.system import System
from .._checks import broadcast, checked
from .spectrum import KAPPA, kappa_equation

__all__ = ["mei_montanari_system", "gaussian_equivalent_system", "solve_random_features",
           "mm_polynomials", "SYMBOLS"]

SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("psi1", "psi2", "ridge", "zeta", "mu1", "mustar")}
SYMBOLS.update({name: sp.Symbol(name, nonnegative=True) for name in ("F1", "Fstar", "tau")})
NU1, NU2 = sp.symbols("nu1 nu2")
XI = sp.Symbol("z")  # the spectral parameter ξ = i√(ψ1ψ2λ̄) (named z for the continuation)

def mm_polynomials(chi: sp.Expr, zeta: sp.Expr, psi1: sp.Expr, psi2: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Mei & Montanari's E0, E1, E2 (arXiv 1908.05355, Theorem 1)."""
    c, zt, p1, p2 = chi, zeta, psi1, psi2
    E0 = (-c**5 * zt**6 + 3 * c**4 * zt**4 + (p1 * p2 - p2 - p1 + 1) * c**3 * zt**6 - 2 * c**3 * zt**4
          - 3 * c**3 * zt**2 + (p1 + p2 - 3 * p1 * p2 + 1) * c**2 * zt**4 + 2 * c**2 * zt**2 + c**2
          + 3 * p1 * p2 * c * zt**2 - p1 * p2)
    E1 = p2 * c**3 * zt**4 - p2 * c**2 * zt**2 + p1 * p2 * c * zt**2 - p1 * p2
    E2 = (c**5 * zt**6 - 3 * c**4 * zt**4 + (p1 - 1) * c**3 * zt**6 + 2 * c**3 * zt**4 + 3 * c**3 * zt**2
          - (p1 + 1) * c**2 * zt**4 - 2 * c**2 * zt**2 - c**2)
    return E0, E1, E2


def mei_montanari_system() -> System:
    """MM's fixed point as a System: unknowns ``nu1``, ``nu2`` (domain upper); parameters
    ``psi1``, ``psi2``, ``zeta``, ``z`` (= ξ), ``F1``, ``Fstar``, ``tau``; observables ``chi``,
    ``risk``.  Equations are multiplied by their denominators (no poles on the way)."""
    p1, p2, zt = SYMBOLS["psi1"], SYMBOLS["psi2"], SYMBOLS["zeta"]
    F1, Fs, tau = SYMBOLS["F1"], SYMBOLS["Fstar"], SYMBOLS["tau"]
    den = 1 - zt**2 * NU1 * NU2
    eq1 = NU1 * ((-XI - NU2) * den - zt**2 * NU2) - p1 * den
    eq2 = NU2 * ((-XI - NU1) * den - zt**2 * NU1) - p2 * den
    chi = NU1 * NU2
    c = sp.Symbol("chi")
    E0, E1, E2 = (sp.horner(sp.expand(E), wrt=c).subs(c, chi) for E in mm_polynomials(c, zt, p1, p2))
    risk = (F1**2 * E1 + (tau**2 + Fs**2) * E2) / E0 + Fs**2
    return System([sp.expand(eq1), sp.expand(eq2)], [NU1, NU2], [p1, p2, zt, XI, F1, Fs, tau],
                  observables={"chi": chi, "risk": risk}, domains={NU1: "upper", NU2: "upper"},
                  initial={NU1: -p1 / XI, NU2: -p2 / XI}, name="mei_montanari")


def feature_covariance_law() -> laws.AlgebraicLaw:
    """Spectral law of ``Ω = μ1² ΘΘᵀ/d + μ*² I``: the Möbius image ``μ*² + μ1² W`` of
    ``W ~`` Marchenko–Pastur(ratio ψ1) (ΘΘᵀ/d is N×N with N/d = ψ1)."""
    p1, mu1, mus = SYMBOLS["psi1"], SYMBOLS["mu1"], SYMBOLS["mustar"]
    return free.mobius(laws.marchenko_pastur(ratio=p1, variance=1), mu1**2, mus**2, 0, 1)


def gaussian_equivalent_system() -> System:
    """The Gaussian-equivalent form as a one-unknown System in ``kappa`` (positive).

    ``m = m_Ω(−κ)`` is the closed-form physical root of Ω's quadratic minimal polynomial
    (:func:`_physical_root`) and ``m'(z)|_{z=−κ} = −dm/dκ``.  Parameters ``psi1``, ``psi2``,
    ``ridge``, ``mu1``, ``mustar``, ``F1``, ``Fstar``, ``tau``; observables ``risk``,
    ``test_error``, ``df1``, ``df2``, ``m_omega``."""
    p1, p2, lam, mu1, mus = (SYMBOLS[k] for k in ("psi1", "psi2", "ridge", "mu1", "mustar"))
    F1, Fs, tau = SYMBOLS["F1"], SYMBOLS["Fstar"], SYMBOLS["tau"]
    k = KAPPA
    P = feature_covariance_law().polynomial.as_expr()
    mo = _physical_root(P, k)
    dm = -sp.diff(mo, k)
    df1 = 1 - k * mo
    df2 = 1 - 2 * k * mo + k**2 * dm
    ratio = p1 / p2
    eq = kappa_equation(df1, k, p1 * lam, [ratio])
    a = mus**2
    explained = p1 * F1**2 * (1 - a * mo - k * (k + a) * dm)
    test = (F1**2 + Fs**2 + tau**2 - explained) / (1 - ratio * df2)
    return System([eq], [k], [p1, p2, lam, mu1, mus, F1, Fs, tau],
                  observables={"risk": test - tau**2, "test_error": test, "df1": df1, "df2": df2, "m_omega": mo},
                  domains={k: "positive"}, initial={k: p1 * lam + p1 / p2 + 1}, name="rf_gaussian_equivalent")


def _physical_root(P: sp.Expr, k0: sp.Expr) -> sp.Expr:
    """``m_Ω(−κ0)`` in closed form: of the two roots of the quadratic ``P(m, −κ0)``, the one that
    vanishes as κ0 → ∞ (the Stieltjes transform below the support, ``m ~ 1/κ0``); written as
    ``2C/(−B + √(B² − 4AC))`` (that branch; checked in the tests) to avoid cancellation."""
    A, B, C = (sp.expand(P).coeff(M_SYM, j).subs(Z_SYM, -k0) for j in (2, 1, 0))
    root = 2 * C / (-B + sp.sqrt(B**2 - 4 * A * C))
    return root


def _compiled(which: str):
    if which == "ge":
        return gaussian_equivalent_system().compile()
    # "mm": continuation in ξ at every point; "mm-warm": warm starts along the grid
    return mei_montanari_system().compile(spectral=None if which == "mm" else False)


def _solve_mm(strict: bool, **grid: np.ndarray):
    """Warm-started Newton along the grid first (fast for learning curves); every point that fails,
    or whose ν leaves MM's a-priori region ``|ν_i| ≤ ψ_i/Im ξ`` (where the Herglotz solution is
    unique), is re-solved by continuation in ξ from ``Im ξ`` large."""
    res = _compiled("mm-warm").solve(strict=False, **grid)
    n1, n2 = res.unknowns["nu1"], res.unknowns["nu2"]
    im = grid["z"].imag
    with np.errstate(invalid="ignore"):
        ok = res.converged & (np.abs(n1) <= grid["psi1"] / im * (1 + 1e-9)) & \
            (np.abs(n2) <= grid["psi2"] / im * (1 + 1e-9))
    if not ok.all():
        sub = {k: np.broadcast_to(v, ok.shape)[~ok] for k, v in grid.items()}
        fix = _compiled("mm").solve(strict=False, **sub)
        for table, src in ((res.unknowns, fix.unknowns), (res.observables, fix.observables)):
            for k in table:
                table[k] = np.array(table[k], dtype=np.result_type(table[k], src[k]))
                table[k][~ok] = src[k]
        res.residual[~ok], res.converged[~ok], res.iterations[~ok] = fix.residual, fix.converged, fix.iterations
    if strict and not res.converged.all():
        from ..errors import ConvergenceError

        raise ConvergenceError(f"random-features: {int((~res.converged).sum())} point(s) did not converge")
    return res


def solve_random_features(psi1: Any, psi2: Any, ridge: Any, activation: Any = "relu", F1: Any = 1.0,
                          Fstar: Any = 0.0, tau: Any = 0.0, method: str = "auto", strict: bool = False):
    """Excess risk of random-features ridge regression on a broadcast parameter grid.

    Parameters
    ----------
    psi1 : > 0 (N/d);  psi2 : > 0 (n/d);  ridge : > 0 (MM's λ);  F1, Fstar, tau : >= 0
    activation : "relu", "tanh", "erf", "sign", "linear" or a SymPy expression in one variable
        (must satisfy E σ(G)² < ∞).
    method : {"auto", "mei-montanari", "gaussian-equivalent"}
        ``auto`` uses Mei–Montanari when μ* > 0 and the Gaussian-equivalent form otherwise.

    Returns
    -------
    SolveResult
        ``res["risk"]``, and ``res["chi"]`` (Mei–Montanari route) or ``res["kappa"]``
        (Gaussian-equivalent route); ``res.converged`` flags each point.
    """
    if method not in ("auto", "mei-montanari", "gaussian-equivalent"):
        raise ParameterError(f"method: must be 'auto', 'mei-montanari' or 'gaussian-equivalent', got {method!r}")
    mu0, mu1, mus = hermite_coefficients(activation).as_floats()
    if mu1 == 0 and mus == 0:
        raise ParameterError("activation: μ1 = μ* = 0 (a constant activation) learns nothing; "
                             "allowed: activations with μ1 ≠ 0 or μ* > 0")
    vals = broadcast({"psi1": checked("psi1", psi1, "positive"), "psi2": checked("psi2", psi2, "positive"),
                      "ridge": checked("ridge", ridge, "positive"), "F1": checked("F1", F1, "nonnegative"),
                      "Fstar": checked("Fstar", Fstar, "nonnegative"), "tau": checked("tau", tau, "nonnegative")})
    if method == "auto":
        method = "mei-montanari" if mus > 1e-12 else "gaussian-equivalent"
    if method == "mei-montanari":
        if not mus > 1e-12:
            raise ParameterError("activation: μ* = 0 (linear activation); Mei–Montanari's form needs "
                                 "μ* > 0 — use method='gaussian-equivalent'")
        lambar = vals["ridge"] / mus**2
        xi = 1j * np.sqrt(vals["psi1"] * vals["psi2"] * lambar)
        return _solve_mm(strict, psi1=vals["psi1"], psi2=vals["psi2"], zeta=np.full_like(lambar, abs(mu1) / mus),
                         z=xi, F1=vals["F1"], Fstar=vals["Fstar"], tau=vals["tau"])
    return _compiled("ge").solve(strict=strict, mu1=np.full_like(vals["ridge"], abs(mu1)),
                                 mustar=np.full_like(vals["ridge"], mus), **vals)
