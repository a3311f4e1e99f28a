"""Marchenko–Pastur law: the spectrum of the sample covariance of white data.

Marchenko & Pastur 1967 (Math. USSR Sb. 1:457); polynomial form as in Rao & Edelman 2008,
"The polynomial method for random matrices" (arXiv math/0601389), Table 1.
"""
import sympy as sp

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation


class MarchenkoPastur(SpectralDerivation):
    """Law of ``XᵀX/n``, X of shape n×d with i.i.d. entries of variance σ², ratio γ = d/n:
    ``γ σ² z m² + (z − σ²(1 − γ)) m + 1 = 0``, S(u) = 1/(σ²(1 + γu))."""

    name = "marchenko-pastur"
    summary = "Spectrum of XᵀX/n for white data X (n×d, ratio γ = d/n, entry variance σ²)"
    reference = "Marchenko & Pastur 1967; Rao & Edelman 2008, arXiv math/0601389"
    parameters = (
        Parameter("ratio", sp.Rational(1, 2), "γ = d/n (use γ < 1: no atom at 0)", low=0),
        Parameter("variance", 1, "σ², variance of the entries of X", low=0),
    )

    def build_law(self, ratio, variance):
        return sr.laws.marchenko_pastur(ratio=ratio, variance=variance)


DERIVATION = MarchenkoPastur()
