"""Models of info_plus_noise, correlated_wishart, chiral_block and free_meixner against the
laws' exact moments; law.sample / law.matrix.

Tolerance: (1/n) tr Xᵏ of one n×n model fluctuates by O(1/n) and is biased by O(1/n)
(finite-size corrections); with n = 300 and 12 trials, 5·SE + 3/n (relative to the moment's
scale) covers both, while a wrong model (a wrong ratio, a missing block, a wrong Wishart ratio
in the Meixner model) moves the first three moments by several per cent.
"""
import math

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import sample_eigenvalues

R = sp.Rational
N, TRIALS = 300, 12

CASES = {
    "info_plus_noise": sr.info_plus_noise(sr.laws.atoms([1, 3]), R(1, 2), 1),
    "info_plus_noise_ratio_above_one": sr.info_plus_noise(sr.laws.marchenko_pastur(2), 2, R(1, 2)),
    "correlated_wishart": sr.correlated_wishart(sr.laws.atoms([1, 3]), sr.laws.atoms([1, 2]), R(1, 2)),
    "chiral_block": sr.laws.chiral_block(1, -1, R(1, 2)),
    "chiral_block_ratio_above_one": sr.laws.chiral_block(R(1, 2), -1, 2),
    "meixner_semicircle": sr.laws.free_meixner(0, 0),
    "meixner_free_poisson": sr.laws.free_meixner(R(1, 2), 0),
    "meixner_free_gamma": sr.laws.free_meixner(2, 1),
    "meixner_free_pascal": sr.laws.free_meixner(-3, 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_models_match_exact_moments(name):
    law = CASES[name]
    eig = sample_eigenvalues(law, N, TRIALS, seed=3, device="cpu").numpy()
    scale = float((eig**2).mean())
    for j, ex in enumerate((float(e) for e in law.moments(3)), start=1):
        per_trial = (eig**j).mean(axis=1)
        se = per_trial.std(ddof=1) / math.sqrt(TRIALS)
        tol = 5 * se + 3 / N * max(abs(ex), scale ** (j / 2))
        assert abs(per_trial.mean() - ex) <= tol, (name, j, per_trial.mean(), ex, tol)


def test_sample_and_matrix_agree_and_are_seeded():
    law = sr.free_add(sr.laws.semicircle(), sr.laws.atoms([1, 4]))
    eig, mat = law.sample(60, seed=5), law.matrix(60, seed=5)
    assert eig.shape == (60,) and mat.shape == (60, 60)
    np.testing.assert_allclose(mat, mat.T, atol=0)
    np.testing.assert_allclose(np.linalg.eigvalsh(mat), eig, atol=1e-10)
    np.testing.assert_array_equal(law.sample(60, seed=5), eig)
    assert not np.allclose(law.sample(60, seed=6), eig)
    # a diagonal model (square of eigenvalues) is its diagonal matrix
    sq = sr.square(sr.laws.semicircle())
    np.testing.assert_allclose(np.diag(sq.matrix(20, seed=1)), sq.sample(20, seed=1))


def test_no_model_is_a_parameter_error():
    with pytest.raises(ParameterError, match="no random-matrix model"):
        sr.AlgebraicLaw("m*z + 1").sample(10)
    with pytest.raises(ParameterError, match="no random-matrix model"):
        sr.laws.free_meixner(0, 1).matrix(10)
    with pytest.raises(ParameterError, match="unbound"):
        sr.laws.free_meixner(sp.Symbol("a"), 0).sample(10)
    with pytest.raises(ParameterError, match="atom at 0"):
        sr.info_plus_noise(sr.laws.atoms([1]), 2, 1).sample(20)
