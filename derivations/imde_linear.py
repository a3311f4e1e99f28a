"""Neural ODE trained with Heun's method on the harmonic oscillator learns the IMDE.

Zhu, Jin, Zhu & Tang, ICML 2022, arXiv 2206.07335.  For ``y' = M y`` the IMDE is linear,
``R⁻¹(e^{hM})/h``, with ``R(z) = 1 + z + z²/2`` (REFERENCES §8); Heun is not symplectic, so the
learned field has a nonzero (negative) trace although the rotation preserves area.
"""
import sympy as sp

from symrmt.derivation import IMDEDerivation


class IMDELinear(IMDEDerivation):
    """``x1' = x2, x2' = −x1``; Heun (explicit trapezoidal rule), h = 1/5; exact flow exp(hM)."""

    name = "imde-linear"
    summary = "Heun-trained neural ODE on the harmonic oscillator learns the IMDE R^{-1}(e^{hM})/h, not M"
    system = "linear"
    method = "heun"
    default_h = sp.Rational(1, 5)


DERIVATION = IMDELinear()
