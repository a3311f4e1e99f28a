"""Deep linear random features: the ridge test error for any depth L from the product of
Marchenko–Pastur S-transforms (one per layer, q_ℓ = d/k_ℓ, and one for the data, q = d/n), with
the subordination κ_L(κ) = κ γ_L Π(1 − df1/γ_ℓ) giving the finite-sample factor; weights and data
averaged (d → ∞).  Checked on trained deep linear networks; at L = 1 it reduces to the
``linear-random-features`` derivation (Atanasov, Zavatone-Veth & Pehlevan).

The theory is :func:`symrmt.learning.model` with an isotropic chain of ``widths``
(:func:`symrmt.learning.classical.solve_deep_linear_rf`).
"""
from dataclasses import replace

import numpy as np

from symrmt.derivation import SPECTRUM, LearningCurveDerivation, Parameter, chain_shapes
from symrmt.learning import linear, model
from symrmt.equivalents import solve_deep_linear_rf
from symrmt.simulate import simulate_deep_linear_rf


class DeepLinearRF(LearningCurveDerivation):
    """x ~ N(0, Σ); φ = W_L⋯W_1 x, W_ℓ entries N(0, 1/k_{ℓ−1}), k_ℓ = γ_ℓ d; n = α d; y = βᵀx + ε."""

    name = "deep-linear-rf"
    summary = "Depth-L linear random features: κ from a product of S-transforms; test error for any L"
    reference = ("Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999 (linear case); "
                 "Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592 (S-transforms)")
    parameters = (
        Parameter("alpha", 1.5, "n/d", low=0),
        Parameter("ridge", 0.05, "λ in (1/n)‖y − Φa‖² + λ‖a‖²", low=0),
        Parameter("noise", 0.1, "Var ε", low=0, low_inclusive=True),
        Parameter("signal", 1, "‖β‖²", low=0, low_inclusive=True),
    )
    options = {"widths": (2.0, 0.8, 1.5)}
    measure_parameters = (replace(SPECTRUM, name="data_covariance"),)
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)
    curve = ("alpha", np.geomspace(0.1, 10, 200), (0.2, 0.5, 1.0, 2.0, 5.0), {"ridge": 1e-3})

    def equations(self):
        layers = [linear(w) for w in self.options["widths"]]
        return model(data=self.options["data_covariance"], layers=layers).equations()

    def codegen_target(self, **params):
        """The model's System (``symrmt codegen``): parameters ``samples`` (= α), ``ridge``,
        ``noise``, ``signal``, ``inv_ensemble`` (= 1), ``width1..L`` (= γ_ℓ)."""
        opts = self.split(self.bind(**params))[1]
        return model(data=opts["data_covariance"], layers=[linear(w) for w in opts["widths"]]).system()

    def solve_arrays(self, alpha, ridge, noise, signal, widths=(2.0, 0.8, 1.5), data_covariance=None):
        return solve_deep_linear_rf(alpha, ridge, noise, signal, widths, data_covariance)

    def shapes(self, n, alpha, **params):
        """d = n: the data (n×d, n = α d), each layer's weights (k_ℓ×k_{ℓ−1}) and features (n×k_ℓ,
        k_ℓ = γ_ℓ d) and the ridge system of the last width (or of n, whichever is smaller)."""
        return chain_shapes(n, alpha, params.get("widths", ()))

    def run_simulation(self, n, trials, seed, device, alpha, ridge, noise, signal, widths=(2.0, 0.8, 1.5),
                       data_covariance=None):
        return simulate_deep_linear_rf(n, alpha, ridge, noise, signal, widths, data_covariance, trials=trials,
                                       seed=seed, device=device)


DERIVATION = DeepLinearRF()
