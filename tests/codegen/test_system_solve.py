"""CompiledSystem.solve: strict by default, NaN (never a wrong number) where a point fails, real
spectral points as the limit from the upper half-plane, scale-aware convergence, and the ridge
equivalent against an independent high-precision route (arXiv 2405.00592; REFERENCES.md §2)."""
import mpmath
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.derivation import LearningCurveDerivation
from symrmt.errors import ConvergenceError, ParameterError

m, z = sp.symbols("m z")
a, p, q = sp.symbols("a p q")
u1, u2 = sp.symbols("u1 u2")


@pytest.fixture(scope="module")
def impossible():
    """u1 u2 = p, u1 + u2 = q with Im u1 > 0 and Im u2 > 0: impossible for real p, q (the roots
    are conjugate or real), so every real point must fail -- and say so."""
    return sr.System([u1 * u2 - p, u1 + u2 - q], [u1, u2], [p, q], domains={u1: "upper", u2: "upper"},
                     initial={u1: 1 + sp.I, u2: 2 + sp.I},
                     observables={"density": sp.im(u1) / sp.pi, "total": u1 + u2}).compile()


@pytest.fixture(scope="module")
def semicircle_system():
    return sr.System([m**2 + z * m + 1], [m], [z], domains={m: "upper"}, initial={m: -1 / z},
                     observables={"density": sp.im(m) / sp.pi}).compile()


def test_strict_is_the_default(impossible):
    with pytest.raises(ConvergenceError, match=r"2 of 3 point\(s\).*worst residual [0-9.e+-]+") as err:
        # the third point has roots 1 + i and -1 + 2i, both in C+
        impossible.solve(p=np.array([2.0, 3.0, -3 + 1j]), q=np.array([2.0, 2.0, 3j]))
    assert "strict=False" in str(err.value)
    res = impossible.solve(p=np.array([2.0, 3.0]), q=2.0, strict=False)
    assert not res.converged.any()
    assert np.all(np.isfinite(res.residual)) and np.all(res.residual > 1e-6)
    with pytest.raises(ParameterError, match="strict"):
        impossible.solve(p=2.0, q=2.0, strict="no")


def test_observables_are_nan_where_not_converged(impossible):
    res = impossible.solve(p=np.array([2.0, 3.0]), q=2.0, strict=False)
    # im(u1)/pi at a NaN unknown: NaN, not the 0.0 of im(nan + 0j)
    assert np.all(np.isnan(res["density"])) and np.all(np.isnan(res["total"]))
    assert np.all(np.isnan(res["u1"].real)) and np.all(np.isnan(res["u1"].imag))


def test_nan_observable_at_a_solved_point_is_flagged():
    cs = sr.System([a - p], [a], [p], observables={"r": sp.sqrt(a - 1) * sp.log(a - 1)}).compile()
    res = cs.solve(p=np.array([2.0, 1.0, 3.0]), strict=False)   # 0 * log 0 = NaN at p = 1
    assert res.converged.tolist() == [True, False, True]
    assert np.isnan(res["r"][1]) and np.isnan(res["a"][1])
    assert np.allclose(res["r"][[0, 2]], [0.0, np.sqrt(2) * np.log(2)], rtol=1e-14, atol=1e-300)
    with pytest.raises(ConvergenceError, match="1 of 3"):
        cs.solve(p=np.array([2.0, 1.0, 3.0]))


def test_real_axis_is_the_limit_from_above(semicircle_system):
    x = np.array([-3.0, -2.0, -1.5, -0.3, 0.0, 0.7, 1.9999, 2.0, 2.5, 10.0])
    res = semicircle_system.solve(z=x + 0j)
    assert res.converged.all()
    # m(x + i0) = (-x + i sqrt(4 - x^2))/2 inside [-2, 2], (-x + sign(x) sqrt(x^2 - 4))/2 outside
    inside = np.abs(x) <= 2
    exact = np.where(inside, (-x + 1j * np.sqrt(np.maximum(4 - x**2, 0))) / 2,
                     (-x + np.sign(x) * np.sqrt(np.maximum(x**2 - 4, 0))) / 2)
    edge = np.abs(x) == 2   # a double root: Newton stops at |P| ~ round-off, |m - m*| ~ 1e-9
    err = np.abs(res["m"] - exact)
    assert np.max(err[~edge]) <= 1e-12 and np.max(err[edge]) <= 1e-8
    derr = np.abs(res["density"] - np.sqrt(np.maximum(4 - x**2, 0)) / (2 * np.pi))
    assert np.max(derr[~edge]) <= 1e-12 and np.max(derr[edge]) <= 1e-8
    assert np.all(res["density"][~inside] == 0.0) and np.all(res["density"][inside & (np.abs(x) < 2)] > 0)
    # the same values as the upper half-plane at a tiny distance
    near = semicircle_system.solve(z=x + 1e-9j)
    assert np.max(np.abs(near["m"] - res["m"])) <= 1e-4


def test_real_axis_from_law_matches_closed_form():
    cs = sr.System.from_law(sr.laws.marchenko_pastur(sp.Rational(1, 2))).compile()
    x = np.linspace(-1, 4, 21)
    res = cs.solve(z=x + 0j)
    lm, lp = (1 - np.sqrt(0.5)) ** 2, (1 + np.sqrt(0.5)) ** 2
    dens = np.sqrt(np.maximum((lp - x) * (x - lm), 0)) / (2 * np.pi * 0.5 * np.where(x == 0, 1, x))
    assert res.converged.all()
    assert np.max(np.abs(res["m"].imag / np.pi - dens)) <= 1e-12


