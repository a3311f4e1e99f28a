"""Feature learning after one gradient step: the spiked random-features equivalent of a two-layer
network (Cui, Pesce, Dandi, Krzakala, Lu, Zdeborová & Loureiro, arXiv 2402.04980; Dandi et al.,
arXiv 2410.18938).

Setting (REFERENCES §5).  ``x ~ N(0, I_d)``; network ``f(x) = aᵀσ(Wx)/√p`` with ``a = a0 = 1_p/√p``
fixed and ``W0`` of shape ``p×d`` with i.i.d. Gaussian rows normalized to unit norm; target
``y = σ*(⟨w*, x⟩)``, ``‖w*‖ = 1``.  One full-batch gradient step of the square loss on ``n0 = α0 d``
fresh samples, with the learning rate ``η = η̃ p`` that makes it "large":

    w_i ← w_i + η̃ (1/n0) Σ_μ (y_μ − f(x_μ)) σ′(⟨w_i, x_μ⟩) x_μ .

Then ridge regression of the readout on ``n = α d`` fresh samples, features ``F = σ(X W1ᵀ)``
(``n×p``), loss ``‖y − Fw/√p‖² + λ‖w‖²``; ``test_error = E(y − φ(x)·ŵ/√p)²`` on a fresh point.
``width = p/d``.

Spike parameters (:func:`spike_parameters`; derived from Gaussian integrals, exact where SymPy
integrates).  At initialization ``f(x) = μ0 + O(p^{-1/2})``, so the step's residual is
``ỹ = y − μ0``.  Writing ``σ′ = μ1 + (σ′ − μ1)``, the ``μ1`` part moves every row by the same vector
``η̃ μ1 Xᵀỹ/n0`` (a rank-one spike ``(r/√d) 1_p vᵀ``, ``‖v‖ = √d``), the rest adds a bulk of row
variance ``η̃² s̃* v′/α0``.  With

    μ1 = E[zσ(z)],  μ0 = Eσ(z),  μ0* = Eσ*(z),  μ1* = E[zσ*(z)],  s̃* = E(σ*(z) − μ0)²,
    v′ = Var σ′(z),  β = E σ″(z) = E[zσ′(z)]:

    r = η̃ μ1 √(s̃*/α0 + μ1*²),   γ = μ1*/√(s̃*/α0 + μ1*²)   (γ = cos∠(v, w*)),
    c = √((1 + η̃ β (μ0* − μ0))² + η̃² s̃* v′/α0).

With ``μ0 = μ0* = 0`` (odd σ, σ*: the paper's tanh/tanh setting) these are exactly REFERENCES §5
(``s̃* = s* = Eσ*²``, no rescaling term).  Note: the authors' notebook multiplies the bulk term of
``c²`` by an extra ``μ1²``; a direct simulation of the step (tests) confirms the form above.
The ``β (μ0* − μ0)`` term is the mean residual acting through the linear part of ``σ′``.

Rank-one Hermite correction (Ba et al., arXiv 2205.01445; Moniri et al., arXiv 2310.07891 expand
the step the same way).  The linear Hermite part ``β u`` of ``σ′(u)`` moves row i by
``η̃ β M w_i`` with ``M = (1/n0) Σ_μ ỹ_μ x_μ x_μᵀ``, whose mean is, by Stein's lemma twice,
``E[ỹ xxᵀ] = (μ0* − μ0) I + h2* w*w*ᵀ``, ``h2* = E[σ*(z)(z² − 1)]`` (= E σ*″; √2 times σ*'s
second normalized Hermite coefficient).  The first part is the rescaling in ``c``; the second is

    ΔW ⊃ τ (W0w*) w*ᵀ,   τ = η̃ β h2*     (:meth:`SpikeParameters.hermite_scale`),

a rank-one matrix of operator norm ``τ √width`` — O(1), like the bulk, although each row moves
only by O(d^{-1/2}).  It vanishes when ``β = 0`` (odd σ: tanh, erf) or ``h2* = 0`` (odd σ*),
so relu/relu is the pair of the catalogue where it acts.  Its effect: the bulk
``cW0`` becomes ``B = cW0 + τ′(W0w*)w*ᵀ``, the features' linear part ``μ1(κ) B x`` reads the input
through ``cI + τ′w*w*ᵀ`` (a spike of the *input* covariance along w*), and in the fixed point only
the quadratic forms of the directions change: ``Bv̂`` and ``Bζ̂`` replace ``cW0v̂`` and ``cW0ζ̂`` and
``Ω = BΠBᵀ`` (Π = I − v̂v̂ᵀ); the traces of Ω are unchanged at d → ∞.  ``τ′ = τ c̄/c``,
``c̄ = 1 + η̃β(μ0* − μ0)``: the bulk ``cW0`` stands for ``c̄W0`` plus the step's noise, which is
uncorrelated with ``W0w*``, so only the fraction ``c̄/c`` of ``W0w*`` lies along the bulk's own
``W0w*`` (the rest, of relative size ``√(1 − c̄²/c²)``, is dropped).  On drawn weights:
:func:`solve_one_step_conditional` with ``hermite=True``.  At d → ∞ (:func:`solve_one_step` with
``hermite=True``): ``B = W0A``, ``A = cI + τ′w*w*ᵀ``, and for Gaussian ``W0``
``W0ᵀ(t + W0TW0ᵀ)⁻¹W0 ≍ κ(t + κT)⁻¹`` (``T = AΠA``, κ from the Marchenko–Pastur bulk), so the
forms of ``Av̂`` and ``Aζ̂`` are 2×2 resolvents on the plane ``(v̂, ζ̂)``
(:func:`_hermite_direction_traces`).  Checked: at τ′ = 0 they are the spiked limit's to 1e-11;
against the drawn form (relu/relu, α0 = η̃ = 2, α = 0.5, 1, 3; 12 draws at d = 1600, 6 at 3200)
the drawn theory's relative deviation from the closed form, +0.4 … +0.7 % and −0.7 … −1.0 %, tracks
that of the same draws without the term (+0.3 … +0.6 %, −0.5 … −0.9 %) to within 0.2 %.

Several large steps (Dandi et al., arXiv 2305.18270; :func:`next_spike`, ``steps`` of
:func:`spike_values` and :func:`solve_one_step`), each on a fresh batch.  The readout ``a0`` is
uniform, so every neuron sees the same residual and the next mean row update is common again: the
layer stays ``bulk + (r/√d)1vᵀ`` with one spike.  From a spiked layer, the next step's residual is
``σ*(z) − μ0(κ)`` (the network's output, averaged over the neurons, is ``μ0(κ)``) and its mean row
update ``η̃ E[(σ* − μ0(κ)) μ1(κ) x]`` plus isotropic batch noise; the bulk rows are rescaled by
``c̄ = 1 + η̃ E[e σ′(rκ + cg) g]/c`` and receive fresh noise.  The map ``(r, c, γ) → (r′, c′, γ′)``
is a κ integral (formulas in :func:`next_spike`); from ``(0, 1, ·)`` it is the one-step closed form.
Against trained layers at d = 1000 (10 trials, seed 70, α0 = η̃ = 2) it holds to within 1–2 SE
for relu/tanh, relu/relu, tanh/relu and tanh/tanh after two and three steps (largest deviation:
tanh/tanh c, 1.0298 ± 0.0014 measured against 1.0346 after two steps); the spiked models trained
with these spikes match the limit's test error, and the trained networks sit 1–11 % below it
(the bulk's structure, as after one step: :func:`solve_one_step_given_layer`).

Multi-index targets ``y = g(w_1·x, …, w_k·x)`` (orthonormal ``w_a``, k <= 3; the staircases
``z1 + z1z2``, ``z1 + z1z2 + z1z2z3`` of Abbe et al., arXiv 2202.08658, or a SymPy expression).  The
spike is still one direction ``v̂``, now with a vector of cosines ``γ_a = w_a·v̂``; given
``κ = v̂·x`` the target reads ``κ`` and the coordinates ``t_b`` along the orthonormalized
residuals ``ζ_b`` of the ``w_a`` (``z = γκ + Lt``, ``L = (I − γγᵀ)^{1/2}``).  In the fixed point
the single ``ψ`` becomes a vector (``ψ̂_b = a E_κ[μ1 h1_b/D]``, ``h1_b = E[t_b y|κ]``), ``H`` a
k×k form and ``G`` a k-vector (:func:`_linear_part`); at d → ∞ ``H → ω I``, ``G → 0``.  Several
steps learn the staircase direction by direction: the spike turns towards a direction the residual
reads through a product with a learned one (for ``z1 + z1z2``: ``A⊥_2 = η̃γ1 E[κμ1(κ)]``, nonzero
for ReLU, zero for an even ``σ′`` such as tanh's) — :func:`next_spike`.  Trained networks at
d = 1000 (relu, α = 2, α0 = η̃ = 2, 10 trials, seed 80): ``γ_2`` = −0.007 ± 0.010, 0.237 ± 0.012,
0.187 ± 0.010 after 1, 2, 3 steps against the recursion's 0, 0.242, 0.201.

Spiked random features (sRF): ``W1 ≈ c W0 + (r/√d) 1_p vᵀ`` with ``v = γ w* + √(1−γ²) ζ``,
``ζ ⊥ w*``.  With ``κ = v·x/√d`` the features are, conditionally on κ, Gaussian-equivalent
(the "conditional GET" of Cui et al. §3):

    φ | κ ≈ μ0(κ) 1 + μ1(κ) c W0 x + μ2(κ) ξ,  ξ ~ N(0, I_p),
    μ0(κ) = E_z σ(rκ + cz),  μ1(κ) = E_z σ′(rκ + cz),  μ2(κ)² = E_z σ(rκ+cz)² − μ0(κ)² − c²μ1(κ)²,

and the target is ``y = σ*(γκ + ρη)``, ``ρ = √(1−γ²)``, η ⊥ κ, with ``h(κ) = E_η σ*``,
``h1(κ) = E_η[ησ*]``, ``hh(κ) = E_η σ*²``.  The replica fixed point for the ridge readout
(Cui et al. §3; overlaps as in the authors' theory notebook, which takes p = d; here the traces
of ``Ω = c²W0W0ᵀ`` — law ``c²·``Marchenko–Pastur(``width``) — are written in closed form, the
quadratic forms of ``W0v`` and ``W0w*`` become ``width·tr(·)``, and the sample ratio is
``a = α/width = n/p``; the reduction below fixes these factors) is, with
``V(κ) = μ1²V1 + μ2²V2``, ``D(κ) = 1 + V(κ)`` and ``E_κ`` a Gauss–Hermite rule in κ:

    V̂1 = a E_κ[μ1²/D],  V̂2 = a E_κ[μ2²/D],   S = λ + V̂1 Ω + V̂2,
    V1 = tr ΩS⁻¹,  V2 = tr S⁻¹          (nonlinear: the generated solver, :func:`spiked_rf_system`)
    C(κ) = μ0 m + μ1 κ θ,  θ̂ = a E_κ[κμ1(h − C)/D],  ψ̂ = a E_κ[μ1 h1/D],
    θ = width·c² θ̂ V2,  ψ = width·ψ̂ V1,  E_κ[μ0 (h − C)/D] = 0    (m: the unpenalized mean)
    ε(κ) = hh + C² − 2Ch − 2μ1ψh1 + μ1²q1 + μ2²q2,  q̂_i = a E_κ[μ_i² ε/D²],
    q1 = q̂1 tr Ω²S⁻² + (q̂2 + width·c²θ̂²) tr ΩS⁻² + width·ψ̂² tr Ω²S⁻²,
    q2 = q̂1 tr ΩS⁻² + (q̂2 + width·c²θ̂²) tr S⁻² + width·ψ̂² tr ΩS⁻²     (linear, given V1, V2)
    test_error = E_κ ε(κ).

With ``r = 0, c = 1`` (η̃ = 0) this is the Gaussian-equivalent random-features fixed point and the
test error equals Mei & Montanari's (arXiv 1908.05355) with ``ψ1 = width``, ``ψ2 = α``,
``λ_MM = λ/α``, ``F1 = |μ1*|``, ``F*² = Var σ* − μ1*²``, ``τ = 0`` (``F*² = E σ*² − μ1*²`` when
``μ0 = 0``: an odd activation cannot fit the target's mean, which then acts as unlearnable signal)
— checked to 1e-10 in the tests.

Finite d, conditional on the drawn weights (:func:`solve_one_step_conditional`; the authors'
finite-d theory diagonalizes the drawn ``W0``).  The traces over ``Ω`` and the quadratic forms
of the spike direction ``v̂`` and of ``ζ̂`` (the part of ``w*`` orthogonal to it) are read from
one draw: with ``Ω = c²W0ΠW0ᵀ = Σ_i ω_i u_i u_iᵀ`` (``Π = I − v̂v̂ᵀ``), ``F_i = d (u_i·cW0v̂)²``,
``H_i = d (u_i·cW0ζ̂)²``, the cross form ``G_i = d (u_i·cW0v̂)(u_i·cW0ζ̂)``,
``S_i = λ + V̂1ω_i + V̂2`` and ``E_ω`` the average over the p atoms,

    V1 = E_ω[ω/S],  V2 = E_ω[1/S],  θ = width·(θ̂ E_ω[F/S] + ψ̂ E_ω[G/S]),
    ψ = width·(ψ̂ E_ω[H/S] + θ̂ E_ω[G/S]),
    q1 = E_ω[ω Q/S²],  q2 = E_ω[Q/S²],  Q = q̂1ω + q̂2 + width·(θ̂²F + 2θ̂ψ̂G + ψ̂²H),

the rest unchanged: every ``c²·tr(·)`` that multiplies ``θ̂`` becomes ``E_ω[F·(·)]`` and every ``tr(Ω·)`` that
multiplies ``ψ̂`` becomes ``E_ω[H·(·)]``; the readout's mean ``S⁻¹(θ̂ Wv̂ + ψ̂ Wζ̂)`` reads both
directions, hence the cross terms in ``G``.  At d → ∞, ``F`` averages to ``c²``, ``H`` to ``ω`` and
``G`` to 0 (``W0v̂`` and ``W0ζ̂`` are independent for a Gaussian ``W0``), and the spectrum of ``Ω``
tends to ``c²``·Marchenko–Pastur(``width``): the closed forms above.

The trained layer (:func:`solve_one_step_given_layer`).  The network's first layer is not
``cW0 + spike``: its bulk ``B = W1 − 1m̄ᵀ`` (``m̄`` the mean row update) has (i) a spectrum wider
than ``c²``·Marchenko–Pastur — the step's noise ``η̃(1/n0) Σ_μ e_μ σ′_⊥(W0x_μ) x_μᵀ`` is the
batch multiplied by a function of itself, not i.i.d. — and (ii) cross forms ``G ≠ 0``: the spike
direction ``v̂ ∝ (1/n0) Σ_μ e_μ x_μ`` is built from the same batch as the bulk, whose rows then
read ``v̂`` through the self-term ``(1/n0) Σ_μ e_μ² σ′_⊥(w_i·x_μ)|x_μ|²/n0`` correlated with
``w_i·w*`` (for ReLU/tanh through ``β μ0 μ1*``), so ``Bv̂`` and ``Bζ̂`` are correlated.  Reading
every atom ``(ω, F, H, G)`` from the trained ``B`` itself closes the network's gap to the spiked
model: relu/tanh at α = 1, α0 = 2, d = 1000 (24 trials) 0.3374 ± 0.0019 against 0.3410 on the
trained layer and 0.3615 for the spiked limit; the same fixed point without ``G`` gives 0.350.
The readout's conditional Gaussian equivalence itself holds on the trained layer (ridge on
Gaussian-equivalent features of the same layers: difference +0.0000 ± 0.0030, 16 trials; a slow test).
Which part of the step makes the difference: with ``σ′(u) = μ1 + βu + s(u)`` the step is
``W0(I + η̃βM) + 1m̄ᵀ + η̃(1/n0)(e⊙s(W0X))ᵀX``, ``M = (1/n0)Σ_μ e_μ x_μx_μᵀ``; replacing ``s(W0X)`` by
i.i.d. noise keeps the theory on the layer (+0.0029 ± 0.0010 at 0.3386; relu/tanh, d = 800, 8
draws), replacing all of ``σ′ − μ1`` gives the spiked limit back (+0.0239 ± 0.0020): about 90 % of
the gap is ``W0`` times the batch's weighted sample covariance ``M`` (whose mean is the rank-one
Hermite term; a slow test).  In that form the bulk's spectrum has a d → ∞ law, derived from the
matrix expression (:func:`symrmt.equivalents.trained_bulk_stieltjes`: within 0.4–1.2 % of trained
layers' Stieltjes transforms where ``c²``·Marchenko–Pastur is 13–21 % off).  The forms ``F, H, G`` read ``v̂ ∝ Xᵀe`` against ``M`` built from the same batch; their d → ∞
laws are anisotropic forms of that matrix expression, derived in
:mod:`symrmt.equivalents.trained_layer` (:func:`symrmt.equivalents.solve_one_step_trained`, the
derivation's ``form="trained-limit"``): relu/tanh at α = 1, α0 = 2 gives 0.3406, against 0.3410
on trained layers and 0.3420 ± 0.0012 on layers of the surrogate it derives (d = 800, 8 draws).
On drawn layers the theory varies from draw to draw by an SD that shrinks slowly (relu/tanh
0.0043, 0.0032, 0.0028 at d = 400, 800, 1600; 12 draws each) about a mean that does not move
(0.339, 0.341, 0.341).

Spectrum of the learned features (Dandi et al. 2410.18938): the feature matrix ``FᵀF/n`` has,
besides its bulk, an outlier of order p along ``1_p`` created by the spike: at leading order
``λ_max(FᵀF/n)/p → E_κ μ0(κ)²`` (observable ``outlier``; relative corrections O(1/p)).  Its bulk
is that of the sample covariance of a population ``E_κ[μ1²] Ω + E_κ[μ2²] I`` (observable
``bulk_edge``: the population edge ``E[μ1²]c²(1 + √width)² + E[μ2²]``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..symbolic import laws
from ..symbolic.hermite import ACTIVATIONS, activation_expr, gaussian_expectation, hermite_coefficients
from ..symbolic.parsing import safe_sympify
from ..symbolic.system import System
from .._checks import broadcast, checked, integer

__all__ = ["SpikeParameters", "spike_parameters", "spike_values", "spiked_rf_system",
           "solve_one_step", "node_values", "node_population", "spiked_feature_spectrum", "spiked_feature_density",
           "spiked_feature_cdf", "conditional_spectrum", "spiked_rf_conditional_system",
           "solve_one_step_conditional", "solve_one_step_given_layer", "draw_one_step_weights", "next_spike",
           "SPIKE_SYMBOLS", "NODES", "ACTIVATION_NAMES"]

#: Gauss–Hermite nodes of the κ integral (the population of the compiled system: data, not code).
NODES = 40
#: The named activations σ and σ* may take (the symbolic layer's names; SymPy expressions also work).
ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
SPIKE_SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("eta", "alpha0")}

# ---------------------------------------------------------------------- spike parameters
@dataclass(frozen=True)
class SpikeParameters:
    """``r``, ``c``, ``γ`` as SymPy expressions in ``eta`` (η̃) and ``alpha0`` (α0), and the
    Gaussian integrals they are made of (exact SymPy numbers where SymPy integrates).

    Attributes
    ----------
    r, c, gamma : sympy.Expr
    constants : dict
        ``mu0, mu1, mu0_star, mu1_star, s_star`` (``E(σ* − μ0)²``), ``v_prime`` (``Var σ′``),
        ``beta`` (``E σ″ = E[zσ′]``), ``h2_star`` (``E[σ*(z)(z² − 1)]``).
    exact : bool
        Whether every constant is a closed form.
    """

    r: sp.Expr
    c: sp.Expr
    gamma: sp.Expr
    constants: dict
    exact: bool

    def evaluate(self, eta: Any, alpha0: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(r, c, γ)`` as float arrays (broadcast), for ``eta >= 0`` and ``alpha0 > 0``."""
        e, a0 = _check_step(eta, alpha0)
        k = {n: float(v) for n, v in self.constants.items()}
        amp = np.sqrt(k["s_star"] / a0 + k["mu1_star"] ** 2)
        r = e * k["mu1"] * amp
        c = np.sqrt((1 + e * k["beta"] * (k["mu0_star"] - k["mu0"])) ** 2 + e**2 * k["s_star"] * k["v_prime"] / a0)
        with np.errstate(invalid="ignore", divide="ignore"):
            g = np.where(amp > 0, k["mu1_star"] / np.where(amp > 0, amp, 1.0), 0.0)
        return r, c, g * np.ones_like(r)

    def hermite_scale(self, eta: Any, alpha0: Any) -> np.ndarray:
        """``τ′ = η̃ β h2* · c̄/c``, the coefficient of the rank-one Hermite correction
        ``τ′(W0w*)w*ᵀ`` of the bulk (module docstring; ``c̄ = 1 + η̃β(μ0* − μ0)``), broadcast."""
        e, a0 = _check_step(eta, alpha0)
        k = {n: float(v) for n, v in self.constants.items()}
        cbar = 1 + e * k["beta"] * (k["mu0_star"] - k["mu0"])
        c = self.evaluate(e, a0)[1]
        return e * k["beta"] * k["h2_star"] * cbar / c


