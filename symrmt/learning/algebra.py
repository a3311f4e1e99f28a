"""The S-transform algebra that turns a learning-model description into its equations.

Notation: ``tr = (1/D) Tr`` in input space; for an operator X, ``df_X(κ) = tr X(X + κ)⁻¹``.
Voiculescu's S-transform (docs/architecture.md: ``S(u) = χ(u)(1 + u)/u``) evaluated at
``u = −df`` is ``S_X(−df) = (1 − df)/(κ_X df)`` where ``df_X(κ_X) = df``; S-transforms multiply
under free multiplication, so all the factors of a free product share one ``df``.

1. *Data.*  The features' sample covariance has the non-zero spectrum of
   ``W_P ⊠ Σ ⊠ FᵀF`` in input space (``W_P`` the data Wishart of ratio ``q = D/P``, its
   S-transform ``1/(1 − q df)``).  Its df at the ridge λ is ``df = df_Σ(κ)``, and the product of
   S-transforms gives ``λ = κ (1 − q df) / S_{FᵀF}(−df)``: the κ equation.
2. *Layers.*  ``T_ℓ = W_ℓᵀ T_{ℓ+1} W_ℓ`` (``T_{L+1} = I``) with ``W_ℓ = Z_ℓ C_ℓ^{1/2}``: moving the
   Wishart ``Z_ℓ Z_ℓᵀ`` (ratio ``N_ℓ/N_{ℓ−1}``) between the spaces of N_ℓ and N_{ℓ−1} dimensions
   rescales df, and one finds, with ``γ_ℓ = N_ℓ/D`` (``γ_0 = 1``),
   ``1/S_{FᵀF}(−df) = γ_L Π_ℓ (1 − df/γ_ℓ) / S_{C_ℓ}(−df/γ_{ℓ−1})``.  An isotropic layer has
   ``S_C = 1``; a structured one ``1/S_C(−d) = κ_C d/(1 − d)`` with the extra unknown κ_C tied
   by ``df_C(κ_C) = d`` (an expectation over C's measure, compiled as a loop).
3. *Errors.*  ``κ_L = κ/S_{FᵀF}(−df)`` is the renormalized ridge of the feature-space problem
   (``λ = κ_L(1 − q df)``).  Conditional on the weights, the problem is ridge in input space
   with covariance ``M = Σ^½FᵀFΣ^½``; by subordination ``κ_L(M + κ_L)⁻¹ ≍ κ(Σ + κ)⁻¹`` inside
   ``Σ^½ · Σ^½``, so ``g = κ_L vᵀ(M + κ_L)⁻¹v ≍ signal·κ·df_w(κ)`` (``df_w`` weighted by the
   target's source weights) and, differentiating in κ_L (``′ = d/dκ``),
   ``E_1 = [noise + g − κ_L g′/κ_L′] / (1 − q (df − κ_L t2/κ_L′))``, ``t2 = tr Σ(Σ+κ)⁻²``.
   Averaging over the weights first (``K = ∞``) leaves ridge at the same κ:
   ``E_∞ = [κ² signal t2_w + noise]/(1 − q df2)``, ``df2 = df − κ t2``; an ensemble of K has
   ``E_K = E_∞ + (E_1 − E_∞)/K`` (the predictors are i.i.d. given the data).
4. *Train error and GCV* (one member): ``E_tr = (λ/κ_L)² E_1 = (1 − q df)² E_1`` (evaluated
   as the ratio, which keeps its digits where the difference cancels); the GCV
   estimator ``E_tr/(1 − (1/P)Tr Φ̂(Φ̂+λ)⁻¹)² = E_tr/(1 − q df)²`` equals E_1: the data
   S-transform ``S_{W_P}(−df)² = (κ_L/λ)²`` is the train–test gap.
5. *Bias–variance by source* (AZP §5): ``bias = κ² signal t2_w`` (the error of the mean
   predictor), ``variance_samples = bias·γ/(1 − γ)`` and ``variance_noise = noise·γ/(1 − γ)``
   with ``γ = q df2`` (data drawn, weights averaged), ``variance_features = (E_1 − E_∞)/K``
   (weights drawn, data fixed); ``test_error = bias + variance + noise``.

6. *Nonlinear layers* (Gaussian equivalence; Mei & Montanari, arXiv 1908.05355; Schröder et
   al., arXiv 2402.13999): the centred features ``σ(h) − κ0`` of a layer act as ``κ1 h + κ* z``
   (:class:`~symrmt.learning.description.Activation`), so its covariance is
   ``Ω_ℓ = κ1²(M_ℓ + a)`` with ``M_ℓ = W_ℓ Ω_{ℓ−1} W_ℓᵀ`` and ``a = κ*²/κ1²``: a free additive
   shift, not a free product, so df is no longer shared across it.  Walking up the chain from
   the input space (ridge κ, ``df = df_Σ(κ)``): a free product (``C_ℓ``, then ``Z_ℓ``)
   multiplies the ridge at the same df (step 2), ``ρ_ℓ = ρ_{ℓ−1}(γ_ℓ/γ_{ℓ−1})(1 − df/γ_ℓ)/S_{C_ℓ}``;
   the shift maps ``Ω + ρ' = κ1²(M + ρ)`` so ``ρ' = κ1²(ρ − a)`` and
   ``df' = tr Ω(Ω + ρ')⁻¹ = df + a(γ_ℓ − df)/ρ``.  Every step is explicit in κ (with the
   structured layers' κ_w), so the chain is still one κ equation ``λ = κ_L(1 − q df_L)``.  The
   target is seen through the linear parts only: with ``c_ℓ = κ1 W_ℓ c_{ℓ−1}``, push-through and
   ``Wᵀ(WΩWᵀ + ρ)⁻¹W ≍ (Ω + ρ_{ℓ−1})⁻¹`` give ``c_Lᵀ(Ω_L + κ_L)⁻¹c_L ≍ w̄ᵀΣ(Σ + κ)⁻¹Σw̄``, so
   ``g`` is that of step 3 and ``E_1 = [noise + g − κ_L g′/κ_L′]/(1 − q(df_L + κ_L df_L′/κ_L′))``.
   One layer on isotropic data is Mei–Montanari's random features.  Only a single model (K = 1)
   is derived: the members of an ensemble share the data, and their nonlinear parts ``z`` are
   not free of one another given it.

7. *Per-layer split of the feature variance* (AZP's fine-grained decomposition; Adlam &
   Pennington, arXiv 2011.03321): ``variance_layer{ℓ} = E_1 − E_1^{(¬ℓ)}``, the variance of one
   member over the draws of ``Z_ℓ`` with the data, the other layers and ``C_ℓ`` fixed.  With
   ``A = W_L ⋯ W_{ℓ+1}`` and ``B = C_ℓ^{1/2} W_{ℓ−1} ⋯ W_1`` fixed, ``F = A Z_ℓ B`` and
   ``Aᵀ(A M Aᵀ + λ)⁻¹A = (M + λ(AᵀA)⁻¹)⁻¹`` on A's row space, so the average over ``Z_ℓ`` is
   ``E[(Ŝ_B + T⁻¹)⁻¹]`` with ``T = Z_ℓᵀAᵀAZ_ℓ/λ`` free of ``Ŝ_B = BŜBᵀ``: ridge on the features
   ``Bx`` at the ridge ``1/S_T(−df)``.  The layers above ℓ enter only through ``T``'s S-transform,
   so they are averaged as well: ``E_1^{(¬ℓ)}`` is ``E_1`` of the chain below ``Z_ℓ`` (layers
   ``< ℓ`` and ``C_ℓ``), at the same κ.  For ℓ = 1 with isotropic weights it is ``E_∞`` (the
   first layer's draw carries all of the feature variance); for ℓ = L it drops ``(1 − df/γ_L)``
   only.  The terms are not additive (the draws interact).

At depth 0 the equations are ridge (AZP §2–3); at depth 1 with isotropic weights they are AZP's
linear random features; isotropic chains are the deep linear random features of
Zavatone-Veth & Pehlevan (arXiv 2303.00564) — shown in the tests against the hand-written
solvers of :mod:`symrmt.equivalents`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import sympy as sp

from ..measures import Measure, expect
from ..symbolic.system import System
from .description import LearningModelData

__all__ = ["SYMBOLS", "PRIMITIVES", "width_symbol", "weight_kappa_symbol", "build_system", "assemble",
           "one_model_error", "display_equations", "ModelSystem"]

SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("samples", "ridge")}
SYMBOLS.update({name: sp.Symbol(name, nonnegative=True) for name in ("noise", "signal", "inv_ensemble")})
KAPPA = sp.Symbol("kappa", positive=True)
_T = sp.Symbol("t", positive=True)   # an eigenvalue of Σ
_C = sp.Symbol("c", positive=True)   # an eigenvalue of a weights' row covariance


def width_symbol(ell: int) -> sp.Symbol:
    """The parameter ``width{ell}`` (``N_ℓ/D``, ℓ = 1..L)."""
    return sp.Symbol(f"width{ell}", positive=True)


def weight_kappa_symbol(ell: int) -> sp.Symbol:
    """The unknown ``kappa_w{ell}``: the renormalized ridge of layer ℓ's row covariance."""
    return sp.Symbol(f"kappa_w{ell}", positive=True)


