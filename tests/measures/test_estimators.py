"""Estimators from a law (symrmt.measures.estimators) against exact finite-n values and against
numpy simulations at two sizes: the error shrinks at the stated rate."""
import numpy as np
import pytest
import sympy as sp
from scipy.special import digamma

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.measures import estimators as est

GAMMA = sp.Rational(1, 2)
MP = sr.laws.marchenko_pastur(GAMMA)
EDGES = ((1 - 0.5**0.5) ** 2, (1 + 0.5**0.5) ** 2)


def wishart_spectra(n: int, trials: int, seed: int) -> np.ndarray:
    """Eigenvalues of XᵀX/T, X of shape T × n with T = 2n (ratio γ = 1/2), ``(trials, n)``."""
    rng = np.random.default_rng(seed)
    out = np.empty((trials, n))
    for t in range(trials):
        x = rng.standard_normal((2 * n, n))
        out[t] = np.linalg.eigvalsh(x.T @ x / (2 * n))
    return out


def test_edges_norm_cond_are_the_support():
    assert est.edges(MP) == pytest.approx(EDGES, abs=1e-12)
    assert est.norm(MP) == pytest.approx(EDGES[1], abs=1e-12)
    assert est.cond(MP) == pytest.approx(EDGES[1] / EDGES[0], rel=1e-12)
    assert est.norm(sr.laws.semicircle(1)) == pytest.approx(2.0, abs=1e-12)


@pytest.mark.parametrize("n", [50, 400])
def test_trace_of_the_square_is_exact_up_to_gamma(n):
    """E Tr (XᵀX/T)² = n(n + T + 1)/T for Gaussian X (T × n) exactly; the law gives n(1 + γ):
    the difference is γ = n/T, O(1), i.e. a relative error γ/(n(1 + γ)) that shrinks as 1/n."""
    T = 2 * n
    exact = n * (n + T + 1) / T
    got = est.trace(MP, lambda x: x**2, n)
    assert got == pytest.approx(n * 1.5, rel=1e-12)        # n ∫ x² dMP = n(1 + γ)
    assert exact - got == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("n", [50, 400])
def test_logdet_against_the_exact_wishart_expectation(n):
    """E log det(XᵀX/T) = Σ_{i<n} [ψ((T − i)/2) + log 2] − n log T (Bartlett decomposition);
    the law's n ∫ log x dμ = n(−1 − ((1 − γ)/γ) log(1 − γ)) misses it by ½ log(1 − γ) + o(1)."""
    T = 2 * n
    exact = float(np.sum(digamma((T - np.arange(n)) / 2) + np.log(2)) - n * np.log(T))
    got = est.logdet(MP, n)
    assert got == pytest.approx(n * (-1 + np.log(2)), rel=1e-10)
    assert exact - got == pytest.approx(0.5 * np.log(0.5), abs=2.0 / n)


def test_errors_shrink_with_n_in_simulation():
    """n = 100 and 400 (T = 2n), 24 trials each, seed 18.  Per trial: the relative error of the
    log-determinant (stated O(1/n): sd √(−2 log(1 − γ)) ≈ 1.18 and mean ½ log(1 − γ) on a value
    ≈ −0.307 n) and of λ_max and the condition number (stated O(n^{−2/3})).  RMS over trials;
    expected ratios 4 and 4^{2/3} ≈ 2.5, asserted > 2 and > 1.6 (the RMS of 24 draws is known to
    about ±15 %)."""
    rms = {}
    for n in (100, 400):
        ev = wishart_spectra(n, 24, seed=18)
        ld = np.sum(np.log(ev), axis=1)
        rel_ld = (ld - est.logdet(MP, n)) / abs(est.logdet(MP, n))
        rel_max = ev[:, -1] / est.edges(MP)[1] - 1
        rel_cond = (ev[:, -1] / ev[:, 0]) / est.cond(MP) - 1
        rms[n] = [float(np.sqrt(np.mean(r**2))) for r in (rel_ld, rel_max, rel_cond)]
    (ld1, mx1, cd1), (ld4, mx4, cd4) = rms[100], rms[400]
    assert ld1 / ld4 > 2 and mx1 / mx4 > 1.6 and cd1 / cd4 > 1.6
    # and the stated scales: |error| · n (log-det) and · n^{2/3} (edges) of order one
    assert ld1 * 100 * 0.307 < 3 and ld4 * 400 * 0.307 < 3
    assert mx4 * 400 ** (2 / 3) < 5 and cd4 * 400 ** (2 / 3) < 20


def test_bad_input():
    with pytest.raises(ParameterError, match="logdet needs a law on"):
        est.logdet(sr.laws.semicircle(1), 10)
    with pytest.raises(ParameterError, match="cond needs a law on"):
        est.cond(sr.laws.marchenko_pastur(2), )
    with pytest.raises(ParameterError, match="n:"):
        est.trace(MP, np.exp, 0)
    with pytest.raises(ParameterError, match="elementwise"):
        est.trace(MP, np.sum, 10)
    with pytest.raises(ParameterError, match="not finite"):
        est.trace(MP, lambda x: np.log(x - 1), 10)
    with pytest.raises(ParameterError, match="law: expected an AlgebraicLaw"):
        est.edges("marchenko-pastur")
