"""Closed-form laws used as independent references by the simulate/verify/registry tests."""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate


def semicircle_cdf(x, variance=1.0):
    """F(x) = 1/2 + t√(4 − t²)/(4π) + arcsin(t/2)/π, t = x/σ (Wigner 1958)."""
    t = np.clip(np.asarray(x, dtype=float) / math.sqrt(variance), -2.0, 2.0)
    return 0.5 + t * np.sqrt(4.0 - t**2) / (4.0 * math.pi) + np.arcsin(t / 2.0) / math.pi


def semicircle_density(x, variance=1.0):
    t = np.asarray(x, dtype=float) / math.sqrt(variance)
    return np.sqrt(np.clip(4.0 - t**2, 0.0, None)) / (2.0 * math.pi * math.sqrt(variance))


def mp_edges(ratio):
    return (1 - math.sqrt(ratio)) ** 2, (1 + math.sqrt(ratio)) ** 2


def mp_density(x, ratio):
    """ρ(x) = √((b − x)(x − a))/(2πγx) on [a, b] = [(1 ∓ √γ)²], γ < 1 (Marchenko & Pastur 1967)."""
    a, b = mp_edges(ratio)
    x = np.asarray(x, dtype=float)
    inside = (x > a) & (x < b)
    out = np.zeros_like(x)
    out[inside] = np.sqrt((b - x[inside]) * (x[inside] - a)) / (2 * math.pi * ratio * x[inside])
    return out


def mp_cdf_exact(ratio):
    """Vectorized CDF of MP(γ) by adaptive quadrature of the closed-form density (slow; tabulate it)."""
    a, b = mp_edges(ratio)

    def cdf(x):
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        for i, v in np.ndenumerate(x):
            if v >= b:
                out[i] = 1.0
            elif v > a:
                out[i] = integrate.quad(lambda t: float(mp_density(np.array([t]), ratio)[0]), a, v, limit=200)[0]
        return out

    return cdf


class ClosedFormTheory:
    """The attributes SpectralDerivation.measure and plot_data use, from closed forms."""

    def __init__(self, cdf, density, support, moments):
        self.cdf, self.density, self.support, self.moments = cdf, density, support, moments


def semicircle_theory(variance=1.0):
    s = math.sqrt(variance)
    return ClosedFormTheory(lambda x: semicircle_cdf(x, variance), lambda x: semicircle_density(x, variance),
                            [(-2 * s, 2 * s)], [0.0, variance, 0.0, 2 * variance**2])


def mp_theory(ratio):
    from symrmt.verify.stats import grid_cdf

    a, b = mp_edges(ratio)
    cdf = grid_cdf(mp_cdf_exact(ratio), [(a, b)], points=400)
    g = ratio
    return ClosedFormTheory(cdf, lambda x: mp_density(x, ratio), [(a, b)],
                            [1.0, 1 + g, 1 + 3 * g + g**2, 1 + 6 * g + 6 * g**2 + g**3])


def closed_form_derivation(kind: str = "semicircle"):
    """A SpectralDerivation whose theory comes from the closed forms above (not the generated
    solver), so that the generic verify/report machinery is tested on its own."""
    import sympy as sp

    import symrmt as sr
    from symrmt.registry import Parameter, SpectralDerivation

    class ClosedForm(SpectralDerivation):
        name = f"closed-form-{kind}"
        summary = f"{kind} law from its closed-form CDF"
        reference = "Wigner 1958; Marchenko & Pastur 1967"
        sizes = (100, 200, 400)
        trials = 4
        if kind == "semicircle":
            parameters = (Parameter("variance", 1, "σ²", low=0),)

            def build_law(self, variance):
                return sr.laws.semicircle(variance)

            def theory(self, variance):
                return semicircle_theory(float(variance))
        else:
            parameters = (Parameter("ratio", sp.Rational(1, 2), "γ", low=0, high=1),)

            def build_law(self, ratio):
                return sr.laws.marchenko_pastur(ratio)

            def theory(self, ratio):
                return mp_theory(float(ratio))

    return ClosedForm()