@dataclass(frozen=True)
class ModelSystem:
    """A derived System and what the solver wrapper needs to check the physical branch."""

    system: System
    depth: int


def _weighted(expr: sp.Expr, data: Measure, power: float) -> sp.Expr:
    """``E_target[expr] = E_Σ[t^power expr]/E_Σ[t^power]`` (the source-weighted trace)."""
    if power == 0:
        return expect(expr, _T, data)
    pts, wts = data.arrays()
    norm = float(np.sum(wts[wts > 0] * pts[wts > 0] ** power))
    p = sp.Float(power, 17)
    return expect(_T**p * expr, _T, data) / sp.Float(norm, 17)


#: The observables a solver compiles (``build_system(desc, assembled=False)``): the quantities
#: that need the expectations over the measures or the walk up the chain, each small.  A linear
#: model: ``kappa_features`` (κ_L), ``df1`` (df), ``df_features``, ``df2``, ``bias`` (κ² signal
#: t2_w) and, with layers, ``t2``, ``g`` (signal·κ·df_w), ``dg`` (dg/dκ), ``log_derivative``
#: (dlog κ_L/dκ) and ``log_derivative_without_layer{ℓ}`` (that of the chain below Z_ℓ, step 7).
#: With an activation: ``kappa_features``, ``df1``, ``df_features`` and ``test_error_single``.
PRIMITIVES = ("kappa_features", "df1", "df_features", "df2", "bias", "t2", "g", "dg", "log_derivative",
              "log_derivative_without_layer{ℓ}", "test_error_single")