def _check_step(eta: Any, alpha0: Any) -> tuple[np.ndarray, np.ndarray]:
    vals = broadcast({"eta": checked("eta", eta, "nonnegative"), "alpha0": checked("alpha0", alpha0, "positive")})
    return vals["eta"], vals["alpha0"]


def _key(activation: Any) -> Any:
    if isinstance(activation, str):
        return activation.strip().lower()
    if callable(activation) and not isinstance(activation, sp.Basic):
        raise ParameterError("activation: expected a name or a SymPy expression, got a Python callable")
    return safe_sympify(activation, "activation")


@lru_cache(maxsize=32)
def _spike_parameters(act_key: Any, tgt_key: Any) -> SpikeParameters:
    expr, x = activation_expr(act_key)
    texpr, tx = activation_expr(tgt_key)
    hermite_coefficients(act_key), hermite_coefficients(tgt_key)  # validation: E σ², E σ*² < ∞
    dsig = sp.diff(expr, x)
    mu0, mu1 = gaussian_expectation(expr, x), gaussian_expectation(x * expr, x)
    mu0s, mu1s = gaussian_expectation(texpr, tx), gaussian_expectation(tx * texpr, tx)
    v2 = gaussian_expectation(dsig**2, x)
    beta = gaussian_expectation(x * dsig, x)
    s_star = gaussian_expectation(sp.expand((texpr - mu0) ** 2), tx)
    h2s = gaussian_expectation(sp.expand(texpr * (tx**2 - 1)), tx)
    vp = v2 - mu1**2
    exact = not any(isinstance(v, sp.Float) or v.has(sp.Float) for v in (mu0, mu1, mu0s, mu1s, v2, beta, s_star, h2s))
    if exact:
        vp, s_star = sp.simplify(vp), sp.simplify(s_star)
    if float(vp) < -1e-10:
        raise ParameterError("activation: inconsistent Gaussian moments (Var σ′ < 0)")
    eta, a0 = SPIKE_SYMBOLS["eta"], SPIKE_SYMBOLS["alpha0"]
    amp = sp.sqrt(s_star / a0 + mu1s**2)
    r = eta * mu1 * amp
    c = sp.sqrt((1 + eta * beta * (mu0s - mu0)) ** 2 + eta**2 * s_star * vp / a0)
    gamma = mu1s / amp
    consts = {"mu0": mu0, "mu1": mu1, "mu0_star": mu0s, "mu1_star": mu1s, "s_star": s_star,
              "v_prime": vp, "beta": beta, "h2_star": h2s}
    return SpikeParameters(r=r, c=c, gamma=gamma, constants=consts, exact=exact)


