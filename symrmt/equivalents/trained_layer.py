"""The test error of a two-layer network after one large gradient step at d → ∞, with the trained
first layer's structured bulk: its spectrum *and* the quadratic forms of the spike and target
directions derived from the layer's matrix expression (Cui et al., arXiv 2402.04980; setting and
notation of :mod:`symrmt.equivalents.spiked`).

The fixed point of :func:`symrmt.equivalents.solve_one_step_given_layer` reads, from the bulk
``B = W1 − 1m̄ᵀ``, the traces of ``Ω = BΠBᵀ`` (``Π = I − v̂v̂ᵀ``) and the direction traces
``TF = (d/p) (Bv̂)ᵀ(s + tΩ)⁻¹(Bv̂)``, ``TH`` (with ``Bζ̂``) and the cross trace ``TG``, with their
``s``-derivatives (``s = λ + V̂2``, ``t = V̂1``).  Here they are limits, for the bulk of
:mod:`symrmt.equivalents.trained_bulk`: with ``σ′ = μ1 + βu + s(u)`` and ``s(W0X)`` replaced by
i.i.d. noise of variance ``v_s = Var σ′ − β²`` (which keeps the theory of the trained layer:
relu/tanh +0.0029 ± 0.0010),

    B = W0(I + kb·M) + q Sᵀ diag(e) X/n0,   M = Xᵀdiag(e)X/n0,  kb = η̃β,  q = η̃√v_s,

``e = σ*(z) − μ0``, ``z = Xw*``.  The spike direction is the batch's mean gradient,
``v̂ ∝ Xᵀe``; the forms read it against ``M``, built from the same batch.

Derivation.  Split ``d``-space into ``w*`` and its complement, ``X = X⊥ + z w*ᵀ`` with ``X⊥``
Gaussian and independent of ``z`` (so of ``e``), ``W0 = [w0 | W0⊥]`` with ``w0 = W0w*``.  Then

    Bw* = A w0 + P1 (e⊙z)/n0,   P1 = kb W0⊥X⊥ᵀ + qSᵀ,   A = 1 + kb E[e z²],
    B|⊥ = B̃ + kb w0 aᵀ,         B̃ = W0⊥(I + kb X⊥ᵀdiag(e)X⊥/n0) + qSᵀdiag(e)X⊥/n0,
    a = X⊥ᵀ(e⊙z)/n0,  v ∝ (μ1*, u),  u = X⊥ᵀe/n0  (‖u‖² → E e²/α0,  aᵀu → E[e²z]/α0,
    ‖a‖² → E[e²z²]/α0),  γ = μ1*/√(μ1*² + ‖u‖²).

So ``Bv̂``, ``Bζ̂`` and every rank-one correction of ``Ω`` lie in the span of
``Y = [Bw*, w0, B̃a, B̃û]``: ``Ω = B̃B̃ᵀ + YCYᵀ`` with a 4×4 ``C`` (the column ``Bw*``, the
``kb w0aᵀ`` part of ``B|⊥``, minus the projected ``(Bv̂)(Bv̂)ᵀ``), and by Woodbury, for
``x = Yα``, ``y = Yβ``,

    xᵀ(s + tΩ)⁻¹y = αᵀ 𝒢 (I + tC𝒢)⁻¹ β,     𝒢 = Yᵀ(s + tB̃B̃ᵀ)⁻¹Y.

The Gram matrix ``𝒢`` needs ``w0ᵀR̃w0 = width·tr R̃`` (``w0`` is independent of ``B̃``; its
forms with the other columns vanish) and forms ``fᵀPᵀR̃P′g/n0²`` with ``P, P′ ∈ {P1, B̃X⊥ᵀ}`` and
``f, g ∈ {e⊙z, e}``: vectors built from the batch.  These are anisotropic: with ``E = diag(e)``
and ``Z = diag(z)`` a commuting family (one joint law of ``(e, z)``,
:func:`symrmt.matrices.deterministic` with ``coordinate``), ``fᵀQg/n0 → tr(D_f Q̄ D_g)`` because
``Q``'s deterministic equivalent is diagonal in their basis — seven normalized traces of one
linear pencil (:func:`trained_forms_system`).  Checked against the surrogate drawn at d = 800
(6 draws): all seven within 1 SE.  The traces of ``Ω`` are those of ``B̃B̃ᵀ`` (a finite-rank
change does not move them).  The fixed point for ``V1, V2`` is then solved with ``V2 = tr R̃``
at ``(s, t)`` from the κ integrals, and the rest is :func:`symrmt.equivalents.solve_one_step`'s
linear part with these traces.

Measured (η̃ = 2, λ = 0.05, width 1).  On the surrogate's own drawn layers (relu/tanh, α = 1,
α0 = 2, d = 800, 8 draws) the fixed point gives 0.3420 ± 0.0012, and this theory 0.3406 (a slow
test).  Against trained networks (d = 1000, the table of ``one-step-spiked-rf``): relu/tanh along
α ∈ {0.5, 1, 2, 4} × α0 ∈ {1, 2, 8} gives χ² = 8.6 on 12 points, relu/relu 10.6 (two points
re-measured with 24 trials).  tanh/tanh at α = 1 gives 0.1748,
0.1157 and 0.0497 for α0 = 1, 2, 8, against the networks' 0.1755 ± 0.0015, 0.1174 ± 0.0011 and
0.0494 ± 0.0004; the spiked model is 0.1695, 0.1143, 0.0497.  Not in it: the higher Hermite part
``s(W0X)`` of the step (−0.0029 ± 0.0010 for relu/tanh on drawn layers), several steps,
multi-index targets.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from .._checks import broadcast, checked
from ..errors import ParameterError
from .trained_bulk import TRAINED_BULK_SYMBOLS, _placeholder_law, _residual_law, _step_matrices

__all__ = ["trained_forms_system", "solve_one_step_trained", "TRAINED_FORM_SYMBOLS", "FORM_NAMES"]

#: The parameters of :func:`trained_forms_system`: batch ratio, width, ``kb = η̃β``,
#: ``q = η̃√v_s``, the resolvent's ``s`` and ``t`` (``R̃ = (s + tB̃B̃ᵀ)⁻¹``), and the selectors
#: ``c0..c6`` of the traces (``value = Σ c_k·trace_k``).
TRAINED_FORM_SYMBOLS = {**{k: v for k, v in TRAINED_BULK_SYMBOLS.items() if k != "z"},
                        **{k: sp.Symbol(k, positive=True) for k in ("s", "t")},
                        **{f"c{k}": sp.Symbol(f"c{k}", real=True) for k in range(7)}}
#: The seven traces, in the order of the selectors: ``tr R̃`` (p×p), then ``(1/n0²) fᵀPᵀR̃P′g`` for
#: ``(P, f; P′, g)`` = ``(P1, ez; P1, ez)``, ``(P1, ez; P2, ez)``, ``(P1, ez; P2, e)``,
#: ``(P2, ez; P2, ez)``, ``(P2, ez; P2, e)``, ``(P2, e; P2, e)`` with ``P2 = B̃X⊥ᵀ``.
FORM_NAMES = ("trR", "P1ez.P1ez", "P1ez.P2ez", "P1ez.P2e", "P2ez.P2ez", "P2ez.P2e", "P2e.P2e")


def trained_forms_system(law: Any = None):
    """The deterministic equivalent of ``Σ_k c_k·trace_k`` for the seven traces of
    :data:`FORM_NAMES` (module docstring), derived from the matrix expression by a linear pencil.

    Parameters
    ----------
    law : JointMeasure, optional
        The joint law of ``(e, z)`` (:func:`symrmt.measures.joint`, coordinates ``("e", "z")``); a
        placeholder by default — the generated module reads it as data
        (:meth:`CompiledSystem.with_measures`).

    Returns
    -------
    System
        Parameters :data:`TRAINED_FORM_SYMBOLS`; observable ``value``.
    """
    from .. import matrices as mx

    y = TRAINED_FORM_SYMBOLS
    a0, wd, kb, q, s, t = (y[k] for k in ("alpha0", "width", "kb", "q", "s", "t"))
    N = mx.N
    m = _step_matrices(_placeholder_law() if law is None else law)
    E, Z, W, X, S, M, B = (m[k] for k in ("E", "Z", "W", "X", "S", "M", "B"))
    R = (s * mx.identity(wd) + t * B * B.T) ** -1
    r = sp.sqrt(a0 * N)     # each Gaussian factor carries its own 1/√n (the pencil's scaling rule)
    P1 = kb * W * X.T / r + q * S.T / r
    P2 = W * X.T / r + kb * W * M * X.T / r + q * S.T * E * X * X.T / (a0 * N * r)
    traces = [mx.tr(R), mx.tr(Z * E * P1.T * R * P1 * E * Z), mx.tr(Z * E * P1.T * R * P2 * E * Z),
              mx.tr(Z * E * P1.T * R * P2 * E), mx.tr(Z * E * P2.T * R * P2 * E * Z),
              mx.tr(Z * E * P2.T * R * P2 * E), mx.tr(E * P2.T * R * P2 * E)]
    expr = sum(y[f"c{k}"] * tr for k, tr in enumerate(traces))
    return mx.deterministic_equivalent(expr, spectral=s, name="trained-layer-forms")


@lru_cache(maxsize=1)
def _compiled():
    return trained_forms_system().compile()


class _Forms:
    """The seven traces at ``(s, t)`` (arrays of one shape) for fixed ``alpha0, width, kb, q``."""

    def __init__(self, law, alpha0: float, width: float, kb: float, q: float) -> None:
        self.cs = _compiled().with_measures(law)
        self.base = {"alpha0": alpha0, "width": width, "kb": kb, "q": q}

    def __call__(self, s: np.ndarray, t: np.ndarray, which=range(7)) -> np.ndarray:
        """The traces ``which`` at every ``(s, t)``, along a trailing axis: one solve, the selectors
        ``c_k`` on that axis."""
        which = list(which)
        sel = np.eye(7)[:, which]
        res = self.cs.solve(s=np.asarray(s, float)[..., None], t=np.asarray(t, float)[..., None], **self.base,
                            **{f"c{j}": sel[j] for j in range(7)}, strict=False)
        bad = ~np.asarray(res.converged)
        if bad.any():
            from ..errors import ConvergenceError

            names = [FORM_NAMES[k] for k, b in zip(which, bad.reshape(-1, len(which)).any(axis=0)) if b]
            raise ConvergenceError(f"trained layer: the traces {names} did not converge at "
                                   f"{int(bad.reshape(-1, len(which)).any(axis=1).sum())} point(s)")
        return np.real(np.asarray(res["value"], dtype=complex))


def _geometry(law, alpha0: float) -> dict:
    """The batch's scalars: ``μ1* = E[ez]``, ``m22 = E[ez²]``, ``‖u‖``, ``aᵀû``, ``‖a‖²``, ``γ``."""
    (e, z), w = law.points.T, law.weights
    mu1s, m22 = w @ (e * z), w @ (e * z**2)
    nu = np.sqrt(w @ e**2 / alpha0)
    au = (w @ (e**2 * z)) / alpha0 / nu
    aa = (w @ (e**2 * z**2)) / alpha0
    gamma = mu1s / np.hypot(mu1s, nu)
    return {"mu1s": mu1s, "m22": m22, "nu": nu, "au": au, "aa": aa, "gamma": gamma}


