"""Restricted parsing of user strings into SymPy expressions, and safe conversion of user values.

No user string is ever executed (docs/architecture.md): :func:`parse_expression` tokenizes the text itself
and builds the SymPy expression with a small recursive-descent parser.  It accepts only

* numbers (``3``, ``0.25``, ``1e-3``; kept exact: ``0.1`` is ``1/10``),
* names from an explicit whitelist: the symbols passed in, the constants ``pi``, ``E``, ``I``
  and the functions of :data:`FUNCTIONS` (called with parentheses),
* the operators ``+ - * / ** ^`` (``^`` is a power), parentheses, and commas between function
  arguments.

Anything else -- an unknown name, attribute access, brackets, quotes, ``lambda``, a dunder, ... --
raises :class:`~symrmt.errors.ParameterError` naming the argument, the offending token and what is
allowed.  :func:`safe_sympify` converts non-string values with ``sympify(strict=True)`` and
refuses strings (or routes them to the parser) and containers (SymPy sympifies the entries of a
tuple or dict without ``strict``, which would evaluate a string inside one).
"""
from __future__ import annotations

import keyword
import re
from typing import Any, Iterable, Mapping

import sympy as sp

from .._checks import python_scalar
from ..errors import ParameterError

__all__ = ["parse_expression", "safe_sympify", "check_code_names", "to_exact", "FUNCTIONS", "CONSTANTS"]

#: Functions a parsed string may call, by name.
FUNCTIONS: Mapping[str, Any] = {
    "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh, "erf": sp.erf,
    "abs": sp.Abs, "Abs": sp.Abs,
}
#: Constants a parsed string may use, by name.
CONSTANTS: Mapping[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "I": sp.I}

MAX_LENGTH = 10_000  # characters of a parsed string
MAX_DEPTH = 100  # nesting of parentheses, signs and powers
MAX_POWER = 1000  # |exponent| of a power with a numeric exponent
MAX_BITS = 100_000  # size of a number built from numeric powers
_MAX_EXP10 = 1000  # |e| of a number written like 1e-3

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_OPS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_SPACE = " \t\r\n"
_SAFE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_CODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _allowed(names: Iterable[str]) -> str:
    syms = sorted(names)
    return ("numbers, the names " + (", ".join(syms) if syms else "(none)") + ", the constants "
            + ", ".join(CONSTANTS) + ", the functions " + ", ".join(sorted(set(FUNCTIONS)))
            + ", the operators + - * / ** ^, parentheses and commas between function arguments")


def _symbol_table(symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol | str] | None, what: str
                  ) -> dict[str, sp.Expr]:
    if symbols is None:
        return {}
    if isinstance(symbols, Mapping):
        items = list(symbols.items())
    else:
        if isinstance(symbols, (str, sp.Basic)):
            symbols = [symbols]
        items = []
        for s in symbols:
            if isinstance(s, sp.Symbol):
                items.append((s.name, s))
            elif isinstance(s, str):
                items.append((s, None))
            else:
                raise ParameterError(f"{what}: allowed symbols must be SymPy Symbols or names, got {s!r}")
    table: dict[str, sp.Expr] = {}
    for name, sym in items:
        if isinstance(sym, sp.Symbol) and isinstance(name, str) and not _SAFE_NAME.match(name):
            continue  # a Symbol whose name cannot be typed: never matched
        if not isinstance(name, str) or not _SAFE_NAME.match(name) or name.startswith("__"):
            raise ParameterError(f"{what}: symbol names must be plain identifiers (letters, digits, _), "
                                 f"got {name!r}")
        table[name] = sp.Symbol(name) if sym is None else sym
    return table


