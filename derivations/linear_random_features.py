"""Linear random features with ensembles: the deterministic equivalent of Atanasov, Zavatone-Veth &
Pehlevan (arXiv 2405.00592), with κ from the product of two Wishart S-transforms,
``λ = κ(1 − α df1)(1 − β df1)``, checked on ensembles of trained random-feature models.

The theory is :func:`symrmt.learning.model` with one isotropic layer of width ``1/β``
(:func:`symrmt.learning.classical.solve_linear_random_features`).
"""
from dataclasses import replace

from symrmt.derivation import SPECTRUM, LearningCurveDerivation, Parameter
from symrmt.learning import linear, model
from symrmt.equivalents import solve_linear_random_features
from symrmt.simulate import simulate_linear_random_features


class LinearRandomFeatures(LearningCurveDerivation):
    """x ~ N(0, Σ) (Σ = I_D unless ``spectrum=`` gives a measure), N = D/β features Fᵀx (F entries of
    variance 1/N), P = D/α samples, K models."""

    name = "linear-random-features"
    summary = "Linear random-feature ridge ensembles: test error E_K = E_∞ + (E_1 − E_∞)/K"
    reference = "Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592"
    parameters = (
        Parameter("alpha", 0.5, "D/P", low=0),
        Parameter("beta", 0.7, "D/N", low=0),
        Parameter("ridge", 0.05, "λ in (1/P)‖y − Za‖² + λ‖a‖²", low=0),
        Parameter("noise", 0.25, "σ²", low=0, low_inclusive=True),
        Parameter("signal", 1, "‖w̄‖²", low=0, low_inclusive=True),
        Parameter("ensemble", 1, "K, number of independently featured models (solve also takes inf)",
                  low=1, low_inclusive=True, integer=True),
    )
    measure_parameters = (SPECTRUM,)
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def equations(self):
        return model(data=self.options["spectrum"], layers=[linear(1.0)]).equations()

    def codegen_target(self, **params):
        """The model's System (``symrmt codegen``): parameters ``samples`` (= 1/α), ``ridge``
        (= λ/β), ``noise``, ``signal``, ``inv_ensemble`` (= 1/K), ``width1`` (= 1/β)."""
        return model(data=self.split(self.bind(**params))[1]["spectrum"], layers=[linear(1.0)]).system()

    def solve_arrays(self, alpha, beta, ridge, noise, signal, ensemble, spectrum=None):
        return solve_linear_random_features(alpha, beta, ridge, noise, signal, ensemble, spectrum=spectrum)

    def shapes(self, n, alpha, beta, **params):
        """X (P×D), F (D×N), Z = XF (P×N) and the N×N system; D = n, P = D/α, N = D/β."""
        return [(n / alpha, n), (n, n / beta), (n / alpha, n / beta), (n / beta, n / beta)]

    def cost(self, n, trials=1, /, **params):
        """:meth:`shapes` once per member of the ensemble."""
        base = super().cost(n, trials, **params)
        return replace(base, work=base.work * float(self.bind(**params)["ensemble"]))

    def run_simulation(self, n, trials, seed, device, alpha, beta, ridge, noise, signal, ensemble, spectrum=None):
        return simulate_linear_random_features(n, alpha, beta, ridge, noise, signal, ensemble=int(ensemble),
                                               trials=trials, seed=seed, device=device, spectrum=spectrum)


DERIVATION = LinearRandomFeatures()
