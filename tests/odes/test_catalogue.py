"""The catalogue's Lorenz system and its IMDE, against routes written here.

Independent routes: (1) the Taylor expansion of the numerical flow ``Φ_h[f_h](y)`` (explicit
Runge--Kutta stages substituted by hand; the field is quadratic, so everything is a polynomial in
``h``) against the Lie series of the exact flow ``φ_h[f](y) = Σ_k h^k/k! L_f^k(y)``; (2) the
closed forms of the Euler IMDE in elementary differentials built from SymPy Jacobians/Hessians
(the coefficient row of Zhu, Jin, Zhu & Tang's hard-coded ``IE_LS``); (3) the flow computed by
scipy's DOP853.
"""
import numpy as np
import pytest
import sympy as sp

from symrmt.odes import SYSTEM_NAMES, get_system, imde, imde_terms

H = sp.Symbol("h")
K = 3  # IMDE kept to h^3: Φ_h[f_h] = φ_h[f] + O(h^5)


def _lorenz():
    s = get_system("lorenz")
    return sp.Matrix(s.f), sp.Matrix(s.y)


def _lie_series(f, y, order):
    """``Σ_{k<=order} h^k/k! L_f^k(y)`` with ``L_f u = (∂u/∂y) f``."""
    out, u = y.copy(), y.copy()
    for k in range(1, order + 1):
        u = u.jacobian(y) * f
        out += H ** k / sp.factorial(k) * u
    return out


def _explicit_step(A, b, g, y):
    """One explicit Runge--Kutta step of the field ``g`` (a function of a state vector)."""
    ks = []
    for i in range(len(b)):
        yi = y + H * sum((A[i][j] * ks[j] for j in range(i)), sp.zeros(len(y), 1))
        ks.append(g(yi))
    return y + H * sum((b[i] * ks[i] for i in range(len(b))), sp.zeros(len(y), 1))


def _truncate(vec, order):
    return sp.Matrix([sum(sp.expand(c).coeff(H, k) * H ** k for k in range(order + 1)) for c in vec])


# exact rational points of the box: both sides are polynomials in h there, and a polynomial
# identity in (h, y) that failed would fail at generic points
POINTS = [(sp.Rational(-3, 2), sp.Rational(7, 10), sp.Rational(13, 5)),
          (sp.Rational(4, 3), sp.Rational(-11, 5), sp.Rational(9, 10)),
          (sp.Rational(1, 7), sp.Rational(5, 2), sp.Rational(41, 10))]


@pytest.mark.parametrize("method, A, b", [
    ("euler", [[0]], [1]),
    ("midpoint", [[0, 0], [sp.Rational(1, 2), 0]], [0, 1]),
])
def test_lorenz_imde_matches_taylor_expansion_of_the_numerical_flow(method, A, b):
    f, y = _lorenz()
    exact = _lie_series(f, y, K + 1)
    for order, holds in ((K, True), (K - 1, False)):  # one order less: the h^K term matters
        fh = sp.Matrix(imde(list(f), list(y), method, order, h=H))
        g = lambda v: fh.subs(dict(zip(y, v)), simultaneous=True)  # noqa: E731
        for p in POINTS:
            at = dict(zip(y, p))
            numerical = _truncate(_explicit_step(A, b, g, sp.Matrix(p)), K + 1)
            assert (sp.expand(numerical - exact.subs(at)) == sp.zeros(3, 1)) is holds, (order, p)


def test_lorenz_euler_imde_in_elementary_differentials():
    # f_1 = f'f/2, f_2 = (f''(f,f) + f'f'f)/6, f_3 = (f'''(f,f,f) + 3 f''(f'f,f) + f'f''(f,f) + f'f'f'f)/24
    f, y = _lorenz()
    J = f.jacobian(y)

    def f2(u, v):  # f''(u, v), component-wise Hessians
        return sp.Matrix([(u.T * sp.hessian(fi, y) * v)[0] for fi in f])

    ff = J * f
    want = [f, ff / 2, (f2(f, f) + J * ff) / 6, (3 * f2(ff, f) + J * f2(f, f) + J * J * ff) / 24]
    got = imde_terms(list(f), list(y), "euler", K)
    for k in range(K + 1):
        assert sp.expand(sp.Matrix(got[k]) - want[k]) == sp.zeros(3, 1), k
    # f''' = 0 for the quadratic field: the authors' coefficient 1/24 of f'''(f,f,f) drops out
    assert all(sp.diff(fi, *v) == 0 for fi in f for v in [(y[0], y[1], y[2]), (y[1], y[1], y[2])])


def test_lorenz_euler_imde_against_scipy_flow():
    # (φ_h(y0) − y0)/h = f_h(y0) exactly for Euler; truncated at h^3 the remainder is h^4 f_4
    # (RMS 4.6e-3 on the box at h = 1/100); DOP853 at rtol 1e-13 is far below that.
    from scipy.integrate import solve_ivp
    s = get_system("lorenz")
    rhs = sp.lambdify([list(s.y)], list(s.f), "numpy")
    h = 0.01
    fh = sp.lambdify([list(s.y)], [c.subs(H, h) for c in imde(list(s.f), list(s.y), "euler", K, h=H)], "numpy")
    f0 = sp.lambdify([list(s.y)], list(s.f), "numpy")
    rng = np.random.default_rng(3)
    errs, gaps = [], []
    for _ in range(20):
        y0 = np.array([rng.uniform(a, b) for a, b in s.box])
        sol = solve_ivp(lambda t, v: rhs(v), (0, h), y0, method="DOP853", rtol=1e-13, atol=1e-13)
        target = (sol.y[:, -1] - y0) / h
        errs.append(np.linalg.norm(target - np.asarray(fh(y0), float)))
        gaps.append(np.linalg.norm(target - np.asarray(f0(y0), float)))
    assert np.sqrt(np.mean(np.square(errs))) < 0.02          # ~ h^4 f_4
    assert np.sqrt(np.mean(np.square(gaps))) > 2.0           # ~ h f'f/2: the IMDE is not f


def test_lorenz_in_the_catalogue():
    assert "lorenz" in SYSTEM_NAMES
    s = get_system("lorenz")
    assert s.dim == 3 and len(s.box) == 3
    f, y = _lorenz()
    assert sp.simplify(sum(sp.diff(f[i], y[i]) for i in range(3))) == sp.Rational(-41, 3)
