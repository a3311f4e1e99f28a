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
from symrmt.simulate.structured_models import meixner_model

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
    "meixner_free_binomial": sr.laws.free_meixner(R(1, 2), R(-1, 2)),
    "meixner_bernoulli": sr.laws.free_meixner(1, -1),
    "meixner_pure": sr.laws.free_meixner(R(1, 2), 1),
    "meixner_pure_negative": sr.laws.free_meixner(-1, 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_models_match_exact_moments(name):
    law = CASES[name]
    eig = sample_eigenvalues(law, N, TRIALS, seed=3, device="cpu").numpy()
    scale = float((eig**2).mean())
    # m₄ = a² + b + 2 tells the new Meixner models' b apart (m₁, m₂ are fixed by standardization)
    order = 4 if name in ("meixner_free_binomial", "meixner_bernoulli", "meixner_pure", "meixner_pure_negative") else 3
    for j, ex in enumerate((float(e) for e in law.moments(order)), start=1):
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
    with pytest.raises(ParameterError, match="b >= -1"):
        meixner_model(0.0, -2.0)
    with pytest.raises(ParameterError, match="unbound"):
        sr.laws.free_meixner(sp.Symbol("a"), 0).sample(10)
    with pytest.raises(ParameterError, match="atom at 0"):
        sr.info_plus_noise(sr.laws.atoms([1]), 2, 1).sample(20)


# ---------------------------------------------------------------------- free Meixner models
def _moments_from_cumulants(kappa, order):
    """Moments from free cumulants (κ_1 = kappa[0], ...): m_n = Σ_s κ_s [t^{n-s}] M(t)^s with
    M = 1 + Σ m_j t^j (the moment–cumulant relation over non-crossing partitions)."""
    mom = [1.0]
    for n in range(1, order + 1):
        power, total = [1.0] + [0.0] * n, 0.0   # coefficients of M(t)^s, s = 0, 1, ...
        for s in range(1, n + 1):
            power = [sum(power[i] * mom[j - i] for i in range(j + 1) if j - i < len(mom)) for j in range(n + 1)]
            total += kappa[s - 1] * power[n - s]
        mom.append(total)
    return mom[1:]


def _cumulants_from_moments(mom, order):
    kappa = []
    for n in range(1, order + 1):
        kappa.append(0.0)
        kappa[-1] = mom[n - 1] - _moments_from_cumulants(kappa + [0.0] * (order - n), n)[-1]
    return kappa


def _semicircle_moment(mean, var, k):
    return sum(math.comb(k, 2 * j) * mean ** (k - 2 * j) * var**j * sp.catalan(j)
               for j in range(k // 2 + 1))


def test_moment_cumulant_helpers():
    # the semicircle of variance 1: κ = (0, 1, 0, ...), moments the Catalan numbers
    assert _moments_from_cumulants([0, 1, 0, 0, 0, 0], 6) == [0, 1, 0, 2, 0, 5]
    # free Poisson of rate 1: all κ = 1, moments the Catalan numbers C_1, C_2, ...
    assert _moments_from_cumulants([1] * 5, 5) == [1, 2, 5, 14, 42]
    assert _cumulants_from_moments([1, 2, 5, 14, 42], 5) == [1] * 5


@pytest.mark.parametrize("a, b", [(R(1, 2), 1), (-2, R(3, 2)), (3, 1), (1, R(-1, 3))])
def test_meixner_free_cumulants_are_semicircle_moments(a, b):
    """κ_{k+2}(μ_{a,b}) = ∫ x^k ρ(dx), ρ the semicircle of mean a and variance b (formally, for b < 0)."""
    kappa = sr.laws.free_meixner(a, b).free_cumulants(12)
    assert kappa[:2] == [0, 1]
    for k in range(11):   # kappa[k + 1] is κ_{k+2}
        assert kappa[k + 1] == _semicircle_moment(sp.sympify(a), sp.sympify(b), k), k


@pytest.mark.parametrize("a, b", [(0, R(-1, 2)), (1, R(-1, 3)), (-2, R(-1, 4)), (1, -1), (R(1, 3), R(-9, 10))])
def test_free_binomial_model_has_the_meixner_moments(a, b):
    """s(β_p^{⊞t} - tp) with the model's (p, t, s): Bernoulli free cumulants (from its moments, all
    p) times t, scaled by s, against the law's exact moments to order 10."""
    kind, p, t, s = meixner_model(float(a), float(b))
    assert kind == "binomial" and 0 < p < 1 and t >= 1
    bern = _cumulants_from_moments([p] * 10, 10)
    kappa = [0.0] + [t * c * s ** (j + 1) for j, c in enumerate(bern) if j >= 1]
    got = _moments_from_cumulants(kappa, 10)
    exact = [float(v) for v in sr.laws.free_meixner(a, b).moments(10)]
    np.testing.assert_allclose(got, exact, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("a, b", [(0, 1), (R(1, 2), 1), (R(3, 2), 1), (R(1, 4), R(1, 2)), (-1, 3)])
def test_levy_model_has_the_meixner_moments(a, b):
    """The Gauss–Radau Lévy measure Σ w_i δ_{x_i}: κ_{k+2} = Σ w_i x_i^k, a node at 0 with positive
    weights, and the moments of μ_{a,b} exactly (to rounding) up to order 32."""
    kind, nodes, weights = meixner_model(float(a), float(b))
    assert kind == "levy" and (weights > 0).all() and np.abs(nodes).min() < 1e-12
    kappa = [0.0] + [float((weights * nodes**k).sum()) for k in range(31)]
    got = _moments_from_cumulants(kappa, 32)
    exact = [float(v) for v in sr.laws.free_meixner(a, b).moments(32)]
    for j in range(1, 33):   # |m_j| <= m_{2i}^{j/(2i)}, 2i = j rounded up to even: the scale of m_j
        scale = max(exact[2 * ((j + 1) // 2) - 1] ** (j / (2 * ((j + 1) // 2))), 1.0)
        assert abs(got[j - 1] - exact[j - 1]) <= 1e-10 * scale, (j, got[j - 1], exact[j - 1])


@pytest.mark.slow
@pytest.mark.parametrize("a, b", [(R(1, 2), R(-1, 4)), (R(1, 2), 1)])
def test_verify_new_meixner_models_agree(a, b):
    """verify at n = 100, 200, 300 with 12 trials (seed 0): free binomial (t = 4, p ≈ 0.276, so tp > 1
    and t(1 - p) > 1: no atoms) and pure free Meixner."""
    rep = sr.derivation.spectral.from_law(sr.laws.free_meixner(a, b)).verify(
        sizes=[100, 200, 300], trials=12, seed=0, device="cpu")
    assert rep.verdict == "agrees", rep.reasons