def spike_parameters(activation: Any = "tanh", target: Any = "tanh") -> SpikeParameters:
    """Spike strength ``r``, bulk scale ``c`` and alignment ``γ`` after one large gradient step
    (Cui et al., arXiv 2402.04980, §2; conventions in the module docstring).

    Parameters
    ----------
    activation, target : str or sympy.Expr
        σ and σ*: ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"`` or a SymPy
        expression in one variable.

    Returns
    -------
    SpikeParameters
        Symbolic in ``eta`` and ``alpha0`` (:data:`SPIKE_SYMBOLS`).

    Raises
    ------
    ParameterError
        Divergent Gaussian moments (e.g. ``"sign"``: ``E σ′(z)² = E (2δ(z))² = ∞``), or an
        activation with ``μ1 = 0`` (the step then creates no spike at this order).
    """
    act, tgt = _key(activation), _key(target)
    sp_ = _spike_parameters(act, tgt)
    if float(sp_.constants["mu1"]) == 0.0:
        raise ParameterError("activation: μ1 = E[zσ(z)] = 0; the one-step spike and the readout's "
                             "Gaussian-equivalent theory need μ1 ≠ 0")
    return sp_


def spike_values(eta: Any, alpha0: Any, activation: Any = "tanh", target: Any = "tanh", steps: int = 1,
                 nodes: int = 2 * NODES):
    """``(r, c, γ)`` float arrays at ``eta`` (η̃ ≥ 0) and ``alpha0`` (> 0), broadcast, after ``steps``
    large steps, each on a fresh batch of ``n0 = α0 d`` samples (Dandi et al., arXiv 2305.18270).

    One step: the closed forms of :func:`spike_parameters`.  Each further step maps the spiked
    layer ``W = cW0′ + (r/√d)1vᵀ`` (``cos∠(v, w*) = γ``) to the next one by Gaussian integrals
    (:func:`next_spike`); ``nodes`` is the Gauss–Hermite order of their κ integral.  For a
    multi-index target (``"staircase2"``, ``"staircase3"`` or a SymPy expression in several
    indices, :mod:`symrmt.symbolic.targets`) every step, the first included, is the recursion
    (from ``r = 0, c = 1``), and ``γ`` has a trailing axis: the cosines of the spike with each
    target direction.
    """
    steps = integer("steps", steps, low=1)
    k = _indices(_key(target))
    if k > 1:
        e, a0 = _check_step(eta, alpha0)
        r, c, g = np.zeros(e.shape), np.ones(e.shape), np.zeros(e.shape + (k,))
        for _ in range(steps):
            r, c, g = next_spike(r, c, g, e, a0, activation, target, nodes)
        return r, c, g
    r, c, g = spike_parameters(activation, target).evaluate(eta, alpha0)
    for _ in range(steps - 1):
        r, c, g = next_spike(r, c, g, eta, alpha0, activation, target, nodes)
    return r, c, g


