"""Feature learning after one large gradient step: the spiked random-features equivalent of a
two-layer network (Cui et al., arXiv 2402.04980; Dandi et al., arXiv 2410.18938).  The spike
parameters r, c, γ come from Gaussian integrals of σ, σ′, σ*; the readout's test error from the
conditional Gaussian-equivalence fixed point (generated solver); both are checked on networks
trained in torch (one full-batch gradient step, then ridge on the readout).
"""
import numpy as np
import sympy as sp

from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.equivalents import (solve_one_step, spike_parameters, spike_values, spiked_feature_cdf,
                                spiked_feature_spectrum)
from symrmt.simulate import simulate_one_step


class OneStepSpikedRF(LearningCurveDerivation):
    """x ~ N(0, I_d); p = width·d neurons; one step of size η̃ on n0 = α0 d samples; ridge readout
    on n = α d fresh samples with loss ‖y − Fw/√p‖² + λ‖w‖²."""

    name = "one-step-spiked-rf"
    summary = "Two-layer network after one large gradient step: spiked random features (r, c, γ) and test error"
    reference = "Cui et al., arXiv 2402.04980; Dandi et al., arXiv 2410.18938"
    quantity = "test_error"
    parameters = (
        Parameter("alpha", 1, "n/d (readout samples)", low=0),
        Parameter("alpha0", 2, "n0/d (samples in the gradient step)", low=0),
        Parameter("eta", 2, "η̃ (learning rate η = η̃ p); 0 gives random features", low=0, low_inclusive=True),
        Parameter("ridge", 0.05, "λ in ‖y − Fw/√p‖² + λ‖w‖²", low=0),
        Parameter("width", 1, "p/d", low=0),
    )
    #: ``model``: what ``simulate``/``verify`` train — ``"spiked"`` (default: the spiked random-features
    #: model W1 = cW0 + (r/√d)1vᵀ, which the fixed point describes exactly) or ``"network"`` (the actual
    #: gradient step; the sRF equivalence is then part of the claim — it holds to a few per cent at
    #: α0 = 2 and is not exact at finite α0, see symrmt.equivalents.spiked)
    options = {"activation": "tanh", "target": "tanh", "model": "spiked"}
    sizes = (200, 400, 800, 1600)
    quick_sizes = (50, 100, 200, 400)
    # learning curve in alpha after one step, against the random-features curve (eta = 0) it improves on
    curve = ("alpha", np.geomspace(0.2, 5, 60), (0.3, 1.0, 2.0, 4.0), {},
             {"random features (eta = 0)": {"eta": 0}})

    def equations(self):
        sp_ = spike_parameters(self.options["activation"], self.options["target"])
        out = [(name, sp.Eq(sp.Symbol(name), expr)) for name, expr in
               (("r", sp_.r), ("c", sp_.c), ("gamma", sp_.gamma))]
        k = sp.Symbol("kappa")
        E = sp.Function("E_kappa")
        mu0, mu1, mu2, h, h1, hh = (sp.Function(n)(k) for n in ("mu0", "mu1", "mu2", "h", "h1", "hh"))
        V1, V2, Vh1, Vh2, mA, t, a, lam, c, wd = sp.symbols("V1 V2 Vh1 Vh2 m_A t a lambda c width")
        D = 1 + mu1**2 * V1 + mu2**2 * V2
        z = sp.Symbol("z")
        out += [
            ("conditional GET coefficients", sp.Eq(mu0, sp.Function("E_z")(sp.Function("sigma")(sp.Symbol("r") * k + c * z)))),
            ("V̂1 (a = alpha/width)", sp.Eq(Vh1, a * E(mu1**2 / D))),
            ("V̂2", sp.Eq(Vh2, a * E(mu2**2 / D))),
            ("t", sp.Eq(t, (lam + Vh2) / (c**2 * Vh1))),
            ("Marchenko–Pastur(width) at −t", sp.Eq(-wd * t * mA**2 + (-t - 1 + wd) * mA + 1, 0)),
            ("V1 = tr Ω S⁻¹", sp.Eq(V1, (1 - t * mA) / Vh1)),
            ("V2 = tr S⁻¹", sp.Eq(V2, mA / (c**2 * Vh1))),
            ("test error (θ, m, ψ, q1, q2 from linear equations)",
             sp.Eq(sp.Symbol("test_error"), E(hh + sp.Symbol("C")**2 - 2 * sp.Symbol("C") * h
                                              - 2 * mu1 * sp.Symbol("psi") * h1 + mu1**2 * sp.Symbol("q1")
                                              + mu2**2 * sp.Symbol("q2")))),
        ]
        return out

    def solve_arrays(self, alpha, alpha0, eta, ridge, width, activation="tanh", target="tanh", model="spiked"):
        return solve_one_step(alpha, alpha0, eta, ridge, width, activation, target)

    def figures(self, directory, quick=True, seed=0, device=None):
        """The learning curve (against random features) and the spectrum of ``FᵀF/n`` of one trained
        network: its bulk under the deterministic equivalent (expected counts per bin) and its
        outlier at the predicted ``p E_κ μ0(κ)²`` (Dandi et al.)."""
        from pathlib import Path

        from symrmt.verify import plot_spectrum

        out = super().figures(directory, quick, seed, device)
        p = {k: float(v) for k, v in self.bind().items()}
        d = 300 if quick else 1500
        alpha = 2.0
        sim = simulate_one_step(d, alpha, p["alpha0"], p["eta"], p["ridge"], p["width"], self.options["activation"],
                                self.options["target"], trials=1, seed=seed, device=device, model="network",
                                spectrum=True)
        width_p = int(round(p["width"] * d))
        theory = float(spiked_feature_spectrum(p["eta"], p["alpha0"], p["width"], self.options["activation"],
                                               self.options["target"])["outlier"])
        args = (alpha, p["eta"], p["alpha0"], p["width"], self.options["activation"], self.options["target"])
        path = plot_spectrum(Path(directory) / f"{self.name}-spectrum.png", sim["eigenvalues"][0],
                             {f"predicted outlier p·E μ0(κ)² = {width_p * theory:.1f}": width_p * theory},
                             cdf=spiked_feature_cdf(*args), cdf_label="bulk: deterministic equivalent",
                             title=f"{self.name}: spectrum of FᵀF/n after one step (d = {d}, p = {width_p}, "
                                   f"n = {int(round(alpha * d))}, α0 = {p['alpha0']:g}, η̃ = {p['eta']:g}; trained network)")
        out[f"{self.name}: feature spectrum with its outlier"] = path
        return out

    def shapes(self, n, alpha, alpha0, width, **params):
        """d = n: X0 (n0×d) and its pre-activations (n0×p), W (p×d), F (n×p), the smaller Gram
        system and a test block of 4096 points (p = width·d, n = α d, n0 = α0 d)."""
        p, m, m0 = width * n, alpha * n, alpha0 * n
        k = min(p, m)
        return [(m0, n), (m0, p), (p, n), (p, n), (m, n), (m, p), (k, k), (4096, p)]

    def run_simulation(self, n, trials, seed, device, alpha, alpha0, eta, ridge, width, activation="tanh",
                       target="tanh", model="spiked"):
        spike = spike_values(eta, alpha0, activation, target) if model == "spiked" else None
        return simulate_one_step(n, alpha, alpha0, eta, ridge, width, activation, target, trials=trials,
                                 seed=seed, device=device, model=model, spike=spike)


DERIVATION = OneStepSpikedRF()
