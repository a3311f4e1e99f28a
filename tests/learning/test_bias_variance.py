"""The bias–variance terms of a model against their simulated counterparts (numpy, ridge on a
3-atom Σ): ``bias`` is the error of the mean predictor over data draws, ``variance_samples``
the spread of the signal part over data draws, ``variance_noise`` the label-noise part.

D = 300, P = 450 (samples 1.5), λ = 0.05, noise 0.25, Σ with eigenvalues 0.5, 1, 2 in
proportions 0.3, 0.4, 0.3, a fixed target with ``w̄_i = ±1/√D`` (so ``w̄ᵀf(Σ)w̄ = tr f(Σ)/D``
exactly), T = 60 data draws, seed 7.  For each draw the noise part is its exact conditional
expectation ``σ² tr(Σ A XᵀX A)/P²`` (``A = (XᵀX/P + λ)⁻¹``); the mean predictor's error is
corrected for the finite number of draws, ``‖m̄ − w̄‖²_Σ − V̂/T`` (unbiased).  Tolerance:
4 standard errors plus 3 % for the O(1/D) finite-size bias.
"""
import numpy as np

import symrmt.learning as sl

SPEC = ([0.5, 1.0, 2.0], [0.3, 0.4, 0.3])


def test_bias_and_variances_against_data_draws():
    D, P, lam, noise, T = 300, 450, 0.05, 0.25, 60
    th = sl.model(data=SPEC, noise=noise).solve(samples=P / D, ridge=lam)
    sig = np.repeat([0.5, 1.0, 2.0], [90, 120, 90])
    rng = np.random.default_rng(7)
    wbar = rng.choice([-1.0, 1.0], D) / np.sqrt(D)
    preds, vnoise = [], []
    for _ in range(T):
        X = rng.standard_normal((P, D)) * np.sqrt(sig)
        G = X.T @ X / P
        A = np.linalg.inv(G + lam * np.eye(D))
        preds.append(A @ G @ wbar)
        vnoise.append(noise * np.trace((sig[:, None] * A) @ G @ A) / P)
    W = np.array(preds)
    err = np.einsum("ti,i,ti->t", W - wbar, sig, W - wbar)          # signal error per draw
    mean = W.mean(axis=0)
    spread = np.einsum("ti,i,ti->t", W - mean, sig, W - mean) * T / (T - 1)
    bias = float((mean - wbar) @ (sig * (mean - wbar))) - spread.mean() / T
    checks = {"variance_noise": (np.mean(vnoise), np.std(vnoise, ddof=1) / np.sqrt(T)),
              "variance_samples": (spread.mean(), spread.std(ddof=1) / np.sqrt(T)),
              "bias": (bias, spread.std(ddof=1) / T + err.std(ddof=1) / np.sqrt(T))}
    tot = err.mean() + np.mean(vnoise) + noise
    for name, (value, se) in checks.items():
        expected = float(th[name])
        assert abs(value - expected) <= 4 * se + 0.03 * expected, (name, value, se, expected)
    assert abs(tot - float(th["test_error"])) <= 0.03 * float(th["test_error"])
