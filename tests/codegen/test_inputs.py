"""Bad input to CompiledLaw gets a clear ParameterError naming the parameter."""
import numpy as np
import pytest

from symrmt.errors import ParameterError


def test_parameter_names(mp):
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['gama'\].*gamma"):
        mp.stieltjes(1j, gama=0.5)
    with pytest.raises(ParameterError, match=r"missing .*\['gamma'\]"):
        mp.stieltjes(1j)


def test_shapes_and_values(mp):
    with pytest.raises(ParameterError, match="broadcast"):
        mp.stieltjes(np.ones(3) * 1j, gamma=np.ones(4))
    with pytest.raises(ParameterError, match="z: must be finite"):
        mp.stieltjes(np.array([1j, np.nan]), gamma=0.5)
    with pytest.raises(ParameterError, match="gamma: must be finite"):
        mp.density(1.0, gamma=np.inf)
    with pytest.raises(ParameterError, match="x: must be real"):
        mp.density(1.0 + 1j, gamma=0.5)
    with pytest.raises(ParameterError, match="Im z >= 0"):
        mp.stieltjes(1.0 - 1j, gamma=0.5)
    with pytest.raises(ParameterError, match="gamma: expected numbers"):
        mp.stieltjes(1j, gamma="0.5")
    with pytest.raises(ParameterError, match=r"ratio: must satisfy ratio > 0 \(ratio = gamma\)"):
        mp.stieltjes(1j, gamma=np.array([0.5, -1.0]))
    with pytest.raises(ParameterError, match="scalar parameters"):
        mp.support(gamma=np.array([0.5, 0.25]))


def test_unbound_parameter_message_lists_names():
    import sympy as sp
    import symrmt as sr

    a, b = sp.symbols("a b", positive=True)
    sol = sr.laws.marchenko_pastur(ratio=a, variance=b).compile()
    with pytest.raises(ParameterError, match=r"\['a', 'b'\]"):
        sol.density(1.0)
    assert np.isfinite(sol.density(1.0, a=0.5, b=1.0))
