"""Grids and ranges: parsing (a restricted parser, never evaluation) and checks against a derivation."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.sweep.grid import Axis, Grid, grid_from, parse_axis, parse_number, parse_range


def test_parse_axis_linear_log_and_single():
    assert parse_axis("q=0.25:1:4").values == (0.25, 0.5, 0.75, 1.0)
    ax = parse_axis("ridge=1e-2:1:3:log")
    assert ax.log and np.allclose(ax.values, [0.01, 0.1, 1.0]) and ax.values[0] == 0.01
    assert parse_axis("q=1/2").values == (0.5,)


@pytest.mark.parametrize("text, match", [
    ("q", "expected NAME=LO:HI"), ("q=1:2", "LO:HI:NUM"), ("q=2:1:3", "LO < HI"), ("q=0:1:3:log", "LO > 0"),
    ("q=0:1:0", "between 1"), ("q=0:1:x", "positive integer"), ("q=__import__('os'):1:3", "not a number"),
    ("q=1e999:2:3", "exponent"), ("q=1e308:1e309:3", "float64"), ("1q=0:1:3", "NAME"), ("q=0:1:3:lin", "LO:HI:NUM"), ("q=0:1:2e9", "positive integer"),
])
def test_malformed_axes(text, match):
    with pytest.raises(ParameterError, match=match):
        parse_axis(text)


def test_parse_range_and_number():
    assert parse_range("q=0.1:2") == ("q", 0.1, 2.0, False)
    assert parse_range("ridge=0.01:1:log") == ("ridge", 0.01, 1.0, True)
    for bad in ("q=2:1", "q=0.1", "q=a:b", "=1:2"):
        with pytest.raises(ParameterError):
            parse_range(bad)
    assert parse_number("-3/4") == -0.75
    with pytest.raises(ParameterError, match="divides by zero"):
        parse_number("1/0")


def test_grid_order_arrays_and_limits():
    g = grid_from({"q": [0.2, 0.5], "ridge": "0.1:0.3:3"})
    assert g.shape == (2, 3) and len(g) == 6
    pts = list(g.points())
    assert pts[0] == {"q": 0.2, "ridge": 0.1} and pts[1]["ridge"] == pytest.approx(0.2) and pts[3]["q"] == 0.5
    arr = g.arrays()
    assert arr["q"].shape == (2, 3) and arr["q"][1, 0] == 0.5
    with pytest.raises(ParameterError, match="given twice"):
        Grid([Axis("q", (1,)), Axis("q", (2,))])
    with pytest.raises(ParameterError, match="increasing"):
        Axis("q", (2, 1))
    with pytest.raises(ParameterError, match="more than"):
        grid_from(["a=0:1:1000", "b=0:1:1000", "c=0:1:2"])


def test_grid_checked_against_the_derivation():
    d = sr.load("ridge")
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['gamma'\]"):
        grid_from({"gamma": [1]}).check(d)
    with pytest.raises(ParameterError, match="q"):
        grid_from({"q": [-1, 0.5]}).check(d)  # outside q > 0
    with pytest.raises(ParameterError, match="both swept and fixed"):
        grid_from({"q": [0.5]}).check(d, {"q": 0.3})
