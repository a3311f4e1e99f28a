"""Neural ODE trained with the two-step BDF loss on the pendulum learns the multistep IMDE.

The multistep version of Zhu, Jin, Zhu & Tang (ICML 2022, arXiv 2206.07335): training ``f_θ`` with
``‖y_2 − 4/3 y_1 + 1/3 y_0 − 2/3 h f_θ(y_2)‖²`` on windows ``y_j = φ_{jh}(y0)`` of the exact flow
returns the field ``f_h`` whose underlying one-step method is the exact flow,
``Σ_j α_j φ_{jh} = h Σ_j β_j f_h(φ_{jh})`` (:func:`symrmt.odes.lmm_imde`), not ``f``.  BDF2 has order
2, so the correction starts at ``h²``; at ``h = 1/5`` it is about 20 learning floors.
"""
import sympy as sp

from symrmt.derivation import IMDEDerivation


class IMDEPendulumBDF2(IMDEDerivation):
    """``q' = p, p' = −sin q``; BDF2 (implicit, two steps), h = 1/5, theory to h^3."""

    name = "imde-pendulum-bdf2"
    summary = "BDF2-trained neural ODE on the pendulum learns the multistep IMDE (order-2 correction), not f"
    system = "pendulum"
    method = "bdf2"
    default_h = sp.Rational(1, 5)


DERIVATION = IMDEPendulumBDF2()
