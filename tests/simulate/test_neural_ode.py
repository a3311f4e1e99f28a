"""Neural ODEs learn the IMDE (Zhu, Jin, Zhu & Tang, arXiv 2206.07335): torch checks.

Tolerances: the learned field is only as accurate as its training, and for explicit Euler the
square root of the one-step loss is exactly the training RMS of f_θ − f_h (h f_h = φ_h − id), so
each claim is stated relative to that measured floor (≈ 1e-3 here) while the signal, ‖f_h − f‖ ≈
h‖f'f‖/2 ≈ 4e-2 at h = 0.1, is 40 floors large.
"""
import numpy as np
import pytest
import sympy as sp

torch = pytest.importorskip("torch")

from symrmt.errors import ParameterError  # noqa: E402
from symrmt.odes import get_system, tableau  # noqa: E402
from symrmt.simulate.neural_ode import evaluate_against_imde, reference_flow, rk_step, train_neural_ode  # noqa: E402


def _rot(y):
    return torch.stack([y[..., 1], -y[..., 0]], dim=-1)


def test_rk_step_matches_stability_function():
    # y' = My: one step is R(hM) y with R the stability function (exact for explicit methods;
    # implicit ones solved by fixed-point sweeps to ~ (h/2)^iterations).
    M = np.array([[0.0, 1.0], [-1.0, 0.0]])
    y0 = torch.tensor([[0.3, -1.2], [1.0, 0.5]], dtype=torch.float64)
    z = sp.Symbol("z")
    for name, tol in (("rk4", 1e-15), ("heun", 1e-15), ("gauss4", 1e-12), ("implicit_midpoint", 1e-12)):
        num, den = sp.fraction(sp.cancel(tableau(name).stability_function(z)))
        P = sum(float(c) * np.linalg.matrix_power(0.2 * M, k)
                for k, c in enumerate(sp.Poly(num, z).all_coeffs()[::-1]))
        Q = sum(float(c) * np.linalg.matrix_power(0.2 * M, k)
                for k, c in enumerate(sp.Poly(den, z).all_coeffs()[::-1]))
        want = y0.numpy() @ np.linalg.solve(Q, P).T
        got = rk_step(name, _rot, y0, 0.2, iterations=30).numpy()
        np.testing.assert_allclose(got, want, atol=tol, err_msg=name)


def test_reference_flow_against_scipy():
    from scipy.integrate import solve_ivp
    sysm = get_system("pendulum")
    y0 = torch.tensor([[1.2, 0.4], [-1.5, -1.0]], dtype=torch.float64)
    got = reference_flow(sysm, y0, 0.1).numpy()
    for i in range(2):
        sol = solve_ivp(lambda t, y: [y[1], -np.sin(y[0])], (0, 0.1), y0[i].numpy(),
                        method="DOP853", rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(got[i], sol.y[:, -1], atol=1e-12)


def test_euler_trained_field_is_the_imde():
    # n_train = 256 points, 800 Adam + 300 L-BFGS steps, seed 0; ~5 s on one CPU core.
    res = train_neural_ode("pendulum", "euler", 0.1, n_train=256, width=32, adam_steps=800,
                           lbfgs_steps=300, seed=0)
    c = evaluate_against_imde(res, orders=3, n_test=2000, seed=7)
    floor = c.loss_floor ** 0.5
    assert floor < 3e-3
    e = c.rms_to_imde
    assert e[0] > 10 * e[2]                  # measurably closer to the IMDE than to f
    assert e[0] > e[1] > e[2]                # the gap closes with the truncation order ...
    assert e[2] < 3 * floor and e[3] < 3 * floor   # ... down to the learning floor
    # conservation law: f is divergence-free, the Euler IMDE is not (div = −h cos q + O(h²));
    # the learned field carries the IMDE's divergence, not f's
    assert c.divergence_corr > 0.95
    assert c.divergence_err_imde < 0.1 * c.divergence_err_true


def test_training_bad_input():
    with pytest.raises(ParameterError, match="h"):
        train_neural_ode("pendulum", "euler", 0.0)
    with pytest.raises(ParameterError, match="system"):
        train_neural_ode("double_pendulum", "euler", 0.1)
    with pytest.raises(ParameterError, match="n_train"):
        train_neural_ode("pendulum", "euler", 0.1, n_train=2)


def test_derivations_discoverable_and_solve():
    from symrmt.registry import available, load
    names = available()
    for name in ("imde-pendulum", "imde-lotka-volterra", "imde-linear", "imde-lorenz"):
        assert name in names
    d = load("imde-pendulum")
    sol = d.solve(order=2)
    q, p = sp.symbols("q p")
    # explicit Euler: f_1 = f'f/2 = (−sin q, −p cos q)/2
    assert sp.simplify(sp.sympify(sol["terms"][1][0]) + sp.sin(q) / 2) == 0
    assert sp.simplify(sp.sympify(sol["terms"][1][1]) + p * sp.cos(q) / 2) == 0
    assert "IMDE" in d.show()
    with pytest.raises(ParameterError, match="order"):
        d.solve(order=-1)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["imde-pendulum", "imde-lotka-volterra", "imde-linear", "imde-pendulum-bdf2",
                                  "imde-lorenz"])
