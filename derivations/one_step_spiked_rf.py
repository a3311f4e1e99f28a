"""Feature learning after one large gradient step: the spiked random-features equivalent of a
two-layer network (Cui et al., arXiv 2402.04980; Dandi et al., arXiv 2410.18938).  The spike
parameters r, c, γ come from Gaussian integrals of σ, σ′, σ*; the readout's test error from the
conditional Gaussian-equivalence fixed point (generated solver); both are checked on networks
trained in torch (one full-batch gradient step, then ridge on the readout).

``form="finite-d"``: the same fixed point at finite d, conditional on the drawn first-layer
weights W0 (the authors' finite-d theory, which diagonalizes the drawn W0): ``solve`` draws W0, w*
and the spike direction at dimension ``d`` with ``weight_seed``; ``verify`` compares every trial
with the theory of its own draw (:func:`symrmt.equivalents.solve_one_step_conditional`).
Measured on single draws (α = 1, α0 = η̃ = 2, λ = 0.05, width 1; CPU; mean over trials of
|simulated − theory| for the d → ∞ theory and for the theory of the trial's own W0):

    model, σ/σ*          d    trials  seed   limit    finite-d   corr(sim, finite-d)
    spiked, tanh/tanh    200    40     1     0.0095    0.0071        0.65
    spiked, tanh/tanh    300    16     0     0.0066    0.0045        0.70
    spiked, tanh/tanh    500    24     2     0.0059    0.0040        0.78
    network, tanh/tanh   500    24     4     0.0061    0.0051        0.63
    spiked, relu/tanh    500    24     3     0.0117    0.0114        0.06

(test error ≈ 0.114 for tanh/tanh, 0.361 for relu/tanh).  For tanh the draw of W0 carries about
half of a single trial's variance (corr² = 0.4–0.6) and the finite-d theory removes it; for ReLU the spread (SD 0.014)
comes from the samples, not from W0 (the finite-d values vary by SD 0.004 only), so conditioning
on W0 gains nothing there.  With η̃ = 0 the finite-d theory equals the discrete deterministic
equivalent of the draw's Gaussian-equivalent features to 0.1–1.1 % (O(1/p), tests).

The trained network against the spiked model it is equivalent to, ReLU student and tanh target
(α = 1, η̃ = 2, λ = 0.05, width 1, d = 1000, CPU; "spiked": trained spiked-RF models with the
theory's r, c, γ; gap = network/spiked − 1 with its standard error):

    α0   theory   spiked            network           gap            trials  seeds (network, spiked)
     1   0.4011   0.4077 ± 0.0056   0.3729 ± 0.0035   −8.5 ± 1.5 %     10     21, 22
     1   0.4011   0.4030 ± 0.0028   0.3828 ± 0.0030   −5.0 ± 1.0 %     30     31, 32
     2   0.3615   0.3665 ± 0.0044   0.3395 ± 0.0025   −7.4 ± 1.3 %     10     21, 22
     2   0.3615   0.3630 ± 0.0021   0.3378 ± 0.0021   −7.0 ± 0.8 %     30     31, 32
     8   0.3238   0.3274 ± 0.0040   0.3074 ± 0.0023   −6.1 ± 1.3 %     10     21, 22
     8   0.3238   0.3237 ± 0.0016   0.3117 ± 0.0014   −3.7 ± 0.7 %     30     31, 32
    32   0.3121   0.3135 ± 0.0017   0.3061 ± 0.0016   −2.4 ± 0.7 %     16     41, 42

The spiked model matches the theory at every α0 (within 1.2 SE).  The network's error is below
it, by −6.1 ± 0.8 % at α0 = 1, −7.1 ± 0.7 % at α0 = 2, −4.2 ± 0.6 % at α0 = 8 (both runs pooled)
and −2.4 ± 0.7 % at α0 = 32: the gap shrinks as the batch grows (|gap| ∝ α0^(−0.4) over α0 = 2..32), towards the
large-batch equivalence of Dandi et al., but it is still 3–7 SE at α0 = 8–32 (for tanh/tanh it is
−0.6 ± 0.9 % already at α0 = 8).  The finite-α0 theory of the network (the structured bulk of the
update) is not modelled.  Other pairs (d = 1000, 12 trials, seeds 51, 52; α0 = 1, 2, 8): tanh/relu
−2.2 ± 1.6, +0.7 ± 1.2, −1.4 ± 1.3 % (no gap); relu/relu +4.3 ± 1.9, +4.7 ± 1.7, −10.9 ± 1.4 % — the
gap grows with α0 there, the one pair of these for which the rank-one Hermite correction
``τ′(W0w*)w*ᵀ``, ``τ = η̃ E σ″ E[σ*(z)(z² − 1)]`` (see :mod:`symrmt.equivalents.spiked`) is nonzero.

``hermite="on"`` (with ``form="finite-d"``): the finite-d theory with that correction.  Trained
relu/relu networks (α = 1, η̃ = 2, λ = 0.05, width 1, d = 1000, 8 trials, seeds 201, 202, 208; each
trial against the theory of its own W0; gap = network/theory − 1):

    α0   network           limit    finite-d  gap             + Hermite  gap
     1   0.2439 ± 0.0041   0.2397   0.2434    +0.2 ± 1.4 %    0.2181    +11.8 ± 1.5 %
     2   0.1967 ± 0.0027   0.1937   0.1922    +2.3 ± 1.4 %    0.1755    +12.1 ± 1.5 %
     8   0.1385 ± 0.0027   0.1528   0.1524    −9.1 ± 1.5 %    0.1367    +1.3 ± 1.7 %

The correction closes the large-batch gap (α0 = 8) and overshoots by 12 % at α0 ≤ 2, where an
unmodelled finite-α0 part of the update (the structured bulk ``η̃ β W0(M − EM)``, of size
``∝ α0^(−1/2)``) cancels it; hence ``"off"`` by default.
"""
import numpy as np
import sympy as sp

