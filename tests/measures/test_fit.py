"""fit_law (an algebraic law from eigenvalues), check_law, and free decompression of a fit:
against numpy simulations and closed-form laws (never against earlier output of the code)."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.measures.fit import check_law, fit_law

GAMMA = sp.Symbol("gamma", positive=True)


def ks(eigenvalues: np.ndarray, cdf) -> float:
    """Kolmogorov–Smirnov distance of the empirical law of ``eigenvalues`` to ``cdf``."""
    ev = np.sort(eigenvalues)
    F = cdf(ev)
    k = np.arange(1, ev.size + 1) / ev.size
    return float(max(np.max(np.abs(F - k)), np.max(np.abs(F - (k - 1 / ev.size)))))


def test_decompression_predicts_the_full_spectrum_from_a_corner():
    """Fit on the n = 500 corner of a sample covariance, predict the n = 2000 matrix.

    ``S = XᵀX/T``, X of shape T × 2000 (T = 4000, i.i.d. N(0, 1), seed 18); its 500 × 500 corner
    is the sample covariance of 500 coordinates (limit MP(1/8)), the whole matrix has limit
    MP(1/2).  The degree-(2, 1) fit of the corner, decompressed by 4, is compared with the
    2000 eigenvalues by the KS distance, beside the exact law's.  Measured over seeds 0–5 while
    writing this test: fit 0.0023–0.0074, exact 0.0017–0.0022 (rigid eigenvalues: O(log n/n));
    a law whose ratio is 4 % off (0.48 or 0.52) is at 0.011, the fit without decompression at
    0.27.  Asserted: within 0.008 of the exact law's KS, closer than either 4 %-off law, and
    the undecompressed fit far off."""
    rng = np.random.default_rng(18)
    x = rng.standard_normal((4000, 2000))
    s = x.T @ x / 4000
    corner, full = np.linalg.eigvalsh(s[:500, :500]), np.linalg.eigvalsh(s)
    fit = fit_law(corner, degree=(2, 1))
    assert fit.check.ok and fit.residual < 5e-3 and fit.size == 500 and fit.degree == (2, 1)
    predicted = fit.law.rescale(4)
    assert check_law(predicted).ok
    mp = sr.laws.marchenko_pastur(GAMMA).compile()
    ks_fit = ks(full, predicted.compile().cdf)
    ks_exact = ks(full, lambda v: mp.cdf(v, gamma=0.5))
    ks_off = [ks(full, lambda v, g=g: mp.cdf(v, gamma=g)) for g in (0.48, 0.52)]
    assert ks_exact < 0.004
    assert ks_fit - ks_exact < 0.008 and ks_fit < min(ks_off)
    assert ks(full, fit.law.compile().cdf) > 0.2


def test_check_law_flags_a_decompression_that_is_no_law():
    """Two atoms (mass 1/2 at 1 and 3) are not ⊞-infinitely divisible: their decompression by 2
    has no probability law, and the check says so (not Herglotz, mass ≠ 1)."""
    res = check_law(sr.laws.atoms([1, 3]).rescale(2))
    assert not res.ok and not res.herglotz and abs(res.mass - 1) > 0.1


@pytest.mark.slow
def test_fit_recovers_the_semicircle():
    """A Wigner matrix (G + Gᵀ)/√(2n), n = 1000, seed 3: the fitted law's moments 1..4 are those
    of the semicircle (0, 1, 0, 2) to 0.03 (the empirical moments fluctuate by O(1/n)), and its
    CDF is within 0.01 of the semicircle's on a grid."""
    n = 1000
    g = np.random.default_rng(3).standard_normal((n, n))
    ev = np.linalg.eigvalsh((g + g.T) / np.sqrt(2 * n))
    fit = fit_law(ev, degree=2)
    assert fit.check.ok and fit.degree == (2, 1)
    got = [float(v) for v in fit.law.moments(4)]
    assert np.allclose(got, [0, 1, 0, 2], atol=0.03)
    grid = np.linspace(-2.2, 2.2, 45)
    exact = 0.5 + (grid * np.sqrt(np.clip(4 - grid**2, 0, None)) / 4 + np.arcsin(np.clip(grid / 2, -1, 1))) / np.pi
    assert np.max(np.abs(fit.law.compile().cdf(grid) - exact)) < 0.01


@pytest.mark.parametrize("values, kwargs, match", [
    (np.ones((5, 5)), {}, "eigenvalues"),
    (np.arange(10.0), {}, "at least 20"),
    (np.r_[np.arange(30.0), np.nan], {}, "eigenvalues"),
    (np.ones(30), {}, "all equal"),
    (np.arange(30.0), {"degree": (0, 2)}, "degree"),
    (np.arange(30.0), {"degree": 99}, "degree"),
    (np.arange(30.0), {"degree": "2"}, "degree"),
    (np.arange(30.0), {"moments": -1}, "moments"),
    (np.arange(30.0), {"moments": 4}, "moments"),
    (np.arange(30.0), {"name": 3}, "name"),
])
def test_bad_input(values, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        fit_law(values, **kwargs)


def test_check_law_needs_a_law():
    with pytest.raises(ParameterError, match="law: expected an AlgebraicLaw"):
        check_law("semicircle")
