"""Free additive convolution of a semicircle and a Marchenko–Pastur law.

The spectrum of ``W + Q (XᵀX/n) Qᵀ`` (W Wigner, Q Haar): R-transforms add (Voiculescu 1986),
computed by the resultant of Rao & Edelman 2008 (arXiv math/0601389, Thm 4.3); a cubic in m.
"""
import sympy as sp

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation


class SemicirclePlusMP(SpectralDerivation):
    """``μ = semicircle(s) ⊞ MP(γ)``: ``R_μ(w) = s w + 1/(1 − γ w)``."""

    name = "semicircle-plus-mp"
    summary = "Spectrum of a Wigner matrix plus a freely rotated white sample covariance (free sum)"
    reference = "Voiculescu 1986; Rao & Edelman 2008, arXiv math/0601389, Thm 4.3"
    transforms = ("R",)  # the construction equation below states the law
    parameters = (
        Parameter("variance", 1, "σ² of the semicircle", low=0),
        Parameter("ratio", sp.Rational(1, 2), "γ = d/n of the Marchenko–Pastur part", low=0),
    )

    def build_law(self, variance, ratio):
        return sr.free_add(sr.laws.semicircle(variance=variance), sr.laws.marchenko_pastur(ratio=ratio))

    def extra_equations_for(self, s):
        w = sp.Symbol("w")
        R = sp.Function("R")
        return [("R-transforms add under ⊞", sp.Eq(R(w), s["variance"] * w + 1 / (1 - s["ratio"] * w)))]


DERIVATION = SemicirclePlusMP()
