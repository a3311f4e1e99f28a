"""The sample covariance of a power-law population: Silverstein's equation for a measure held as data.

Σ has the eigenvalues ``k^-exponent``, ``k = 1..atoms`` (each repeated ``d/atoms`` times at
dimension d); the spectrum of ``Σ^{1/2} XᵀX Σ^{1/2}/n`` (X: n×d Gaussian, c = d/n) converges to
the law whose companion transform solves ``z = −1/m̲ + c ∫ t dH(t)/(1 + t m̲)`` (Marčenko–Pastur
1967; Silverstein & Bai 1995, J. Multivar. Anal. 54:175).  The population enters the generated
solver as data (a loop over its atoms), so neither its size nor its values reach the source: the
solver of 200 atoms is the solver of 10⁶.  Power-law spectra are the covariances of the scaling
laws of kernel and random-feature regression (e.g. Bahri et al. arXiv 2102.06701).
"""
import sympy as sp

import symrmt as sr
from symrmt.derivation import Parameter, SpectralDerivation, SpectralTheory


class PowerLawCovariance(SpectralDerivation):
    """``μ = sample_covariance(power_law(exponent, atoms), ratio)``, checked by the KS distance."""

    name = "powerlaw-covariance"
    summary = "Sample covariance spectrum of a power-law population held as data (Silverstein for a measure)"
    reference = "Silverstein & Bai 1995, J. Multivar. Anal. 54:175; populations as measures"
    transforms = ()
    parameters = (
        Parameter("exponent", sp.Rational(3, 2), "population eigenvalues k^-exponent", low=0, high=4),
        Parameter("ratio", sp.Rational(1, 2), "c = d/n", low=0, high=10),
        Parameter("atoms", 200, "number of distinct population eigenvalues (sizes: multiples of it)",
                  low=2, high=100000, low_inclusive=True, integer=True),
    )
    # d must be a multiple of the atom count: the simulated population is then the measure itself
    sizes = (200, 400, 800, 1600)
    quick_sizes = (200, 400, 800)

    def population(self, exponent, atoms):
        return sr.measures.power_law(float(exponent), int(atoms))

    def build_law(self, exponent, ratio, atoms):
        return sr.sample_covariance(self.population(exponent, atoms), float(ratio))

    def symbolic_law(self):
        return self.law()

    def equations(self):
        z, mb, t, c, a = sp.symbols("z mbar t c alpha")
        k, N = sp.symbols("k N", integer=True, positive=True)
        H = sp.Sum(k ** (-a) / (N * (1 + k ** (-a) * mb)), (k, 1, N))
        return [("Silverstein's equation for the companion transform m̲(z) (population k^-α, k = 1..N)",
                 sp.Eq(z, -1 / mb + c * H)),
                ("Stieltjes transform of the d×d sample covariance", sp.Eq(sp.Symbol("m"), (mb + (1 - c) / z) / c))]

    def theory(self, **params):
        return SpectralTheory(self.law(**params))

    def check_ladder(self, sizes, trials, **params):
        atoms = int(self.bind(**params)["atoms"])
        bad = [n for n in sizes if n % atoms]
        if bad:
            from symrmt.errors import ParameterError

            raise ParameterError(f"sizes: {self.name} simulates d = n with the population's {atoms} atoms each "
                                 f"repeated d/{atoms} times; sizes {bad} are not multiples of atoms = {atoms}")
        super().check_ladder(sizes, trials, **params)

    def cost(self, n, trials=1, /, **params):
        from symrmt.limits import dense_cost

        samples = int(round(n / float(self.bind(**params)["ratio"])))
        return dense_cost([(samples, n), (n, n)], trials)

    def simulate(self, n, trials=1, seed=0, device=None, dtype=None, progress=None, **params):
        p = self.bind(**params)
        return sr.simulate.sample_covariance_eigenvalues(self.population(p["exponent"], p["atoms"]), n,
                                                         float(p["ratio"]), trials=trials, seed=seed,
                                                         device=device, dtype=dtype, as_tensor=True)

    def codegen_target(self, **params):
        return self.law(**params).system


DERIVATION = PowerLawCovariance()
