"""Bad input gets a ParameterError naming the argument; NumPy scalars are numbers (same result as
the equal Python numbers)."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError

m, z = sp.symbols("m z")


def test_nan_numpy_float_variance():
    with pytest.raises(ParameterError, match="variance: must be finite"):
        sr.laws.semicircle(variance=np.float32("nan"))
    with pytest.raises(ParameterError, match="variance: must be finite"):
        sr.laws.semicircle(variance=np.float64("inf"))


@pytest.mark.parametrize("value, same", [(np.float64(0.5), 0.5), (np.float32(0.5), 0.5), (np.int64(2), 2),
                                         (np.float64(0.1), 0.1)])
def test_numpy_scalars_are_numbers(value, same):
    assert sr.laws.semicircle(variance=value).polynomial == sr.laws.semicircle(variance=same).polynomial


def test_numpy_bool_is_not_a_number():
    with pytest.raises(ParameterError, match="variance: expected a number, got a bool"):
        sr.laws.semicircle(variance=np.bool_(True))


def test_atoms_needs_a_sequence():
    with pytest.raises(ParameterError, match="points: expected a sequence of numbers, got 5"):
        sr.laws.atoms(5)
    with pytest.raises(ParameterError, match="weights: expected a sequence of numbers"):
        sr.laws.atoms([1, 2], weights=0.5)
    with pytest.raises(ParameterError, match="points: expected a 1-d sequence"):
        sr.laws.atoms(np.ones((2, 2)))


def test_atoms_accept_numpy_numbers():
    ref = sr.laws.atoms([0.5, 1.0])
    assert sr.laws.atoms([np.float64(0.5), 1.0]).polynomial == ref.polynomial
    assert sr.laws.atoms(np.array([0.5, 1.0])).polynomial == ref.polynomial
    w = sr.laws.atoms(np.array([1, 3]), np.array([0.25, 0.75]))
    assert w.polynomial == sr.laws.atoms([1, 3], [sp.Rational(1, 4), sp.Rational(3, 4)]).polynomial
    assert sr.laws.atoms([np.int64(1), np.int32(3)]).polynomial == sr.laws.atoms([1, 3]).polynomial


def test_system_string_initial_guess():
    with pytest.raises(ParameterError, match=r"initial\[m\]"):
        sr.System([m**2 + z * m + 1], [m], [z], initial={m: "str"})


def test_system_string_observable_outside_the_grammar():
    with pytest.raises(ParameterError, match=r"observables\['d'\]"):
        sr.System([m**2 + z * m + 1], [m], [z], observables={"d": "im(m)"})


def test_system_undefined_function():
    f = sp.Function("f")
    with pytest.raises(ParameterError, match=r"equations\[0\]: undefined function\(s\) \['f'\]"):
        sr.System([f(m) - z], [m], [z])
    with pytest.raises(ParameterError, match=r"observables\['d'\]: undefined function\(s\) \['g'\]"):
        sr.System([m - z], [m], [z], observables={"d": sp.Function("g")(m)})
    with pytest.raises(ParameterError, match=r"initial\[m\]: undefined function\(s\) \['h'\]"):
        sr.System([m - z], [m], [z], initial={m: sp.Function("h")(z)})


def test_numpy_integer_sizes():
    from symrmt.simulate.device import check_size, check_trials

    assert check_size(np.int64(100)) == 100 and type(check_size(np.int64(100))) is int
    assert check_size(100.0) == 100 and check_trials(np.int32(3)) == 3
    for bad in (True, 100.5, "100", 1):
        with pytest.raises(ParameterError, match="n: expected an integer >= 2"):
            check_size(bad)


def test_simulate_takes_numpy_integers():
    d = sr.load("semicircle")
    a = d.simulate(n=np.int64(60), trials=np.int64(2), seed=np.int64(3), device="cpu")
    b = d.simulate(60, 2, seed=3, device="cpu")
    assert np.array_equal(a.cpu().numpy(), b.cpu().numpy())
    r = sr.load("ridge")
    a = r.simulate(n=np.int64(50), trials=np.int64(1), seed=0, device="cpu")
    b = r.simulate(50, 1, seed=0, device="cpu")
    assert np.array_equal(a["test_error"], b["test_error"])
