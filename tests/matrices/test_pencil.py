"""Pencils of rational matrix expressions: realized blocks checked on random draws, bad input refused."""
import pytest
import sympy as sp

from symrmt.errors import DerivationError, ParameterError
from symrmt import matrices as mx

G = sp.Symbol("gamma", positive=True)
Z = sp.Symbol("z")
LAM = sp.Symbol("lambda", positive=True)


def _matrices():
    X = mx.gaussian("X", 1, G)
    W = mx.wigner("W", 1)
    S = mx.deterministic("S", G, [0.5, 1.0, 3.0])
    return X, W, S


def test_mp_pencil_is_the_two_block_hermitization():
    X, _, _ = _matrices()
    p = mx.linearize((X.T * X / mx.N - Z * mx.identity(G)) ** -1)
    # [[z I, X̃ᵀ], [X̃, I]]: the Schur complement of the second block is z − X̃ᵀX̃ = −(XᵀX/n − z)
    assert p.size == 2 and p.prefactor == -1 and p.dims == [G * mx.N, mx.N]
    assert p.checked


@pytest.mark.parametrize("build", [
    lambda X, W, S: (X.T * W * X / mx.N - Z * mx.identity(G)) ** -1,
    lambda X, W, S: ((X.T * X / mx.N + LAM * mx.identity(G)) ** -1) ** 2 * S,
    lambda X, W, S: S ** sp.Rational(1, 2) * X.T * X * S ** sp.Rational(1, 2) / mx.N + 2 * S,
    lambda X, W, S: (X * S * X.T / mx.N + W * W + LAM * mx.identity(1)) ** -1 * W,
    lambda X, W, S: (X.T * (W - Z * mx.identity(1)) ** -1 * X / mx.N + LAM * mx.identity(G)) ** -1,
])
def test_pencils_realize_their_expressions(build):
    # Pencil.check compares c·(L⁻¹)[out] with the expression evaluated directly (numpy, size ≈ 6,
    # complex scalars) to 1e-8; a second, independent seed must agree too
    p = mx.linearize(build(*_matrices()))
    p.check(n0=9, seed=7)
    assert p.checked


def test_a_dropped_block_no_longer_realizes_the_expression():
    X, W, _ = _matrices()
    p = mx.linearize((X.T * W * X / mx.N - Z * mx.identity(G)) ** -1)
    wrong = p.drop(*next(k for k, e in p.entries.items() if any(t[0] == W for t in e)))
    wrong.expression = p.expression
    with pytest.raises(DerivationError, match="differs"):
        wrong.check()


def test_derivative_of_a_trace_is_a_trace_of_the_derivative():
    X, _, S = _matrices()
    R = (X.T * X / mx.N + LAM * mx.identity(G)) ** -1
    d = sp.diff(mx.tr(R * S), LAM)
    assert isinstance(d, mx.NormalizedTrace)
    # d/dλ (A + λ)⁻¹ S = −(A + λ)⁻¹(A + λ)⁻¹ S: checked numerically through its pencil
    mx.linearize(d.arg).check()
    c0, terms = mx.trace_terms(3 + 2 * LAM * mx.tr(R))
    assert c0 == 3 and terms[0][0] == 2 * LAM


