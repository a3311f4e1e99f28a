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
from typing import Collection, Iterable, Mapping, Sequence

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.pycode import PythonCodePrinter

from ..errors import CodegenError
from ..symbolic.parsing import safe_sympify

__all__ = ["NumbaPrinter", "horner_in", "emit_function", "emit_expect_function", "real_safe"]

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


#: a uniform function with more outputs than this returns a numpy array instead of a tuple
ARRAY_OUTPUTS = 400


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
        can be indexed with a run-time index in numba; more than :data:`ARRAY_OUTPUTS` outputs
        are returned as a numpy array (zeros not assigned) instead of a tuple.

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
        if uniform and len(reduced) > ARRAY_OUTPUTS:
            # numba refuses tuples of 1000 or more items (and compiles large ones slowly): a
            # zeroed array with only the nonzero outputs assigned (a large Jacobian is sparse)
            dtype = "np.complex128" if complex_mode else "np.float64"
            lines.append(f"    out_ = np.zeros({len(reduced)}, dtype={dtype})")
            lines += [f"    out_[{i}] = {printer.doprint(e)}" for i, e in enumerate(reduced) if e != 0]
            lines.append("    return out_")
            return "\n".join(lines) + "\n"
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


class _Recip(sp.Function):
    """``1/x`` printed as the inlined reciprocal ``_recip(x)`` (loops over measures only)."""

    nargs = 1


class _LoopPrinter(_SymbolPrinter):
    """The body printer of the loops over a measure's atoms: in complex mode a negative integer
    power is the reciprocal ``conj(x)/|x|²`` (``_recip``, one real division) raised to the
    power, instead of numba's general complex division."""

    def _print__Recip(self, expr) -> str:
        return f"_recip({self._print(expr.args[0])})"


def _with_recip(e: sp.Expr) -> sp.Expr:
    return e.replace(lambda x: x.is_Pow and x.exp.is_Integer and x.exp < 0,
                     lambda x: _Recip(x.base) ** (-x.exp) if x.exp != -1 else _Recip(x.base))


def real_safe(bodies: Iterable[sp.Expr]) -> bool:
    """Whether real inputs give real values: rational functions with real coefficients only."""
    for b in bodies:
        if b.has(sp.I) or not b.is_rational_function():
            return False
    return True


RECIP_HELPER = """
@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _recip(x):
    r = x.real
    i = x.imag
    s = 1.0 / (r * r + i * i)
    return complex(r * s, -i * s)

"""


def _loop_body(reps, reduced, printer, xs, indent, acc, zero, recip):
    """Lines before the loop, lines inside it, and the accumulation lines (``xs``: the loop's
    atom symbols)."""
    variant = set(xs)
    before, inside = [], []
    for sym, val in reps:
        v = _with_recip(val) if recip else val
        if val.free_symbols & variant:
            variant.add(sym)
            inside.append(f"{indent}    {sym} = {printer.doprint(v)}")
        else:
            before.append(f"{indent}{sym} = {printer.doprint(v)}")
    body = [f"{indent}    {a} += wgt * ({printer.doprint(_with_recip(e) if recip else e)})"
            for a, e in zip(acc, reduced)]
    return before, inside, body


