"""square, transpose and block_diagonal: against closed forms, independent moment formulas,
numpy densities and the random-matrix models their constructions record."""
import math

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.symbolic.symbols import m, z

R = sp.Rational
g = sp.Symbol("gamma", positive=True)
v = sp.Symbol("v", positive=True)
al = sp.Symbol("alpha", positive=True)


def mp_moment(k, ratio, var=1):
    """Narayana: m_k = σ^{2k} Σ_i γ^i/(i+1) C(k, i) C(k-1, i) (Marchenko–Pastur, independent of the code)."""
    return var**k * sum(ratio**i * sp.binomial(k, i) * sp.binomial(k - 1, i) / (i + 1) for i in range(k))


def law_of(expr):
    return sr.AlgebraicLaw(expr)


# ---------------------------------------------------------------------- square
def test_square_of_semicircle_is_free_poisson():
    # X semicircle of variance v: X² has moments v^k C_k, the MP law of ratio 1 and variance v,
    # whose polynomial (written here by hand) is v z m² + z m + 1.
    assert sr.square(sr.laws.semicircle(v)) == law_of(v * z * m**2 + z * m + 1)
    assert sr.square(sr.laws.semicircle()).construction.op == "square"


def test_square_moments_are_even_moments():
    law = sr.square(sr.laws.marchenko_pastur(g))
    want = [mp_moment(2 * k, g) for k in range(1, 4)]
    assert all(sp.simplify(a - b) == 0 for a, b in zip(law.moments(3), want))


def test_square_of_shifted_atoms():
    law = sr.square(sr.laws.atoms([-1, 2], [R(1, 3), R(2, 3)]))
    assert law.moments(3) == [R(1, 3) + R(2, 3) * 4**k for k in range(1, 4)]


# ---------------------------------------------------------------------- transpose
def test_transpose_of_mp_is_mp_of_the_inverse_ratio():
    # XᵀX/n ~ MP(γ) (X n×d, γ = d/n); XXᵀ/n = γ·XXᵀ/d ~ MP(1/γ) scaled by γ: variance γ.
    # Its polynomial (γ' σ'² z m² + (z - σ'²(1 - γ')) m + 1 with γ' = 1/γ, σ'² = γ):
    assert sr.transpose(sr.laws.marchenko_pastur(g), g) == law_of(z * m**2 + (z - g + 1) * m + 1)
    half = sr.transpose(sr.laws.marchenko_pastur(R(1, 2)), R(1, 2))
    assert half.moments(2) == [R(1, 2) * mp_moment(k, R(1, 2)) for k in (1, 2)]


def test_transpose_back_returns_the_law():
    law = sr.free_add(sr.laws.semicircle(), sr.laws.atoms([1, 4]))
    assert sr.transpose(sr.transpose(law, R(1, 3)), 3) == law


# ---------------------------------------------------------------------- block_diagonal
def test_block_diagonal_moments_are_the_mixture():
    a, b = sr.laws.semicircle(v), sr.laws.marchenko_pastur(g)
    law = sr.block_diagonal(a, b, al)
    # semicircle moments: 0, v, 0, 2v² ; mixture α·a + (1 - α)·b
    want = [al * x + (1 - al) * mp_moment(k, g) for k, x in enumerate([0, v, 0, 2 * v**2], start=1)]
    assert all(sp.simplify(x - y) == 0 for x, y in zip(law.moments(4), want))


def test_block_diagonal_density_is_the_mixture_of_densities():
    """The compiled density against the closed-form semicircle and MP densities (numpy)."""
    frac, gam = R(1, 3), R(1, 4)
    law = sr.block_diagonal(sr.laws.semicircle(), sr.mobius(sr.laws.marchenko_pastur(gam), 1, 3, 0, 1), frac)
    x = np.array([-1.7, -0.9, -0.2, 0.4, 1.3, 3.3, 3.6, 4.0, 4.4, 4.8])
    sc = np.where(np.abs(x) < 2, np.sqrt(np.clip(4 - x**2, 0, None)) / (2 * np.pi), 0.0)
    lo, hi = (1 - math.sqrt(0.25)) ** 2, (1 + math.sqrt(0.25)) ** 2
    y = x - 3
    inside = (y > lo) & (y < hi)
    mp = np.where(inside, np.sqrt(np.clip((hi - y) * (y - lo), 0, None)) / (2 * np.pi * 0.25 * np.where(inside, y, 1)), 0.0)
    want = float(frac) * sc + (1 - float(frac)) * mp
    got = law.compile().density(x)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------- bad input
def test_bad_arguments_are_refused():
    sc = sr.laws.semicircle()
    with pytest.raises(ParameterError, match="fraction"):
        sr.block_diagonal(sc, sc, R(3, 2))
    with pytest.raises(ParameterError, match="fraction"):
        sr.block_diagonal(sc, sc, 0)
    with pytest.raises(ParameterError, match="ratio"):
        sr.transpose(sc, -1)
    with pytest.raises(ParameterError, match="law"):
        sr.square("m*z + 1")
    with pytest.raises(ParameterError, match="b"):
        sr.block_diagonal(sc, 3, R(1, 2))


# ---------------------------------------------------------------------- simulation
# (1/n) tr Xᵏ of one n×n model fluctuates by O(1/n) and is biased by O(1/n) (finite-size
# corrections): with n = 300 and 40 trials the tolerance 5·SE + 3/n (relative to the scale of
# the moment) covers both, while a wrong model (a missing atom, a wrong block size, the wrong
# branch) moves the first moments by far more than 1 %.
N, TRIALS = 300, 40


def _check_simulation(law, k=3, seed=0):
    from symrmt.simulate import sample_eigenvalues

    eig = sample_eigenvalues(law, N, TRIALS, seed=seed, device="cpu").numpy()
    scale = float((eig**2).mean())
    for j, ex in enumerate((float(e) for e in law.moments(k)), start=1):
        per_trial = (eig**j).mean(axis=1)
        se = per_trial.std(ddof=1) / math.sqrt(TRIALS)
        tol = 5 * se + 3 / N * max(abs(ex), scale ** (j / 2))
        assert abs(per_trial.mean() - ex) <= tol, (law.name, j, per_trial.mean(), ex, tol)


SIMULATED = {
    "square": sr.square(sr.mobius(sr.laws.semicircle(), 1, 1, 0, 1)),  # (X + 1)², X semicircle
    "transpose_below_one": sr.transpose(sr.laws.atoms([1, 3]), R(1, 2)),
    "transpose_above_one": sr.transpose(sr.laws.marchenko_pastur(2), 2),
    "block_diagonal": sr.block_diagonal(sr.laws.semicircle(), sr.laws.marchenko_pastur(R(1, 2)), R(1, 3)),
}


@pytest.mark.parametrize("name", sorted(SIMULATED))
def test_models_match_exact_moments(name):
    _check_simulation(SIMULATED[name])


def test_transpose_without_the_atom_has_no_model():
    from symrmt.simulate import sample_eigenvalues

    with pytest.raises(ParameterError, match="atom at 0"):
        sample_eigenvalues(sr.transpose(sr.laws.semicircle(), 2), 50, 1, device="cpu")