@pytest.mark.parametrize("bad, words", [
    (lambda X, W, S: S * X, "incompatible shapes"),
    (lambda X, W, S: X ** -1, "non-square"),
    (lambda X, W, S: X.T + X, "incompatible shapes"),
    (lambda X, W, S: sp.HadamardProduct(W, W), "not a rational function"),
    (lambda X, W, S: (X.T * X) ** -1 * mx.identity(G), "O(1)"),
    (lambda X, W, S: W * sp.MatrixSymbol("Y", mx.N, mx.N), "not declared"),
    (lambda X, W, S: W ** sp.Rational(1, 2), "not rational"),
])
def test_bad_expressions_name_the_subexpression(bad, words):
    X, W, S = _matrices()
    with pytest.raises(ParameterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        mx.linearize(bad(X, W, S))


def test_bad_declarations_and_traces():
    with pytest.raises(ParameterError, match="rows"):
        mx.gaussian("X", -1, 1)
    with pytest.raises(ParameterError, match="name"):
        mx.gaussian("not an identifier", 1, 1)
    with pytest.raises(ParameterError, match="variance"):
        mx.wigner("W", 1, variance=0)
    with pytest.raises(ParameterError, match="measure"):
        mx.deterministic("S", 1, "spectrum")
    X, _, _ = _matrices()
    with pytest.raises(ParameterError, match="square"):
        mx.tr(X)
    with pytest.raises(ParameterError, match="linear"):
        mx.deterministic_equivalent(mx.tr(X.T * X / mx.N) ** 2)
    with pytest.raises(ParameterError, match="no normalized trace"):
        mx.deterministic_equivalent(Z + 1)


def test_two_deterministic_matrices_in_one_dimension_are_refused():
    S1 = mx.deterministic("S1", 1, [1.0, 2.0])
    S2 = mx.deterministic("S2", 1, [1.0, 3.0])
    X = mx.gaussian("X", 1, 1)
    with pytest.raises(ParameterError, match="share the dimension"):
        mx.deterministic_equivalent(mx.tr((X.T * S1 * X / mx.N + S2 + LAM * mx.identity(1)) ** -1))


def test_bad_derivatives_are_refused():
    X, _, _ = _matrices()
    t = mx.tr((X.T * X / mx.N + LAM * mx.identity(G)) ** -1)
    with pytest.raises(ParameterError, match="trace"):
        mx.derivative(X, LAM)
    with pytest.raises(ParameterError, match="s: expected"):
        mx.derivative(t, mx.N)
    with pytest.raises(ParameterError, match="at: expected"):
        mx.derivative(t, LAM, at="0")


def _family():
    import numpy as np
    from symrmt.measures import joint

    from scipy.special import ndtri

    z = ndtri((np.arange(800) + 0.5) / 800)          # n0 = 800 equal atoms: the simulation's own diagonals
    law = joint(np.stack([z**2 - 1, z], axis=1), names=("e", "z"))
    return (mx.deterministic("E", 2, law, coordinate="e"), mx.deterministic("Zd", 2, law, coordinate=1),
            mx.gaussian("X", 2, 1))


def test_a_commuting_family_gives_anisotropic_forms_against_simulation():
    """``E = diag(z² − 1)``, ``Z = diag(z)`` on one joint law of ``(e, z)`` (n0 = 2d; ``z`` is not a
    function of ``e``, so no single deterministic matrix holds both): the trace
    ``tr(ZE X R Xᵀ EZ)/n0`` with ``R = (XᵀE²X/n0 + s)⁻¹`` is the limit of the form
    ``fᵀXRXᵀf/n0²`` of the vector ``f = e⊙z``.  Simulated on the family's diagonals (torch,
    d = 400, 24 trials, seed 3; the law is the n0 = 800 atoms themselves, so only the matrices
    are random): the mean agrees within 4 SE + 1/d (the O(1/d) bias)."""
    import numpy as np
    from symrmt.simulate.matrix_expressions import simulate_traces

    E, Zd, X = _family()
    s = sp.Symbol("s", positive=True)
    A = Zd * E * X * (X.T * E**2 * X / (2 * mx.N) + s * mx.identity(1)) ** -1 * X.T * E * Zd / (2 * mx.N)
    theory = float(np.real(mx.deterministic_equivalent(mx.tr(A), spectral=s).compile().solve(s=1.0)["value"]))
    sim = simulate_traces([(1, A)], 400, trials=24, seed=3, device="cpu", values={"s": 1.0}, size_symbol=mx.N)
    v = np.asarray(sim.values["value"], float)
    assert abs(v.mean() - theory) < 4 * v.std(ddof=1) / np.sqrt(v.size) + 1 / 400, (v.mean(), theory)
    assert 0.05 < theory < 1.0


def test_a_family_needs_its_coordinate_and_one_measure():
    import numpy as np
    from symrmt.measures import joint

    law = joint(np.array([[1.0, 2.0], [2.0, 3.0]]), names=("a", "b"))
    with pytest.raises(ParameterError, match="coordinate: a joint measure needs"):
        mx.deterministic("A", 1, law)
    with pytest.raises(ParameterError, match="coordinate: expected an index"):
        mx.deterministic("A", 1, law, coordinate="c")
    with pytest.raises(ParameterError, match="only a joint measure"):
        mx.deterministic("A", 1, [1.0, 2.0], coordinate=0)
    A, B = mx.deterministic("A", 1, law, coordinate="a"), mx.deterministic("B", 1, law, coordinate="b")
    C = mx.deterministic("C", 1, [1.0, 2.0])
    X = mx.gaussian("X", 1, 1)
    mx.deterministic_equivalent(mx.tr((X.T * A * X / mx.N + B + LAM * mx.identity(1)) ** -1))  # a family: fine
    with pytest.raises(ParameterError, match="with different measures"):
        mx.deterministic_equivalent(mx.tr((X.T * A * X / mx.N + C + LAM * mx.identity(1)) ** -1))