def one_model_error(noise: Any, g: Any, dg: Any, t2: Any, df: Any, samples: Any, rate: Any) -> Any:
    """``E_1 = [noise + g − g′/r]/(1 − (df − t2/r)/samples)`` of a linear chain whose feature-space
    ridge has ``r = dlog κ_L/dκ`` (step 3 with ``df_L = df``, ``df_L′ = −t2``); ``r = 1/κ`` (no
    feature layer) gives ``E_∞``.  Symbols or arrays alike."""
    return (noise + g - dg / rate) / (1 - (df - t2 / rate) / samples)


def assemble(prim: Mapping[str, Any], samples: Any, ridge: Any, noise: Any, inv_ensemble: Any, depth: int,
             nonlinear: bool) -> dict:
    """Every observable from the :data:`PRIMITIVES` by arithmetic (steps 3–5 and 7).

    The same function builds the symbolic observables (``prim`` SymPy expressions, the other
    arguments Symbols) and their values after a solve (NumPy arrays), so that the assembly is
    written once.  ``E_∞ = (bias + noise)/(1 − γ)`` (``γ = df2/samples``), ``E_1`` and
    ``E_1^{(¬ℓ)}`` by :func:`one_model_error`, ``test_error = E_∞ + (E_1 − E_∞)/K``,
    ``train_error = (λ/κ_L)² E_1``, ``gcv = E_1``, ``variance_samples = bias·γ/(1 − γ)``,
    ``variance_noise = noise·γ/(1 − γ)``, ``variance_features = (E_1 − E_∞)/K`` and
    ``variance_layer{ℓ} = E_1 − E_1^{(¬ℓ)}``.
    """
    gap = (ridge / prim["kappa_features"]) ** 2
    base = {"kappa_features": prim["kappa_features"], "df1": prim["df1"], "df_features": prim["df_features"],
            "train_test_gap": gap}
    if nonlinear:
        e1 = prim["test_error_single"]
        return {"test_error": e1, "test_error_single": e1, "train_error": gap * e1, "gcv": e1, **base}
    bias, df2 = prim["bias"], prim["df2"]
    gam = df2 / samples
    einf = (bias + noise) / (1 - gam)
    out = {}
    if depth:
        terms = (noise, prim["g"], prim["dg"], prim["t2"], prim["df1"], samples)
        e1 = one_model_error(*terms, prim["log_derivative"])
        for ell in range(1, depth + 1):
            out[f"variance_layer{ell}"] = e1 - one_model_error(*terms, prim[f"log_derivative_without_layer{ell}"])
    else:
        e1 = einf  # no weights: κ_L = κ, no feature variance
    var_f = (e1 - einf) * inv_ensemble
    var_s, var_n = bias * gam / (1 - gam), noise * gam / (1 - gam)
    return {"test_error": einf + var_f, "test_error_single": e1, "train_error": gap * e1, "gcv": e1, **base,
            **out, "test_error_inf": einf, "bias": bias, "variance": var_s + var_n + var_f,
            "variance_samples": var_s, "variance_noise": var_n, "variance_features": var_f, "df2": df2}