def _tokens(text: str, what: str, names: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(kind, text, position)`` for each token; kinds ``num``, ``name``, ``op``, ``end``."""
    out: list[tuple[str, str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        mt = _NUMBER_RE.match(text, i) if (c.isascii() and (c.isdigit() or c == ".")) else None
        if mt:
            out.append(("num", mt.group(), i))
            i = mt.end()
            continue
        mt = _NAME_RE.match(text, i) if c.isascii() else None
        if mt:
            out.append(("name", mt.group(), i))
            i = mt.end()
            continue
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is None:
            raise ParameterError(f"{what}: character {c!r} at position {i} is not allowed; allowed: "
                                 f"{_allowed(names)}")
        out.append(("op", op, i))
        i += len(op)
    out.append(("end", "", n))
    return out


class _Parser:
    def __init__(self, tokens, table: dict[str, sp.Expr], what: str):
        self.toks = tokens
        self.k = 0
        self.table = table
        self.what = what
        self.depth = 0

    # ------------------------------------------------------------------ helpers
    def fail(self, tok, why: str) -> ParameterError:
        shown = "end of text" if tok[0] == "end" else f"{tok[1]!r} at position {tok[2]}"
        return ParameterError(f"{self.what}: {why} {shown}; allowed: {_allowed(self.table)}")

    def peek(self):
        return self.toks[self.k]

    def take(self):
        tok = self.toks[self.k]
        self.k += 1
        return tok

    def expect(self, op: str):
        tok = self.take()
        if tok != ("op", op, tok[2]):
            raise self.fail(tok, f"expected {op!r}, got")
        return tok

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParameterError(f"{self.what}: nesting deeper than {MAX_DEPTH} levels")

    # ------------------------------------------------------------------ grammar
    def parse(self) -> sp.Expr:
        e = self.expr()
        tok = self.peek()
        if tok[0] != "end":
            raise self.fail(tok, "unexpected")
        return e

    def expr(self) -> sp.Expr:
        e = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            t = self.term()
            e = e + t if op == "+" else e - t
        return e

    def term(self) -> sp.Expr:
        e = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()
            t = self.unary()
            if op[1] == "/":
                if t.is_zero:
                    raise ParameterError(f"{self.what}: division by zero at position {op[2]}")
                e = e / t
            else:
                e = e * t
        return e

    def unary(self) -> sp.Expr:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in "+-":
            self.take()
            self.enter()
            e = self.unary()
            self.depth -= 1
            return -e if tok[1] == "-" else e
        return self.power()

    def power(self) -> sp.Expr:
        base = self.atom()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("**", "^"):
            self.take()
            self.enter()
            ex = self.unary()  # right-associative; 2**-1 allowed
            self.depth -= 1
            return self.pow(base, ex, tok)
        return base

    def pow(self, base: sp.Expr, ex: sp.Expr, tok) -> sp.Expr:
        if ex.is_number:
            if not (ex.is_real and ex.is_finite) or abs(float(ex)) > MAX_POWER:
                raise ParameterError(f"{self.what}: the exponent at position {tok[2]} must be a real number "
                                     f"of size at most {MAX_POWER}, got {ex}")
            if base.is_Rational and ex.is_Rational:
                bits = max(int(abs(base.p)).bit_length(), int(base.q).bit_length())
                if bits * abs(float(ex)) > MAX_BITS:
                    raise ParameterError(f"{self.what}: the power at position {tok[2]} is too large "
                                         f"(more than {MAX_BITS} bits)")
            if base.is_zero and ex.is_negative:
                raise ParameterError(f"{self.what}: division by zero (0 to a negative power) at position {tok[2]}")
        return base**ex

    def atom(self) -> sp.Expr:
        tok = self.take()
        kind, text, pos = tok
        if kind == "num":
            return self.number(tok)
        if kind == "name":
            nxt = self.peek()
            call = nxt[0] == "op" and nxt[1] == "("
            if text in self.table:
                if call:
                    raise self.fail(tok, "a symbol is not a function:")
                return self.table[text]
            if text in CONSTANTS and not call:
                return CONSTANTS[text]
            if text in FUNCTIONS and call:
                self.take()
                self.enter()
                args = [self.expr()]
                while self.peek() == ("op", ",", self.peek()[2]):
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                self.depth -= 1
                try:
                    return FUNCTIONS[text](*args)
                except TypeError as exc:
                    raise ParameterError(f"{self.what}: {text}() at position {pos} takes other arguments "
                                         f"({len(args)} given)") from exc
            if text in FUNCTIONS:
                raise self.fail(tok, "a function must be called with parentheses:")
            raise self.fail(tok, "unknown name")
        if kind == "op" and text == "(":
            self.enter()
            e = self.expr()
            self.expect(")")
            self.depth -= 1
            return e
        raise self.fail(tok, "unexpected")

    def number(self, tok) -> sp.Expr:
        text = tok[1]
        mant, _, exp10 = text.lower().partition("e")
        if exp10 and abs(int(exp10)) > _MAX_EXP10:
            raise ParameterError(f"{self.what}: the number {text!r} at position {tok[2]} is out of range "
                                 f"(exponent at most {_MAX_EXP10})")
        if len(mant) > 1000:
            raise ParameterError(f"{self.what}: the number at position {tok[2]} has more than 1000 digits")
        return sp.Rational(text) if ("." in text or exp10) else sp.Integer(int(text))


def parse_expression(text: str, symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol | str] | None = (), *,
                     what: str = "expression") -> sp.Expr:
    """Parse ``text`` into a SymPy expression with a restricted grammar (never ``eval``).

    Parameters
    ----------
    text
        The string, e.g. ``"gamma*z*m**2 + (z - 1 + gamma)*m + 1"``.
    symbols
        The names the text may use: SymPy Symbols (matched by name), plain names (made into
        Symbols) or a mapping ``{name: Symbol}``.  Besides these only the constants ``pi``, ``E``,
        ``I`` and the functions of :data:`FUNCTIONS` are known.
    what
        The argument's name, used in error messages.

    Returns
    -------
    sympy.Expr
        The expression; decimals are exact rationals (``0.1`` is ``1/10``).

    Raises
    ------
    ParameterError
        A token outside the grammar (unknown name, ``.``, brackets, quotes, ...), a syntax error,
        a division by zero, or a text, nesting, exponent or number beyond the limits
        (:data:`MAX_LENGTH`, :data:`MAX_DEPTH`, :data:`MAX_POWER`).
    """
    if not isinstance(text, str):
        raise ParameterError(f"{what}: expected a string, got {type(text).__name__}")
    table = _symbol_table(symbols, what)
    if len(text) > MAX_LENGTH:
        raise ParameterError(f"{what}: text longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ParameterError(f"{what}: empty expression; allowed: {_allowed(table)}")
    expr = _Parser(_tokens(text, what, table), table, what).parse()
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ParameterError(f"{what}: the expression {text!r} is not finite")
    for p in expr.atoms(sp.Pow):
        if p.exp.is_number and abs(float(p.exp)) > MAX_POWER:
            raise ParameterError(f"{what}: a power with exponent {p.exp} (more than {MAX_POWER}) in {text!r}")
    return expr


def check_code_names(expr: sp.Basic, what: str = "expression") -> sp.Basic:
    """Refuse ``expr`` if a name in it, once printed as code, would not be a plain identifier.

    Used before an expression is printed by a code generator that pastes names (SymPy's
    ``lambdify``): every Symbol -- including one bound inside the expression, like a ``Sum``'s
    index, which no renaming of the arguments reaches -- every ``Str`` (e.g. a ``MatrixSymbol``'s
    name) and every undefined function must be named by an ASCII identifier that is not a keyword.

    Returns
    -------
    sympy.Basic
        ``expr`` itself.

    Raises
    ------
    ParameterError
        Naming the first offending name.
    """
    from sympy.core.function import AppliedUndef
    from sympy.core.symbol import Str

    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Symbol, Str)):
            name = node.name
        elif isinstance(node, AppliedUndef):
            name = node.func.__name__
        else:
            continue
        if not (isinstance(name, str) and _CODE_NAME.fullmatch(name) and not keyword.iskeyword(name)):
            raise ParameterError(f"{what}: the name {name!r} cannot be compiled; names must be ASCII "
                                 "identifiers (letters, digits and _, not a Python keyword)")
    return expr


def safe_sympify(value: Any, what: str = "value", *,
                 symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol | str] | None = None) -> sp.Basic:
    """Convert a user value into a SymPy object without ever evaluating a string.

    Parameters
    ----------
    value
        A number or SymPy object.  A string is parsed by :func:`parse_expression` when
        ``symbols`` is given, and refused otherwise.  Containers (tuple, list, dict, set) are
        refused: SymPy would sympify their entries without ``strict``.
    what
        The argument's name, used in error messages.
    symbols
        The names a string may use (see :func:`parse_expression`); None: strings are refused.

    Returns
    -------
    sympy.Basic

    Raises
    ------
    ParameterError
        A refused string or container, or a value SymPy cannot convert strictly.
    """
    if isinstance(value, str):
        if symbols is None:
            raise ParameterError(f"{what}: expected a number or SymPy expression, got the string {value!r} "
                                 "(strings are not parsed here)")
        return parse_expression(value, symbols, what=what)
    if isinstance(value, (bytes, bytearray, tuple, list, dict, set, frozenset)):
        raise ParameterError(f"{what}: expected a number or SymPy expression, got a {type(value).__name__}")
    if isinstance(value, sp.Basic):
        return value
    try:
        out = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError) as exc:
        raise ParameterError(f"{what}: cannot use {value!r} as a number or SymPy expression") from exc
    if not isinstance(out, sp.Basic):
        raise ParameterError(f"{what}: cannot use {value!r} as a number or SymPy expression")
    return out


def to_exact(value: Any, name: str = "value") -> sp.Expr:
    """Convert a user value to an exact SymPy expression (floats via their shortest decimal).

    ``0.1`` becomes ``1/10``; strings are rejected (no parsing here, never ``eval``).  NumPy
    scalars are numbers: an integer becomes an Integer, a float or complex the same value as the
    equal Python float or complex (``np.float64(0.5)`` is ``1/2``; a ``float32`` is its exact value).
    """
    value = python_scalar(value)
    if isinstance(value, str):
        raise ParameterError(f"{name}: expected a number or SymPy expression, got the string {value!r}")
    if isinstance(value, bool):
        raise ParameterError(f"{name}: expected a number, got a bool")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParameterError(f"{name}: must be finite, got {value}")
        return sp.Rational(repr(value))
    expr = safe_sympify(value, name)
    if expr.has(sp.Float):
        expr = expr.xreplace({f: sp.Rational(repr(float(f))) for f in expr.atoms(sp.Float)})
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ParameterError(f"{name}: must be finite, got {expr}")
    return expr
