"""Deep structured random features: the closed-form feature covariance of a "Gaussian rainbow"
network (Ω_ℓ = κ1² W_ℓ Ω_{ℓ−1} W_ℓᵀ + κ*² I, ψ_ℓ = κ1 W_ℓ ψ_{ℓ−1}) and the Gaussian-equivalent test
error of its ridge readout (Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999), checked on
trained networks.  The theory is conditional on the drawn weights: ``solve`` draws them at
dimension ``d`` with ``weight_seed``; ``verify`` compares every trained network with the theory
computed from that network's own weights.
"""
import numpy as np

from symrmt.derivation import LearningCurveDerivation, Parameter, chain_shapes
from symrmt.equivalents import (architecture, deep_equations, draw_test_error, feature_covariance, feature_means,
                                solve_deep_structured_rf)
from symrmt.simulate import sample_feature_covariance, sample_gaussian_covariance, simulate_deep_features
from symrmt.verify import ks_distance

_NETWORK = ("widths", "activations", "row_covariances", "data_covariance")


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
    solve_only = ("d", "weight_seed")
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
        # the theory is conditional on each trial's weights: trial_theory() evaluates it per trial
        return dict(params)

    def trial_theory(self, sample, theory):
        """The test error given each trial's drawn weights and teacher direction."""
        t = dict(theory)
        arch = architecture(*(t[k] for k in _NETWORK), t["target"])
        return np.array([float(draw_test_error(W, beta, arch, sample.sizes["n"], float(t["ridge"]), float(t["noise"]),
                                               float(t["signal"]), t["teacher_average"])["test_error"])
                         for W, beta in zip(sample.draws["weights"], sample.draws["beta"])])

    def shapes(self, n, alpha, **params):
        """d = n: the data (n×d, n = α d), each layer's weights (k_ℓ×k_{ℓ−1}) and features (n×k_ℓ,
        k_ℓ = γ_ℓ d) and the ridge system of the last width (or of n, whichever is smaller)."""
        return chain_shapes(n, alpha, params.get("widths", ()))

    def run_simulation(self, n, trials, seed, device, alpha, ridge, noise, signal, teacher_average=False, **net):
        arch = architecture(*(net.get(k, self.options[k]) for k in _NETWORK), net.get("target", "linear"))
        return simulate_deep_features(n, alpha, ridge, noise, signal, trials=trials, seed=seed, device=device,
                                      centring=feature_means(arch), **net)

    def compare_feature_covariance(self, d, n_samples=None, seed=0, device=None, batch=4096, **net):
        """Closed-form Ω_L vs the Monte-Carlo covariance of one drawn network's features.

        ``n_samples`` inputs (default ``20 k_L``) give the empirical covariance ``Ω̂ = ΦᵀΦ/N`` of the
        centred features.  Since ``Ω̂`` of N samples is itself random (MP-distorted), it is compared
        with ``Ω̂_G``, the empirical covariance of N *Gaussian* vectors with covariance Ω_L (the
        Gaussian-equivalent features), at the same N: if Ω_L is right the two have the same spectrum
        up to O(1/k) and the same Frobenius distance to Ω_L up to fluctuations.

        Returns ``ks_mc_vs_gaussian`` (KS distance between the spectra of Ω̂ and Ω̂_G),
        ``ks_mc_vs_closed_form``, ``frobenius_mc`` = ‖Ω̂ − Ω_L‖_F/‖Ω_L‖_F, ``frobenius_gaussian``,
        ``moments`` (``tr Ω^j/k``, j = 1, 2), the three spectra, ``coefficients``, ``k``, ``n_samples``.
        """
        net = {k: net.get(k, self.options[k]) for k in _NETWORK}
        arch = architecture(*net.values(), "linear")
        mc = sample_feature_covariance(d, **net, n_samples=n_samples, seed=seed, device=device, batch=batch,
                                       centring=feature_means(arch))
        fc = feature_covariance(mc["weights"], arch, mc["beta"])
        Om, emp = fc.omega, mc["empirical"]
        gau = sample_gaussian_covariance(Om, mc["n_samples"], seed=seed + 1, device=device, batch=batch)
        eo, ee, eg = (np.linalg.eigvalsh(M) for M in (Om, emp, gau))

        def ks(a, b):
            sb = np.sort(b)
            return float(ks_distance(a, lambda x: np.searchsorted(sb, x, side="right") / sb.size)[0])

        nrm, k = float(np.linalg.norm(Om)), mc["k"]
        mom = {name: [float(np.trace(M)) / k, float((M * M).sum()) / k]
               for name, M in (("closed_form", Om), ("mc", emp), ("gaussian", gau))}
        return {"ks_mc_vs_gaussian": ks(ee, eg), "ks_mc_vs_closed_form": ks(ee, eo),
                "frobenius_mc": float(np.linalg.norm(emp - Om)) / nrm,
                "frobenius_gaussian": float(np.linalg.norm(gau - Om)) / nrm, "moments": mom,
                "eig_closed_form": eo, "eig_mc": ee, "eig_gaussian": eg, "coefficients": fc.coefficients,
                "k": int(k), "n_samples": mc["n_samples"]}


DERIVATION = DeepStructuredRF()