def _gram(tr: np.ndarray, geo: dict, kb: float, width: float) -> np.ndarray:
    """The limit of ``𝒢 = Yᵀ(s + tB̃B̃ᵀ)⁻¹Y``, ``Y = [Bw*, w0, B̃a, B̃û]`` (4×4, trailing axes), from
    the seven traces (:data:`FORM_NAMES`): ``w0ᵀR̃w0 = width·tr R̃``, ``w0`` orthogonal to the rest."""
    nu = geo["nu"]
    A = 1 + kb * geo["m22"]
    tau0 = width * tr[..., 0]
    G = np.zeros(tr.shape[:-1] + (4, 4))
    G[..., 0, 0] = A**2 * tau0 + tr[..., 1]
    G[..., 0, 1] = G[..., 1, 0] = A * tau0
    G[..., 1, 1] = tau0
    G[..., 0, 2] = G[..., 2, 0] = tr[..., 2]
    G[..., 0, 3] = G[..., 3, 0] = tr[..., 3] / nu
    G[..., 2, 2] = tr[..., 4]
    G[..., 2, 3] = G[..., 3, 2] = tr[..., 5] / nu
    G[..., 3, 3] = tr[..., 6] / nu**2
    return G


def _span(geo: dict, kb: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cv, cz, C)``: ``Bv̂ = Y·cv``, ``Bζ̂ = Y·cz`` and ``Ω = BΠBᵀ = B̃B̃ᵀ + Y C Yᵀ`` on the span
    ``Y = [Bw*, w0, B̃a, B̃û]`` (module docstring)."""
    g, au = geo["gamma"], geo["au"]
    rho = np.sqrt(1 - g**2)
    cv = np.array([g, rho * kb * au, 0.0, rho])
    cz = np.array([rho, -g * kb * au, 0.0, -g])
    C = -np.outer(cv, cv)
    C[0, 0] += 1.0
    C[1, 1] += kb**2 * geo["aa"]
    C[1, 2] += kb
    C[2, 1] += kb
    return cv, cz, C


def _direction_forms(G: np.ndarray, t: np.ndarray, geo: dict, kb: float, width: float) -> dict:
    """``TF, TH, TG = (d/p)·xᵀ(s + tΩ)⁻¹y`` for ``x, y ∈ {Bv̂, Bζ̂}`` from the Gram matrix ``𝒢``
    by the Woodbury identity ``Yᵀ(s + tΩ)⁻¹Y = 𝒢(I + tC𝒢)⁻¹`` (exact, given ``𝒢``)."""
    cv, cz, C = _span(geo, kb)
    Phi = G @ np.linalg.inv(np.eye(4) + np.asarray(t, float)[..., None, None] * (C @ G))
    form = lambda x, y: np.einsum("i,...ij,j->...", x, Phi, y) / width  # noqa: E731
    return {"TF": form(cv, cv), "TH": form(cz, cz), "TG": form(cv, cz)}


def solve_one_step_trained(alpha: Any, ridge: Any, alpha0: float, eta: float, width: float = 1.0,
                           activation: Any = "tanh", target: Any = "tanh", nodes: int = 40,
                           law_nodes: int = 40, tol: float = 1e-10, maxiter: int = 60):
    """Test error of the ridge readout on the trained first layer after one large step, at
    d → ∞: the fixed point of :func:`symrmt.equivalents.solve_one_step_given_layer` with the
    trained bulk's spectrum and quadratic forms in their limits (module docstring).

    Parameters
    ----------
    alpha, ridge : broadcast, > 0 (n/d and λ)
    alpha0 : float > 0 (n0/d);  eta : float > 0 (η̃);  width : float > 0 (p/d)
    activation, target : σ and σ* (names or SymPy expressions; a single-index target)
    nodes : Gauss–Hermite nodes of the κ integral;  law_nodes : nodes of the law of ``(e, z)``
    tol, maxiter : the Newton iteration on ``(V1, V2)`` (relative step), started from the spiked
        limit's solution

    Returns
    -------
    SolveResult
        Unknowns ``V1, V2, Vh1, Vh2``; observables ``test_error``, ``theta``, ``mbar``, ``psi``,
        ``q1``, ``q2``, the traces (``T00, T01, T11, TF, TF0, TF1, TH…, TG…``) and ``r``, ``c``,
        ``gamma``: arrays of the broadcast shape of ``alpha`` and ``ridge``.

    Raises
    ------
    ParameterError
        Bad parameters, a multi-index target, ``eta = 0`` (no spike: use
        :func:`~symrmt.equivalents.solve_one_step`).
    ConvergenceError
        The fixed point or a trace did not converge.

    Notes
    -----
    The first call derives and compiles the forms' solver (67 Dyson unknowns; a few minutes
    cold, then cached).
    """
    from ..codegen.solved import SolveResult
    from .spiked import _gh, _linear_part, node_values, solve_one_step, spike_parameters

    for name, v in (("nodes", nodes), ("law_nodes", law_nodes)):
        if not (isinstance(v, int) and not isinstance(v, bool) and 8 <= v <= 200):
            raise ParameterError(f"{name}: expected an integer in [8, 200], got {v!r}")
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "ridge": checked("ridge", ridge, "positive")})
    a0, eta, wd = (float(checked(k, v, "positive")) for k, v in (("alpha0", alpha0), ("eta", eta), ("width", width)))
    law = _residual_law(activation, target, law_nodes)   # checks the target before anything compiles
    k = {n: float(v) for n, v in spike_parameters(activation, target).constants.items()}
    kb, q = eta * k["beta"], eta * np.sqrt(max(k["v_prime"] - k["beta"] ** 2, 0.0))
    r, c, _ = (float(v) for v in spike_parameters(activation, target).evaluate(eta, a0))
    geo = _geometry(law, a0)
    gamma = float(geo["gamma"])
    forms = _Forms(law, a0, wd, kb, q)
    nv = node_values(np.array(r), np.array(c), np.array(gamma), activation, target, nodes)
    kap, wts = _gh(nodes)
    m1, m2 = nv["mu1"] ** 2, nv["mu2"] ** 2
    a = vals["alpha"] / wd
    lam = vals["ridge"]

    def hats(V1, V2):
        D = 1 + m1 * V1[..., None] + m2 * V2[..., None]
        return a * ((m1 / D) @ wts), a * ((m2 / D) @ wts)

    def resid(V):
        Vh1, Vh2 = hats(V[..., 0], V[..., 1])
        s, t = lam + Vh2, Vh1
        V2 = forms(s, t, which=(0,))[..., 0]
        return np.stack([(1 - s * V2) / t, V2], axis=-1) - V

    start = solve_one_step(vals["alpha"], a0, eta, lam, wd, activation, target, nodes=nodes)
    V = np.stack([np.asarray(start["V1"], float), np.asarray(start["V2"], float)], axis=-1)
    for it in range(maxiter):
        F = resid(V)
        h = 1e-6 * np.maximum(np.abs(V), 1e-3)
        J = np.empty(V.shape + (2,))
        for j in range(2):
            dV = np.zeros_like(V)
            dV[..., j] = h[..., j]
            J[..., :, j] = (resid(V + dV) - F) / h[..., j, None]
        step = np.linalg.solve(J, -F[..., None])[..., 0]          # J = ∂F/∂V, F = G(V) − V
        V = np.maximum(V + step, 1e-12)
        if np.all(np.abs(step) <= tol * np.maximum(np.abs(V), 1e-12) + 1e-14):
            break
    else:
        from ..errors import ConvergenceError

        raise ConvergenceError("trained layer: the fixed point for (V1, V2) did not converge")
    V1, V2 = V[..., 0], V[..., 1]
    Vh1, Vh2 = hats(V1, V2)
    s, t = lam + Vh2, Vh1
    hs = 1e-5 * s
    tr0, trp, trm = (forms(s + ds, t) for ds in (0.0, hs, -hs))
    T00 = -(trp[..., 0] - trm[..., 0]) / (2 * hs)
    T = {"T00": T00, "T01": (V2 - s * T00) / t, "T1": V1}
    T["T11"] = (V1 - s * T["T01"]) / t
    d0, dp, dm = (_direction_forms(_gram(x, geo, kb, wd), t, geo, kb, wd) for x in (tr0, trp, trm))
    for key in ("TF", "TH", "TG"):
        T[key] = d0[key]
        T[key + "0"] = -(dp[key] - dm[key]) / (2 * hs)
        T[key + "1"] = (T[key] - s * T[key + "0"]) / t
    shape = V1.shape
    nvb = {q_: np.broadcast_to(nv[q_], shape + nv[q_].shape) for q_ in ("mu0", "mu1", "mu2", "h", "h1", "hh")}
    lin = _linear_part(a, np.full(shape, wd), V1, V2, T, nvb, wts, kap)
    obs = {**lin, **T, "r": np.full(shape, r), "c": np.full(shape, c), "gamma": np.full(shape, gamma)}
    res = SolveResult({"V1": V1, "V2": V2, "Vh1": Vh1, "Vh2": Vh2}, obs, np.max(np.abs(F), axis=-1),
                      np.ones(shape, bool), np.full(shape, it + 1))
    res.parameters.update({**vals, "alpha0": a0, "eta": eta, "width": wd})
    return res
