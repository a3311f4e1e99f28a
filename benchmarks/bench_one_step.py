"""Speed of the generated one-step (spiked random features) solver vs the same fixed point
iterated in numpy, measured in the same run.

A learning curve of 50 values of α (tanh/tanh, α0 = 2, η̃ = 2, λ = 0.05; Cui et al., arXiv
2402.04980) solved (a) by :func:`symrmt.equivalents.solve_one_step` — the generated numba
Newton solver of the nonlinear part (V1, V2) plus closed-form linear algebra for the overlaps —
and (b) by damped fixed-point iteration of all the overlap equations in numpy (the scheme of the
authors' notebook), with the same κ-quadrature node values and closed-form Marchenko–Pastur
traces, warm-started along the curve.  Prints both times, the ratio and the largest difference of
the two test errors.  Compilation happens before timing (first call, cached).
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def _mp(t, psi):
    """tr(A + t)⁻¹ and tr(A + t)⁻² for A ~ Marchenko–Pastur(ratio psi): the positive root."""
    z = -t
    A, B = psi * z, z - 1 + psi
    disc = np.sqrt(B * B - 4 * A)
    r1, r2 = (-B + disc) / (2 * A), (-B - disc) / (2 * A)
    m = r1 if r1 > 0 else r2
    return m, -(psi * m * m + m) / (2 * psi * z * m + z - 1 + psi)


def numpy_curve(alphas, lam, width, c, nv, w, kap, damping=0.5, tol=1e-12, maxit=200000):
    mu0, mu1, mu2, h, h1, hh = (nv[k] for k in ("mu0", "mu1", "mu2", "h", "h1", "hh"))
    out = np.empty(len(alphas))
    state = None
    pin = np.max(np.abs(mu0)) < 1e-14
    for i, alpha in enumerate(alphas):
        a = alpha / width
        V1 = V2 = 1 / (lam + a + 1)
        th = mb = ps = q1 = q2 = 0.0
        if state is not None:
            V1, V2, th, mb, ps, q1, q2 = state
        for _ in range(maxit):
            D = 1 + mu1**2 * V1 + mu2**2 * V2
            Vh1, Vh2 = a * w @ (mu1**2 / D), a * w @ (mu2**2 / D)
            t = (lam + Vh2) / (Vh1 * c * c)
            m, dm = _mp(t, width)
            T0, T1 = m / (Vh1 * c * c), (1 - t * m) / Vh1
            T00, T01 = dm / (Vh1 * c * c) ** 2, (m - t * dm) / (Vh1**2 * c * c)
            T11 = (1 - 2 * t * m + t * t * dm) / Vh1**2
            C = mu0 * mb + mu1 * kap * th
            thh, psh = a * w @ (kap * mu1 * (h - C) / D), a * w @ (mu1 * h1 / D)
            err = hh + C**2 - 2 * C * h - 2 * mu1 * ps * h1 + mu1**2 * q1 + mu2**2 * q2
            qh1, qh2 = a * w @ (mu1**2 * err / D**2), a * w @ (mu2**2 * err / D**2)
            new = np.array([T1, T0, width * c * c * thh * T0,
                            0.0 if pin else w @ (mu0 * (h - mu1 * kap * th) / D) / (w @ (mu0**2 / D)),
                            width * psh * T1,
                            qh1 * T11 + (qh2 + width * c * c * thh**2) * T01 + width * psh**2 * T11,
                            qh1 * T01 + (qh2 + width * c * c * thh**2) * T00 + width * psh**2 * T01])
            old = np.array([V1, V2, th, mb, ps, q1, q2])
            if np.max(np.abs(new - old)) < tol * max(1.0, np.max(np.abs(new))):
                break
            V1, V2, th, mb, ps, q1, q2 = damping * old + (1 - damping) * new
        D = 1 + mu1**2 * V1 + mu2**2 * V2
        C = mu0 * mb + mu1 * kap * th
        out[i] = w @ (hh + C**2 - 2 * C * h - 2 * mu1 * ps * h1 + mu1**2 * q1 + mu2**2 * q2)
        state = (V1, V2, th, mb, ps, q1, q2)
    return out


def main(argv=None) -> int:
    from symrmt.equivalents import node_values, solve_one_step, spike_values

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    alphas = np.linspace(0.2, 4.0, args.points)
    a0, eta, lam, width = 2.0, 2.0, 0.05, 1.0
    solve_one_step(alphas, a0, eta, lam, width)  # compile (cached) and warm up numba
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        res = solve_one_step(alphas, a0, eta, lam, width)
    t_gen = (time.perf_counter() - t0) / args.repeat
    r, c, g = (float(v) for v in spike_values(eta, a0))
    nodes = 40   # the solver's κ rule: Gauss–Hermite (probabilists') with 40 nodes
    kap, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / np.sqrt(2 * np.pi)
    nv = {k: v[0] for k, v in node_values(np.array([r]), np.array([c]), np.array([g]), nodes=nodes).items()
          if k not in ("kappa", "weight")}
    t0 = time.perf_counter()
    ref = numpy_curve(alphas, lam, width, c, nv, w, kap)
    t_np = time.perf_counter() - t0
    diff = float(np.max(np.abs(np.asarray(res["test_error"]) - ref)))
    print(f"one-step learning curve, {args.points} values of alpha (tanh/tanh, alpha0={a0}, eta={eta}, ridge={lam})")
    print(f"generated solver : {t_gen * 1e3:9.2f} ms   (all converged: {bool(np.all(res.converged))})")
    print(f"numpy iteration  : {t_np * 1e3:9.2f} ms")
    print(f"ratio            : {t_np / t_gen:9.1f}x   (max |difference| of test errors {diff:.2e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
