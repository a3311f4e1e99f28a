"""The spectral kind: parameters, equations, solve; the five spectral derivations verify end to end.

End-to-end verifications compare the generated solver with the torch simulation of the law's
random-matrix model.  Fast ladder n = 50, 100, 200, 400 (trials 4, 2, 2, 2; seed 0): a correct
law gives KS ≈ c log(n)/n with slope ≈ −0.8 and a fitted plateau within ±0.4 of the last error
(checked over 6 seeds for each law), while a parameter 10 % off leaves a plateau of 0.6–0.9 of
it.  The demo's quick ladder and the default ladder (250 … 2000, `slow`) only make this clearer.
"""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.derivation import Parameter
from tests.verify.closed_forms import mp_cdf_exact, mp_density, semicircle_cdf

FAST = (50, 100, 200, 400)
FIVE = ["marchenko-pastur", "semicircle", "semicircle-plus-mp", "mp-times-mp", "silverstein"]


def test_parameters_checked_and_defaulted():
    d = sr.load("marchenko-pastur")
    assert d.bind() == {"ratio": sp.Rational(1, 2), "variance": 1}
    assert d.bind(ratio=0.25)["ratio"] == sp.Rational(1, 4)
    with pytest.raises(ParameterError, match="ratio: must satisfy ratio > 0"):
        d.bind(ratio=-1)
    with pytest.raises(ParameterError, match="unknown parameter.*gamma"):
        d.bind(gamma=1)
    with pytest.raises(ParameterError, match="ratio2: must satisfy"):
        sr.load("mp-times-mp").bind(ratio2=1)
    assert Parameter("k", 2, integer=True, low=1, low_inclusive=True).allowed == "k >= 1 and an integer"
    with pytest.raises(ParameterError, match="integer"):
        Parameter("k", 2, integer=True).check(1.5)


def test_equations_read_like_the_paper():
    eqs = dict(sr.load("marchenko-pastur").equations())
    poly = [v for k, v in eqs.items() if k.startswith("minimal polynomial")][0]
    g, s2, m, z = sp.symbols("ratio variance m z", positive=True)
    expected = g * s2 * z * m**2 + (z - s2 * (1 - g)) * m + 1
    lhs = poly.lhs.subs({sym: sp.Symbol(sym.name) for sym in poly.lhs.free_symbols})
    ref = expected.subs({sym: sp.Symbol(sym.name) for sym in expected.free_symbols})
    assert sp.simplify(lhs / ref).is_number
    assert "S-transform" in eqs and "R-transform" in eqs
    text = sr.load("semicircle-plus-mp").show()
    assert "R-transforms add" in text and "Reference" in text
    assert "\\frac" in sr.load("silverstein").show(latex=True)


def test_solve_matches_closed_form_marchenko_pastur():
    d = sr.load("marchenko-pastur")
    x = [0.5, 1.0, 2.0]
    res = d.solve(at=x, ratio=0.5)
    a, b = (1 - 0.5**0.5) ** 2, (1 + 0.5**0.5) ** 2
    np.testing.assert_allclose(res["support"], [[a, b]], rtol=1e-8)
    np.testing.assert_allclose(res["density"], mp_density(np.array(x), 0.5), rtol=1e-6)
    np.testing.assert_allclose(res["cdf"], mp_cdf_exact(0.5)(np.array(x)), atol=1e-7)
    assert res["moments"][:2] == pytest.approx([1.0, 1.5])


def test_theory_cdf_matches_closed_form_semicircle():
    th = sr.load("semicircle").theory(variance=2)
    x = np.linspace(-3.5, 3.5, 201)
    assert np.max(np.abs(th.cdf(x) - semicircle_cdf(x, 2.0))) < 1e-6


@pytest.mark.parametrize("name", FIVE)
def test_small_ladder_verification_agrees(name):
    rep = sr.load(name).verify(sizes=FAST, trials=4, seed=0, device="cpu")
    assert rep.verdict == "agrees", rep.reasons


def test_wrong_ratio_disagrees_with_generated_solver():
    rep = sr.load("marchenko-pastur").verify(sizes=FAST, trials=4, seed=0, device="cpu",
                                             theory_params={"ratio": 0.55})
    assert rep.verdict == "disagrees", rep.reasons


@pytest.mark.slow
@pytest.mark.parametrize("name", FIVE)
def test_quick_mode_agrees(name):
    assert sr.load(name).verify(quick=True, seed=0).verdict == "agrees"


@pytest.mark.slow
@pytest.mark.parametrize("name", FIVE)
def test_default_sizes_agree(name):
    assert sr.load(name).verify(seed=1).verdict == "agrees"


@pytest.mark.slow
def test_default_sizes_wrong_ratio_disagrees():
    assert sr.load("marchenko-pastur").verify(seed=1, theory_params={"ratio": 0.55}).verdict == "disagrees"


def test_trials_schedule_and_bad_verify_input():
    d = sr.load("semicircle")
    assert [d.trials_for(n, (250, 500, 1000, 2000), 8) for n in (250, 500, 1000, 2000)] == [8, 4, 2, 2]
    with pytest.raises(ParameterError, match="sizes: expected an integer >= 2"):
        d.verify(sizes=(1, 10, 20))
    with pytest.raises(ParameterError, match="trials"):
        d.verify(sizes=(10, 20, 40), trials=0)


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_generated_solver_verification_on_cuda():
    rep = sr.load("semicircle-plus-mp").verify(sizes=FAST, trials=4, seed=0, device="cuda")
    assert rep.meta["device"].startswith("cuda") and rep.verdict == "agrees", rep.reasons