def test_derivation_verify_and_control(name, tmp_path):
    # full run: 1024 training points, 3 seeds; the control claims the network learns f (order 0)
    from symrmt.registry import load
    d = load(name)
    rep = d.verify(seed=0)
    assert rep.verdict == "agrees", rep.reasons
    rep.save(tmp_path, name)
    ctl = d.verify(seed=0, trials=2, theory_params={"order": 0})
    assert ctl.verdict == "disagrees", ctl.reasons


@pytest.mark.slow
def test_symplectic_training_keeps_area():
    # implicit midpoint (symplectic): IMDE divergence-free, so the learned divergence is at the
    # learning-noise level, far below the Euler-trained field's −h cos q.
    kw = dict(n_train=1024, width=64, adam_steps=3000, lbfgs_steps=1000, seed=3)
    sym = evaluate_against_imde(train_neural_ode("pendulum", "implicit_midpoint", 0.1, **kw), orders=3)
    eul = evaluate_against_imde(train_neural_ode("pendulum", "euler", 0.1, **kw), orders=3)
    assert sym.divergence_imde < 1e-12
    assert sym.divergence_learned < 0.1 * eul.divergence_learned


def test_multistep_training_learns_the_multistep_imde():
    """BDF2 loss on exact windows, pendulum, h = 0.2, 256 points, seed 0: the learned field is
    within 3 learning floors of the order-3 multistep IMDE and more than 10 floors from f (quick
    training; the slow suite verifies the registered derivation with 3 seeds and a control)."""
    res = train_neural_ode("pendulum", "bdf2", 0.2, n_train=256, width=32, adam_steps=800, lbfgs_steps=300, seed=0)
    cmp = evaluate_against_imde(res, orders=3, n_test=1000)
    floor = res.final_loss ** 0.5
    assert cmp.rms_to_imde[3] < 3 * floor, (cmp.rms_to_imde, floor)
    assert cmp.rms_to_imde[0] > 10 * floor


def test_lorenz_quick_verify_learns_the_euler_imde():
    """imde-lorenz in quick mode (256 points, width 32, 2 networks, seed 0; ~8 s on one core):
    the learned field is within 3 learning floors (√loss ≈ 0.17) of the order-3 Euler IMDE while
    ``f`` is ≈ 12 floors away (``h‖f′f‖/2`` ≈ 2.0 at h = 1/100); the control claiming ``f`` (order 0)
    must disagree (> 5 floors)."""
    from symrmt.registry import load
    d = load("imde-lorenz")
    rep = d.verify(quick=True, seed=0)
    assert rep.verdict == "agrees", rep.reasons
    ctl = d.verify(quick=True, seed=0, trials=1, theory_params={"order": 0})
    assert ctl.verdict == "disagrees", ctl.reasons
