"""B-series coefficients against closed forms and independent constructions.

References: Hairer, Lubich & Wanner (HLW) III, IX; Chartier, Hairer & Vilmart (FoCM 2010);
Zhu, Jin, Zhu & Tang (arXiv 2206.07335), REFERENCES §8.
"""
import pytest
import sympy as sp

from symrmt.odes import (TABLEAU_NAMES, Tableau, composition, exact_weights, imde_coefficients,
                         is_symplectic, modified_equation_coefficients, rk_weights, substitution,
                         tableau)
from symrmt.odes.trees import LEAF, gamma, order, trees, trees_upto

NAMES = sorted(TABLEAU_NAMES)
x = sp.Symbol("x")


def _chain(n):
    t = LEAF
    for _ in range(n - 1):
        t = (t,)
    return t


z_ = sp.Symbol("z")


def _closed_form_series(R, n):
    """Series of log R(x) and of w(x) with R(w) = e^x, to x^n, by exact power-series arithmetic.

    R = P/Q is the stability function; coefficients live in the field of the tableau (QQ, QQ<√3>…).
    (log R)' = R'/R is integrated term by term; w is the compositional inverse of log R.
    """
    from sympy.polys.constructor import construct_domain
    from symrmt.symbolic import series as S

    P, Q = sp.fraction(sp.cancel(R))
    pc = sp.Poly(P, z_).all_coeffs()[::-1]
    qc = sp.Poly(Q, z_).all_coeffs()[::-1]
    K, el = construct_domain(pc + qc, extension=True)
    K = K.get_field() if not K.is_Field else K
    el = [K.convert(e) for e in el]
    zero, one = K.zero, K.one
    pad = lambda c: (c + [zero] * (n + 2))[: n + 2]  # noqa: E731
    p, q = pad(el[: len(pc)]), pad(el[len(pc):])

    def inv(a):
        out = [K.quo(one, a[0])] + [zero] * (n + 1)
        for k in range(1, n + 2):
            out[k] = -sum((a[j] * out[k - j] for j in range(1, k + 1)), zero) * out[0]
        return out

    r = S.mul(p, inv(q), n + 1, zero)
    dr = [r[k + 1] * K.convert(k + 1) for k in range(n + 1)] + [zero]
    dlog = S.mul(dr, inv(r), n + 1, zero)
    log_r = [zero] + [K.quo(dlog[k - 1], K.convert(k)) for k in range(1, n + 1)]
    w = S.reversion(log_r, n, zero, one)
    return [K.to_sympy(c) for c in log_r], [K.to_sympy(c) for c in w]


def test_euler_imde_is_flow_minus_identity_over_h():
    # Explicit Euler: h f_h = φ_h − id, so b(t) = 1/γ(t) exactly, for every tree.
    b = imde_coefficients("euler", 8)
    assert all(b[t] == sp.Rational(1, gamma(t)) for t in trees_upto(8))


def test_euler_modified_equation_low_orders():
    # HLW IX.1: f̃ = f − h/2 f'f + h²(f''(f,f)/12 + f'f'f/3) + ...; σ([•,•]) = 2 so b = 1/6 there.
    b = modified_equation_coefficients("euler", 3)
    assert b[LEAF] == 1 and b[(LEAF,)] == -sp.Rational(1, 2)
    assert b[(LEAF, LEAF)] == sp.Rational(1, 6) and b[((LEAF,),)] == sp.Rational(1, 3)


@pytest.mark.parametrize("name", NAMES)
def test_linear_problem_closed_forms(name):
    # y' = λy: only chains contribute, F(chain_n) = λ^n y.  IMDE: R^{-1}(e^{hλ})/h, modified: log R(hλ)/h.
    n = 6
    R = tableau(name).stability_function(z_)
    imde = imde_coefficients(name, n)
    mod = modified_equation_coefficients(name, n)
    log_r, w = _closed_form_series(R, n)
    for k in range(1, n + 1):
        assert sp.simplify(imde[_chain(k)] - w[k]) == 0, k
        assert sp.simplify(mod[_chain(k)] - log_r[k]) == 0, k


