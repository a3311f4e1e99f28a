"""The torch printer against independent NumPy / closed-form evaluations."""
import math
import sys

import numpy as np
import pytest
import sympy as sp

from symrmt.errors import CodegenError, ParameterError

torch = pytest.importorskip("torch")

from symrmt.codegen.torch_printer import float_constants, torch_function, torch_source  # noqa: E402

x, y, a = sp.symbols("x y a")
PTS = np.linspace(-2.5, 2.5, 21)

CASES = {
    "sqrt(2) x^2 + pi": (sp.sqrt(2) * x**2 + sp.pi, lambda t: math.sqrt(2) * t**2 + math.pi),
    "rational": (sp.Rational(1, 3) * x - sp.Rational(5, 7), lambda t: t / 3 - 5 / 7),
    "max with a number": (sp.Max(x, sp.Rational(1, 2)), lambda t: np.maximum(t, 0.5)),
    "min of three": (sp.Min(x, x**2, 1), lambda t: np.minimum(np.minimum(t, t * t), 1.0)),
    "heaviside": (sp.Heaviside(x), lambda t: np.heaviside(t, 0.5)),
    "piecewise": (sp.Piecewise((x**3, x > 1), (-x, True)), lambda t: np.where(t > 1, t**3, -t)),
    "erf and exp": (x * sp.erf(x / sp.sqrt(2)) + sp.exp(-x**2 / 2),
                    lambda t: t * np.vectorize(math.erf)(t / math.sqrt(2)) + np.exp(-t * t / 2)),
    "logistic": (1 / (1 + sp.exp(-x)), lambda t: 1 / (1 + np.exp(-t))),
    "E and abs": (sp.E * sp.Abs(x) + sp.sign(x), lambda t: math.e * np.abs(t) + np.sign(t)),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_single_expression_matches_numpy(name, dtype):
    expr, ref = CASES[name]
    f = torch_function(expr, [x], what="activation")
    t = torch.tensor(PTS, dtype=dtype)
    out = f(t)
    assert out.dtype == dtype and out.shape == t.shape
    tol = 1e-14 if dtype == torch.float64 else 1e-6
    np.testing.assert_allclose(out.double().numpy(), ref(PTS), rtol=tol, atol=tol)


def test_constants_are_float_literals_that_read_back_exactly():
    src = torch_source(sp.sqrt(2) * x, [x])
    assert repr(math.sqrt(2)) in src and "torch.sqrt(2)" not in src
    assert float_constants(sp.pi * x**2).has(sp.Float) and float_constants(x**2) == x**2


def test_several_arguments_and_cse():
    e = sp.sin(x + y) ** 2 + sp.cos(x + y) * a
    f = torch_function(e, [x, y, a])
    assert "_c0" in f.source
    tx, ty = torch.tensor(PTS, dtype=torch.float64), torch.tensor(PTS[::-1].copy(), dtype=torch.float64)
    got = f(tx, ty, torch.tensor(0.7, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, np.sin(PTS + PTS[::-1]) ** 2 + 0.7 * np.cos(PTS + PTS[::-1]), rtol=1e-14)


def test_stack_broadcasts_constant_components():
    f = torch_function([x * y, sp.Integer(2), sp.sqrt(3)], [x, y], output="stack")
    out = f(torch.ones(4, dtype=torch.float64), torch.tensor(3.0, dtype=torch.float64))
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out.numpy(), [[3.0, 2.0, math.sqrt(3)]] * 4, rtol=1e-15)


def test_constant_single_expression_follows_the_argument():
    f = torch_function(sp.Integer(3) + 0 * x, [x])
    t = torch.zeros(5, dtype=torch.float32)
    out = f(t)
    assert out.dtype == torch.float32 and out.shape == (5,) and bool((out == 3).all())


def test_memoized():
    assert torch_function(x**2 + 1, [x]) is torch_function(x**2 + 1, [x])
    assert torch_function(x**2 + 1, [x]) is not torch_function(x**2 + 1, [x], output="stack")


def test_user_names_never_reach_the_source(tmp_path):
    marker = tmp_path / "pwned"
    weird = sp.Symbol(f'q"); __import__("pathlib").Path(r"{marker}").touch() #')
    f = torch_function(weird * x, [x, weird])
    assert "import" not in f.source
    np.testing.assert_allclose(f(torch.tensor([2.0]), torch.tensor(3.0)).numpy(), [6.0])
    k = sp.Symbol("k")
    with pytest.raises(CodegenError, match="cannot be compiled"):
        torch_function(sp.Sum(x * k, (k, 0, 3)), [x])
    with pytest.raises(CodegenError, match="cannot be compiled"):
        torch_function(sp.Function("f); import os #")(x), [x])
    with pytest.raises(CodegenError, match="cannot generate torch code"):
        torch_function(sp.Function("f")(x), [x])
    assert not marker.exists()


def test_bad_arguments():
    with pytest.raises(ParameterError, match="not arguments"):
        torch_function(x * y, [x])
    with pytest.raises(ParameterError, match="output"):
        torch_function(x, [x], output="tuple")
    with pytest.raises(ParameterError, match="exprs"):
        torch_function([x, y], [x, y])
    with pytest.raises(ParameterError, match="arguments"):
        torch_function(x, [x, x])
    with pytest.raises(ParameterError):
        torch_function("x", [x])


def test_no_torch_at_import():
    import subprocess

    code = ("import sys, symrmt.codegen.torch_printer, symrmt.odes; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