def build_system(desc: LearningModelData, assembled: bool = True) -> ModelSystem:
    """The equations of steps 1–7 (module docstring) as a :class:`~symrmt.symbolic.system.System`.

    Unknowns ``kappa`` and ``kappa_w{ℓ}`` for each structured layer (all positive); parameters
    ``samples``, ``ridge``, ``noise``, ``signal``, ``inv_ensemble`` (1/K) and ``width1..L``.
    With ``assembled=False`` the observables are only the :data:`PRIMITIVES` (those that need
    the expectations or the chain); :func:`assemble` gives the others from them by arithmetic,
    so a solver need not compile them (the System that ``LearningModel.solve`` compiles).
    """
    sa, lam, s2, sig, ik = (SYMBOLS[k] for k in ("samples", "ridge", "noise", "signal", "inv_ensemble"))
    q = 1 / sa
    k = KAPPA
    data, power = desc.data, desc.target.power
    D = expect(_T / (_T + k), _T, data)
    t2 = expect(_T / (_T + k) ** 2, _T, data)
    Dw = _weighted(_T / (_T + k), data, power)
    t2w = _weighted(_T / (_T + k) ** 2, data, power)
    gammas = [width_symbol(i + 1) for i in range(desc.depth)]
    unknowns, equations, initial, domains = [k], [], {}, {k: "positive"}
    # Walk up the chain from the input space, where the ridge is κ and df = df_Σ(κ): each free
    # product multiplies the ridge (same df), each activation shifts the covariance (new df).
    # Tracked: ρ (the ridge at the current level), dlog ρ/dκ, df and d(df)/dκ.
    acts = desc.activations
    rho, dlog, df, ddf = k, 1 / k, D, -t2
    k0 = lam / (gammas[-1] if gammas else 1) + 1 + 2 * q + sum(2 / g for g in gammas)
    prev = sp.Integer(1)
    wishart_dlog, cov_dlog = [], []     # each layer's dlog ρ/dκ: Wishart (1 − df/γ_ℓ), row covariance
    for ell, (layer, g, act) in enumerate(zip(desc.layers, gammas, acts), start=1):
        if layer.structured:
            kw = weight_kappa_symbol(ell)
            d, dd = df / prev, ddf / prev
            dfc = expect(_C / (_C + kw), _C, layer.weights)
            t2c = expect(_C / (_C + kw) ** 2, _C, layer.weights)
            dkw = -dd / t2c                                   # dκ_w/dκ = (dd/dκ)/(d df_C/dκ_w)
            unknowns.append(kw)
            equations.append(dfc - d)
            domains[kw] = "positive"
            initial[kw] = sp.Float(layer.weights.mean, 17) * prev * (1 + k0)
            rho *= kw * d / (1 - d)
            cov_dlog.append(dkw / kw + dd / d + dd / (1 - d))
            dlog += cov_dlog[-1]
        else:
            cov_dlog.append(sp.Integer(0))
        rho *= (g / prev) * (1 - df / g)
        wishart_dlog.append((-ddf / g) / (1 - df / g))
        dlog += wishart_dlog[-1]
        if act is not None:
            # Ω = κ1²(M + a), a = κ*²/κ1²: ρ ↦ κ1²(ρ − a), df ↦ df + a(γ_ℓ − df)/ρ (step 6)
            c1, a = sp.Float(act.kappa1**2, 17), sp.Float(act.ratio, 17)
            drho = rho * dlog
            df, ddf = df + a * (g - df) / rho, ddf + a * (-ddf / rho - (g - df) * drho / rho**2)
            rho = c1 * (rho - a)
            dlog = c1 * drho / rho
            k0 = k0 + a / g + lam * (1 / c1 - 1) / g
        prev = g
    kL, dkL, Df, dDf = rho, rho * dlog, df, ddf
    g_ = sig * k * Dw
    dg = sig * (Dw - k * t2w)
    prim = {"kappa_features": kL, "df1": D, "df_features": Df}
    if desc.nonlinear:
        prim["test_error_single"] = (s2 + g_ - kL * dg / dkL) / (1 - q * (Df + kL * dDf / dkL))
    else:
        prim.update({"df2": D - k * t2, "bias": k**2 * sig * t2w})
        if desc.layers:
            prim.update({"t2": t2, "g": g_, "dg": dg, "log_derivative": dlog})
        # step 7: Z_ℓ averaged with the rest fixed keeps only the factors below Z_ℓ (layers < ℓ
        # and C_ℓ); E_1 depends on κ_L only through dlog κ_L/dκ
        for ell in range(1, desc.depth + 1):
            prim[f"log_derivative_without_layer{ell}"] = 1 / k + sum(wishart_dlog[: ell - 1]) + sum(cov_dlog[:ell])
    initial[k] = k0
    params = [sa, lam, s2, sig, ik, *gammas]
    observables = assemble(prim, sa, lam, s2, ik, desc.depth, desc.nonlinear) if assembled else prim
    system = System([kL * (1 - q * Df) - lam, *equations], unknowns, params,
                    observables=observables, domains=domains, initial=initial,
                    name=f"learning_model_L{desc.depth}" + ("_nonlinear" if desc.nonlinear else "")
                    + ("" if assembled else "_core"))
    return ModelSystem(system, desc.depth)


