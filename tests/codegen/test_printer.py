"""The numba printer and compile_function: correctness against SymPy and against exact values."""
import cmath
import math

import numpy as np
import pytest
import sympy as sp

from symrmt.codegen.compile import check_against_sympy, compile_function
from symrmt.codegen.printer import NumbaPrinter, emit_function, horner_in
from symrmt.errors import CodegenError, ParameterError

x, y, g = sp.symbols("x y gamma")


def test_printer_rules():
    pr = NumbaPrinter(complex_mode=True)
    assert pr.doprint(sp.Rational(1, 3)) == "(1.0/3.0)"
    src = emit_function("f", [x], [sp.sqrt(x), x**3, x**-2, x**9])
    assert "cmath.sqrt(a0)" in src and "(a0*a0*a0)" in src and "(1.0/(a0*a0))" in src and "a0**9" in src
    real = emit_function("f", [x], [sp.exp(x)], complex_mode=False)
    assert "math.exp" in real and "cmath" not in real
    assert "select" not in emit_function("f", [x], [sp.Abs(x) + sp.re(x)])
    with pytest.raises(CodegenError, match="Piecewise"):
        emit_function("f", [x], [sp.Piecewise((x, x > 0), (-x, True))])
    with pytest.raises(CodegenError, match="not arguments"):
        emit_function("f", [x], [x + y])
    with pytest.raises(CodegenError, match="real mode"):
        emit_function("f", [x], [sp.I * x], complex_mode=False)


def test_horner_form():
    p = 3 * x**3 + 2 * x**2 * g + x + 5
    h = horner_in(p, [x])
    assert sp.expand(h - p) == 0
    assert h.count(sp.Pow) < p.count(sp.Pow)       # nested products instead of powers
    assert horner_in(sp.sin(x), [x]) == sp.sin(x)


def test_compile_function_values_and_cse_before_power_rewrite():
    # repeated subexpressions with powers: cse runs first, the printer expands powers afterwards
    e1 = (x + y) ** 3 + sp.sqrt((x + y) ** 3 + 1) - 1 / (x + y) ** 2
    e2 = sp.exp(-(x - y) ** 2) * sp.cos(x * y) + sp.Rational(2, 7)
    f = compile_function([e1, e2], [x, y], name="ffun")
    for xv, yv in [(0.3, 1.1), (2.0, -0.5), (1.7, 1.7)]:
        s = xv + yv
        v = f(xv, yv)
        assert isinstance(v, tuple) and len(v) == 2
        assert abs(v[0] - (s**3 + math.sqrt(s**3 + 1) - 1 / s**2)) <= 1e-12 * (1 + abs(v[0]))
        assert abs(v[1] - (math.exp(-(xv - yv) ** 2) * math.cos(xv * yv) + 2 / 7)) <= 1e-14


def test_compile_function_complex_mode_branch_safe():
    f = compile_function(sp.sqrt(x) + sp.log(x), [x], name="h", complex_mode=True)
    v = f(-4.0 + 0j)[0]
    assert abs(v - (cmath.sqrt(-4) + cmath.log(-4))) <= 1e-14   # principal branch, no NaN


def test_compile_function_bad_input():
    with pytest.raises(ParameterError, match="not listed"):
        compile_function([x * y], [x])
    with pytest.raises(ParameterError, match="identifier"):
        compile_function([x], [x], name="bad name")


def test_self_check_detects_mismatch():
    with pytest.raises(CodegenError, match="differs"):
        check_against_sympy([x**2], {x: 1.5}, [2.25 + 1e-6], "demo")
    check_against_sympy([x**2], {x: 1.5}, [2.25], "demo")
