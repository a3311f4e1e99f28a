"""A numba-safe printer of SymPy expressions, and emission of straight-line function bodies.

Rules of the emitted code:

* only ``math`` / ``cmath`` elementary functions (``cmath`` in complex mode, so that ``sqrt`` and
  ``log`` of a negative real take the principal complex branch instead of returning NaN);
* integer powers as repeated products (small exponents) or ``**`` with an integer literal;
  rational numbers as float literals;
* polynomials in a chosen variable in Horner form;
* common subexpressions eliminated with :func:`sympy.cse`.  The order matters: ``cse`` runs on the
  expressions as given and only the printer expands powers into products afterwards (SymPy 1.14
  can return wrong results when ``cse`` runs after a power-expanding rewrite);
* no ``numpy.select`` / ``Piecewise``: a piecewise expression is an error, because numba cannot
  vectorize it branch-safely and the solvers need analytic residuals.
"""
from __future__ import annotations

import keyword
import re
from typing import Iterable, Mapping, Sequence

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.pycode import PythonCodePrinter

from ..errors import CodegenError
from ..symbolic.parsing import safe_sympify

__all__ = ["NumbaPrinter", "horner_in", "emit_function"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ELEMENTARY = ("sqrt", "exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
               "tanh", "asinh", "acosh", "atanh")


class NumbaPrinter(PythonCodePrinter):
    """Print SymPy expressions as numba-compilable Python using ``math`` or ``cmath``.

    Parameters
    ----------
    complex_mode : bool
        If True, elementary functions come from ``cmath`` (complex-safe); else from ``math``.
    """

    printmethod = "_numbacode"

    def __init__(self, complex_mode: bool = True, settings: dict | None = None) -> None:
        super().__init__(settings or {"fully_qualified_modules": True})
        self.complex_mode = complex_mode
        mod = "cmath" if complex_mode else "math"
        for fname in _ELEMENTARY:
            self.known_functions[fname] = f"{mod}.{fname}"
        self.known_functions["Abs"] = "abs"
        self.known_functions["re"] = "_re"
        self.known_functions["im"] = "_im"
        self.known_functions["conjugate"] = "_conj"

    # numbers --------------------------------------------------------------
    def _print_Rational(self, expr: sp.Rational) -> str:
        if expr.q == 1:
            return f"{float(expr.p)!r}"
        return f"({float(expr.p)!r}/{float(expr.q)!r})"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{float(expr.p)!r}"

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_ImaginaryUnit(self, expr) -> str:
        if not self.complex_mode:
            raise CodegenError("the imaginary unit appears in an expression compiled in real mode")
        return "1j"

    def _print_Exp1(self, expr) -> str:
        return repr(float(sp.E))

    def _print_Pi(self, expr) -> str:
        return repr(float(sp.pi))

    # structure ------------------------------------------------------------
    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, ex = expr.base, expr.exp
        b = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"])
        if ex.is_Integer:
            n = int(ex)
            if n == 0:
                return "1.0"
            if 0 < n <= 4:
                return "(" + "*".join([b] * n) + ")"
            if -4 <= n < 0:
                return "(1.0/(" + "*".join([b] * (-n)) + "))"
            return f"({b}**{n})"
        if ex == sp.S.Half:
            return f"{self.known_functions['sqrt']}({self._print(base)})"
        if ex == -sp.S.Half:
            return f"(1.0/{self.known_functions['sqrt']}({self._print(base)}))"
        return f"({b}**{self._print(ex)})"

    def _print_Piecewise(self, expr) -> str:
        raise CodegenError("Piecewise expressions are not supported by the numba solvers (no numpy.select); "
                           "write the equations without case distinctions")

    def _print_Relational(self, expr) -> str:
        raise CodegenError(f"relational expression {expr} cannot be compiled into a residual")

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        # names are mapped to safe identifiers by emit_function; a stray symbol is an error
        raise CodegenError(f"symbol {expr} is not an argument of the generated function")


def horner_in(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> sp.Expr:
    """Rewrite ``expr`` in nested Horner form in ``variables`` when it is a polynomial in them.

    Horner form only factors (no power expansion); non-polynomial expressions are returned as is.
    """
    vs = [v for v in variables if expr.has(v)]
    if not vs:
        return expr
    try:
        poly = sp.Poly(expr, *vs)
    except sp.PolynomialError:
        return expr
    if not poly.domain.is_Exact and poly.domain != sp.EX:
        return expr
    return sp.horner(poly.as_expr(), *vs) if poly.total_degree() > 1 else expr


def emit_function(name: str, args: Sequence[sp.Symbol], exprs: Iterable[sp.Expr], *,
                  packed: Sequence[sp.Symbol] | Mapping[str, Sequence[sp.Symbol]] | None = None, complex_mode: bool = True,
                  horner: Sequence[sp.Symbol] = (), uniform: bool = False,
                  decorator: str = "@njit(cache=True)") -> str:
    """Source of ``def name(a0, ..., [pv]): ...; return (e0, e1, ...)`` with common subexpressions.

    Parameters
    ----------
    name
        Function name.
    args
        Symbols passed as scalar arguments (renamed ``a0, a1, ...`` so any SymPy name is safe).
    exprs
        Expressions in ``args`` and ``packed``.
    packed
        Symbols read from trailing array arguments: a sequence means one array ``pv``
        (``pv[0], pv[1], ...``; present in the signature even when empty); a mapping ``{array_name: symbols}`` gives several arrays.
    complex_mode
        Use ``cmath`` (complex-safe) instead of ``math``.
    horner
        Variables in which polynomial expressions are put in Horner form (before ``cse``).
    decorator
        Line placed before ``def`` (default: numba ``@njit(cache=True)``; empty: plain Python).
    uniform
        Make every output the same numeric type (``+ 0j`` or ``+ 0.0``), so the returned tuple
        can be indexed with a run-time index in numba.

    Raises
    ------
    CodegenError
        If an expression uses a symbol that is neither in ``args`` nor in ``packed``.
    """
    exprs = [e if isinstance(e, sp.Basic) else safe_sympify(e, f"expression {i}") for i, e in enumerate(exprs)]
    if packed is None:
        arrays: dict = {}
    else:
        arrays = dict(packed) if isinstance(packed, Mapping) else {"pv": list(packed)}
    allargs = list(args) + [s for syms in arrays.values() for s in syms]
    if len(set(allargs)) != len(allargs):
        raise CodegenError(f"repeated argument symbols in {[str(a) for a in allargs]}")
    names = {a: sp.Symbol(f"a{i}") for i, a in enumerate(allargs)}
    used = set().union(*[e.free_symbols for e in exprs]) if exprs else set()
    extra = used - set(allargs)
    if extra:
        raise CodegenError(f"expression(s) use symbol(s) {sorted(map(str, extra))} that are not "
                           f"arguments {[str(a) for a in allargs]}")
    exprs = [horner_in(e, horner) if horner else e for e in exprs]
    renamed = [e.xreplace(names) for e in exprs]
    # cse first; the printer expands powers only while printing (never a SymPy rewrite before cse)
    reps, reduced = sp.cse(renamed, symbols=sp.numbered_symbols("t"), optimizations=None)
    # only the renamed arguments and the cse temporaries may be printed as names: a symbol bound
    # inside an expression (a Sum's index, ...) keeps its user-given name and is refused
    printer = _SymbolPrinter(complex_mode, allowed={s.name for s in names.values()} | {s.name for s, _ in reps})
    for arr in [name, *arrays]:
        if not _IDENT.fullmatch(arr) or keyword.iskeyword(arr):
            raise CodegenError(f"function or array name {arr!r} is not a plain identifier")
    sig = [str(names[a]) for a in args] + list(arrays)
    lines = ([decorator] if decorator else []) + [f"def {name}({', '.join(sig)}):"]
    for arr, syms in arrays.items():
        for j, a in enumerate(syms):
            if a in used:
                lines.append(f"    {names[a]} = {arr}[{j}]")
    try:
        for sym, val in reps:
            lines.append(f"    {sym} = {printer.doprint(val)}")
        zero = (" + 0j" if complex_mode else " + 0.0") if uniform else ""
        outs = ", ".join(f"{printer.doprint(e)}{zero}" for e in reduced)
    except PrintMethodNotImplementedError as exc:
        raise CodegenError(f"cannot generate code for an expression: {str(exc).splitlines()[0]}") from exc
    lines.append(f"    return ({outs}{',' if len(reduced) == 1 else ''})")
    return "\n".join(lines) + "\n"


class _SymbolPrinter(NumbaPrinter):
    """Printer for bodies whose symbols are already renamed to safe identifiers (``allowed``)."""

    def __init__(self, complex_mode: bool = True, allowed: Iterable[str] = ()) -> None:
        super().__init__(complex_mode)
        self.allowed = frozenset(allowed)

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if expr.name not in self.allowed or not _IDENT.fullmatch(expr.name):
            raise CodegenError(f"symbol {expr.name!r} is bound inside an expression or not an argument; "
                               "it cannot be compiled")
        return expr.name