def next_spike(r: Any, c: Any, gamma: Any, eta: Any, alpha0: Any, activation: Any = "tanh",
               target: Any = "tanh", nodes: int = 2 * NODES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spike parameters after one more large step from a spiked layer (Dandi et al., arXiv 2305.18270).

    The layer before the step is ``W = B + (r/√d) 1_p vᵀ`` with bulk rows ``b_i`` of norm ``c``
    (generic directions, ``Σ_i b_i = 0``) and ``cos∠(v, w*) = γ``; the step is the module's, on a
    fresh batch.  With ``κ = v̂·x``, ``t = v̂⊥·x`` (``w* = γv̂ + ρv̂⊥``, ``ρ = √(1−γ²)``, so
    ``z = w*·x = γκ + ρt``), the network's output ``f(x) → μ0(κ)`` (an average over p neurons), the
    residual ``e = σ*(z) − μ0(κ)`` and the mean of ``σ′(b_i·x + rκ)`` over the neurons ``μ1(κ)``.  The
    mean row update is ``η̃ (1/n0) Σ_μ e_μ μ1(κ_μ) x_μ``: its expectation ``η̃ E[ξx]``, ``ξ = eμ1(κ)``,
    lies in the plane ``(v̂, v̂⊥)``; its fluctuation is an isotropic vector of squared norm
    ``η̃² E[ξ²]/α0``.  So, with ``A = r + η̃ E[ξκ]``, ``A⊥ = η̃ E[ξt] = η̃ E_κ[μ1 h1]`` and
    ``N² = η̃² E[ξ²]/α0``,

        r′ = √(A² + A⊥² + N²),   γ′ = (γA + ρA⊥)/r′,
        c′² = c̄²c² + (η̃²/α0) E[e²(σ′(rκ + cg)² − μ1(κ)²)],   c̄ = 1 + η̃ E[e σ′(rκ + cg) g]/c

    (``g ~ N(0, 1)`` is the pre-activation of the bulk, ``b_i·x = cg``; ``c̄`` is the component of a
    row's update along its own ``b_i``, by Stein's lemma; the rest of a row's update, minus the
    mean, is noise orthogonal to the spike).  From ``r = 0, c = 1`` this is exactly
    :func:`spike_parameters` (tests).  Left out, as in one step: the cross forms of the bulk with the
    spike (O(d^{-1/2}) per row) and the rank-one Hermite term.

    A multi-index target ``y = g(w_1·x, …, w_k·x)`` (orthonormal ``w_a``): ``γ`` is the vector of
    cosines ``w_a·v̂``, ``t`` the coordinates along the orthonormalized residuals ``ζ_b`` of the
    ``w_a`` (``z = γκ + Lt``, ``L = (I − γγᵀ)^{1/2}``, ``w_a·ζ_b = L_ab``), ``A⊥_b = η̃ E_κ[μ1 h1_b]``
    and ``γ′ = (Aγ + LA⊥)/r′`` — the staircase: a direction the residual reads only through a
    product with an already learned one enters at the next step, if ``E[κμ1(κ)] ≠ 0``.

    Parameters
    ----------
    r, c, gamma : the layer before the step (``r >= 0``, ``c > 0``, ``|γ| <= 1``), broadcast
        (``gamma`` with a trailing axis of length k for a k-index target)
    eta, alpha0 : the step (``eta >= 0``, ``alpha0 > 0``), broadcast
    activation, target : σ and σ* (names or SymPy expressions; σ smooth, or relu/linear)
    nodes : Gauss–Hermite order of the κ integral (8..400)

    Returns
    -------
    (r′, c′, γ′) : float arrays of the broadcast shape (``γ′`` with the trailing axis)
    """
    if not (isinstance(nodes, int) and not isinstance(nodes, bool) and 8 <= nodes <= 400):
        raise ParameterError(f"nodes: expected an integer in [8, 400], got {nodes!r}")
    k = _indices(_key(target))
    gam = checked("gamma", gamma, "cosine")
    if k > 1:
        if gam.ndim < 1 or gam.shape[-1] != k:
            raise ParameterError(f"gamma: a {k}-index target needs a trailing axis of {k} cosines, "
                                 f"got shape {gam.shape}")
        if np.any(np.sum(gam**2, axis=-1) > 1 + 1e-12):
            raise ParameterError("gamma: the cosines with orthonormal target directions must have |γ| <= 1")
    vals = broadcast({"r": checked("r", r, "nonnegative"), "c": checked("c", c, "positive"),
                      "gamma": gam[..., 0] if k > 1 else gam, "eta": checked("eta", eta, "nonnegative"),
                      "alpha0": checked("alpha0", alpha0, "positive")})
    r, c, e, a0 = (vals[q] for q in ("r", "c", "eta", "alpha0"))
    G = np.broadcast_to(gam, r.shape + (k,)) if k > 1 else vals["gamma"][..., None]
    G = G / np.maximum(1.0, np.linalg.norm(G, axis=-1, keepdims=True))
    nv = node_values(r, c, G if k > 1 else G[..., 0], activation, target, nodes)
    kap, w = nv["kappa"], nv["weight"]
    d1, d2 = _derivative_kernel(_key(activation))(r[..., None] * kap, c[..., None] + 0 * kap)[1:]
    mu0, mu1, h, hh = (nv[q] for q in ("mu0", "mu1", "h", "hh"))
    h1 = nv["h1"] if k > 1 else nv["h1"][..., None]
    e2 = np.maximum(hh - 2 * h * mu0 + mu0**2, 0.0)          # E[e² | κ]
    A = r + e * ((kap * mu1 * (h - mu0)) @ w)
    A_perp = e[..., None] * np.einsum("...j,...jb,j->...b", mu1, h1, w)
    N2 = e**2 * ((mu1**2 * e2) @ w) / a0
    r_new = np.sqrt(A**2 + np.sum(A_perp**2, axis=-1) + N2)
    cbar = 1 + e * (((h - mu0) * d1) @ w) / c
    c_new = np.sqrt(cbar**2 * c**2 + e**2 * ((e2 * np.maximum(d2 - mu1**2, 0.0)) @ w) / a0)
    num = A[..., None] * G + np.einsum("...ab,...b->...a", _residual_frame(G), A_perp)
    with np.errstate(invalid="ignore", divide="ignore"):
        g_new = np.where(r_new[..., None] > 0, num / np.where(r_new > 0, r_new, 1.0)[..., None], 0.0)
    g_new = g_new / np.maximum(1.0, np.linalg.norm(g_new, axis=-1, keepdims=True))
    return r_new, c_new, (g_new if k > 1 else g_new[..., 0])


# ---------------------------------------------------------------------- node functions


def _phi(t):
    return np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)


def _Phi(t):
    from scipy.special import ndtr

    return ndtr(t)


def _closed_kernel(name: str):
    """``(E σ(a+cz), E[zσ(a+cz)], E σ(a+cz)²)`` for c > 0 in closed form (Gaussian integrals of
    the piecewise-linear activations; checked against quadrature in the tests)."""
    if name == "relu":
        def k(a, c):
            t = a / c
            P, p = _Phi(t), _phi(t)
            return a * P + c * p, c * P, (a * a + c * c) * P + a * c * p
        return k
    if name == "sign":
        def k(a, c):
            t = a / c
            return 2 * _Phi(t) - 1, 2 * _phi(t), np.ones_like(t)
        return k
    if name == "linear":
        return lambda a, c: (a + 0 * c, c + 0 * a, a * a + c * c)
    return None


_GH = {}


def _gh(n: int):
    if n not in _GH:
        x, w = np.polynomial.hermite_e.hermegauss(n)
        _GH[n] = (x, w / math.sqrt(2 * math.pi))
    return _GH[n]


def _trapezoid():
    """Trapezoidal rule for ``E g(z)`` on [−13, 13] with step 0.02: for integrands analytic in a
    strip (tanh, erf, logistic, ...) its error decays like ``exp(−2π·width/step)`` — far below
    Gauss–Hermite's when poles approach the real axis (large bulk scale c)."""
    if "trap" not in _GH:
        z = np.linspace(-13.0, 13.0, 1301)
        w = np.exp(-0.5 * z * z) * (z[1] - z[0]) / math.sqrt(2 * math.pi)
        _GH["trap"] = (z, w)
    return _GH["trap"]


@lru_cache(maxsize=32)
def _kernel(key: Any) -> Callable:
    """A vectorized ``(a, c) -> (E σ(a+cz), E[zσ(a+cz)], E σ(a+cz)²)``, ``z ~ N(0,1)``."""
    from ..symbolic.hermite import is_smooth, numpy_function

    name = key if isinstance(key, str) else None
    expr, x = activation_expr(key)
    f = numpy_function(expr, x)
    closed = _closed_kernel(name) if name else None
    smooth = is_smooth(expr)

    def kernel(a: np.ndarray, c: np.ndarray):
        a, c = np.broadcast_arrays(np.asarray(a, float), np.asarray(c, float))
        out = [np.empty(a.shape) for _ in range(3)]
        zero = c <= 0
        if zero.any():
            fa = f(a[zero])
            out[0][zero], out[1][zero], out[2][zero] = fa, 0.0, fa * fa
        pos = ~zero
        if pos.any():
            ap, cp = a[pos], c[pos]
            if closed is not None:
                vals = closed(ap, cp)
            elif smooth:
                z, w = _trapezoid()
                fz = f(ap[:, None] + cp[:, None] * z[None, :])
                vals = (fz @ w, (fz * z) @ w, (fz * fz) @ w)
            else:
                vals = _adaptive(f, ap, cp)
            for i in range(3):
                out[i][pos] = vals[i]
        return out
    return kernel


@lru_cache(maxsize=32)
def _derivative_kernel(key: Any) -> Callable:
    """A vectorized ``(a, c) -> (E σ′(a+cz), E[zσ′(a+cz)], E σ′(a+cz)²)``, ``z ~ N(0,1)``, c > 0:
    closed forms for relu and linear, the trapezoidal rule for smooth σ (what a further step needs:
    :func:`next_spike`)."""
    from ..symbolic.hermite import is_smooth, numpy_function

    name = key if isinstance(key, str) else None
    if name == "relu":
        return lambda a, c: (_Phi(a / c), _phi(a / c), _Phi(a / c))
    if name == "linear":
        return lambda a, c: (np.ones(np.broadcast(a, c).shape), np.zeros(np.broadcast(a, c).shape),
                             np.ones(np.broadcast(a, c).shape))
    expr, x = activation_expr(key)
    if not is_smooth(expr):
        raise ParameterError(f"activation: {key!r} has kinks; the spike after a further step is written for "
                             "smooth activations and for 'relu' and 'linear'")
    f = numpy_function(sp.diff(expr, x), x)

    def kernel(a: np.ndarray, c: np.ndarray):
        a, c = np.broadcast_arrays(np.asarray(a, float), np.asarray(c, float))
        z, w = _trapezoid()
        fz = f(a[..., None] + c[..., None] * z)
        return fz @ w, (fz * z) @ w, (fz * fz) @ w
    return kernel


def _adaptive(f, a, c):
    """Adaptive quadrature per point (piecewise expressions without a closed form)."""
    from scipy.integrate import quad

    res = np.empty((3, a.size))
    for i, (ai, ci) in enumerate(zip(a, c)):
        for k in range(3):
            def g(t, k=k):
                v = float(f(np.array([ai + ci * t]))[0])
                return (v, t * v, v * v)[k] * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
            res[k, i] = sum(quad(g, lo, hi, epsabs=1e-12, epsrel=1e-10, limit=200)[0]
                            for lo, hi in ((-np.inf, -ai / ci), (-ai / ci, np.inf)))
    return res


def node_values(r: np.ndarray, c: np.ndarray, gamma: np.ndarray, activation: Any = "tanh",
                target: Any = "tanh", nodes: int = NODES) -> dict:
    """The conditional-GET coefficients at the Gauss–Hermite nodes ``κ_j`` of the κ integral.

    Returns ``{"mu0", "mu1", "mu2", "h", "h1", "hh"}``, arrays of shape ``r.shape + (nodes,)``
    (definitions in the module docstring), and ``"kappa"``, ``"weight"`` (the rule).  For a
    multi-index target (k directions, :mod:`symrmt.symbolic.targets`) ``gamma`` has a trailing
    axis of length k (the cosines ``w_a·v̂``) and ``"h1"`` one too: ``h1_b(κ) = E[t_b y | κ]`` along
    the orthonormalized residuals ``ζ_b`` of the target directions (``z = γκ + Lt``,
    ``L = (I − γγᵀ)^{1/2}``).
    """
    kap, w = _gh(nodes)
    tk = _key(target)
    multi = _indices(tk) > 1  # then γ has a trailing axis of the k target directions
    r, c = (np.asarray(v, float)[..., None] for v in (r, c))
    gamma = np.asarray(gamma, float)[..., None, :] if multi else np.asarray(gamma, float)[..., None]
    s0, s1, s2 = _kernel(_key(activation))(r * kap, c + 0 * kap)
    mu0 = s0
    with np.errstate(invalid="ignore", divide="ignore"):
        mu1 = np.where(c > 0, s1 / np.where(c > 0, c, 1.0), 0.0)
    mu2 = np.sqrt(np.maximum(s2 - s0**2 - s1**2, 0.0))
    if multi:
        t0, t1, t2 = _multi_index_moments(tk, gamma[..., 0, :], kap)
    else:
        rho = np.sqrt(np.maximum(1 - gamma**2, 0.0))
        t0, t1, t2 = _kernel(tk)(gamma * kap, rho + 0 * kap)
    return {"mu0": mu0, "mu1": mu1, "mu2": mu2, "h": t0, "h1": t1, "hh": t2, "kappa": kap, "weight": w}


@lru_cache(maxsize=32)
def _index_target(key: Any):
    from ..symbolic.targets import index_target

    return index_target(key)


def _indices(key: Any) -> int:
    """How many directions the target reads (1: single-index)."""
    return _index_target(key).k


def _residual_frame(gamma: np.ndarray) -> np.ndarray:
    """``L = (I − γγᵀ)^{1/2}`` (trailing axes k×k): with ``κ = v̂·x`` and ``t`` the coordinates of
    ``x`` along the orthonormalized residuals ``ζ_b`` of the target directions, ``z = γκ + Lt``
    and ``w_a·ζ_b = L_ab``."""
    g = np.asarray(gamma, float)
    n = np.linalg.norm(g, axis=-1, keepdims=True)
    rho = np.sqrt(np.maximum(1 - n**2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(n > 0, g / np.where(n > 0, n, 1.0), 0.0)
    eye = np.eye(g.shape[-1])
    return eye + (rho[..., None] - 1) * u[..., :, None] * u[..., None, :]


@lru_cache(maxsize=16)
def _multi_index_rule(key: Any):
    """The target as a NumPy function of its k indices and the tensor Gauss–Hermite rule of its
    conditional integrals (exact for polynomial targets; 24 (k = 2) or 14 (k = 3) nodes per axis
    for the other smooth ones)."""
    from ..symbolic.hermite import is_smooth, numpy_function

    t = _index_target(key)
    if not is_smooth(t.expr):
        raise ParameterError("target: a multi-index target must be smooth (no Abs, Max, Heaviside, "
                             "Piecewise): its conditional integrals are Gauss–Hermite rules")
    f = numpy_function(t.expr, t.variables)
    try:
        deg = sp.Poly(t.expr, *t.variables).degree_list()
        m = max(deg) + 2
    except sp.PolynomialError:
        m = 24 if t.k == 2 else 14
    x, w = _gh(m)
    grids = np.meshgrid(*([x] * t.k), indexing="ij")
    nodes = np.stack([g.ravel() for g in grids], axis=-1)
    weights = np.prod(np.meshgrid(*([w] * t.k), indexing="ij"), axis=0).ravel()
    return f, nodes, weights


def _multi_index_moments(key: Any, gamma: np.ndarray, kap: np.ndarray):
    """``h(κ) = E[y|κ]``, ``h1_b(κ) = E[t_b y|κ]`` (trailing axis k) and ``hh(κ) = E[y²|κ]`` at the
    nodes ``kap`` for ``y = g(z)``, ``z = γκ + Lt`` (:func:`_residual_frame`), ``gamma`` of shape
    ``(..., k)``."""
    f, T, W = _multi_index_rule(key)
    g = np.asarray(gamma, float)
    L = _residual_frame(g)
    z = g[..., None, None, :] * kap[:, None, None] + (T @ np.swapaxes(L, -1, -2))[..., None, :, :]
    y = f(*np.moveaxis(z, -1, 0))
    h, hh = y @ W, (y * y) @ W
    h1 = np.einsum("...m,m,mb->...b", y, W, T)
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(hh))):
        raise ParameterError("target: its conditional moments are not finite at the quadrature nodes")
    return h, h1, hh


# ---------------------------------------------------------------------- the fixed point
def node_population(nv: dict, index: Any = ()) -> Any:
    """The joint measure of ``(μ1(κ_j)², μ2(κ_j)²)`` with the Gauss–Hermite weights of the κ
    integral (the population of the conditional Gaussian equivalent), from :func:`node_values`
    (``index`` picks one point of a grid of node values)."""
    from ..measures import joint

    m1, m2 = (np.asarray(nv[k])[index] ** 2 for k in ("mu1", "mu2"))
    return joint(np.stack([m1, m2], axis=-1), np.asarray(nv["weight"]), names=("mu1_sq", "mu2_sq"))


def spiked_rf_system(population: Any = None, spectral: bool = False) -> System:
    """The nonlinear part of the conditional-GET fixed point (Cui et al., arXiv 2402.04980, §3)
    as a System: ``V1 = tr ΩS⁻¹``, ``V2 = tr S⁻¹`` with ``S = λ + V̂1 Ω + V̂2``.

    Unknowns ``V1, V2, Vh1, Vh2`` (V̂1, V̂2) and ``mA = tr (A + t)⁻¹``, the Marchenko–Pastur
    (ratio ``width``) Stieltjes transform at ``−t``, ``t = (λ + V̂2)/(c²V̂1)``, tied to t by the
    law's polynomial (all positive; the polynomial has a unique positive root).  Parameters ``a``
    (= α/width), ``ridge`` (λ), ``width``, ``c``.  The κ integral is an expectation over
    ``population``, the joint measure of ``(μ1(κ_j)², μ2(κ_j)²)`` at the Gauss–Hermite nodes
    ``κ_j`` with their weights (:func:`node_population`; default: unit coefficients at 40 nodes,
    a placeholder — the generated module reads the measure as data, so one module serves every
    activation, target, spike and node count: :meth:`CompiledSystem.with_measures`).
    Observables: ``t`` and the traces ``T0 = tr S⁻¹``, ``T1 = tr ΩS⁻¹``, ``T00 = tr S⁻²``,
    ``T01 = tr ΩS⁻²``, ``T11 = tr Ω²S⁻²``.  The remaining overlaps (θ, m, ψ, q1, q2) solve
    linear equations given these (:func:`solve_one_step`).

    ``spectral=True``: the same equations with ``λ = −z``, z a complex spectral parameter, and the
    population's means ``e1 = E μ1²``, ``e2 = E μ2²`` as parameters (the initial guess at large
    ``|z|``).  With ``K = FᵀF/p`` the kernel matrix of the readout (F = σ(XW1ᵀ), n×p), ``S⁻¹`` is
    the deterministic equivalent of the resolvent ``(K − z)⁻¹`` (conditional GET: given κ the
    features have covariance ``μ1(κ)²Ω + μ2(κ)²I``, a family that commutes with Ω, so the
    sample covariance of n such vectors has ``(−z + a E_κ[C(κ)/(1 + tr C(κ)S⁻¹)])⁻¹`` as its
    resolvent equivalent; Dandi et al., arXiv 2410.18938): ``V2(z) = tr (K − z)⁻¹`` is the
    Stieltjes transform of K's bulk (``"upper"`` branch, continued from ``Im z = ∞``).  The finite-
    rank mean part (μ0(κ) 1 and the κ direction) leaves the bulk unchanged and makes the outliers.
    """
    from ..measures import expect, joint
    from ..symbolic.symbols import m as M_SYM, z as Z_SYM

    if population is None:
        _, w = _gh(NODES)
        population = joint(np.ones((NODES, 2)), w, names=("mu1_sq", "mu2_sq"))
    V1, V2, Vh1, Vh2, mA = sp.symbols("V1 V2 Vh1 Vh2 mA")
    a, width, c = (sp.Symbol(n, positive=True) for n in ("a", "width", "c"))
    zs = sp.Symbol("z")
    lam_sym = sp.Symbol("ridge", positive=True)
    lam = -zs if spectral else lam_sym
    m1, m2 = sp.symbols("m1 m2", nonnegative=True)  # μ1(κ)², μ2(κ)² at a node
    D = 1 + m1 * V1 + m2 * V2
    c2 = c**2
    t = (lam + Vh2) / (Vh1 * c2)
    P = laws.marchenko_pastur(ratio=width, variance=1).polynomial.as_expr()
    mp_eq = sp.expand(P.subs({M_SYM: mA, Z_SYM: -(lam + Vh2) / (Vh1 * c2)}) * Vh1 * c2)
    dmA = (-sp.diff(P, Z_SYM) / sp.diff(P, M_SYM)).subs({M_SYM: mA, Z_SYM: -t})  # tr (A + t)^{-2}
    eqs = [Vh1 - a * expect(m1 / D, (m1, m2), population),
           Vh2 - a * expect(m2 / D, (m1, m2), population),
           mp_eq,
           V1 * Vh1 - 1 + t * mA,      # V1 = tr Ω S^{-1} = (1 − t mA)/V̂1
           V2 * Vh1 * c2 - mA]         # V2 = tr S^{-1} = mA/(c²V̂1)
    obs = {"t": t, "T0": mA / (Vh1 * c2), "T1": (1 - t * mA) / Vh1, "T00": dmA / (Vh1 * c2) ** 2,
           "T01": (mA - t * dmA) / (Vh1**2 * c2), "T11": (1 - 2 * t * mA + t**2 * dmA) / Vh1**2}
    unknowns = [V1, V2, Vh1, Vh2, mA]
    if spectral:
        e1, e2 = sp.symbols("e1 e2", positive=True)
        domains = {V1: "upper", V2: "upper"}
        initial = {V1: -c2 / zs, V2: -1 / zs, Vh1: a * e1, Vh2: a * e2, mA: c2 * a * e1 / (a * e2 - zs)}
        return System(eqs, unknowns, [zs, a, width, c, e1, e2], observables=obs,
                      domains=domains, initial=initial, name="one_step_spiked_rf_spectral")
    g0 = 1 / (lam + a + 1)
    return System(eqs, unknowns, [a, lam_sym, width, c], observables=obs,
                  domains={u: "positive" for u in unknowns},
                  initial={V1: g0, V2: g0, Vh1: a / 2, Vh2: a / 2, mA: 1 / (2 * lam / a + 2)},
                  name="one_step_spiked_rf")


@lru_cache(maxsize=2)
def _compiled(spectral: bool = False):
    """The compiled fixed point (one module for every population; see :func:`spiked_rf_system`)."""
    return spiked_rf_system(spectral=spectral).compile(spectral="z" if spectral else False, maxit=200)


def _solve_by_population(grid: dict, nv_u: dict, which: np.ndarray):
    """Solve the fixed point on ``grid`` (arrays of one shape), point ``i`` with the population of
    the node values ``nv_u[...][which[i]]`` (one solve per distinct population)."""
    from ..codegen.solved import SolveResult

    shape = which.shape
    flat = {k: np.broadcast_to(np.asarray(v), shape).ravel() for k, v in grid.items()}
    idx = which.ravel()
    cs = _compiled(False)
    parts = {}
    for u in np.unique(idx):
        sel = np.flatnonzero(idx == u)
        sub = {k: v[sel] for k, v in flat.items()}
        parts[int(u)] = (sel, _solve_with_continuation(cs.with_measures(node_population(nv_u, int(u))), sub))

    def gather(get):
        first = get(next(iter(parts.values()))[1])
        out = np.empty(idx.size, dtype=np.asarray(first).dtype)
        for sel, r in parts.values():
            out[sel] = np.asarray(get(r))
        return out.reshape(shape)

    any_res = next(iter(parts.values()))[1]
    unknowns = {k: gather(lambda r, k=k: r.unknowns[k]) for k in any_res.unknowns}
    observables = {k: gather(lambda r, k=k: r.observables[k]) for k in any_res.observables}
    return SolveResult(unknowns, observables, gather(lambda r: r.residual), gather(lambda r: r.converged),
                       gather(lambda r: r.iterations), dict(grid))


def _limit_direction_traces(c, V2, T: dict, k: int = 1) -> dict:
    """The quadratic forms of the spike and target directions at d → ∞ (module docstring):
    ``TF = c² tr S⁻¹``, ``TF0 = c² tr S⁻²``, ``TF1 = c² tr ΩS⁻²``, ``TH = tr ΩS⁻¹``,
    ``TH0 = tr ΩS⁻²``, ``TH1 = tr Ω²S⁻²`` and the cross forms ``TG = TG0 = TG1 = 0``
    (:func:`solve_one_step_conditional` has them from a draw).  For a k-index target (k > 1) the
    ``TH`` are k×k (the residual directions are orthonormal and independent of a Gaussian bulk:
    ``TH·I``) and the ``TG`` have k entries (trailing axes)."""
    c2 = np.asarray(c, float) ** 2
    V2 = np.asarray(V2, float)
    out = {"TF": c2 * V2, "TF0": c2 * T["T00"], "TF1": c2 * T["T01"], "TH": T["T1"], "TH0": T["T01"],
           "TH1": T["T11"], "TG": np.zeros_like(V2), "TG0": np.zeros_like(V2), "TG1": np.zeros_like(V2)}
    if k > 1:
        eye = np.eye(k)
        for q in ("TH", "TH0", "TH1"):
            out[q] = np.asarray(out[q], float)[..., None, None] * eye
        for q in ("TG", "TG0", "TG1"):
            out[q] = np.zeros(V2.shape + (k,))
    return out


def _hermite_direction_traces(c, gamma, tau, width, Vh1, Vh2, ridge) -> dict:
    """The direction traces at d → ∞ with the rank-one Hermite term in the bulk,
    ``B = W0A``, ``A = cI + τ′w*w*ᵀ`` (module docstring).  ``Ω = W0TW0ᵀ`` with ``T = AΠA``, a
    finite-rank change of ``c²I``: its normalized traces are Marchenko–Pastur's, but the forms of
    ``Bv̂ = W0Av̂`` and ``Bζ̂ = W0Aζ̂`` read ``T`` on the plane ``(v̂, ζ̂)``.  For a Gaussian ``W0``
    (entries of variance 1/d), ``W0ᵀ(t + W0TW0ᵀ)⁻¹W0 ≍ κ(t + κT)⁻¹`` with
    ``c²κ² + (t + c² − width·c²)κ = width·t`` (the bulk of T is c²), so with ``t = (λ + V̂2)/V̂1``
    and ``ψ_ab(t) = (κ/width) aᵀ(t + κT₂)⁻¹b`` on the plane (``T₂`` the 2×2 block):
    ``E_ω[X/S] = ψ/V̂1``, ``E_ω[X/S²] = −ψ′/V̂1²``, ``E_ω[ωX/S²] = (ψ + tψ′)/V̂1²`` for
    ``X = F (a = b = Av̂)``, ``H (Aζ̂)``, ``G (Av̂, Aζ̂)``.  At τ′ = 0 these are
    :func:`_limit_direction_traces` (tests)."""
    c, g, tau, w, Vh1, Vh2, lam = np.broadcast_arrays(*(np.asarray(x, float) for x in
                                                        (c, gamma, tau, width, Vh1, Vh2, ridge)))
    t = (lam + Vh2) / Vh1
    c2 = c * c
    bq = t + c2 - w * c2
    kap = (-bq + np.sqrt(bq * bq + 4 * c2 * w * t)) / (2 * c2)
    dkap = (w - kap) / (2 * c2 * kap + bq)
    rho = np.sqrt(np.maximum(1 - g * g, 0.0))
    ws = np.stack([g, rho], axis=-1)                                      # w* on the plane (v̂, ζ̂)
    A = c[..., None, None] * np.eye(2) + tau[..., None, None] * ws[..., :, None] * ws[..., None, :]
    T2 = A @ np.diag([0.0, 1.0]) @ A
    M = t[..., None, None] * np.eye(2) + kap[..., None, None] * T2
    Minv = np.linalg.inv(M)
    dM = np.eye(2) + dkap[..., None, None] * T2                           # d(t + κT₂)/dt
    dMinv = -Minv @ dM @ Minv
    av, az = A[..., :, 0], A[..., :, 1]                                   # Av̂, Aζ̂
    form = lambda Q, x, y: np.einsum("...a,...ab,...b->...", x, Q, y)  # noqa: E731
    out = {}
    for name, (x, y) in (("F", (av, av)), ("H", (az, az)), ("G", (av, az))):
        psi = kap / w * form(Minv, x, y)
        dpsi = dkap / w * form(Minv, x, y) + kap / w * form(dMinv, x, y)
        out["T" + name], out["T" + name + "0"], out["T" + name + "1"] = \
            psi / Vh1, -dpsi / Vh1**2, (psi + t * dpsi) / Vh1**2
    return out


def _linear_part(a, width, V1, V2, T, nv: dict, w: np.ndarray, kap: np.ndarray) -> dict:
    """Given the nonlinear solution, the overlaps that enter linearly (vectorized over the grid):
    ``θ, m`` (2×2), ``ψ``, then ``q1, q2`` (2×2) and the test error (module docstring).  ``T``
    holds the traces ``T00, T01, T11`` and the direction traces ``TF, TF0, TF1, TH, TH0, TH1``,
    ``TG, TG0, TG1`` (:func:`_limit_direction_traces` at d → ∞; from the drawn weights in
    :func:`solve_one_step_conditional`).  A k-index target has ``h1`` with a trailing axis of k
    residual directions, k×k ``TH`` and k-vector ``TG``: ``ψ̂_b = a E_κ[μ1h1_b/D]``,
    ``ψ = width·(TH ψ̂ + θ̂ TG)``, ``Q ⊃ width·(θ̂²F + 2θ̂ ψ̂·G + ψ̂ᵀHψ̂)``; returned ``psi`` then
    has the trailing axis."""
    ex = lambda v: np.asarray(v, float)[..., None]  # noqa: E731
    mu0, mu1, mu2, h, h1, hh = (nv[k] for k in ("mu0", "mu1", "mu2", "h", "h1", "hh"))
    single = np.ndim(h1) == np.ndim(mu1)
    if single:  # one residual direction: the same formulas with k = 1
        h1 = h1[..., None]
        T = {**T, **{q: ex(T[q])[..., None] for q in ("TH", "TH0", "TH1")},
             **{q: ex(T[q]) for q in ("TG", "TG0", "TG1")}}
    a_, wd = ex(a), ex(width)
    D = 1 + mu1**2 * ex(V1) + mu2**2 * ex(V2)
    u = w / D
    S = lambda f: np.sum(u * f, axis=-1)  # noqa: E731
    g = (wd * ex(T["TF"]) * a_)[..., 0]
    psh = a_ * np.sum((u * mu1)[..., None] * h1, axis=-2)                       # ψ̂_b
    dot = lambda x, y: np.sum(x * y, axis=-1)  # noqa: E731
    quad = lambda M, x: np.einsum("...b,...bc,...c->...", x, M, x)  # noqa: E731
    pin = np.where(np.max(np.abs(mu0), axis=-1) < 1e-14, 1.0, 0.0)
    A11, A12 = 1 + g * S(kap**2 * mu1**2), g * S(kap * mu1 * mu0)
    b1 = g * S(kap * mu1 * h) + width * dot(T["TG"], psh)
    A21, A22, b2 = S(mu0 * mu1 * kap), S(mu0**2) + pin, S(mu0 * h)
    det = A11 * A22 - A12 * A21
    theta = (b1 * A22 - A12 * b2) / det
    mbar = (A11 * b2 - A21 * b1) / det
    C = mu0 * mbar[..., None] + mu1 * kap * theta[..., None]
    thh = a * S(kap * mu1 * (h - C))
    psi = ex(width) * (np.einsum("...bc,...c->...b", T["TH"], psh) + ex(thh) * T["TG"])
    e0 = hh + C**2 - 2 * C * h - 2 * mu1 * np.sum(psi[..., None, :] * h1, axis=-1)
    u2 = w / D**2
    S2 = lambda f: np.sum(u2 * f, axis=-1)  # noqa: E731
    # q̂1 = a(e1 + q1 s11 + q2 s12),  q̂2 = a(e2 + q1 s12 + q2 s22)
    e1, e2 = S2(mu1**2 * e0), S2(mu2**2 * e0)
    s11, s12, s22 = S2(mu1**4), S2(mu1**2 * mu2**2), S2(mu2**4)
    T00, T01, T11 = T["T00"], T["T01"], T["T11"]
    r1 = a * e1 * T11 + a * e2 * T01 + width * (thh**2 * T["TF1"] + 2 * thh * dot(psh, T["TG1"]) + quad(T["TH1"], psh))
    r2 = a * e1 * T01 + a * e2 * T00 + width * (thh**2 * T["TF0"] + 2 * thh * dot(psh, T["TG0"]) + quad(T["TH0"], psh))
    # q1 = r1 + a[(q1 s11 + q2 s12) T11 + (q1 s12 + q2 s22) T01], q2 likewise with (T01, T00)
    M11 = 1 - a * (s11 * T11 + s12 * T01)
    M12 = -a * (s12 * T11 + s22 * T01)
    M21 = -a * (s11 * T01 + s12 * T00)
    M22 = 1 - a * (s12 * T01 + s22 * T00)
    detq = M11 * M22 - M12 * M21
    q1 = (r1 * M22 - M12 * r2) / detq
    q2 = (M11 * r2 - M21 * r1) / detq
    test = np.sum(w * (e0 + mu1**2 * q1[..., None] + mu2**2 * q2[..., None]), axis=-1)
    return {"theta": theta, "mbar": mbar, "psi": psi[..., 0] if single else psi, "q1": q1, "q2": q2,
            "test_error": test}


def solve_one_step(alpha: Any, alpha0: Any, eta: Any, ridge: Any, width: Any = 1.0,
                   activation: Any = "tanh", target: Any = "tanh", nodes: int = NODES,
                   strict: bool = False, steps: int = 1, hermite: bool = False):
    """Test error of the ridge readout after one (or ``steps``) large gradient steps (sRF equivalent).

    Parameters
    ----------
    alpha : > 0, n/d (readout samples);  alpha0 : > 0, n0/d (samples in the step)
    eta : >= 0, η̃ (η̃ = 0: random features);  ridge : > 0, λ in ``‖y − Fw/√p‖² + λ‖w‖²``
    width : > 0, p/d
    activation, target : σ and σ* (names or SymPy expressions); ``target`` may read several
        directions (``"staircase2"``, ``"staircase3"``, or a SymPy expression in 2–3 indices:
        module docstring, :mod:`symrmt.symbolic.targets`)
    nodes : Gauss–Hermite nodes of the κ integral (data: every count shares one compiled solver)
    strict : raise :class:`~symrmt.errors.ConvergenceError` if a point does not converge
    steps : int >= 1, large steps before the readout, each on a fresh batch of ``n0`` samples: the
        spike ``(r, c, γ)`` of :func:`spike_values` with ``steps`` (:func:`next_spike`), the same
        fixed point
    hermite : bool
        Include the rank-one Hermite term ``τ′(W0w*)w*ᵀ`` of the bulk (one step, single-index
        targets; module docstring): its d → ∞ form (:func:`_hermite_direction_traces`), the limit
        of ``solve_one_step_conditional(..., hermite=True)``

    Returns
    -------
    SolveResult
        Unknowns ``V1, V2, Vh1, Vh2, mA``; observables ``test_error``, ``r``, ``c``, ``gamma``,
        ``theta``, ``mbar``, ``psi``, ``q1``, ``q2``, the traces, ``outlier``
        (``λ_max(FᵀF/n)/p`` at leading order) and ``bulk_edge``; arrays of the broadcast shape;
        ``converged`` per point (NaN where False).

    Notes
    -----
    With ``eta = 0`` (r = 0, c = 1) the κ direction carries no spike, and the alignment used for
    the target's split is set to 0 (the result does not depend on it; this makes the reduction to
    Mei–Montanari exact rather than up to the κ quadrature's error).
    """
    if not (isinstance(nodes, int) and not isinstance(nodes, bool) and 8 <= nodes <= 200):
        raise ParameterError(f"nodes: expected an integer in [8, 200], got {nodes!r}")
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "alpha0": checked("alpha0", alpha0, "positive"),
                      "eta": checked("eta", eta, "nonnegative"), "ridge": checked("ridge", ridge, "positive"),
                      "width": checked("width", width, "positive")})
    if not isinstance(hermite, bool):
        raise ParameterError(f"hermite: must be True or False, got {hermite!r}")
    r, c, g = spike_values(vals["eta"], vals["alpha0"], activation, target, steps)
    k = _indices(_key(target))
    if hermite and (steps != 1 or k > 1):
        raise ParameterError("hermite: the rank-one Hermite term is written for one step and a single-index target")
    shape = r.shape
    if k > 1:  # the spike after the steps depends on (eta, alpha0) only; the grid may add axes
        g = np.broadcast_to(g, shape + (k,))
    g_eff = np.where((r > 0)[..., None] if k > 1 else r > 0, g, 0.0)
    trip = np.concatenate([r.reshape(-1, 1), c.reshape(-1, 1), g_eff.reshape(r.size, -1)], 1)
    uniq, inv = np.unique(trip, axis=0, return_inverse=True)
    inv = inv.ravel()
    nv_u = node_values(uniq[:, 0], uniq[:, 1], uniq[:, 2:] if k > 1 else uniq[:, 2], activation, target, nodes)
    nv = {q: nv_u[q][inv].reshape(shape + nv_u[q].shape[1:]) for q in ("mu0", "mu1", "mu2", "h", "h1", "hh")}
    a = vals["alpha"] / vals["width"]
    grid = {k: np.broadcast_to(np.asarray(v, dtype=float), shape)
            for k, v in {"a": a, "ridge": vals["ridge"], "width": vals["width"], "c": c}.items()}
    res = _solve_by_population(grid, nv_u, inv.reshape(shape))
    kap, wts = _gh(nodes)
    T = {k: np.asarray(res.observables[k], float) for k in ("T00", "T01", "T1", "T11")}
    T.update(_limit_direction_traces(c, res["V2"], T, k))
    if hermite:
        tau = spike_parameters(activation, target).hermite_scale(vals["eta"], vals["alpha0"])
        T.update(_hermite_direction_traces(c, g_eff, tau, vals["width"], res["Vh1"], res["Vh2"], vals["ridge"]))
        res.observables["hermite"] = np.broadcast_to(tau, shape).copy()
    lin = _linear_part(a, vals["width"], np.asarray(res["V1"], float), np.asarray(res["V2"], float),
                       T, nv, wts, kap)
    m1, m2 = (nv["mu1"] ** 2) @ wts, (nv["mu2"] ** 2) @ wts
    res.observables.update(lin)
    res.observables.update({
        "r": r, "c": c, "gamma": g, "outlier": (nv["mu0"] ** 2) @ wts,
        "bulk_edge": m1 * c**2 * (1 + np.sqrt(vals["width"])) ** 2 + m2})
    res.parameters.update(vals)
    if strict and not np.all(res.converged):
        from ..errors import ConvergenceError

        raise ConvergenceError(f"one-step-spiked-rf: {int((~np.asarray(res.converged)).sum())} point(s) "
                               "did not converge")
    return res


