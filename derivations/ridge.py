"""Ridge regression learning curve: the renormalized ridge κ from S-transforms, checked on trained models.

The theory is :func:`symrmt.learning.model` with no layers (``samples = 1/q``): its derived
equations and generated solver (:func:`symrmt.learning.classical.solve_ridge`).

Atanasov, Zavatone-Veth & Pehlevan, "Scaling and renormalization in high-dimensional regression",
arXiv 2405.00592: ``λ = κ(1 − q·df1(κ))`` (the white-Wishart S-transform ``S_W(df) = 1/(1 − q df)``),
``E_g = [κ² w̄ᵀΣ(Σ+κ)⁻²w̄ + σ²]/(1 − q·df2)``, ``E_tr = (λ/κ)² E_g``, GCV = E_g in the limit.
"""
from symrmt.derivation import SPECTRUM, LearningCurveDerivation, Parameter
from symrmt.learning import model
from symrmt.equivalents import solve_ridge
from symrmt.simulate import simulate_ridge


class Ridge(LearningCurveDerivation):
    """Linear ridge on Gaussian data, population covariance the identity or ``spectrum=`` any
    population: a measure (``symrmt.measures``: empirical, power-law, law-backed), an array of
    eigenvalues, ``(points, weights)`` or an AlgebraicLaw; ``solve``, ``simulate`` and ``verify``
    take the same."""

    name = "ridge"
    summary = "Ridge regression test/train error and GCV via the S-transform κ equation (Σ = I)"
    reference = "Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592"
    parameters = (
        Parameter("q", 0.5, "N/P, dimension over samples", low=0),
        Parameter("ridge", 0.1, "λ in (1/P)‖y − Xw‖² + λ‖w‖²", low=0),
        Parameter("noise", 0.25, "σ², label-noise variance", low=0, low_inclusive=True),
        Parameter("signal", 1, "‖w̄‖²", low=0, low_inclusive=True),
    )
    measure_parameters = (SPECTRUM,)
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def equations(self):
        return model(data=self.options["spectrum"]).equations()

    def codegen_target(self, **params):
        """The model's System (``symrmt codegen``): parameters ``samples`` (= 1/q), ``ridge``,
        ``noise``, ``signal``, ``inv_ensemble`` (= 1); Σ's spectrum is its measure."""
        return model(data=self.split(self.bind(**params))[1]["spectrum"]).system()

    def solve_arrays(self, q, ridge, noise, signal, spectrum=None):
        return solve_ridge(q, ridge, noise, signal, spectrum=spectrum)

    def shapes(self, n, q, **params):
        """X is P×N with P = N/q, then the N×N system (N = n)."""
        return [(n / q, n), (n, n), (n, n)]

    def run_simulation(self, n, trials, seed, device, q, ridge, noise, signal, spectrum=None):
        return simulate_ridge(n, q, ridge, noise, signal, spectrum=spectrum, trials=trials, seed=seed, device=device)


DERIVATION = Ridge()