def test_negative_imaginary_spectral_parameter_is_refused(semicircle_system):
    with pytest.raises(ParameterError, match=r"z: .*Im z >= 0"):
        semicircle_system.solve(z=np.array([1.0 + 1j, 0.5 - 1e-3j]))


def test_learning_curve_solve_accepts_strict():
    d = sr.load("ridge")
    r1 = d.solve(strict=True, q=np.array([0.5, 2.0]))
    r2 = d.solve(strict=False, q=np.array([0.5, 2.0]))
    assert r1.converged.all() and np.array_equal(r1["test_error"], r2["test_error"])
    with pytest.raises(ParameterError, match="strict"):
        d.solve(strict=1)

    class Failing(LearningCurveDerivation):
        name = "failing"
        parameters = (sr.registry.Parameter("x", 1.0, low=0),)

        def solve_arrays(self, x):
            return {"converged": np.array([True, False]), "test_error": np.array([1.0, np.nan])}

    with pytest.raises(ConvergenceError, match="1 of 2"):
        Failing().solve()
    assert Failing().solve(strict=False)["converged"].tolist() == [True, False]


# ---------------------------------------------------------------- ridge: an independent route
def _ridge_mp(qv: float, lam: float, noise: float, signal: float, dps: int = 60) -> dict:
    """Σ = I: bisection on λ = κ(1 − q/(1 + κ)) for κ > max(0, q − 1) (where the left side is
    increasing from 0), then the AZP formulas as written in REFERENCES.md §2, at ``dps`` digits."""
    with mpmath.workdps(dps):
        qq, ll, s2, sig = (mpmath.mpf(v) for v in (qv, lam, noise, signal))
        g = lambda k: k * (1 - qq / (1 + k)) - ll  # noqa: E731
        lo, hi = max(mpmath.mpf(0), qq - 1), qq + ll
        assert g(lo) <= 0 <= g(hi)
        for _ in range(400):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
        k = (lo + hi) / 2
        df1, df2, t2 = 1 / (1 + k), 1 / (1 + k) ** 2, 1 / (1 + k) ** 2
        test = (k**2 * sig * t2 + s2) / (1 - qq * df2)
        train = (ll / k) ** 2 * test
        gcv = train / (1 - qq * df1) ** 2
        return {"kappa": float(k), "test_error": float(test), "train_error": float(train), "gcv": float(gcv)}


def test_ridge_huge_ridge_converges_and_matches():
    qs = np.array([0.1, 0.5, 1.0, 2.0, 10.0, 100.0])
    res = sr.load("ridge").solve(ridge=1e6, q=qs, noise=0.25, signal=1.0)
    assert res.converged.all()             # was flagged for q = 0.1: |F| ~ 1e-10 is round-off at κ ~ 1e6
    assert np.all(res.residual <= 1e-10)
    for i, qv in enumerate(qs):
        ref = _ridge_mp(qv, 1e6, 0.25, 1.0)
        for k in ("kappa", "test_error", "train_error", "gcv"):
            assert abs(res[k][i] - ref[k]) <= 1e-12 * abs(ref[k]), (qv, k, res[k][i], ref[k])


def test_ridge_gcv_precision_at_large_q_tiny_ridge():
    res = sr.load("ridge").solve(q=1e3, ridge=1e-10, noise=0.25, signal=1.0)
    ref = _ridge_mp(1e3, 1e-10, 0.25, 1.0)
    assert bool(res.converged)
    # 1 − q·df1 = λ/κ ~ 1e-13 here: evaluated as a difference it lost 8e-4 (relative)
    assert abs(float(res["gcv"]) - ref["gcv"]) <= 1e-10 * ref["gcv"]
    assert abs(float(res["test_error"]) - ref["test_error"]) <= 1e-10 * ref["test_error"]
    assert abs(float(res["train_error"]) - ref["train_error"]) <= 1e-10 * ref["train_error"]


def test_a_system_with_a_large_jacobian_returns_arrays_and_solves_exactly():
    # 32 unknowns: residual + Jacobian = 1056 outputs, past numba's 1000-item tuple limit;
    # the generated functions return arrays (only nonzero entries assigned).  The tridiagonal
    # system u_i = c + (u_{i-1} + u_{i+1})/4 (u_0 = u_33 = 0) is solved against numpy.
    from symrmt.codegen.printer import ARRAY_OUTPUTS

    k = 32
    assert k + k * k > ARRAY_OUTPUTS
    u = sp.symbols(f"u1:{k + 1}")
    c = sp.Symbol("c")
    eqs = [u[i] - c - ((u[i - 1] if i else 0) + (u[i + 1] if i + 1 < k else 0)) / 4 for i in range(k)]
    system = sr.System(eqs, list(u), [c], observables={"first": u[0]}, initial={w: 0 for w in u})
    res = system.compile().solve(c=np.array([1.0, -0.5]))
    A = np.eye(k) - (np.eye(k, k=1) + np.eye(k, k=-1)) / 4
    exact = np.linalg.solve(A, np.ones(k))[0]
    assert np.allclose(np.asarray(res["first"]), [exact, -0.5 * exact], rtol=1e-12)
