"""The trained network after one large step at d → ∞ (:mod:`symrmt.equivalents.trained_layer`):
the algebra of the span exactly at finite d, the seven traces against drawn surrogates, and the
test error against the theory on drawn layers."""
import math

import numpy as np
import pytest

from symrmt.equivalents import spike_parameters
from symrmt.errors import ParameterError


def _surrogate(rng, d, p, n0, kb, q, act="relu", tgt="tanh"):
    """One draw of the step's linear-Hermite surrogate in coordinates where ``w* = e_1``:
    ``X = [z | X⊥]``, ``e = σ*(z) − μ0``, ``B = W0(I + kb·M) + qSᵀdiag(e)X/n0``."""
    mu0 = float(spike_parameters(act, tgt).constants["mu0"])
    z = rng.standard_normal(n0)
    e = (np.tanh(z) if tgt == "tanh" else np.maximum(z, 0)) - mu0
    Xp = rng.standard_normal((n0, d - 1))
    X = np.concatenate([z[:, None], Xp], axis=1)
    W0 = rng.standard_normal((p, d)) / math.sqrt(d)
    S = rng.standard_normal((n0, p))
    B = W0 + kb * W0 @ (X.T @ (e[:, None] * X)) / n0 + q * S.T @ (e[:, None] * X) / n0
    Bt = W0[:, 1:] + kb * W0[:, 1:] @ (Xp.T @ (e[:, None] * Xp)) / n0 + q * S.T @ (e[:, None] * Xp) / n0
    return {"z": z, "e": e, "Xp": Xp, "X": X, "W0": W0, "S": S, "B": B, "Bt": Bt}


def _finite_geometry(D, n0):
    e, z, Xp = D["e"], D["z"], D["Xp"]
    u, a = Xp.T @ e / n0, Xp.T @ (e * z) / n0
    nu, mu1s = np.linalg.norm(u), z @ e / n0
    return {"mu1s": mu1s, "m22": z @ (e * z) / n0, "nu": nu, "au": a @ u / nu, "aa": a @ a,
            "gamma": mu1s / math.hypot(mu1s, nu)}, u, a


def test_the_span_and_woodbury_are_exact_at_finite_d():
    """At finite d (d = p = 120, n0 = 240, relu/tanh, kb = 0.8, q = 0.6): ``Bv̂ = Y·cv``,
    ``Bζ̂ = Y·cz``, ``BΠBᵀ = B̃B̃ᵀ + YCYᵀ`` and the Woodbury forms from the drawn Gram matrix equal
    the direct ``(d/p)xᵀ(s + tΩ)⁻¹y`` — to rounding: the decomposition is exact, only the Gram
    matrix's entries are replaced by limits in the theory."""
    from symrmt.equivalents.trained_layer import _direction_forms, _span

    rng = np.random.default_rng(0)
    d = p = 120
    n0, kb, q, s, t = 240, 0.8, 0.6, 0.7, 1.3
    D = _surrogate(rng, d, p, n0, kb, q)
    geo, u, a = _finite_geometry(D, n0)
    v = D["X"].T @ D["e"] / n0
    vh = v / np.linalg.norm(v)
    ws = np.eye(d)[0]
    g = ws @ vh
    zeta = (ws - g * vh) / np.linalg.norm(ws - g * vh)
    B, Bt = D["B"], D["Bt"]
    Y = np.stack([B @ ws, D["W0"][:, 0], Bt @ a, Bt @ (u / np.linalg.norm(u))], axis=1)
    cv, cz, C = _span(geo, kb)
    assert abs(g - geo["gamma"]) < 1e-12
    assert np.allclose(B @ vh, Y @ cv, atol=1e-11) and np.allclose(B @ zeta, Y @ cz, atol=1e-11)
    Om = B @ (np.eye(d) - np.outer(vh, vh)) @ B.T
    assert np.allclose(Om, Bt @ Bt.T + Y @ C @ Y.T, atol=1e-10)
    R = np.linalg.inv(s * np.eye(p) + t * Om)
    Rt = np.linalg.inv(s * np.eye(p) + t * Bt @ Bt.T)
    got = _direction_forms(Y.T @ Rt @ Y, np.array(t), geo, kb, p / d)
    for name, x, y in (("TF", B @ vh, B @ vh), ("TH", B @ zeta, B @ zeta), ("TG", B @ vh, B @ zeta)):
        assert abs(float(got[name]) - (d / p) * x @ R @ y) < 1e-9 * (1 + abs(float(got[name]))), name