# ---------------------------------------------------------------------- finite d, given the draw
def conditional_spectrum(W0: Any, direction: Any, target_direction: Any, c: Any, spiked: bool = True,
                         hermite: float = 0.0) -> Any:
    """The drawn weights diagonalized: the joint measure of ``(ω_i, F_i, H_i)``, i = 1..p, for
    :func:`solve_one_step_conditional` (Cui et al., arXiv 2402.04980, finite-d theory).

    With ``v̂`` the unit spike direction, ``w*`` the unit target direction, ``γ = w*·v̂``,
    ``ζ̂ = (w* − γv̂)/‖w* − γv̂‖``, ``Π = I − v̂v̂ᵀ`` and ``W = cW0``: ``ω_i, u_i`` are the eigenpairs
    of ``Ω = WΠWᵀ`` (p×p), ``F_i = d (u_i·Wv̂)²``, ``H_i = d (u_i·Wζ̂)²`` and the cross form
    ``G_i = d (u_i·Wv̂)(u_i·Wζ̂)``; each atom has weight 1/p.  At d → ∞ ``F_i`` averages to ``c²``,
    ``H_i`` to ``ω_i`` and ``G_i`` to 0 against smooth functions of ``ω`` when ``W0v̂`` and ``W0ζ̂``
    are independent (a Gaussian ``W0``), which gives the closed forms of :func:`solve_one_step`;
    a bulk that reads the spike and the target together (the Hermite term, a trained layer) has
    ``G ≠ 0``.

    Parameters
    ----------
    W0 : array of shape ``(p, d)``, the drawn first-layer weights (unit rows)
    direction : array of shape ``(d,)``, the spike direction (normalized here)
    target_direction : array of shape ``(d,)``, ``w*`` (normalized here)
    c : float > 0, the bulk scale
    spiked : bool
        False when the step makes no spike (η̃ = 0): then ``ζ̂ = w*`` and ``v̂`` is taken
        orthogonal to it (γ = 0), as in :func:`solve_one_step`.
    hermite : float
        ``τ′`` of the rank-one Hermite correction: ``W = cW0 + τ′(W0w*)w*ᵀ`` (module docstring;
        ``SpikeParameters.hermite_scale``); 0 (default): ``W = cW0``.

    Returns
    -------
    tuple
        ``(measure, gamma)``: a :func:`symrmt.measures.joint` measure with coordinates
        ``("omega", "F", "H", "G")`` and the drawn alignment ``γ`` (0 when ``spiked`` is False).
    """
    from ..measures import joint

    W0 = np.asarray(W0, dtype=float)
    if W0.ndim != 2 or min(W0.shape) < 2 or not np.all(np.isfinite(W0)):
        raise ParameterError("W0: expected a finite 2-d array of shape (p, d) with p, d >= 2")
    p, d = W0.shape
    vecs = []
    for name, x in (("direction", direction), ("target_direction", target_direction)):
        x = np.asarray(x, dtype=float).ravel()
        if x.shape != (d,) or not np.all(np.isfinite(x)) or not np.linalg.norm(x) > 0:
            raise ParameterError(f"{name}: expected a finite nonzero vector of length d = {d}")
        vecs.append(x / np.linalg.norm(x))
    v, ws = vecs
    c = float(checked("c", c, "positive"))
    gamma = float(ws @ v) if spiked else 0.0
    if not spiked:
        v = v - (v @ ws) * ws
        if not np.linalg.norm(v) > 1e-12:
            raise ParameterError("direction: must not be parallel to target_direction")
        v /= np.linalg.norm(v)
    if not (isinstance(hermite, (int, float)) and not isinstance(hermite, bool) and math.isfinite(hermite)):
        raise ParameterError(f"hermite: expected a finite number, got {hermite!r}")
    W = c * W0 + float(hermite) * np.outer(W0 @ ws, ws) if hermite else c * W0
    # without a spike γ = 0 by construction and ζ̂ = w*
    om, F, H, G, _ = _layer_atoms(W, v, ws[None, :], gamma=None if spiked else np.zeros(1))
    pts = np.stack([om, F, H[:, 0, 0], G[:, 0]], axis=1)
    return joint(pts, np.full(p, 1.0 / p), names=("omega", "F", "H", "G")), gamma