def emit_expect_function(name: str, groups: Sequence[tuple[int, sp.Symbol, Sequence[sp.Expr]]], *,
                         packed: Mapping[str, Sequence[sp.Symbol]],
                         decorator: str = "@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)",
                         real: Collection[sp.Symbol] = (), real_out: bool = False) -> str:
    """Source of ``def name(<packed arrays>, mx, mw, mo)`` returning expectations as a tuple.

    Each group ``(slot, var, bodies)`` is one loop over the atoms ``mx[i]`` with weights ``mw[i]``,
    ``i`` in ``range(mo[slot], mo[slot + 1])``, accumulating ``Σ_i mw[i] body(mx[i])`` for every
    body; a tuple ``var`` of ``k`` symbols (a joint measure) reads the atom's coordinates
    ``mx[i], ..., mx[i + k - 1]`` and steps by ``k`` (the packed weights are repeated ``k`` times),
    body (common subexpressions shared; those free of ``var`` are computed once, before the
    loop).  When every body is a rational function with real coefficients, a second copy of
    the loop in real arithmetic runs whenever the arguments it uses are real (a real solve, e.g.
    a ridge ``κ > 0``); when every argument it uses is in ``real`` (arguments real at every call:
    the unknowns of a real domain) the real loop is the only one (half the code to compile).
    The outputs are the groups' sums in order, complex -- real (float) with ``real_out``, which
    needs the real loop to be the only one (a CodegenError otherwise).  The measure's size
    and values are run-time data: they never reach the source.  The module needs
    :data:`RECIP_HELPER` (``_recip``).
    """
    arrays = {k: list(v) for k, v in packed.items()}
    allargs = [s for syms in arrays.values() for s in syms]
    names = {a: sp.Symbol(f"a{i}") for i, a in enumerate(allargs)}
    xs = sp.Symbol("xatom")
    used: set = set()
    def atom_vars(var):
        return tuple(var) if isinstance(var, (tuple, sp.Tuple)) else (var,)

    for _, var, bodies in groups:
        for b in bodies:
            used |= b.free_symbols - set(atom_vars(var))
    extra = used - set(allargs)
    if extra:
        raise CodegenError(f"expectation(s) use symbol(s) {sorted(map(str, extra))} that are not "
                           f"arguments {[str(a) for a in allargs]}")
    for arr in [name, *arrays]:
        if not _IDENT.fullmatch(arr) or keyword.iskeyword(arr):
            raise CodegenError(f"function or array name {arr!r} is not a plain identifier")
    lines = ([decorator] if decorator else []) + [f"def {name}({', '.join([*arrays, 'mx', 'mw', 'mo'])}):"]
    for arr, syms in arrays.items():
        for j, a in enumerate(syms):
            if a in used:
                lines.append(f"    {names[a]} = {arr}[{j}]")
    used_names = [str(names[a]) for a in allargs if a in used]
    real_ok = real_safe([b for _, _, bodies in groups for b in bodies])
    outs: list[str] = []
    real_lines: list[str] = []
    k = 0
    try:
        for g, (slot, var, bodies) in enumerate(groups):
            vs = atom_vars(var)
            xsyms = [xs] if len(vs) == 1 else [sp.Symbol(f"{xs.name}{c}") for c in range(len(vs))]
            ren = dict(names)
            ren.update(zip(vs, xsyms))
            renamed = [b.xreplace(ren) for b in bodies]
            reps, reduced = sp.cse(renamed, symbols=sp.numbered_symbols(f"g{g}t"), optimizations=None)
            allowed = {s.name for s in names.values()} | {s.name for s, _ in reps} | {x.name for x in xsyms}
            accs = [f"s{k + i}" for i in range(len(reduced))]
            # the slot's atoms as slices indexed from 0: no negative-index wrap-around in the loop,
            # which (with error_model="numpy": no zero-division branch) LLVM vectorizes
            loop = [f"px{g} = mx[mo[{int(slot)}]:mo[{int(slot) + 1}]]", f"pw{g} = mw[mo[{int(slot)}]:mo[{int(slot) + 1}]]"]
            if len(vs) == 1:
                loop += [f"for i in range(px{g}.shape[0]):", f"    {xs} = px{g}[i]"]
            else:
                loop += [f"for i in range(0, px{g}.shape[0], {len(vs)}):"]
                loop += [f"    {x} = px{g}[i{' + ' + str(c) if c else ''}]" for c, x in enumerate(xsyms)]
            loop.append(f"    wgt = pw{g}[i]")
            before, inside, body = _loop_body(reps, reduced, _LoopPrinter(True, allowed), xsyms, "    ", accs, "0j", True)
            lines.extend(before)
            lines.extend(f"    {a} = 0j" for a in accs)
            lines.extend("    " + ln for ln in loop)
            lines.extend(inside)
            lines.extend(body)
            if real_ok:
                rb, ri, rbody = _loop_body(reps, reduced, _SymbolPrinter(False, allowed | {"_re"}), xsyms,
                                           "        ", accs, "0.0", False)
                real_lines.extend(rb)
                real_lines.extend(f"        {a} = 0.0" for a in accs)
                real_lines.extend("        " + ln for ln in loop)
                real_lines.extend(ri)
                real_lines.extend(rbody)
            outs.extend(accs)
            k += len(reduced)
    except PrintMethodNotImplementedError as exc:
        raise CodegenError(f"cannot generate code for an expectation: {str(exc).splitlines()[0]}") from exc
    ret = f"({', '.join(o + ' + 0j' for o in outs)}{',' if len(outs) == 1 else ''})"
    only_real = real_ok and all(a in real for a in allargs if a in used)
    if real_out and not only_real:
        raise CodegenError(f"{name}: real outputs need real-safe integrands (rational, real coefficients) and "
                           "real arguments")
    if real_ok:
        cond = " and ".join(f"{n}.imag == 0.0" for n in used_names) or "True"
        head = [f"    if {'True' if only_real else cond}:"]
        # the real copy reads the real parts under other names (numba keeps one type per name)
        rn = {n: f"r{n}" for n in used_names}
        body_txt = "\n".join(real_lines)
        for n in sorted(rn, key=len, reverse=True):
            body_txt = re.sub(rf"\b{n}\b", rn[n], body_txt)
        body_txt = re.sub(r"\b(g\d+t\d+|xatom\d*|wgt)\b", r"r\1", body_txt)
        acc_ren = {o: f"q{o}" for o in outs}
        for o in sorted(acc_ren, key=len, reverse=True):
            body_txt = re.sub(rf"\b{o}\b", acc_ren[o], body_txt)
        zero = "" if real_out else " + 0j"
        real_ret = f"({', '.join(acc_ren[o] + zero for o in outs)}{',' if len(outs) == 1 else ''})"
        block = head + [f"        {rn[n]} = {n}.real" for n in used_names] + [body_txt, f"        return {real_ret}"]
        # insert the real branch right after the argument unpacking
        first = next(i for i, ln in enumerate(lines) if i > (1 if decorator else 0) and not ln.startswith("    a"))
        if only_real:  # the complex copy is never reached
            return "\n".join(lines[:first] + block) + "\n"
        lines[first:first] = block
    lines.append(f"    return {ret}")
    return "\n".join(lines) + "\n"
