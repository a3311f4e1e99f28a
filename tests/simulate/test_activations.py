"""Activations as torch callables, against NumPy / closed forms."""
import math

import numpy as np
import pytest
import sympy as sp

from symrmt.errors import ParameterError

torch = pytest.importorskip("torch")

from symrmt.simulate.activations import torch_activation  # noqa: E402

X = sp.Symbol("x")
PTS = np.linspace(-3.0, 3.0, 25)
_erf = np.vectorize(math.erf)

NAMED = {"relu": lambda t: np.maximum(t, 0.0), "tanh": np.tanh, "erf": _erf, "sign": np.sign,
         "linear": lambda t: t}


@pytest.mark.parametrize("name", list(NAMED))
def test_named_activations(name):
    f = torch_activation(f"  {name.upper()} ")
    np.testing.assert_allclose(f(torch.tensor(PTS, dtype=torch.float64)).numpy(), NAMED[name](PTS), rtol=1e-15)


SYMPY = {
    "relu": (sp.Max(X, 0), lambda t: np.maximum(t, 0.0)),
    "shifted relu": (sp.Max(X - 1, 0) / sp.sqrt(2), lambda t: np.maximum(t - 1, 0.0) / math.sqrt(2)),
    "hermite 3": ((X**3 - 3 * X) / sp.sqrt(6), lambda t: (t**3 - 3 * t) / math.sqrt(6)),
    "x erf(x/sqrt 2)": (X * sp.erf(X / sp.sqrt(2)), lambda t: t * _erf(t / math.sqrt(2))),
    "step": (sp.Heaviside(X), lambda t: np.heaviside(t, 0.5)),
    "clip": (sp.Min(sp.Max(X, -1), 1), lambda t: np.clip(t, -1, 1)),
}


@pytest.mark.parametrize("name", list(SYMPY))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_sympy_activations(name, dtype):
    expr, ref = SYMPY[name]
    out = torch_activation(expr)(torch.tensor(PTS, dtype=dtype))
    assert out.dtype == dtype and out.shape == PTS.shape
    tol = 1e-14 if dtype == torch.float64 else 2e-6
    np.testing.assert_allclose(out.double().numpy(), ref(PTS), rtol=tol, atol=tol)


def test_any_variable_name():
    t = sp.Symbol("t")
    np.testing.assert_allclose(torch_activation(sp.tanh(2 * t))(torch.tensor(PTS)).numpy(),
                               np.tanh(2 * PTS), rtol=1e-6)


def test_bad_activations():
    with pytest.raises(ParameterError, match="activation"):
        torch_activation("softplus")
    with pytest.raises(ParameterError, match="activation"):
        torch_activation(X * sp.Symbol("y"))
    with pytest.raises(ParameterError, match="activation"):
        torch_activation(lambda t: t)
    with pytest.raises(ParameterError, match="cannot be compiled"):
        torch_activation(sp.Function("f); import os #")(X))