def _layer_atoms(W: np.ndarray, v: np.ndarray, ws: np.ndarray, gamma: np.ndarray | None = None):
    """The atoms of a bulk ``W`` (p×d) read with the unit spike direction ``v`` and the orthonormal
    target directions ``ws`` (k×d): ``ω_i, u_i`` the eigenpairs of ``Ω = WΠWᵀ`` (``Π = I − v̂v̂ᵀ``),
    ``F_i = d(u_i·Wv̂)²``, ``H_i = d(u_i·Wζ_b)(u_i·Wζ_c)`` (k×k) and ``G_i = d(u_i·Wv̂)(u_i·Wζ_b)``
    (k) with ``ζ_b`` the orthonormalized residuals of the ``w_a`` (``w_a − γ_a v̂ = Σ_b L_ab ζ_b``,
    :func:`_residual_frame`); returns ``(ω, F, H, G, γ)``, ``γ_a = w_a·v̂`` (or the given one)."""
    p, d = W.shape
    g = ws @ v if gamma is None else np.asarray(gamma, float)
    L = _residual_frame(g)
    R = ws - g[:, None] * v[None, :]
    zeta = np.linalg.pinv(L, rcond=1e-10) @ R                # rows ζ_b (0 where L is singular)
    Wv, Wz = W @ v, W @ zeta.T
    om, U = np.linalg.eigh(W @ W.T - np.outer(Wv, Wv))
    a, b = U.T @ Wv, U.T @ Wz
    return (np.maximum(om, 0.0), d * a**2, d * b[:, :, None] * b[:, None, :], d * a[:, None] * b, g)


