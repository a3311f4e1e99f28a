"""Power-law ridge: the Gaussian-equivalent learning curve with ω_i = i^(−a), θ_i = i^(−b)
(Loureiro et al. arXiv 2102.08127; the synthetic case of Wei, Hu & Steinhardt arXiv 2203.06176),
checked on trained ridge models; the simulation also reports GCV.
"""
from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.equivalents import powerlaw_equations, solve_powerlaw_ridge
from symrmt.simulate import simulate_powerlaw_ridge


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
    solve_only = ("n",)   # the ladder's sizes are the sample counts n
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def equations(self):
        return powerlaw_equations()

    def solve_arrays(self, n, p, a, b, noise, ridge):
        return solve_powerlaw_ridge(n, int(p), a, b, noise, ridge)

    def theory(self, **params):
        # the theory depends on the ladder's n: measure() evaluates it at each size
        return {k: float(v) for k, v in params.items()}

    def measure(self, sample, theory):
        t = dict(theory)
        n = sample.sizes["n"]
        th = float(solve_powerlaw_ridge(n, int(t["p"]), t["a"], t["b"], t["noise"], t["ridge"])["test_error"])
        out = super().measure(sample, th)
        out["gcv"] = sample.mean("gcv")
        out["gcv_ci95"] = list(sample.ci("gcv"))
        return out

    def shapes(self, n, /, p, **params):
        """X (n×p), the kernel K = XXᵀ and the solve with n + 1 right-hand sides (n×n)."""
        return [(n, p), (n, n), (n, n + 1)]

    def run_simulation(self, n, trials, seed, device, p, a, b, noise, ridge):
        return simulate_powerlaw_ridge(n, int(p), a, b, noise, ridge, trials=trials, seed=seed, device=device)


DERIVATION = PowerlawRidge()
