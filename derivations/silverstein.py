"""Silverstein's equation: the sample covariance of data with a two-atom population spectrum.

Σ has eigenvalues a (fraction p) and b (fraction 1 − p); the spectrum of Σ^{1/2}XᵀXΣ^{1/2}/n
(X: n×d, c = d/n) solves ``m = ∫ dH(t) / (t(1 − c − c z m) − z)`` (Marčenko–Pastur 1967;
Silverstein & Bai 1995, J. Multivar. Anal. 54:175), obtained here from the population
polynomial by the substitution of Rao & Edelman 2008 (arXiv math/0601389, §5).
"""
import sympy as sp

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation


class Silverstein(SpectralDerivation):
    """``μ = sample_covariance(p δ_a + (1 − p) δ_b, c)``."""

    name = "silverstein"
    summary = "Sample covariance spectrum for a two-atom population (Silverstein's equation)"
    reference = "Silverstein & Bai 1995; Rao & Edelman 2008, arXiv math/0601389, §5"
    transforms = ()  # the construction equation below states the law
    parameters = (
        Parameter("a", 1, "first population eigenvalue", low=0),
        Parameter("b", 4, "second population eigenvalue (≠ a)", low=0),
        Parameter("weight", sp.Rational(1, 2), "p, fraction of eigenvalue a", low=0, high=1),
        Parameter("ratio", sp.Rational(1, 10), "c = d/n", low=0),
    )

    def build_law(self, a, b, weight, ratio):
        population = sr.laws.atoms(points=[a, b], weights=[weight, 1 - weight])
        return sr.sample_covariance(population, ratio)

    def extra_equations_for(self, s):
        z, m, t = sp.symbols("z m t")
        a, b, p, c = s["a"], s["b"], s["weight"], s["ratio"]
        rhs = p / (a * (1 - c - c * z * m) - z) + (1 - p) / (b * (1 - c - c * z * m) - z)
        return [("Silverstein's equation (population p δ_a + (1 − p) δ_b)", sp.Eq(m, rhs))]


DERIVATION = Silverstein()
