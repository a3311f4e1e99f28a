"""A learning problem composed like a law: structured data, a structured feature layer, an ensemble,
and nonlinear random features by Gaussian equivalence.

One description gives the equations (by products of S-transforms), the generated solver (a whole
learning curve in one call) and the torch simulation of the same model.  With
``activation="relu"`` on one layer over isotropic data the model is Mei–Montanari random
features; its theory is compared with trained ReLU features.  Usage:
``python examples/learning_model.py``.
"""
from __future__ import annotations

import numpy as np


def main(d: int = 120, trials: int = 3, seed: int = 0) -> dict:
    import symrmt.learning as sl
    from symrmt.derivation.from_model import from_model

    m = sl.model(data=([0.5, 1.0, 2.0], [0.3, 0.4, 0.3]),                 # spectrum of Σ: 3 atoms
                 layers=[sl.linear(width=1.5, weights=([0.5, 1.5], [0.5, 0.5]))],  # structured weights
                 noise=0.1, ensemble=2)
    for label, eq in m.equations()[3:5]:
        print(f"{label}: {eq}")
    samples = np.geomspace(0.2, 5, 200)
    curve = m.solve(samples=samples, ridge=0.05)
    print(f"test error along samples = P/D in [0.2, 5]: max {np.max(curve['test_error']):.3f}, "
          f"at samples = 5: {curve['test_error'][-1]:.3f}")
    d_model = from_model(m, "example-model", samples=1.5, ridge=0.05)
    out = {}
    for s in (0.5, 3.0):
        th = float(m.solve(samples=s, ridge=0.05)["test_error"])
        sim = d_model.simulate(d, trials=trials, seed=seed, samples=s)
        lo, hi = sim.ci("test_error")
        print(f"samples={s}: theory {th:.4f}, trained models {sim.mean('test_error'):.4f} "
              f"(95% CI [{lo:.4f}, {hi:.4f}], D={d}, {trials} trials)")
        assert abs(sim.mean("test_error") - th) < 0.25 * th, (th, sim.mean("test_error"))
        out[s] = (th, sim.mean("test_error"))
    # more samples help here: the error at samples = 3 is below that at samples = 0.5
    assert out[3.0][0] < out[0.5][0]

    # nonlinear random features (Mei–Montanari) as an instance of the same description
    rf = sl.model(layers=[sl.linear(width=1.5)], activation="relu", noise=0.1)
    a = rf.activation
    print(f"ReLU linearized: kappa0 = {a.kappa0:.4f}, kappa1 = {a.kappa1:.4f}, kappa* = {a.kappastar:.4f}")
    th = float(rf.solve(samples=1.5, ridge=0.05)["test_error"])
    sim = from_model(rf, "example-rf", samples=1.5, ridge=0.05).simulate(d, trials=trials, seed=seed)
    lo, hi = sim.ci("test_error")
    print(f"ReLU random features, samples=1.5: theory {th:.4f}, trained {sim.mean('test_error'):.4f} "
          f"(95% CI [{lo:.4f}, {hi:.4f}], D={d}, {trials} trials)")
    assert abs(sim.mean("test_error") - th) < 0.25 * th, (th, sim.mean("test_error"))
    out["relu"] = (th, sim.mean("test_error"))
    return out


if __name__ == "__main__":
    main()
