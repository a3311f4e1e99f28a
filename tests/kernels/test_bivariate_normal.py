"""The bivariate normal distribution function (symrmt.kernels.bivariate_normal) against
``∫_{−∞}^h φ(x) Φ((k − ρx)/√(1 − ρ²)) dx`` by mpmath at 25 digits (split where the inner ``Φ``
steps) and against scipy's ``multivariate_normal.cdf``."""
import mpmath
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from symrmt.kernels.bivariate_normal import bivariate_normal_cdf

MP = mpmath.mp.clone()
MP.dps = 25


def phi2_mpmath(h, k, rho):
    h, k, rho = MP.mpf(h), MP.mpf(k), MP.mpf(rho)
    if abs(rho) == 1:
        return MP.ncdf(min(h, k)) if rho > 0 else max(MP.mpf(0), MP.ncdf(h) - MP.ncdf(-k))
    s = MP.sqrt(1 - rho * rho)
    pts = [-MP.inf] + ([k / rho] if rho != 0 and k / rho < h else []) + [h]
    return MP.quad(lambda t: MP.npdf(t) * MP.ncdf((k - rho * t) / s), pts)


def test_bivariate_normal_cdf_against_mpmath_and_scipy():
    rng = np.random.default_rng(7)
    cases = [(0.5, 0.5, 1.0), (0.5, -0.5, -1.0), (1.0, 2.0, 0.7), (1.0, 2.0, 0.70000001), (-3.0, 3.0, -0.999),
             (3.0, 3.0, 1 - 1e-13), (0.0, 0.0, 0.0), (-6.0, 2.0, 0.3)]
    for _ in range(60):
        h, k = rng.uniform(-4, 4, 2)
        rho = [rng.uniform(-1, 1), 1 - 10 ** rng.uniform(-13, -1), -1 + 10 ** rng.uniform(-13, -1)][rng.integers(3)]
        if rng.random() < 0.3:  # h ≈ k: the integrand of the ρ → 1 branch is sharpest
            k = h + [0.0, 1e-3, 1e-6, -1e-2][rng.integers(4)]
        cases.append((h, k, rho))
    h, k, rho = (np.array(v) for v in zip(*cases))
    got = bivariate_normal_cdf(h, k, rho)
    ref = np.array([float(phi2_mpmath(*c)) for c in cases])
    np.testing.assert_allclose(got, ref, rtol=0, atol=2e-15)
    for hh, kk, rr in cases[:30:3]:
        if abs(rr) < 1 - 1e-6:
            cov = [[1, rr], [rr, 1]]
            assert float(bivariate_normal_cdf(hh, kk, rr)) == pytest.approx(
                multivariate_normal(mean=[0, 0], cov=cov).cdf([hh, kk]), abs=1e-8)
    assert float(bivariate_normal_cdf(0.0, 0.0, 0.5)) == pytest.approx(1 / 3, abs=1e-16)  # 1/4 + asin(ρ)/(2π)
