"""The IMDE of the pendulum for three integrators, and a neural ODE that learns it.

Zhu, Jin, Zhu & Tang (ICML 2022, arXiv 2206.07335): a neural ODE trained with integrator Φ_h on
exact-flow data learns the inverse modified equation f_h (Φ_h[f_h] = φ_h[f]), not f.  Here:
the IMDE to h^2 for explicit Euler, its divergence (the pendulum's flow preserves area, Euler's
IMDE does not), the orders at which RK4 and Gauss4 corrections start, and a small training run.

Run: python examples/imde_pendulum.py [--no-train]
"""
import sys

import sympy as sp

from symrmt import odes


def main(train: bool = True) -> None:
    q, p, h = sp.symbols("q p h")
    f = [p, -sp.sin(q)]
    fh = odes.imde(f, [q, p], "euler", 2, h=h)
    print("Euler IMDE of the pendulum to h^2:")
    for comp in fh:
        print("   ", comp)
    div = odes.correction_divergence(fh, [q, p], 2, h=h)
    print("divergence of each h^k term:", div)
    # f_1 = f'f/2 = (−sin q, −p cos q)/2 has divergence −cos q: Euler's IMDE does not preserve area
    assert div[0] == 0 and sp.simplify(div[1] + sp.cos(q)) == 0
    for name in ("rk4", "gauss4"):
        div = odes.correction_divergence(odes.imde(f, [q, p], name, 5), [q, p], 5)
        first = next((k for k, d in enumerate(div) if d != 0), None)
        where = f"h^{first}" if first is not None else "none up to h^5"
        print(f"{name}: symplectic={odes.is_symplectic(name)}, first nonzero divergence: {where}")
        assert (first is None) == odes.is_symplectic(name)
    if train:
        from symrmt.simulate.neural_ode import run_experiment
        _, cmp_ = run_experiment("pendulum", "euler", 0.1, orders=3, quick=True, seed=0)
        print(cmp_.summary())
        e = cmp_.rms_to_imde
        assert e[0] > 10 * e[2], "the learned field should be far closer to the IMDE than to f"
        assert cmp_.divergence_corr > 0.9, "the learned field should carry the IMDE's divergence"


if __name__ == "__main__":
    main(train="--no-train" not in sys.argv)