@pytest.mark.parametrize("name", NAMES)
def test_order_p_leading_terms_opposite(name):
    p = TABLEAU_NAMES[name]
    n = p + 1
    imde = imde_coefficients(name, n)
    mod = modified_equation_coefficients(name, n)
    for t in trees_upto(p):
        expected = 1 if t == LEAF else 0
        assert sp.simplify(imde[t] - expected) == 0 and sp.simplify(mod[t] - expected) == 0
    lead = [t for t in trees(n)]
    assert all(sp.simplify(imde[t] + mod[t]) == 0 for t in lead)
    assert any(sp.simplify(imde[t]) != 0 for t in lead)


@pytest.mark.parametrize("name", NAMES)
def test_general_rk_first_correction(name):
    # REFERENCES §8: IMDE f_1 = (1/2 − Σ b_i c_i) f'f for any Runge–Kutta method.
    tab = tableau(name)
    expected = sp.Rational(1, 2) - sum(tab.b[i] * tab.c[i] for i in range(tab.stages))
    assert sp.simplify(imde_coefficients(name, 2)[(LEAF,)] - expected) == 0


def test_composition_of_exact_flows_doubles_the_step():
    e = exact_weights(7)
    ee = composition(e, e, 7)
    assert all(ee[t] == 2 ** order(t) * e[t] for t in ee)


@pytest.mark.parametrize("first,second", [("rk4", "midpoint"), ("gauss4", "heun"), ("euler", "radau_iia3")])
def test_composition_matches_concatenated_tableau(first, second):
    # Two steps of size h (method 1 then method 2) = one RK step with the block tableau.
    t1, t2 = tableau(first), tableau(second)
    s1, s2 = t1.stages, t2.stages
    A = sp.zeros(s1 + s2, s1 + s2)
    A[:s1, :s1] = t1.A
    A[s1:, s1:] = t2.A
    for i in range(s2):
        for j in range(s1):
            A[s1 + i, j] = t1.b[j]
    block = Tableau(A.tolist(), list(t1.b) + list(t2.b))
    got = composition(rk_weights(t1, 6), rk_weights(t2, 6), 6)
    ref = rk_weights(block, 6)
    assert all(sp.simplify(got[t] - ref[t]) == 0 for t in ref)


def test_substitution_identity_field_and_associativity():
    # b ⋆ a with b = δ_• (the field f itself) is a; and IMDE ⋆ (modified field) = δ_•, because the
    # modified equation of Φ applied to the IMDE is the field whose exact flow is φ_h[f].
    n = 7
    a = rk_weights("rk38", n)
    delta = {t: (1 if t == LEAF else 0) for t in trees_upto(n)}
    assert substitution(delta, a, n) == {t: sp.sympify(v) for t, v in a.items()}
    for name in ("rk4", "gauss4", "radau_iia3"):
        got = substitution(imde_coefficients(name, n), modified_equation_coefficients(name, n), n)
        assert all(sp.simplify(got[t] - delta[t]) == 0 for t in got), name


def test_substitution_reproduces_exact_flow_from_imde():
    n = 6
    for name in ("midpoint", "radau_iia5"):
        got = substitution(imde_coefficients(name, n), rk_weights(name, n), n)
        assert all(sp.simplify(got[t] - sp.Rational(1, gamma(t))) == 0 for t in got)


@pytest.mark.parametrize("name", ["gauss4", "gauss6", "implicit_midpoint", "rk4", "radau_iia3", "heun"])
def test_tree_symplecticity_agrees_with_cooper(name):
    assert is_symplectic(rk_weights(name, 6), order=6) is is_symplectic(name)


def test_parametric_method_keeps_symbols():
    a = sp.Symbol("a")
    fam = Tableau([[0, 0], [a, 0]], [1 - 1 / (2 * a), 1 / (2 * a)])
    b = imde_coefficients(fam, 3)
    # f_1 = (1/2 − Σ b_i c_i) f'f = 0 for the order-2 family; order-3 terms depend on a
    assert b[(LEAF,)] == 0
    # order-2 method: b(t) = 1/γ(t) − Φ(t) at |t| = 3, with Φ([•,•]) = Σ b_i c_i² = a/2, Φ([[•]]) = 0
    assert sp.simplify(b[(LEAF, LEAF)] - (sp.Rational(1, 3) - a / 2)) == 0
    assert b[((LEAF,),)] == sp.Rational(1, 6)


def test_order_10_coefficients_exist():
    b = imde_coefficients("rk4", 10)
    assert len(b) == sum([1, 1, 2, 4, 9, 20, 48, 115, 286, 719])
