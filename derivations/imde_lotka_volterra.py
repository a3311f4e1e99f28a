"""Neural ODE trained with the explicit midpoint rule on Lotka–Volterra learns the IMDE.

Zhu, Jin, Zhu & Tang, ICML 2022, arXiv 2206.07335 (their Lotka–Volterra example,
``u' = u(v − 2), v' = v(1 − u)``).  The midpoint rule has order 2, so the IMDE starts at ``h²``; its
terms decay slowly here (``h^k f_k`` ≈ 6e−3, 8e−4, 2e−4 for k = 2, 3, 4 on the box), so the theory
keeps terms to ``h^4``.
"""
from symrmt.derivation import IMDEDerivation


class IMDELotkaVolterra(IMDEDerivation):
    """``u' = u(v − 2), v' = v(1 − u)``; explicit midpoint, h = 1/10, theory to h^4."""

    name = "imde-lotka-volterra"
    summary = "Midpoint-trained neural ODE on Lotka-Volterra learns the IMDE (order-2 correction), not f"
    system = "lotka_volterra"
    method = "midpoint"
    default_order = 4


DERIVATION = IMDELotkaVolterra()
