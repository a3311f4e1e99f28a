"""Random-features ridge regression: Mei & Montanari's excess risk (arXiv 1908.05355, Theorem 1),
with Hermite coefficients from the activation, checked on trained random-feature models (double
descent in ψ1 = N/d at small ridge).
"""
import numpy as np

from symrmt.derivation import LearningCurveDerivation, Parameter, system_equations
from symrmt.equivalents import ACTIVATION_NAMES, mei_montanari_system, solve_random_features
from symrmt.simulate import simulate_random_features


class RandomFeatures(LearningCurveDerivation):
    """x, θ_a uniform on the sphere of radius √d; σ(⟨θ_a, x⟩/√d); ψ1 = N/d, ψ2 = n/d."""

    name = "random-features"
    summary = "Mei–Montanari random-features excess risk (ν1, ν2 fixed point; E0, E1, E2)"
    reference = "Mei & Montanari, arXiv 1908.05355"
    quantity = "risk"
    parameters = (
        Parameter("psi1", 1.5, "N/d", low=0),
        Parameter("psi2", 1.2, "n/d", low=0),
        Parameter("ridge", 0.05, "λ in (1/n)Σ(y − f)² + (Nλ/d)‖a‖²", low=0),
        Parameter("F1", 1, "‖β1‖", low=0, low_inclusive=True),
        Parameter("Fstar", 0.3, "(E f_NL²)^½", low=0, low_inclusive=True),
        Parameter("tau", 0.4, "noise standard deviation", low=0, low_inclusive=True),
    )
    options = {"activation": "relu"}
    option_choices = {"activation": ACTIVATION_NAMES}
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)
    # double descent at psi1 = psi2 for a small ridge (Mei & Montanari, Fig. 1)
    curve = ("psi1", np.geomspace(0.1, 10, 300), (0.3, 0.6, 0.9, 1.2, 2.0, 4.0),
             {"psi2": 1.0, "ridge": 1e-3, "Fstar": 0.3, "tau": 0.3})

    def equations(self):
        return system_equations(mei_montanari_system(), "fixed point (ν1, ν2), z = ξ = i√(ψ1ψ2λ/μ*²)")

    def codegen_target(self, **params):
        """Mei–Montanari's fixed point as a System (``symrmt codegen``): parameters ``psi1``,
        ``psi2``, ``zeta`` (= μ1/μ*), ``z`` (= ξ = i√(ψ1ψ2λ/μ*²)), ``F1``, ``Fstar``, ``tau``."""
        return mei_montanari_system()

    def solve_arrays(self, psi1, psi2, ridge, F1, Fstar, tau, activation="relu"):
        return solve_random_features(psi1, psi2, ridge, activation, F1, Fstar, tau)

    def shapes(self, n, psi1, psi2, **params):
        """θ (N×d), X (n×d), Φ (n×N), the N×N system and 2000 test points (d = n, N = ψ1 d, n = ψ2 d)."""
        N, m = psi1 * n, psi2 * n
        return [(N, n), (m, n), (m, N), (N, N), (2000, n), (2000, N)]

    def run_simulation(self, n, trials, seed, device, psi1, psi2, ridge, F1, Fstar, tau, activation="relu"):
        return simulate_random_features(n, psi1, psi2, ridge, activation, F1, Fstar, tau, trials=trials,
                                        seed=seed, device=device)


DERIVATION = RandomFeatures()