def test_trained_limit_bad_input():
    from symrmt.equivalents import solve_one_step_trained

    with pytest.raises(ParameterError, match="single-index"):
        solve_one_step_trained(1.0, 0.05, 2.0, 2.0, activation="relu", target="staircase2")
    with pytest.raises(ParameterError, match="eta"):
        solve_one_step_trained(1.0, 0.05, 2.0, 0.0)
    with pytest.raises(ParameterError, match="alpha0"):
        solve_one_step_trained(1.0, 0.05, -1.0, 2.0)
    with pytest.raises(ParameterError, match="law_nodes"):
        solve_one_step_trained(1.0, 0.05, 2.0, 2.0, law_nodes=3)
    with pytest.raises(ParameterError, match="alpha"):
        solve_one_step_trained(0.0, 0.05, 2.0, 2.0)


@pytest.mark.slow  # ~100 s cold: the generated solver of the seven traces (67 Dyson unknowns)
def test_slow_the_seven_traces_against_drawn_surrogates():
    """relu/tanh, α0 = η̃ = 2 (kb = η̃β, q = η̃√v_s), s = 0.7, t = 1: each trace's limit against its
    finite-d value on 6 surrogate draws at d = p = 800 (seed 1), the quadratic forms
    ``fᵀPᵀR̃P′g/n0²`` computed directly with the drawn vectors ``f ∈ {e⊙z, e}``.  Measured: all
    seven within 1 SE.  Tolerance 3 SE + 1/d (the traces' O(1/d) bias)."""
    from symrmt.equivalents.trained_bulk import _residual_law
    from symrmt.equivalents.trained_layer import _Forms

    k = {n: float(v) for n, v in spike_parameters("relu", "tanh").constants.items()}
    kb, q = 2 * k["beta"], 2 * math.sqrt(k["v_prime"] - k["beta"] ** 2)
    s, t, d = 0.7, 1.0, 800
    n0 = 2 * d
    theory = _Forms(_residual_law("relu", "tanh", 40), 2.0, 1.0, kb, q)(np.array(s), np.array(t))
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(6):
        D = _surrogate(rng, d, d, n0, kb, q)
        Bt, Xp, e, z = D["Bt"], D["Xp"], D["e"], D["z"]
        R = np.linalg.inv(s * np.eye(d) + t * Bt @ Bt.T)
        P1 = kb * D["W0"][:, 1:] @ Xp.T + q * D["S"].T
        P2 = Bt @ Xp.T
        v1, v2z, v2e = P1 @ (e * z) / n0, P2 @ (e * z) / n0, P2 @ e / n0
        rows.append([np.trace(R) / d, v1 @ R @ v1, v1 @ R @ v2z, v1 @ R @ v2e, v2z @ R @ v2z, v2z @ R @ v2e,
                     v2e @ R @ v2e])
    rows = np.array(rows)
    se = rows.std(axis=0, ddof=1) / math.sqrt(len(rows))
    assert np.all(np.abs(rows.mean(axis=0) - theory) < 3 * se + 1 / d), (rows.mean(axis=0), theory, se)


