"""Single- and multi-index targets (:mod:`symrmt.symbolic.targets`)."""
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.symbolic.targets import STAIRCASES, index_target


def test_names_and_expressions():
    t = index_target(" Staircase2 ")
    assert t.k == 2 and t.name == "staircase2"
    z1, z2 = t.variables
    assert sp.expand(t.expr - (z1 + z1 * z2)) == 0
    assert index_target("staircase3").k == 3
    assert index_target("relu").k == 1
    a, b = sp.symbols("b a")  # indices are ordered by name: a first
    u = index_target(sp.tanh(a) * b)
    assert [v.name for v in u.variables] == ["a_r", "b_r"]
    assert index_target(sp.Symbol("x") ** 3).k == 1
    assert set(STAIRCASES) == {"staircase2", "staircase3"}


def test_bad_targets():
    x = sp.symbols("x1:5")
    with pytest.raises(ParameterError, match="unknown name 'stairs'"):
        index_target("stairs")
    with pytest.raises(ParameterError, match="1 to 3 free symbols"):
        index_target(x[0] * x[1] * x[2] * x[3])
    with pytest.raises(ParameterError, match="1 to 3 free symbols"):
        index_target(sp.Integer(2))
    with pytest.raises(ParameterError, match="callable"):
        index_target(lambda z: z)
    with pytest.raises(ParameterError, match="SymPy expression"):
        index_target(3.0)