from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.equivalents import (ACTIVATION_NAMES, draw_one_step_weights, solve_one_step, solve_one_step_conditional, spike_parameters,
                                spike_values, spiked_feature_cdf, spiked_feature_spectrum)
from symrmt.errors import ParameterError
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
        Parameter("d", 400, "input dimension of the W0 drawn by solve with form='finite-d' (verify: the ladder)",
                  low=2, low_inclusive=True, integer=True),
        Parameter("weight_seed", 0, "seed of the W0, w* and spike direction drawn by solve with form='finite-d'",
                  low=0, low_inclusive=True, integer=True),
    )
    solve_only = ("d", "weight_seed")
    #: ``model``: what ``simulate``/``verify`` train — ``"spiked"`` (default: the spiked random-features
    #: model W1 = cW0 + (r/√d)1vᵀ, which the fixed point describes exactly) or ``"network"`` (the actual
    #: gradient step; the sRF equivalence is then part of the claim — it holds to a few per cent at
    #: α0 = 2 and is not exact at finite α0, see symrmt.equivalents.spiked)
    #: ``form``: the theory's form, ``"limit"`` (default: d → ∞) or ``"finite-d"`` (conditional on
    #: the drawn W0)
    #: ``hermite``: ``"off"`` (default) or ``"on"`` — with ``form="finite-d"``, include the rank-one
    #: Hermite correction τ′(W0w*)w*ᵀ of the bulk (nonzero for relu/relu; see symrmt.equivalents.spiked)
    options = {"activation": "tanh", "target": "tanh", "model": "spiked", "form": "limit", "hermite": "off"}
    option_choices = {"activation": ACTIVATION_NAMES, "target": ACTIVATION_NAMES, "model": ("spiked", "network"),
                      "form": ("limit", "finite-d"), "hermite": ("off", "on")}
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

    def solve_arrays(self, alpha, alpha0, eta, ridge, width, d=400, weight_seed=0, activation="tanh", target="tanh",
                     model="spiked", form="limit", hermite="off"):
        if _finite_d(form, hermite):
            for k, v in (("alpha0", alpha0), ("eta", eta), ("width", width)):
                if np.ndim(v):
                    raise ParameterError(f"{k}: form='finite-d' takes a scalar (the draw is fixed), got an array")
            _, _, g = spike_values(eta, alpha0, activation, target)
            W0, ws, v = draw_one_step_weights(int(d), float(width), float(g), int(weight_seed))
            return solve_one_step_conditional(alpha, ridge, W0, v, ws, float(eta), float(alpha0), activation, target,
                                              hermite=hermite == "on")
        return solve_one_step(alpha, alpha0, eta, ridge, width, activation, target)

    def theory(self, **params):
        if _finite_d(params.get("form", "limit"), params.get("hermite", "off")):
            return dict(params)  # conditional on each trial's draw: trial_theory() evaluates it
        return super().theory(**params)

    def trial_theory(self, sample, theory):
        """With ``form="finite-d"``: the test error given each trial's drawn W0, w* and spike
        direction (the simulation keeps them); otherwise None (one theory for all trials)."""
        if not isinstance(theory, dict):
            return None
        t = theory
        args = (float(t["eta"]), float(t["alpha0"]), t["activation"], t["target"])
        draws = zip(sample.draws["W0"], sample.draws["direction"], sample.draws["w_star"])
        on = t.get("hermite", "off") == "on"
        return np.array([float(solve_one_step_conditional(float(t["alpha"]), float(t["ridge"]), W0, v, ws,
                                                          *args, hermite=on)["test_error"]) for W0, v, ws in draws])

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
                       target="tanh", model="spiked", form="limit", hermite="off"):
        spike = spike_values(eta, alpha0, activation, target) if model == "spiked" else None
        return simulate_one_step(n, alpha, alpha0, eta, ridge, width, activation, target, trials=trials,
                                 seed=seed, device=device, model=model, spike=spike,
                                 keep_draws=_finite_d(form, hermite))


def _finite_d(form, hermite="off") -> bool:
    """Whether the ``form`` option asks for the finite-d theory (``"limit"`` or ``"finite-d"``);
    the ``hermite`` correction (``"off"``/``"on"``) exists in the finite-d form only."""
    if form not in ("limit", "finite-d"):
        raise ParameterError(f"form: expected 'limit' or 'finite-d', got {form!r}")
    if hermite not in ("off", "on"):
        raise ParameterError(f"hermite: expected 'off' or 'on', got {hermite!r}")
    if hermite == "on" and form != "finite-d":
        raise ParameterError("hermite: 'on' needs form='finite-d' (the correction is evaluated on drawn "
                             "weights; its closed d → ∞ form is not written)")
    return form == "finite-d"


DERIVATION = OneStepSpikedRF()
