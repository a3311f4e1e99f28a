"""Compiled fields against SymPy's own numeric evaluation (lambdify with numpy) at random points."""
import numpy as np
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.odes import compile_field, imde

q, p, h, k = sp.symbols("q p h k")


def test_torch_field_matches_lambdify():
    torch = pytest.importorskip("torch")
    fld = imde([k * p, -sp.sin(q)], [q, p], "gauss4", 4)   # contains sqrt(3)-free rationals, h, k
    F = compile_field(fld, [q, p], backend="torch")
    ref = sp.lambdify((q, p, h, k), fld, "numpy")
    rng = np.random.default_rng(0)
    pts = rng.uniform(-2, 2, size=(50, 2))
    got = F(torch.tensor(pts, dtype=torch.float64), h=0.3, k=1.7).numpy()
    want = np.array([ref(a, b, 0.3, 1.7) for a, b in pts])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


def test_torch_field_irrational_constants_and_constant_components():
    torch = pytest.importorskip("torch")
    F = compile_field([sp.sqrt(3) * q, sp.Integer(2)], [q, p], backend="torch")
    out = F(torch.ones(4, 2, dtype=torch.float64))
    assert out.shape == (4, 2)
    np.testing.assert_allclose(out.numpy(), [[np.sqrt(3), 2.0]] * 4, rtol=1e-15)


def test_compile_field_bad_input():
    torch = pytest.importorskip("torch")
    F = compile_field([k * p, -q], [q, p], backend="torch")
    with pytest.raises(ParameterError, match="missing"):
        F(torch.ones(2, 2))
    with pytest.raises(ParameterError, match="unknown"):
        F(torch.ones(2, 2), k=1.0, mu=2.0)
    with pytest.raises(ParameterError, match="last axis"):
        F(torch.ones(2, 3), k=1.0)
    with pytest.raises(ParameterError, match="backend"):
        compile_field([p, -q], [q, p], backend="jax")


def test_numba_field_matches_lambdify():
    pytest.importorskip("symrmt.codegen.compile")
    fld = imde([p, -sp.sin(q)], [q, p], "rk4", 4)
    F = compile_field(fld, [q, p], backend="numba")
    ref = sp.lambdify((q, p, h), fld, "numpy")
    pts = np.random.default_rng(1).uniform(-2, 2, size=(20, 2))
    got = F(pts, h=0.2)
    want = np.array([ref(a, b, 0.2) for a, b in pts])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
