"""law.rescale(size_ratio): free compression and decompression, against closed forms and the
free-cumulant scaling κ_k → α^{k−1} κ_k (Nica & Speicher, Lecture 14)."""
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.symbolic.symbols import m, z


def mp_polynomial(gamma, s2=1):
    """DESIGN.md: γ σ² z m² + (z − σ²(1 − γ)) m + 1 = 0."""
    return sp.Poly(gamma * s2 * z * m**2 + (z - s2 * (1 - gamma)) * m + 1, m, z)


def same_curve(law, poly):
    """Equal polynomials up to a constant factor."""
    a, b = law.polynomial, sp.Poly(poly, m, z)
    ratio = sp.cancel(a.as_expr() / b.as_expr())
    return ratio.is_number and ratio != 0


@pytest.mark.parametrize("gamma, alpha", [(sp.Rational(1, 8), 4), (sp.Rational(1, 3), sp.Rational(3, 2)),
                                          (sp.Rational(1, 2), sp.Rational(1, 4))])
def test_a_sample_covariance_corner_rescales_its_ratio(gamma, alpha):
    """The n'×n' corner of XᵀX/T is the sample covariance of n' coordinates: ratio α γ."""
    law = sr.laws.marchenko_pastur(gamma).rescale(alpha)
    assert same_curve(law, mp_polynomial(gamma * alpha).as_expr())


def test_semicircle_variance_scales_with_the_size():
    s2 = sp.Symbol("s2", positive=True)
    a = sp.Symbol("a", positive=True)
    law = sr.laws.semicircle(s2).rescale(a)
    assert same_curve(law, (a * s2) * m**2 + z * m + 1)


def test_free_cumulants_scale_as_alpha_to_the_k_minus_one():
    """An arbitrary law (semicircle ⊞ Marchenko–Pastur, degree (3, 1)) at α = 3 and at α = 1/2:
    κ_k of the rescaled law from its own polynomial equals α^{k−1} κ_k of the original."""
    base = sr.free_add(sr.laws.semicircle(1), sr.laws.marchenko_pastur(sp.Rational(1, 2)))
    kappa = base.free_cumulants(6)            # κ_1 .. κ_6
    for alpha in (sp.Integer(3), sp.Rational(1, 2)):
        got = base.rescale(alpha).free_cumulants(6)
        assert got == [c * alpha**i for i, c in enumerate(kappa)]


def test_compression_is_the_haar_compression_and_decompression_is_recorded():
    mp = sr.laws.marchenko_pastur(sp.Rational(1, 2))
    assert mp.rescale(sp.Rational(1, 2)) == sr.compress(mp, sp.Rational(1, 2))
    assert mp.rescale(sp.Rational(1, 2)).construction.op == "compress"   # simulated by compression
    big = mp.rescale(2)
    assert big.construction.op == "rescale" and big.construction.operands == (mp,)
    assert mp.rescale(1) == sr.compress(mp, 1)


@pytest.mark.parametrize("bad", [0, -2, "2", float("nan")])
def test_bad_size_ratio(bad):
    with pytest.raises(ParameterError, match="size_ratio"):
        sr.laws.semicircle(1).rescale(bad)


@pytest.mark.parametrize("alpha", [sp.Integer(3), sp.Rational(2, 5)])
def test_equal_to_the_dilated_free_power(alpha):
    """D_α(μ^{⊞ 1/α}) by the resultant calculus, an independent route, for a degree-(3, 1) law."""
    base = sr.free_add(sr.laws.semicircle(1), sr.laws.marchenko_pastur(sp.Rational(1, 2)))
    assert base.rescale(alpha) == sr.mobius(sr.free_power(base, 1 / alpha), alpha, 0, 0, 1)
