"""Kernel ridge regression with a dot-product kernel on synthetic data: omniscient risk (from the
kernel's eigen-decomposition) vs measured test error vs GCV, as in Wei, Hu & Steinhardt,
arXiv 2203.06176.
"""
import numpy as np
import sympy as sp

from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.equivalents import KERNELS, draw_population, omniscient_risk, powerlaw_equations
from symrmt.simulate import simulate_kernel_ridge


class KernelGCV(LearningCurveDerivation):
    """x uniform on the sphere of radius √d, k = K(x·x'/d), f = tanh(2⟨β,x⟩/√d) + noise.

    The kernel operator's spectrum is not known in closed form: the omniscient risk is computed
    from a population sample of M points.  ``solve`` draws one at ``population_seed``; ``verify``
    takes each trial's own population sample (the risk is conditional on it) and compares the
    measured test error with it trial by trial; GCV is reported alongside.  A trial is one
    population sample with ``fits`` training sets (and test sets) drawn against it: the paired
    difference then varies mostly with the population sample, and the quick ladder resolves a
    relative error well below its resolution (3 SE(δ) = 0.025 against 0.1 at seed 0, where one
    training set per population sample left it inconclusive at 3 SE(δ) = 0.14)."""

    name = "kernel-gcv"
    summary = "Kernel ridge: omniscient risk from the kernel spectrum vs test error vs GCV"
    reference = "Wei, Hu & Steinhardt, arXiv 2203.06176"
    quantity = "test_error"
    parameters = (
        Parameter("n", 200, "training points (solve); the verification ladder sets it", low=2, low_inclusive=True,
                  integer=True),
        Parameter("d", 8, "input dimension", low=1, low_inclusive=True, integer=True),
        Parameter("ridge", 1e-3, "per-sample λ̃ (predictor k(x)ᵀ(K + nλ̃)⁻¹y)", low=0),
        Parameter("noise", 0.1, "σ²", low=0, low_inclusive=True),
        Parameter("population", 2000, "population sample size M for the spectrum", low=2, integer=True),
        Parameter("population_seed", 0, "seed of the population sample drawn by solve", low=0, low_inclusive=True,
                  integer=True),
    )
    solve_only = ("n", "population_seed")
    options = {"kernel": "exp"}
    option_choices = {"kernel": KERNELS}
    sizes = (100, 200, 400)
    quick_sizes = (50, 100, 200)
    trials = 12
    quick_trials = 4
    trials_exponent = 0.0
    #: training sets per population sample (see simulate_kernel_ridge's ``fits``): the paired
    #: difference (test error − omniscient risk of the same population sample) then varies mostly
    #: with the population sample, not with the training set
    fits = 8
    # each trial diagonalizes a population kernel matrix (2000 x 2000): about a minute in quick mode on
    # two CPU cores, too long for `symrmt demo`; verified by `symrmt verify kernel-gcv` and the slow tests
    in_demo = False

    def equations(self):
        eqs = powerlaw_equations()
        return [(label.replace("test error", "omniscient risk (ω_i, θ_i from the kernel)"), e) for label, e in eqs] + \
            [("GCV", sp.Eq(sp.Symbol("GCV"), sp.Symbol("n^-1‖(I−S)y‖²") / sp.Symbol("(n^-1 tr(I−S))²")))]

    def solve_arrays(self, n, d, ridge, noise, population, population_seed, kernel="exp"):
        """The omniscient risk for one population sample drawn (NumPy) at ``population_seed``;
        ``n``, ``ridge``, ``noise`` may be arrays, ``d`` and ``population`` are one number each."""
        points, beta = draw_population(int(np.ravel(d)[0]), int(np.ravel(population)[0]),
                                       int(np.ravel(population_seed)[0]))
        return omniscient_risk(points, beta, n, ridge, noise, kernel)

    def theory(self, **params):
        # the omniscient risk is conditional on each trial's population sample: see trial_theory
        return dict(params)

    def trial_theory(self, sample, theory):
        """The omniscient risk from each trial's own population sample, at the trial's n."""
        t = dict(theory)
        return np.array([float(omniscient_risk(pts, beta, sample.sizes["n"], float(t["ridge"]), float(t["noise"]),
                                               t["kernel"])["test_error"])
                         for pts, beta in zip(sample.draws["population"], sample.draws["beta"])])

    def measure(self, sample, theory):
        out = super().measure(sample, theory)
        out.update({"omniscient": out["theory"], "test_error": out["simulated"],
                    "gcv": float(np.mean(sample["gcv"])), "test_ci95": out["ci95"]})
        return out

    def shapes(self, n, d, population, **params):
        """The population kernel matrix M×M and its eigenvectors, then the n×n kernel solve and
        2000 test points against the n training points."""
        return [(population, population), (population, population), (population, d), (n, n), (n, n + 1),
                (2000, n)] + [(n, n + 1)] * (self.fits - 1)

    def run_simulation(self, n, trials, seed, device, d, ridge, noise, population, kernel="exp"):
        return simulate_kernel_ridge(n, int(d), ridge, noise, kernel, int(population), trials=trials, seed=seed,
                                     device=device, fits=self.fits)


DERIVATION = KernelGCV()