@pytest.mark.slow  # ~100 s cold compile, then 8 drawn layers at d = 800
def test_slow_trained_limit_is_the_theory_on_surrogate_layers():
    """relu/tanh, α = 1, α0 = η̃ = 2, λ = 0.05: the d → ∞ theory against the fixed point on drawn
    layers of the model it derives — the step with ``s(W0X)`` replaced by i.i.d. noise (d = p =
    800, 8 draws, numpy seed 5; the same layers as the gap test of test_spiked).  Measured there:
    0.3415 on those layers; the d → ∞ theory gives 0.3406, and the spiked limit 0.3615.
    Tolerance 3 SE of the layers' mean (their SD ≈ 0.003) + 0.002 (the slow d-drift of one layer's
    theory, 0.339 → 0.341 from d = 400 to 1600); the spiked limit must be > 0.015 away."""
    from symrmt.equivalents import solve_one_step, solve_one_step_given_layer, solve_one_step_trained

    got = float(solve_one_step_trained(1.0, 0.05, 2.0, 2.0, activation="relu", target="tanh")["test_error"])
    lim = float(solve_one_step(1.0, 2.0, 2.0, 0.05, activation="relu", target="tanh")["test_error"])
    k = {n: float(v) for n, v in spike_parameters("relu", "tanh").constants.items()}
    rest = k["v_prime"] - k["beta"] ** 2
    rng = np.random.default_rng(5)
    d = p = 800
    n0 = 2 * d
    vals = []
    for _ in range(8):
        W0 = rng.standard_normal((p, d))
        W0 /= np.linalg.norm(W0, axis=1, keepdims=True)
        ws = rng.standard_normal(d)
        ws /= np.linalg.norm(ws)
        X = rng.standard_normal((n0, d))
        pre = X @ W0.T
        e = np.tanh(X @ ws) - np.maximum(pre, 0).mean(1)
        D = k["mu1"] + k["beta"] * pre + rng.standard_normal((n0, p)) * math.sqrt(rest)
        W1 = W0 + 2.0 * ((e[:, None] * D).T @ X) / n0
        vals.append(float(solve_one_step_given_layer(1.0, 0.05, W0, W1, ws, "relu", "tanh")["test_error"]))
    vals = np.array(vals)
    se = vals.std(ddof=1) / math.sqrt(vals.size)
    assert abs(vals.mean() - got) < 3 * se + 0.002, (vals.mean(), se, got)
    assert lim - got > 0.015, (lim, got)


def test_trained_limit_form_refuses_what_it_does_not_cover():
    from symrmt.registry import load

    d = load("one-step-spiked-rf")
    with pytest.raises(ParameterError, match="trained-limit"):
        d.solve(form="trained-limit", steps=2)
    with pytest.raises(ParameterError, match="trained-limit"):
        d.solve(form="trained-limit", target="staircase2")
    with pytest.raises(ParameterError, match="trained-limit"):
        d.solve(form="trained-limit", model="spiked")
    with pytest.raises(ParameterError, match="hermite"):
        d.solve(form="trained-limit", hermite="on")


@pytest.mark.slow  # the forms' solver (~100 s cold)
def test_slow_trained_limit_form_of_the_derivation():
    """``solve(form="trained-limit")`` is :func:`solve_one_step_trained`; at η̃ = 0 there is no
    step and it is the random-features limit."""
    from symrmt.equivalents import solve_one_step, solve_one_step_trained
    from symrmt.registry import load

    d = load("one-step-spiked-rf")
    al = np.array([0.5, 2.0])
    got = d.solve(alpha=al, activation="relu", form="trained-limit")
    ref = solve_one_step_trained(al, 0.05, 2.0, 2.0, activation="relu", target="tanh")
    assert np.allclose(got["test_error"], ref["test_error"], rtol=1e-12)
    rf = d.solve(alpha=al, activation="relu", form="trained-limit", eta=0)
    assert np.allclose(rf["test_error"], solve_one_step(al, 2.0, 0.0, 0.05, activation="relu", target="tanh")
                       ["test_error"], rtol=1e-12)
