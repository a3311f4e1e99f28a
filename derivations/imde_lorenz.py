"""Neural ODE trained with explicit Euler on the Lorenz system learns the IMDE, not f.

Zhu, Jin, Zhu & Tang, ICML 2022, arXiv 2206.07335 (their Lorenz example ``LS``, with the state
scaled by 1/10): ``x' = 10(y − x), y' = x(28 − 10z) − y, z' = 10xy − 8z/3`` on the attractor's
bounding box (:mod:`symrmt.odes.catalogue`).  Explicit Euler has order 1; its IMDE is
``f_h = (φ_h[f] − id)/h``, so ``f_k = L_f^(k+1)(id)/(k+1)!``:

    f_1 = f′f/2,   f_2 = (f″(f, f) + f′f′f)/6,   f_3 = (3 f″(f′f, f) + f′f″(f, f) + f′f′f′f)/24

(``f‴ = 0``: the field is quadratic).  The field is fast (RMS ``|f|`` ≈ 31 on the box, ``‖f′‖₂``
25 at the median point, 42 at most), so the step is ``h = 1/100``: the terms ``h^k f_k`` have RMS 3.3, 0.36, 0.042,
0.0046 for k = 1..4 on the box and the theory keeps terms to ``h³``.  Measured by ``verify`` (seed 0,
CPU): 1024 training points, 3 networks of width 64 — distance of the learned field to the order-3
IMDE 0.021, learning floor √loss 0.025, distance to ``f`` 2.03 (80 floors), 58 s; quick mode (256
points, 2 networks of width 32) — 0.18, floor 0.17, to ``f`` 2.02 (12 floors), 7 s.  The control
(theory = ``f``, order 0) disagrees in both.

The authors hard-code these coefficients to ``h³`` (``IE_LS``; the Euler row is
``1/2, 1/6, 1/6, 1/24, 3/24, 1/24, 1/24``, which symrmt reproduces from the trees); in their
``f′f″(f, f)`` the third component multiplies ``x`` by ``f`` where ``f″(f, f)`` is meant — it
enters only at ``h³``.  At their step ``h = 0.04`` the series is not small on the box (``h^k f_k``
≈ 13, 5.7, 2.7, 1.2), which is why a smaller step is used here.
"""
import sympy as sp

from symrmt.derivation import IMDEDerivation


class IMDELorenz(IMDEDerivation):
    """Lorenz (σ, ρ, β) = (10, 28, 8/3), state scaled by 1/10; explicit Euler, h = 1/100, theory to h^3."""

    name = "imde-lorenz"
    summary = "Euler-trained neural ODE on the Lorenz system learns the IMDE (order-1 correction), not f"
    system = "lorenz"
    method = "euler"
    default_h = sp.Rational(1, 100)
    default_order = 3


DERIVATION = IMDELorenz()
