"""The exact reductions of the Dyson equations: tree sizes, identity testing, merging copies."""
import sympy as sp

from symrmt.matrices import dyson

A, B, Z = sp.symbols("a b z")


def test_tree_size_counts_shared_subtrees_each_time():
    # Mul(a, Add(a, b)): the Mul, a, the Add, a, b
    assert dyson.tree_size(A * (A + B)) == 5
    e = (A + B) ** 2 + 1 / (A + B)
    # Add(1/(a+b), (a+b)**2): 1 + (Pow(Add(a, b), -1): 1 + 3 + 1) + (Pow(Add(a, b), 2): 1 + 3 + 1)
    assert dyson.tree_size(e) == 11


def _big(u, k: int = 6):
    """A nested rational function of u (tree size grows with k), with a parameter b."""
    e = u
    for j in range(k):
        e = 1 / (Z - B * e + sp.Rational(j + 1, 7) * A / (1 + e))
    return e


def test_identity_testing_of_large_rational_functions():
    u = sp.Symbol("u")
    x = _big(u)
    y = sp.together(x)          # the same function written as one fraction
    assert x != y and dyson._numerically_equal(x, y)
    # a relative change of 1e-20 deep inside is found (40-digit evaluation)
    w = x.xreplace({sp.Rational(3, 7): sp.Rational(3, 7) + sp.Rational(1, 10**20)})
    assert w != x and not dyson._numerically_equal(x, w)
    assert dyson.tree_size(x) > dyson.ELIMINATE_NODES or dyson._equal(x, y)


def test_copies_of_one_resolvent_merge_and_different_ones_do_not():
    u1, u2, u3 = sp.symbols("g0_1_1 g0_2_2 g0_3_3")
    values = {u1: _big(u1, 9), u2: _big(u2, 9), u3: _big(u3, 9).xreplace({B: 2 * B})}
    assert dyson.tree_size(values[u1]) > dyson.ELIMINATE_NODES   # the numerical route is taken
    initial = {u: -1 / Z for u in values}
    us, vals, value, init = dyson._merge(list(values), values, u1 + 2 * u2 + u3, initial)
    assert us == [u1, u3]                  # u2 is a copy of u1; u3 has another coefficient
    assert value == 3 * u1 + u3


def test_mei_montanari_risk_derives_to_small_equations():
    # the linear form of the Dyson matrices and the growth cap on eliminations keep every
    # generated equation small; the risk's closed-form inverses once gave 30 unknowns with
    # equations of up to 9 400 nodes (compile() 91 s, first solve 640 s)
    from tests.matrices.test_reductions import mei_montanari_risk

    import symrmt as sr
    system = sr.deterministic_equivalent(mei_montanari_risk())
    sizes = [dyson.tree_size(e) for e in system.residuals]
    assert max(sizes) <= dyson.EQUATION_NODES, max(sizes)
    assert dyson.tree_size(system.observables["value"]) <= 2 * dyson.EQUATION_NODES
