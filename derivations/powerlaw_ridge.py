"""Power-law ridge: the Gaussian-equivalent learning curve with ω_i = i^(−a), θ_i = i^(−b)
(Loureiro et al. arXiv 2102.08127; the synthetic case of Wei, Hu & Steinhardt arXiv 2203.06176),
checked on trained ridge models; the simulation also reports GCV.

The theory is :func:`symrmt.learning.model` with Σ's spectrum as the data measure and the target
as a source condition (:func:`symrmt.learning.classical.solve_powerlaw_ridge`); ``spectrum=``
replaces the power law ``i^(−a)`` by any measure, in ``solve`` and ``verify`` (the trained models then
draw Gaussian features with that spectrum and the target ``θ_i = ω_i^(b/a)``).
"""
import numpy as np

from symrmt.derivation import LearningCurveDerivation, MeasureParameter, Parameter
from symrmt.equivalents import powerlaw_equations, solve_powerlaw_ridge
from symrmt.learning import model, source
from symrmt.measures import as_measure, power_law
from symrmt.simulate import population_eigenvalues, simulate_powerlaw_ridge


class PowerlawRidge(LearningCurveDerivation):
    """n samples of x ~ N(0, diag(i^{-a})), i = 1..p; loss Σ(y − w·x)² + nλ̃‖w‖²."""

    name = "powerlaw-ridge"
    summary = "Ridge on a power-law spectrum: κ − λ̃ = (κ/n)Σ ω/(ω+κ); test error (and GCV in simulation)"
    reference = "Loureiro et al. arXiv 2102.08127; Wei, Hu & Steinhardt arXiv 2203.06176"
    parameters = (
        Parameter("n", 200, "samples (theory); the verification ladder sets it", low=0),
        Parameter("p", 1000, "number of features", low=1, low_inclusive=True, integer=True),
        Parameter("a", 1.5, "spectrum decay ω_i = i^(−a)", low=0),
        Parameter("b", 1.0, "target decay θ_i = i^(−b)", low=0, low_inclusive=True),
        Parameter("noise", 0.1, "σ²", low=0, low_inclusive=True),
        Parameter("ridge", 1e-3, "per-sample λ̃", low=0),
    )
    measure_parameters = (MeasureParameter("spectrum", "Σ's eigenvalues ω_i (the target is then the source "
                                                       "θ² ∝ ω^(2b/a))", "ω_i = i^(−a), i = 1..p"),)
    solve_only = ("n",)   # the ladder's sizes are the sample counts n
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def equations(self):
        return powerlaw_equations()

    def codegen_target(self, **params):
        """The model's System (``symrmt codegen``): Σ's eigenvalues (``ω_i = i^(−a)``, i = 1..p, or
        ``spectrum``) as its measure, the source ``w̄_i² ∝ ω_i^(2b/a)``; parameters ``samples``
        (= n/p), ``ridge``, ``noise``, ``signal`` (= p·Σ_i w_i ω_i^(2b/a), w_i the measure's weights),
        ``inv_ensemble`` (= 1)."""
        bound = self.bind(**params)
        a, b = float(bound["a"]), float(bound["b"])
        spectrum = bound["spectrum"]
        mu = power_law(a, int(bound["p"])) if spectrum is None else as_measure(spectrum, "spectrum")
        return model(data=mu, target=source(2 * b / a) if b else None).system()

    def solve_arrays(self, n, p, a, b, noise, ridge, spectrum=None):
        return solve_powerlaw_ridge(n, int(p), a, b, noise, ridge, spectrum=spectrum)

    def theory(self, **params):
        # the theory depends on the ladder's n: measure() evaluates it at each size
        nums, opts = self.split(params)
        return {**{k: float(v) for k, v in nums.items()}, **opts}

    def measure(self, sample, theory):
        t = dict(theory)
        n = sample.sizes["n"]
        th = float(solve_powerlaw_ridge(n, int(t["p"]), t["a"], t["b"], t["noise"], t["ridge"],
                                        spectrum=t.get("spectrum"))["test_error"])
        out = super().measure(sample, th)
        out["gcv"] = sample.mean("gcv")
        out["gcv_ci95"] = list(sample.ci("gcv"))
        return out

    def shapes(self, n, /, p, **params):
        """X (n×p), the kernel K = XXᵀ and the solve with n + 1 right-hand sides (n×n)."""
        return [(n, p), (n, n), (n, n + 1)]

    def run_simulation(self, n, trials, seed, device, p, a, b, noise, ridge, spectrum=None):
        omega = None
        if spectrum is not None:   # the measure's atoms as Σ's eigenvalues (its quantiles if weighted)
            atoms = int(np.count_nonzero(as_measure(spectrum, "spectrum").arrays()[1] > 0))
            omega = population_eigenvalues(spectrum, atoms)
        return simulate_powerlaw_ridge(n, int(p), a, b, noise, ridge, trials=trials, seed=seed, device=device,
                                       omega=omega)


DERIVATION = PowerlawRidge()
