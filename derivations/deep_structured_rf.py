"""Deep structured random features: the closed-form feature covariance of a "Gaussian rainbow"
network (Ω_ℓ = κ1² W_ℓ Ω_{ℓ−1} W_ℓᵀ + κ*² I, ψ_ℓ = κ1 W_ℓ ψ_{ℓ−1}) and the Gaussian-equivalent test
error of its ridge readout (Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999), checked on
trained networks.  The theory is conditional on the drawn weights: ``solve`` draws them at
dimension ``d`` with ``weight_seed``; ``verify`` compares every trained network with the theory
computed from that network's own weights.
"""
import copy

import numpy as np

from symrmt.equivalents.deep import conditional_test_error, deep_equations, solve_deep_structured_rf
from symrmt.equivalents.derivation import LearningCurveDerivation, chain_shapes
from symrmt.registry import Parameter
from symrmt.simulate.deep_features import simulate_deep_features
from symrmt.verify.stats import mean_ci

_SOLVE_ONLY = ("d", "weight_seed")


class DeepStructuredRF(LearningCurveDerivation):
    """x ~ N(0, Σ); φ_ℓ = σ_ℓ(W_ℓ φ_{ℓ−1}) − κ0_ℓ, rows of W_ℓ ~ N(0, C_ℓ/k_{ℓ−1}); k_ℓ = γ_ℓ d; n = α d."""

    name = "deep-structured-rf"
    summary = "Deep random features: closed-form Ω_L recursion + Gaussian-equivalent ridge test error"
    reference = "Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999"
    parameters = (
        Parameter("alpha", 1.5, "n/d", low=0),
        Parameter("ridge", 0.05, "λ in (1/n)Σ(y − w·φ_L)² + λ‖w‖²", low=0),
        Parameter("noise", 0.1, "Var ε", low=0, low_inclusive=True),
        Parameter("signal", 1, "target power: y = √signal f*(βᵀx/‖β‖_Σ) + ε", low=0, low_inclusive=True),
        Parameter("d", 400, "input dimension of the network drawn by solve (verify: the ladder)", low=2,
                  low_inclusive=True, integer=True),
        Parameter("weight_seed", 0, "seed of the weights drawn by solve", low=0, low_inclusive=True, integer=True),
    )
    options = {"widths": (2.0, 1.5), "activations": "tanh", "row_covariances": None, "data_covariance": None,
               "target": "linear", "teacher_average": False}
    sizes = (100, 200, 400, 800)
    quick_sizes = (40, 80, 160, 320)   # `symrmt demo` on two CPU cores: well under 20 s
    curve = ("alpha", np.geomspace(0.2, 5, 40), (0.3, 0.7, 1.5, 3.5), {})

    def equations(self):
        return deep_equations()

    def solve_arrays(self, alpha, ridge, noise, signal, d, weight_seed, **opts):
        return solve_deep_structured_rf(alpha, ridge, noise, signal, d=int(d), weight_seed=int(weight_seed), **opts)

    def theory(self, **params):
        # the theory is conditional on each trial's weights: measure() evaluates it per trial
        return {k: float(v) for k, v in params.items()}

    def measure(self, sample, theory):
        t = dict(theory)
        n = max(2, int(round(t["alpha"] * sample.d)))   # the simulation's sample count
        th = np.array([float(conditional_test_error(s, n, t["ridge"], t["noise"], t["signal"])["test_error"])
                       for s in sample.spectral])
        sim = np.asarray(sample["test_error"], dtype=float)
        lo, hi = sample.ci("test_error")
        diff = sim - th
        dci = mean_ci(diff)
        return {"errors": diff / th, "theory": float(th.mean()), "theory_per_trial": th.tolist(),
                "simulated": float(sim.mean()), "ci95": [lo, hi], "difference_ci95": [dci.low, dci.high],
                "theory_in_ci": bool(dci.low <= 0 <= dci.high)}

    def shapes(self, n, alpha, **params):
        """d = n: the data (n×d, n = α d), each layer's weights (k_ℓ×k_{ℓ−1}) and features (n×k_ℓ,
        k_ℓ = γ_ℓ d) and the ridge system of the last width (or of n, whichever is smaller)."""
        return chain_shapes(n, alpha, params.get("widths", ()))

    def run_simulation(self, n, trials, seed, device, alpha, ridge, noise, signal, **opts):
        for k in (*_SOLVE_ONLY, "teacher_average"):
            opts.pop(k, None)
        return simulate_deep_features(n, alpha, ridge, noise, signal, trials=trials, seed=seed, device=device, **opts)

    def verify(self, sizes=None, trials=None, seed=0, device=None, quick=False, theory_params=None,
               dtype=None, progress=None, **params):
        """The ladder's sizes are the input dimensions d (``d`` and ``weight_seed`` are solve-only)."""
        for k in _SOLVE_ONLY:
            params.pop(k, None)
        bound = copy.copy(self)
        bound.parameters = tuple(x for x in self.parameters if x.name not in _SOLVE_ONLY)
        return LearningCurveDerivation.verify(bound, sizes, trials, seed, device, quick, theory_params, dtype,
                                              progress, **params)


DERIVATION = DeepStructuredRF()