def draw_one_step_weights(d: int, width: float, gamma: float,
                          seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One draw of the spiked model's weights and directions (numpy), for the finite-d theory
    (:func:`solve_one_step_conditional`; Cui et al., arXiv 2402.04980).

    Parameters
    ----------
    d : int >= 2, the input dimension
    width : float > 0, ``p/d`` (``p = round(width·d)``)
    gamma : float in [-1, 1], the alignment ``γ`` of the spike with the target direction
    seed : int >= 0, the seed of the numpy generator

    Returns
    -------
    tuple
        ``(W0, w_star, v)``: ``W0`` of shape ``(p, d)`` with Gaussian rows normalized to unit
        norm, ``w_star`` uniform on the unit sphere, and the unit spike direction
        ``v = γ w_star + √(1−γ²) ζ`` with ``ζ`` a uniform unit vector orthogonal to ``w_star``.
    """
    d = integer("d", d, low=2)
    seed = integer("seed", seed, low=0)
    width = float(checked("width", width, "positive"))
    if not (isinstance(gamma, (int, float)) and -1.0 <= gamma <= 1.0):
        raise ParameterError(f"gamma: expected a number in [-1, 1], got {gamma!r}")
    rng = np.random.default_rng(seed)
    p = max(2, round(width * d))
    W0 = rng.standard_normal((p, d))
    W0 /= np.linalg.norm(W0, axis=1, keepdims=True)
    ws = rng.standard_normal(d)
    ws /= np.linalg.norm(ws)
    zeta = rng.standard_normal(d)
    zeta -= (zeta @ ws) * ws
    zeta /= np.linalg.norm(zeta)
    return W0, ws, gamma * ws + math.sqrt(max(1.0 - gamma * gamma, 0.0)) * zeta


def spiked_rf_conditional_system(population: Any = None, spectrum: Any = None) -> System:
    """The nonlinear part of the fixed point for one drawn ``W0`` (finite d): traces over the
    eigenvalues of the drawn ``Ω`` instead of Marchenko–Pastur's law.

    Unknowns ``V1, V2, Vh1, Vh2``; parameters ``a`` (= α/width) and ``ridge``; two measures: the
    κ population of :func:`node_population` (coordinates ``μ1², μ2²``) and the spectrum of
    :func:`conditional_spectrum` (coordinates ``ω, F, H``), both read as data by one generated
    module.  With ``S(ω) = λ + V̂1ω + V̂2`` and ``E_ω`` the average over the p atoms:

        V̂1 = a E_κ[μ1²/D],  V̂2 = a E_κ[μ2²/D],  V1 = E_ω[ω/S],  V2 = E_ω[1/S];

    observables ``T00, T01, T11 = E_ω[ω^k/S²]``, ``T1 = V1`` and the direction traces
    ``TF = E_ω[F/S]``, ``TF0 = E_ω[F/S²]``, ``TF1 = E_ω[ωF/S²]``, ``TH, TH0, TH1`` likewise with
    ``H`` (the quadratic forms of ``Wv̂`` and ``Wζ̂``).
    """
    from ..measures import expect, joint

    if population is None:
        _, w = _gh(NODES)
        population = joint(np.ones((NODES, 2)), w, names=("mu1_sq", "mu2_sq"))
    if spectrum is None:
        spectrum = joint(np.ones((4, 4)), np.full(4, 0.25), names=("omega", "F", "H", "G"))
    V1, V2, Vh1, Vh2 = sp.symbols("V1 V2 Vh1 Vh2")
    a = sp.Symbol("a", positive=True)
    lam = sp.Symbol("ridge", positive=True)
    m1, m2 = sp.symbols("m1 m2", nonnegative=True)
    om, F, H = sp.symbols("omega F H", nonnegative=True)
    G = sp.Symbol("G", real=True)
    D = 1 + m1 * V1 + m2 * V2
    S = lam + Vh1 * om + Vh2
    Ew = lambda e: expect(e, (om, F, H, G), spectrum)  # noqa: E731
    eqs = [Vh1 - a * expect(m1 / D, (m1, m2), population),
           Vh2 - a * expect(m2 / D, (m1, m2), population),
           V1 - Ew(om / S),
           V2 - Ew(1 / S)]
    obs = {"T1": Ew(om / S), "T00": Ew(1 / S**2), "T01": Ew(om / S**2), "T11": Ew(om**2 / S**2),
           "TF": Ew(F / S), "TF0": Ew(F / S**2), "TF1": Ew(om * F / S**2),
           "TH": Ew(H / S), "TH0": Ew(H / S**2), "TH1": Ew(om * H / S**2),
           "TG": Ew(G / S), "TG0": Ew(G / S**2), "TG1": Ew(om * G / S**2)}
    unknowns = [V1, V2, Vh1, Vh2]
    g0 = 1 / (lam + a + 1)
    return System(eqs, unknowns, [a, lam], observables=obs, domains={u: "positive" for u in unknowns},
                  initial={V1: g0, V2: g0, Vh1: a / 2, Vh2: a / 2}, name="one_step_spiked_rf_conditional")


@lru_cache(maxsize=1)
def _compiled_conditional():
    return spiked_rf_conditional_system().compile(maxit=200)


def solve_one_step_conditional(alpha: Any, ridge: Any, W0: Any, direction: Any, target_direction: Any,
                               eta: Any, alpha0: Any, activation: Any = "tanh", target: Any = "tanh",
                               nodes: int = NODES, strict: bool = False, hermite: bool = False,
                               steps: int = 1):
    """Test error after one large gradient step at finite d, conditional on the drawn ``W0``
    (Cui et al., arXiv 2402.04980: the finite-d form of their theory, which diagonalizes the
    drawn weights).

    The same fixed point as :func:`solve_one_step` with the Marchenko–Pastur traces replaced by
    averages over the eigenvalues of the drawn ``Ω = c²W0ΠW0ᵀ`` and the quadratic forms of the
    spike and target directions by their drawn values (:func:`conditional_spectrum`,
    :func:`spiked_rf_conditional_system`).  ``r`` and ``c`` are the theory's
    (:func:`spike_values`); the alignment ``γ`` is the draw's ``w*·v̂``.

    Parameters
    ----------
    alpha : > 0, n/d;  ridge : > 0, λ — broadcast (a learning curve)
    W0 : array of shape ``(p, d)``; ``width = p/d``
    direction : array of shape ``(d,)``, the spike direction v (e.g. ``γw* + √(1−γ²)ζ`` of a
        spiked-model trial, or the mean row update of a trained network)
    target_direction : array of shape ``(d,)``, ``w*``
    eta, alpha0 : scalars, η̃ >= 0 and α0 > 0 (they fix r and c)
    activation, target, nodes, strict : as in :func:`solve_one_step`
    hermite : bool
        Include the rank-one Hermite correction ``τ′(W0w*)w*ᵀ`` of the bulk (module docstring;
        nonzero only when ``E σ″ ≠ 0`` and σ* is not odd, e.g. relu/relu; one step only).
    steps : int >= 1, large steps (r and c of :func:`spike_values` with ``steps``)

    Returns
    -------
    SolveResult
        Observables ``test_error``, ``r``, ``c``, ``gamma`` (the draw's), ``hermite`` (τ′ used), the overlaps and traces,
        arrays of the broadcast shape of ``alpha`` and ``ridge``; ``converged`` per point.
        As ``d → ∞`` it tends to :func:`solve_one_step` (tests).
    """
    if not (isinstance(nodes, int) and not isinstance(nodes, bool) and 8 <= nodes <= 200):
        raise ParameterError(f"nodes: expected an integer in [8, 200], got {nodes!r}")
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "ridge": checked("ridge", ridge, "positive")})
    for k, v in (("eta", eta), ("alpha0", alpha0)):
        if np.ndim(v):
            raise ParameterError(f"{k}: solve_one_step_conditional takes a scalar, got an array")
    if not isinstance(hermite, bool):
        raise ParameterError(f"hermite: must be True or False, got {hermite!r}")
    steps = integer("steps", steps, low=1)
    if _indices(_key(target)) > 1:
        raise ParameterError("target: the finite-d form conditional on W0 is written for single-index targets; "
                             "for a multi-index target use solve_one_step or solve_one_step_given_layer")
    if hermite and steps > 1:
        raise ParameterError("hermite: the rank-one Hermite correction is written for one step; use steps=1")
    r, c, _ = (float(v) for v in spike_values(eta, alpha0, activation, target, steps))
    tau = float(spike_parameters(activation, target).hermite_scale(eta, alpha0)) if hermite else 0.0
    W0 = np.asarray(W0, dtype=float)
    spectrum, gamma = conditional_spectrum(W0, direction, target_direction, c, spiked=r > 0, hermite=tau)
    return _given_spectrum(vals, spectrum, gamma, r, c, W0.shape, activation, target, nodes, strict,
                           {"hermite": tau}, "finite d")


def _given_spectrum(vals: dict, spectrum: Any, gamma: Any, r: float, c: float, shape_pd: tuple,
                    activation: Any, target: Any, nodes: int, strict: bool, extra: dict, what: str,
                    atoms: tuple | None = None):
    """The fixed point given the atoms of a drawn first layer (:func:`conditional_spectrum`):
    the generated nonlinear part, then the linear overlaps and the test error.  ``atoms``
    ``(ω, H, G)`` (p; p×k×k; p×k) for a k-index target: its direction traces, over all k residual
    directions, from the solved ``S(ω)``."""
    p, d = shape_pd
    width = p / d
    nv = node_values(np.array(r), np.array(c), np.asarray(gamma, float), activation, target, nodes)
    shape = vals["alpha"].shape
    a = vals["alpha"] / width
    cs = _compiled_conditional().with_measures(node_population(nv), spectrum)
    res = _solve_with_continuation(cs, {"a": a, "ridge": vals["ridge"]})
    T = {k: np.asarray(res.observables[k], float) for k in ("T00", "T01", "T11", "TF", "TF0", "TF1", "TH",
                                                               "TH0", "TH1", "TG", "TG0", "TG1")}
    if atoms is not None:
        T.update(_direction_traces(res, vals["ridge"], *atoms))
    nvb = {k: np.broadcast_to(nv[k], shape + nv[k].shape) for k in ("mu0", "mu1", "mu2", "h", "h1", "hh")}
    kap, wts = _gh(nodes)
    lin = _linear_part(a, np.full(shape, width), np.asarray(res["V1"], float), np.asarray(res["V2"], float),
                       T, nvb, wts, kap)
    res.observables.update(lin)
    res.observables.update({"r": np.full(shape, r), "c": np.full(shape, c), "gamma": np.broadcast_to(np.asarray(gamma, float), shape + np.shape(gamma)).copy(),
                            **{k: np.full(shape, v) for k, v in extra.items()}})
    res.parameters.update(vals)
    if strict and not np.all(res.converged):
        from ..errors import ConvergenceError

        raise ConvergenceError(f"one-step-spiked-rf ({what}): {int((~np.asarray(res.converged)).sum())} "
                               "point(s) did not converge")
    return res


def _direction_traces(res, ridge: Any, om: np.ndarray, H: np.ndarray, G: np.ndarray) -> dict:
    """``TH = E_ω[H/S]``, ``TH0 = E_ω[H/S²]``, ``TH1 = E_ω[ωH/S²]`` (k×k) and the ``TG`` (k) over
    the atoms, ``S = λ + V̂1ω + V̂2`` at the solved point (trailing axes after the grid's)."""
    Vh1, Vh2 = (np.asarray(res[q], float)[..., None] for q in ("Vh1", "Vh2"))
    S = np.asarray(ridge, float)[..., None] + Vh1 * om + Vh2
    w1, w2 = 1 / (S * om.size), 1 / (S**2 * om.size)
    out = {}
    for name, X in (("TH", H), ("TG", G)):
        sub = "...i,i" + "bc"[: X.ndim - 1] + "->..." + "bc"[: X.ndim - 1]
        out[name], out[name + "0"], out[name + "1"] = (np.einsum(sub, wt, X) for wt in (w1, w2, w2 * om))
    return out


def solve_one_step_given_layer(alpha: Any, ridge: Any, W0: Any, W1: Any, target_direction: Any,
                               activation: Any = "tanh", target: Any = "tanh", nodes: int = NODES,
                               strict: bool = False):
    """Test error of the ridge readout on a given first layer ``W1`` (the trained network's, or any
    spiked layer): the fixed point of :func:`solve_one_step_conditional` with every trace read from
    ``W1`` itself instead of from the spiked model ``cW0 + (r/√d)1vᵀ``.

    The spike is the mean row update ``m̄ = mean_i (W1 − W0)_i`` (``r = ‖m̄‖``, direction ``m̄``),
    the bulk is ``B = W1 − 1m̄ᵀ`` with ``c`` the root-mean-square norm of its rows, and the atoms
    ``(ω, F, H, G)`` are those of ``B`` (:func:`conditional_spectrum`).  What a trained layer has
    and the spiked model lacks is all in these atoms: a bulk spectrum wider than
    ``c²``·Marchenko–Pastur (the step's noise is a product of the batch with itself, not i.i.d.)
    and the cross forms ``G = d(u·Bv̂)(u·Bζ̂)`` — the bulk reads the spike direction and the
    target together, because ``v̂`` is the batch's own mean gradient (module docstring).  The
    readout's conditional Gaussian equivalence on the trained layer holds (measured, module
    docstring).  One layer's theory varies from draw to draw by an SD of about 0.003 that shrinks
    slowly with d; the mean over several drawn layers (:func:`symrmt.simulate.train_first_layer`;
    the derivation's ``layers``) is the finite-α0 theory of the network.

    Parameters
    ----------
    alpha, ridge : broadcast, > 0 (n/d and λ)
    W0, W1 : arrays of shape ``(p, d)``, the first layer before and after the step
    target_direction : array of shape ``(d,)``, ``w*``; for a k-index target, k orthonormal rows
        (k×d, as :func:`symrmt.simulate.train_first_layer` returns them): the atoms then carry the
        k×k forms ``H`` and the k cross forms ``G`` of the residual directions
    activation, target, nodes, strict : as in :func:`solve_one_step`

    Returns
    -------
    SolveResult
        As :func:`solve_one_step_conditional`; ``r``, ``c``, ``gamma`` are the layer's.
    """
    if not (isinstance(nodes, int) and not isinstance(nodes, bool) and 8 <= nodes <= 200):
        raise ParameterError(f"nodes: expected an integer in [8, 200], got {nodes!r}")
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "ridge": checked("ridge", ridge, "positive")})
    mats = []
    for name, M in (("W0", W0), ("W1", W1)):
        M = np.asarray(M, dtype=float)
        if M.ndim != 2 or min(M.shape) < 2 or not np.all(np.isfinite(M)):
            raise ParameterError(f"{name}: expected a finite 2-d array of shape (p, d) with p, d >= 2")
        mats.append(M)
    W0, W1 = mats
    if W0.shape != W1.shape:
        raise ParameterError(f"W1: shape {W1.shape} differs from W0's {W0.shape}")
    mbar = (W1 - W0).mean(axis=0)
    r = float(np.linalg.norm(mbar))
    if not r > 0:
        raise ParameterError("W1: the step moved no row on average (no spike); for η̃ = 0 use solve_one_step")
    B = W1 - mbar[None, :]
    c = float(np.sqrt(np.mean(np.sum(B**2, axis=1))))
    k = _indices(_key(target))
    if k == 1:
        spectrum, gamma = conditional_spectrum(B / c, mbar, target_direction, c)
        return _given_spectrum(vals, spectrum, gamma, r, c, W0.shape, activation, target, nodes, strict, {},
                               "given layer")
    from ..measures import joint

    ws = np.asarray(target_direction, dtype=float)
    if ws.shape != (k, W0.shape[1]) or not np.all(np.isfinite(ws)) or \
            not np.allclose(ws @ ws.T, np.eye(k), atol=1e-8):
        raise ParameterError(f"target_direction: a {k}-index target needs {k} orthonormal rows of length "
                             f"d = {W0.shape[1]}, got an array of shape {ws.shape}")
    om, F, H, G, gamma = _layer_atoms(B, mbar / r, ws)
    spectrum = joint(np.stack([om, F, H[:, 0, 0], G[:, 0]], axis=1), np.full(om.size, 1.0 / om.size),
                     names=("omega", "F", "H", "G"))
    return _given_spectrum(vals, spectrum, gamma, r, c, W0.shape, activation, target, nodes, strict, {},
                           "given layer", atoms=(om, H, G))


def _solve_with_continuation(cs, grid: dict):
    """Solve on the grid; points that fail from the default start are re-solved by continuation
    in the ridge from ``λ = 10`` (or their own λ if larger) down to theirs, warm-started."""
    res = cs.solve(strict=False, **grid)
    bad = ~np.asarray(res.converged)
    if not bad.any():
        return res
    shape = np.shape(res.converged)
    flat = {k: np.broadcast_to(np.asarray(v), shape).ravel() for k, v in grid.items()}
    for i in np.flatnonzero(bad.ravel()):
        lam = float(flat["ridge"][i])
        path = np.geomspace(max(10.0, lam), lam, 40)
        sub = {k: np.full(path.shape, v[i]) for k, v in flat.items()}
        sub["ridge"] = path
        fix = cs.solve(strict=False, **sub)
        if not bool(np.asarray(fix.converged)[-1]):
            continue
        for table, src in ((res.unknowns, fix.unknowns), (res.observables, fix.observables)):
            for k in table:
                arr = np.array(table[k], dtype=np.result_type(table[k], src[k]))
                arr.reshape(-1)[i] = np.asarray(src[k])[-1]
                table[k] = arr
        for name in ("residual", "iterations", "converged"):
            arr = np.array(getattr(res, name))
            arr.reshape(-1)[i] = np.asarray(getattr(fix, name))[-1]
            setattr(res, name, arr)
    return res


def spiked_feature_spectrum(eta: Any, alpha0: Any, width: Any = 1.0, activation: Any = "tanh",
                            target: Any = "tanh", nodes: int = NODES) -> dict:
    """Leading-order spectrum facts of the learned features (Dandi et al., arXiv 2410.18938).

    Returns ``{"outlier": E_κ μ0(κ)², "bulk_edge": E[μ1²]c²(1+√width)² + E[μ2²],
    "bulk_mean": E[μ1²]c² + E[μ2²]}``: ``λ_max(FᵀF/n) ≈ p·outlier`` (relative error O(1/p));
    the population feature covariance's bulk is ``E[μ1²]Ω + E[μ2²]I``, Ω = c²W0W0ᵀ.
    """
    r, c, g = spike_values(eta, alpha0, activation, target)
    wd = checked("width", width, "positive")
    nv = node_values(r, c, g, activation, target, nodes)
    w = nv["weight"]
    m1, m2 = (nv["mu1"] ** 2) @ w, (nv["mu2"] ** 2) @ w
    return {"outlier": (nv["mu0"] ** 2) @ w, "bulk_edge": m1 * c**2 * (1 + np.sqrt(wd)) ** 2 + m2,
            "bulk_mean": m1 * c**2 + m2, "r": r, "c": c, "gamma": g}


def spiked_feature_density(x: Any, alpha: Any, eta: Any, alpha0: Any, width: Any = 1.0, activation: Any = "tanh",
                           target: Any = "tanh", eps: float = 1e-4, nodes: int = NODES) -> dict:
    """Density of the bulk of ``FᵀF/n`` (p×p, F = σ(XW1ᵀ) on n = α d fresh samples) after one
    large gradient step, from the deterministic equivalent of the resolvent (Dandi et al.,
    arXiv 2410.18938; :func:`spiked_rf_system` with ``spectral=True``).

    Parameters
    ----------
    x : array (> 0) of the points where the density is evaluated (a grid: warm starts follow it)
    alpha, eta, alpha0, width, activation, target : as in :func:`solve_one_step` (scalars)
    eps : the distance ``Im z`` from the real axis at which ``Im m/π`` is read (relative to
        the scale of x: ``z = x + i·eps·max(1, |x|)``)

    Returns
    -------
    dict
        ``density`` (array like x; the bulk's: the atom's ``Im(−atom0/z)/π`` is taken out),
        ``stieltjes`` (``m(z) = tr (FᵀF/n − z)⁻¹`` at those z, atom included), ``atom0`` (the
        mass ``max(0, 1 − n/p)`` at 0: FᵀF/n has rank ≤ n), ``converged``,
        and ``outlier`` (``λ_max/p → E_κ μ0(κ)²``; the bulk excludes it and the κ direction,
        which are of finite rank).

    Notes
    -----
    With ``K = FᵀF/p = a·FᵀF/n`` (``a = α/width``): ``m_{FᵀF/n}(z) = a·tr (K − a z)⁻¹ = a·V2(a z)``.
    With η̃ = 0 the bulk is the sample covariance of the population ``μ1²Ω + μ*²I``
    (Ω ~ Marchenko–Pastur(width)) with ratio ``p/n`` — the law the free-probability layer
    computes by ``sample_covariance(mobius(MP(width), μ1², μ*²), width/alpha)`` (tests).
    """
    xs = np.asarray(x, dtype=float)
    if xs.ndim > 1:
        raise ParameterError("x: expected a scalar or a one-dimensional grid")
    if not np.all(np.isfinite(xs)) or np.any(xs <= 0):
        raise ParameterError("x: the bulk density is evaluated at finite points > 0")
    if not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise ParameterError(f"eps: expected a number in (0, 1), got {eps!r}")
    vals = {"alpha": checked("alpha", alpha, "positive"), "alpha0": checked("alpha0", alpha0, "positive"),
            "eta": checked("eta", eta, "nonnegative"), "width": checked("width", width, "positive")}
    for k, v in vals.items():
        if np.ndim(v):
            raise ParameterError(f"{k}: spiked_feature_density takes a scalar, got an array")
    r, c, g = spike_values(vals["eta"], vals["alpha0"], activation, target)
    r, c = float(r), float(c)
    nv = node_values(np.array(r), np.array(c), np.asarray(g, float) * (r > 0), activation, target, nodes)
    a = float(vals["alpha"] / vals["width"])
    z = a * (np.atleast_1d(xs) + 1j * eps * np.maximum(1.0, np.abs(np.atleast_1d(xs))))
    pop = node_population(nv)
    e1, e2 = (float(v) for v in pop.mean)
    grid = {"z": z, "a": a, "width": float(vals["width"]), "c": c, "e1": e1, "e2": e2}
    res = _compiled(spectral=True).with_measures(pop).solve(strict=False, **grid)
    m = a * np.asarray(res["V2"], complex)
    atom = max(0.0, 1.0 - a)
    zx = z / a
    dens = np.imag(m + atom / zx) / np.pi  # the atom's Lorentzian −atom/z removed: the bulk alone
    shape = np.shape(xs)
    return {"density": dens.reshape(shape), "stieltjes": m.reshape(shape), "converged": np.asarray(res.converged).reshape(shape),
            "atom0": atom, "outlier": float((nv["mu0"] ** 2) @ nv["weight"])}


def spiked_feature_cdf(alpha: Any, eta: Any, alpha0: Any, width: Any = 1.0, activation: Any = "tanh",
                       target: Any = "tanh", points: int = 3000, nodes: int = NODES) -> Callable:
    """The CDF of the bulk law of ``FᵀF/n`` (:func:`spiked_feature_density`), as a vectorized
    callable: the atom ``max(0, 1 − n/p)`` at 0 plus the density (read at ``Im z = 1e-6·x``)
    integrated by the trapezoid rule on ``points`` geometrically spaced points up to 1.3× a
    bound on the upper edge (population edge × (1 + √(p/n))²); its error is below 1e-4 for the
    default settings (against 30000 points at ``Im z = 1e-7·x``, tests), far below the O(1/p)
    KS distances it is compared with.

    Raises
    ------
    ConvergenceError
        If the integrated mass misses 1 by more than 1e-3 (a grid that misses part of the bulk,
        or a solve that failed).
    """
    from ..errors import ConvergenceError

    spec = spiked_feature_spectrum(eta, alpha0, width, activation, target, nodes)
    ratio = float(checked("width", width, "positive")) / float(checked("alpha", alpha, "positive"))
    top = 1.3 * float(spec["bulk_edge"]) * (1 + math.sqrt(ratio)) ** 2
    x = np.geomspace(top * 1e-6, top, int(points))  # the bulk spans decades (cf. the report's log axis)
    res = spiked_feature_density(x, alpha, eta, alpha0, width, activation, target, eps=1e-6, nodes=nodes)
    dens = np.where(res["converged"], res["density"], np.nan)
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(x))])
    mass = res["atom0"] + cum[-1]
    if not abs(mass - 1) < 1e-3:
        raise ConvergenceError(f"spiked_feature_cdf: the bulk density integrates to {mass:.6g}, not 1 "
                               f"(grid up to {top:.4g}, {int(np.sum(~res['converged']))} unconverged points)")
    cdf = (res["atom0"] + cum) / mass
    atom = res["atom0"] / mass

    def F(t):
        t = np.asarray(t, float)
        # eigenvalues of the rank-deficient part sit at 0 up to round-off: the atom is [−1e-9·top, 0]
        return np.where(t < -1e-9 * top, 0.0, np.interp(t, x, cdf, left=atom, right=1.0))
    return F
