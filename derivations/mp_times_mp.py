"""Free multiplicative convolution of two Marchenko–Pastur laws.

The spectrum of ``W₁^{1/2} Q W₂ Qᵀ W₁^{1/2}`` (W_i = X_iᵀX_i/n_i, Q Haar): S-transforms multiply
(Voiculescu 1987), computed by the resultant of Rao & Edelman 2008 (arXiv math/0601389, Thm 4.4).
"""
import sympy as sp

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation


class MPTimesMP(SpectralDerivation):
    """``μ = MP(γ₁) ⊠ MP(γ₂)``: ``S_μ(u) = 1/((1 + γ₁u)(1 + γ₂u))``."""

    name = "mp-times-mp"
    summary = "Spectrum of the product of two free white sample covariances (free product)"
    reference = "Voiculescu 1987; Rao & Edelman 2008, arXiv math/0601389, Thm 4.4"
    transforms = ("S",)  # the construction equation below states the law
    parameters = (
        Parameter("ratio1", sp.Rational(1, 2), "γ₁ = d/n₁", low=0, high=1),
        Parameter("ratio2", sp.Rational(1, 4), "γ₂ = d/n₂", low=0, high=1),
    )

    def build_law(self, ratio1, ratio2):
        return sr.free_multiply(sr.laws.marchenko_pastur(ratio=ratio1), sr.laws.marchenko_pastur(ratio=ratio2))

    def extra_equations_for(self, s):
        u = sp.Symbol("u")
        S = sp.Function("S")
        return [("S-transforms multiply under ⊠",
                 sp.Eq(S(u), 1 / ((1 + s["ratio1"] * u) * (1 + s["ratio2"] * u))))]


DERIVATION = MPTimesMP()
