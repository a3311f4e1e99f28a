"""Kernel ridge regression with a dot-product kernel on synthetic data: omniscient risk (from the
kernel's eigen-decomposition) vs measured test error vs GCV, as in Wei, Hu & Steinhardt,
arXiv 2203.06176.
"""
import sympy as sp

from symrmt.errors import DerivationError

from symrmt.equivalents.derivation import LearningCurveDerivation
from symrmt.equivalents.discrete import powerlaw_equations
from symrmt.equivalents.kernel import simulate_kernel
from symrmt.registry import Parameter


class KernelGCV(LearningCurveDerivation):
    """x uniform on the sphere of radius √d, k = K(x·x'/d), f = tanh(2⟨β,x⟩/√d) + noise.

    The theory is computed inside each trial from an independent population sample (the
    kernel operator's spectrum is not known in closed form), so the per-trial error compares
    the measured test error with that trial's omniscient risk; GCV is reported alongside."""

    name = "kernel-gcv"
    summary = "Kernel ridge: omniscient risk from the kernel spectrum vs test error vs GCV"
    reference = "Wei, Hu & Steinhardt, arXiv 2203.06176"
    parameters = (
        Parameter("d", 8, "input dimension", low=1, low_inclusive=True, integer=True),
        Parameter("ridge", 1e-3, "per-sample λ̃ (predictor k(x)ᵀ(K + nλ̃)⁻¹y)", low=0),
        Parameter("noise", 0.1, "σ²", low=0, low_inclusive=True),
        Parameter("population", 2000, "population sample size M for the spectrum", low=2, integer=True),
    )
    options = {"kernel": "exp"}
    sizes = (100, 200, 400)
    quick_sizes = (50, 100, 200)
    trials = 12
    quick_trials = 4
    # each trial diagonalizes a population kernel matrix (2000 x 2000): about a minute in quick mode on
    # two CPU cores, too long for `symrmt demo`; verified by `symrmt verify kernel-gcv` and the slow tests
    in_demo = False

    def equations(self):
        eqs = powerlaw_equations()
        return [(label.replace("test error", "omniscient risk (ω_i, θ_i from the kernel)"), e) for label, e in eqs] + \
            [("GCV", sp.Eq(sp.Symbol("GCV"), sp.Symbol("n^-1‖(I−S)y‖²") / sp.Symbol("(n^-1 tr(I−S))²")))]

    def solve_arrays(self, **params):
        raise DerivationError("kernel-gcv: the omniscient risk needs the kernel's estimated spectrum "
                              "(computed inside each simulated trial); use "
                              "symrmt.equivalents.solve_discrete(omega, coef2, n, ridge, noise) with it")

    def solve(self, **params):
        return self.solve_arrays(**params)

    def theory(self, **params):
        return None

    def measure(self, sample, theory):
        import numpy as np

        om, te = np.asarray(sample["omniscient"]), np.asarray(sample["test_error"])
        return {"errors": (te - om) / om, "omniscient": float(om.mean()), "test_error": float(te.mean()),
                "gcv": float(np.mean(sample["gcv"])), "test_ci95": list(sample.ci("test_error"))}

    def shapes(self, n, d, population, **params):
        """The population kernel matrix M×M and its eigenvectors, then the n×n kernel solve and
        2000 test points against the n training points."""
        return [(population, population), (population, population), (population, d), (n, n), (n, n + 1),
                (2000, n)]

    def run_simulation(self, n, trials, seed, device, d, ridge, noise, population, kernel="exp"):
        return simulate_kernel(n, int(d), ridge, noise, kernel, int(population), trials=trials, seed=seed,
                               device=device)


DERIVATION = KernelGCV()
