"""The real variant of a System's solver (float64 kernels) and the generated domain rules."""
import math

import numpy as np
import pytest
import sympy as sp

from symrmt.codegen.compile import real_variant, system_module, system_source
from symrmt.codegen.templates import admissible_source
from symrmt.errors import CodegenError
from symrmt.measures import empirical, expect
from symrmt.symbolic.system import System

U, P = sp.symbols("u p")
T = sp.Symbol("t", positive=True)
K, Q, LAM = sp.symbols("kappa q ridge", positive=True)


def _sqrt_system(domain="positive", residual=None):
    return System([U**2 - P if residual is None else residual], [U], [P], domains={U: domain},
                  observables={"twice": 2 * U}, initial={U: P}, name="sqrt_real")


def _ridge(mu):
    return System([K * (1 - Q * expect(T / (T + K), T, mu)) - LAM], [K], [Q, LAM],
                  observables={"df1": expect(T / (T + K), T, mu)}, domains={K: "positive"},
                  initial={K: LAM + Q}, name="ridge_real")


def test_which_systems_have_a_real_variant():
    z, m = sp.symbols("z m")
    assert real_variant(_sqrt_system())
    assert real_variant(_sqrt_system("real")) and real_variant(_sqrt_system("negative"))
    assert real_variant(_ridge(empirical([0.5, 1.0, 2.0])))
    assert not real_variant(_sqrt_system("complex"))
    assert not real_variant(_sqrt_system(residual=U - sp.sqrt(P)))      # not rational
    assert not real_variant(_sqrt_system(residual=U**2 - sp.I * P))      # complex coefficient
    stieltjes = System([m * (m + z) + 1], [m], [z], domains={m: "upper"}, initial={m: -1 / z})
    assert not real_variant(stieltjes)                                   # a spectral parameter
    mu = empirical([0.5, 1.0])
    not_rational = System([K - expect(sp.sqrt(T + K), T, mu)], [K], [], domains={K: "positive"}, initial={K: 1})
    assert not real_variant(not_rational)
    with pytest.raises(CodegenError, match="no real variant"):
        system_source(_sqrt_system("complex"), real=True)


def test_real_variant_source_has_no_complex_arithmetic():
    src = system_source(_ridge(empirical([0.5, 1.0, 2.0])))
    assert "'real': True" in src and "_REAL = 1" in src
    for name in ("_ex_fj", "_fj", "_obs", "_init", "_admissible"):
        start = src.index(f"def {name}(")
        body = src[start:src.find("\n@njit", start)]
        assert "0j" not in body and "cmath." not in body and "complex(" not in body, name
    assert "'real': False" in system_source(_ridge(empirical([0.5, 1.0, 2.0])), real=False)


def test_real_and_complex_variants_solve_exactly():
    """u² = p with u > 0: u = √p in both variants (the complex one is what complex values use)."""
    s = _sqrt_system()
    p = np.array([4.0, 9.0, 2.0, 1e-6, 1e6])
    cs = s.compile()
    assert cs.module.META["real"] is True
    res = cs.solve(p=p)
    assert res["u"].dtype == np.float64
    np.testing.assert_allclose(res["u"], np.sqrt(p), rtol=1e-14)
    np.testing.assert_allclose(res["twice"], 2 * np.sqrt(p), rtol=1e-14)
    cplx = system_module(s, complex_only=True)
    assert cplx is not cs.module and cplx.META["real"] is False
    raw = cplx.solve(p=p)
    np.testing.assert_allclose(raw["u"].real, np.sqrt(p), rtol=1e-14)
    assert np.all(raw["u"].imag == 0)
    with pytest.raises(ValueError, match="real variant"):
        cs.module.solve(p=np.array([4.0 + 1.0j]))


def test_complex_values_go_to_the_complex_variant():
    """A real (projected) unknown cannot solve u² = p at Im p ≠ 0: flagged, NaN, no error; the
    real points of the same grid are still √p."""
    cs = _sqrt_system("real").compile()
    res = cs.solve(strict=False, p=np.array([4.0 + 0j, 4.0 + 1.0j, 9.0 + 0j]))
    assert res.converged.tolist() == [True, False, True]
    assert abs(res["u"][0]) == pytest.approx(2.0, rel=1e-14) and abs(res["u"][2]) == pytest.approx(3.0, rel=1e-14)
    assert np.isnan(res["u"][1])


def _admissible(domains, real):
    ns = {"math": math, "njit": lambda *a, **k: (lambda f: f)}
    exec(admissible_source(domains, real), ns)  # the generated text itself (no user input in it)
    return ns["_admissible"]


def test_generated_domain_rules():
    inf, nan = math.inf, math.nan
    adm = _admissible(["positive", "negative", "real"], True)
    assert adm(np.array([1.0, -1.0, 0.0]), False)
    for bad in ([0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [inf, -1.0, 0.0], [1.0, -inf, 0.0], [1.0, -1.0, nan],
                [nan, -1.0, 0.0], [1.0, -1.0, inf]):
        assert not adm(np.array(bad), False), bad
    adm = _admissible(["positive", "upper", "complex"], False)
    u = np.array([2.0 + 0.5j, 1.0 + 1e-3j, -3.0 - 4.0j])
    assert adm(u, False) and u[0] == 2.0      # the real-domain unknown projected onto the axis
    assert not adm(np.array([-2.0 + 0.5j, 1j, 0j]), False)
    assert not adm(np.array([1.0, 1.0 + 0j, 0j]), False)          # open rule: Im u > 0
    u = np.array([1.0, 1.0 - 1e-13j, 0j])
    assert adm(u, True) and u[1] == 1.0       # closed rule: round-off below the axis set to 0
    assert not adm(np.array([1.0, 1.0 - 1e-9j, 0j]), True)
    assert not adm(np.array([1.0, 1j, complex(0, inf)]), False)
    assert not adm(np.array([complex(nan, 0.0), 1j, 0j]), False)
    assert not adm(np.array([1.0, 1j, complex(0, nan)]), False)
    u = np.array([complex(1, nan), 1j, 0j])   # an imaginary part of a real-domain unknown is dropped
    assert adm(u, False) and u[0] == 1.0
