"""Wigner's semicircle law: the spectrum of a symmetric matrix with i.i.d. entries.

Wigner 1958 (Ann. Math. 67:325); Voiculescu's R-transform R(w) = σ²w; Rao & Edelman 2008,
arXiv math/0601389, Table 1.
"""

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation


class Semicircle(SpectralDerivation):
    """Law of ``σ (G + Gᵀ)/√(2n)``: ``σ² m² + z m + 1 = 0``, support [−2σ, 2σ]."""

    name = "semicircle"
    summary = "Spectrum of a Wigner matrix σ(G + Gᵀ)/√(2n): the semicircle of variance σ²"
    reference = "Wigner 1958; Rao & Edelman 2008, arXiv math/0601389"
    parameters = (Parameter("variance", 1, "σ², variance of the off-diagonal entries times n", low=0),)

    def build_law(self, variance):
        return sr.laws.semicircle(variance=variance)


DERIVATION = Semicircle()