def display_equations(desc: LearningModelData) -> list[tuple[str, sp.Basic]]:
    """The derived equations as a referee reads them, with ``df = df_Σ(κ)``, ``t2``, the
    target-weighted ``df_w``, ``t2_w`` and the layers' ``S_{C_ℓ}`` as symbols."""
    sa, lam, s2, sig, ik = (SYMBOLS[k] for k in ("samples", "ridge", "noise", "signal", "inv_ensemble"))
    df, t2, dfw, t2w = sp.symbols("df t_2 df_w t_{2w}", positive=True)
    k, kL, dkL = KAPPA, sp.Symbol("kappa_L", positive=True), sp.Symbol("kappa_L'")
    q = 1 / sa
    gammas = [width_symbol(i + 1) for i in range(desc.depth)]
    inv_s = gammas[-1] if gammas else sp.Integer(1)
    prev = sp.Integer(1)
    for ell, (layer, g) in enumerate(zip(desc.layers, gammas), start=1):
        inv_s *= 1 - df / g
        if layer.structured:
            inv_s /= sp.Function(f"S_C{ell}")(-df / prev)
        prev = g
    t, K = sp.Symbol("t", positive=True), sp.Symbol("kappa", positive=True)
    out = [("df of the data covariance", sp.Eq(df, sp.Integral(t / (t + K), (t, sp.Symbol("Sigma"))))),
           ("S-transform of the data Wishart", sp.Eq(sp.Function("S_W")(-df), 1 / (1 - q * df))),
           ("1/S-transform of the feature chain F^T F", sp.Eq(1 / sp.Function("S_F")(-df), inv_s)),
           ("kappa equation (S-transforms multiply)", sp.Eq(lam, k * (1 - q * df) * inv_s)),
           ("feature-space ridge kappa_L", sp.Eq(kL, k * inv_s))]
    df_ = df
    if desc.nonlinear:
        df_ = sp.Symbol("df_Omega", positive=True)
        rho = sp.Function("rho")
        out[2:5] = [("the walk starts in input space", sp.Eq(sp.Tuple(rho(0), sp.Function("df")(0)), sp.Tuple(k, df))),
                    ("kappa equation (Gaussian-equivalent features)", sp.Eq(lam, kL * (1 - q * df_))),
                    ("feature-space ridge kappa_L and df_Omega: the chain walked up from (kappa, df)",
                     sp.Eq(sp.Tuple(kL, df_), sp.Tuple(rho(desc.depth), sp.Function("df")(desc.depth))))]
        prev = sp.Integer(1)
        for ell, (layer, g, act) in enumerate(zip(desc.layers, gammas, desc.activations), start=1):
            dl = sp.Function("df")(ell - 1)
            step = rho(ell - 1) * (g / prev) * (1 - dl / g)
            if layer.structured:
                step /= sp.Function(f"S_C{ell}")(-dl / prev)
            if act is None:
                out.append((f"layer {ell} (linear): free product, df unchanged",
                            sp.Eq(sp.Tuple(rho(ell), sp.Function("df")(ell)), sp.Tuple(step, dl))))
            else:
                a, k1 = sp.Float(act.ratio, 12), sp.Float(act.kappa1, 12)
                out.append((f"layer {ell} ({act.function}: kappa_1 = {float(k1):.6g}, a = kappa_*^2/kappa_1^2 = "
                            f"{float(a):.6g}): free product, then the additive shift of Omega = kappa_1^2 (M + a)",
                            sp.Eq(sp.Tuple(rho(ell), sp.Function("df")(ell)),
                                  sp.Tuple(k1**2 * (step - a), dl + a * (g - dl) / step))))
            prev = g
    for ell, layer in enumerate(desc.layers, start=1):
        if layer.structured:
            d, kw = sp.Symbol("d", positive=True), weight_kappa_symbol(ell)
            out.append((f"S-transform of layer {ell}'s row covariance",
                        sp.Eq(sp.Function(f"S_C{ell}")(-d), (1 - d) / (kw * d))))
    g = sig * k * dfw
    dg = sig * (dfw - k * t2w)
    E1, Einf = sp.symbols("E_1 E_inf")
    if desc.nonlinear:
        e1 = (s2 + g - kL * dg / dkL) / (1 - q * (df_ + kL * sp.Symbol("df_Omega'") / dkL))
        return out + [("test error, one model", sp.Eq(E1, e1)),
                      ("train error", sp.Eq(sp.Symbol("E_train"), (1 - q * df_) ** 2 * E1)),
                      ("GCV (train error over the squared train-test gap)", sp.Eq(sp.Symbol("GCV"), E1))]
    e1 = (s2 + g - kL * dg / dkL) / (1 - q * (df - kL * t2 / dkL))
    einf = (k**2 * sig * t2w + s2) / (1 - q * (df - k * t2))
    out += [("test error, one model", sp.Eq(E1, e1)),
            ("test error, infinite ensemble", sp.Eq(Einf, einf)),
            ("test error, ensemble of K", sp.Eq(sp.Symbol("E_K"), Einf + (E1 - Einf) * ik)),
            ("train error (one model)", sp.Eq(sp.Symbol("E_train"), (1 - q * df) ** 2 * E1)),
            ("GCV (train error over the squared train-test gap)", sp.Eq(sp.Symbol("GCV"), E1)),
            ("bias (error of the mean predictor)", sp.Eq(sp.Symbol("B"), k**2 * sig * t2w)),
            ("variance over the weights (data fixed)", sp.Eq(sp.Symbol("V_F"), (E1 - Einf) * ik))]
    return out
