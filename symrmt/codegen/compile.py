"""Compile laws, systems and plain expressions into cached, self-checked numba modules.

Every generated module is checked, before first use, against SymPy's own evaluation of the same
expressions at random points: first SymPy's ``lambdify`` (NumPy, all points at once -- a printer
independent of ours), and any entry that disagrees, or that NumPy cannot evaluate, again with
``evalf`` at 30 digits; a mismatch there raises :class:`~symrmt.errors.CodegenError` (never a
warning).

Compile cost: only the entry points of a generated module (``stieltjes_kernel``,
``solve_kernel``, a compiled function) are ``cache=True``; their callees
are compiled once as part of them, with a single specialization each.
"""
from __future__ import annotations

import keyword
import math
import re
from types import ModuleType
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from ..errors import CodegenError, ParameterError
from ..symbolic.parsing import check_code_names, safe_sympify
from ..symbolic.symbols import m as M_SYM, z as Z_SYM
from ..symbolic.expect import MeasureRef, expand_expectations, expectations, has_expect, measure_refs
from . import templates as tpl
from .cache import cached_module, interpreted
from .printer import RECIP_HELPER, emit_expect_function, emit_function, real_safe
from .solved import pack_measures

__all__ = ["compile_law", "compile_system", "compile_function", "law_source", "system_source",
           "canonical_system", "real_variant", "GENERATOR_VERSION"]

GENERATOR_VERSION = "7"  # bump: old cache files are regenerated
_CHECK_POINTS = 3
_CHECK_RTOL = 1e-9


# ---------------------------------------------------------------------- self-check
def _sympy_value(expr: sp.Expr, values: dict) -> complex:
    return complex(sp.N(expr.xreplace({k: sp.Float(v.real, 30) + sp.I * sp.Float(v.imag, 30)
                                        if isinstance(v, complex) else sp.Float(v, 30)
                                        for k, v in values.items()}), 30))


def _term_scale(expr: sp.Expr, values: dict) -> float:
    """Sum of |terms| of ``expr`` at ``values`` (the scale of round-off), at least 1."""
    terms = sp.Add.make_args(expr)
    if len(terms) > 400:
        return 1.0 + abs(_sympy_value(expr, values))
    return 1.0 + sum(abs(_sympy_value(t, values)) for t in terms)


def check_against_sympy(exprs: Sequence[sp.Expr], values: dict, got: Sequence[complex], what: str) -> None:
    """Raise CodegenError unless ``got[i]`` matches ``exprs[i]`` evaluated by SymPy at ``values``."""
    if len(got) != len(exprs):
        raise CodegenError(f"{what}: generated code returned {len(got)} values, expected {len(exprs)}")
    for i, (e, g) in enumerate(zip(exprs, got)):
        ref = _sympy_value(e, values)
        if not (math.isfinite(ref.real) and math.isfinite(ref.imag)):
            continue  # a singular sample point says nothing
        tol = _CHECK_RTOL * _term_scale(sp.expand(e) if e.is_polynomial() else e, values)
        if not abs(complex(g) - ref) <= tol:
            raise CodegenError(f"{what}: generated output {i} = {complex(g)} differs from SymPy's {ref} "
                               f"at {values} (expression {e})")


def _numeric_reference(exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol], points: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """Values and round-off scales of ``exprs`` at the rows of ``points`` by NumPy (``lambdify``).

    Returns ``(values, scales)`` of shape ``(len(exprs), len(points))`` -- the value is the sum of
    the terms (of the expanded polynomial, else of the top-level sum; an expression of more than 400
    terms is one term) and the scale ``1 + sum |terms|``, as in :func:`check_against_sympy` -- or
    None when NumPy cannot evaluate them.
    """
    npts = points.shape[0]
    args = [sp.Symbol(f"x{j}") for j in range(len(symbols))]  # plain names: no dummify pass
    ren = dict(zip(symbols, args))
    terms, owner = [], []
    for i, e in enumerate(exprs):
        ts = sp.Add.make_args(sp.expand(e) if e.is_polynomial() else e)
        ts = ts if len(ts) <= 400 else (e,)
        terms.extend(t.xreplace(ren) for t in ts)
        owner.extend([i] * len(ts))
    try:
        for t in terms:  # lambdify pastes names into its code: only plain identifiers (else evalf)
            check_code_names(t)
        f = sp.lambdify(args, terms, modules="numpy", dummify=False)
        with np.errstate(all="ignore"):
            raw = f(*[points[:, j] for j in range(points.shape[1])])
        vals = np.array([np.broadcast_to(np.asarray(v, dtype=np.complex128), (npts,)) for v in raw])
    except Exception:  # a function NumPy lacks, or an object it cannot convert
        return None
    idx = np.asarray(owner, dtype=np.int64)
    values = np.zeros((len(exprs), npts), dtype=np.complex128)
    scales = np.ones((len(exprs), npts))
    with np.errstate(all="ignore"):
        np.add.at(values, idx, vals)
        np.add.at(scales, idx, np.abs(vals))
    return values, scales


def check_generated(exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol], points: Sequence[Sequence[complex]],
                    got: Sequence[Sequence[complex]], what: str) -> None:
    """Raise CodegenError unless ``got[k][i]`` matches ``exprs[i]`` at ``points[k]`` (values of
    ``symbols``).  Checked against NumPy's evaluation of SymPy's own printing (``lambdify``); an
    entry that disagrees there, or that NumPy cannot evaluate, is decided by
    :func:`check_against_sympy` (``evalf`` at 30 digits)."""
    exprs = list(exprs)
    pts = np.array(points, dtype=np.complex128).reshape(len(points), len(symbols))
    for k, g in enumerate(got):
        if len(g) != len(exprs):
            raise CodegenError(f"{what}: generated code returned {len(g)} values, expected {len(exprs)}")
    gv = np.array([[complex(v) for v in g] for g in got], dtype=np.complex128).T if exprs else None
    ref = _numeric_reference(exprs, symbols, pts) if exprs else None
    for k in range(len(points)):
        if ref is None:
            bad = list(range(len(exprs)))
        else:
            values, scales = ref
            r, sc = values[:, k], scales[:, k]
            ok = np.isfinite(r) & np.isfinite(sc) & (np.abs(gv[:, k] - r) <= _CHECK_RTOL * sc)
            bad = np.flatnonzero(~ok).tolist()
        if bad:
            vals = {s: (complex(v) if v.imag != 0 else float(v.real)) for s, v in zip(symbols, pts[k])}
            check_against_sympy([exprs[i] for i in bad], vals, [got[k][i] for i in bad], what)


def _generator_fingerprint() -> str:
    """Digest of the generator's own source (printer, templates, this module): any change to how
    code is generated invalidates the request index, so stale modules are never reused."""
    from pathlib import Path

    from .cache import digest

    here = Path(__file__).parent
    return digest(GENERATOR_VERSION, *[(here / f).read_text(encoding="utf-8")
                                       for f in ("printer.py", "templates.py", "compile.py")])


_FINGERPRINT: list[str] = []


def _key(*parts: Any) -> str:
    if not _FINGERPRINT:
        _FINGERPRINT.append(_generator_fingerprint())
    return "|".join([_FINGERPRINT[0]] + [sp.srepr(p) if isinstance(p, sp.Basic) else repr(p) for p in parts])


def docstring_text(text: str) -> str:
    """``text`` written so that it can stand inside a triple-quoted docstring of generated source.

    Backslashes, double quotes and every character that is not printable (newlines, other
    controls, line and paragraph separators) become Python escapes, so the docstring's value is
    ``text`` itself and no user text can end the docstring or start an escape sequence.
    """
    out = []
    for c in str(text):
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append("\\x22")
        elif c.isprintable():
            out.append(c)
        elif ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return "".join(out)


def _header(title: str, meta: dict, convention: str) -> str:
    from .._version import __version__

    # user text (law, system and function names) reaches the source only as the escaped title
    # and inside repr() literals of META
    return tpl.render(tpl.HEADER, version=__version__, title=docstring_text(title), meta=repr(meta),
                      convention=docstring_text(convention))


# ---------------------------------------------------------------------- laws
_MA, _ZA = sp.symbols("mabs zabs", nonnegative=True)


def _law_parts(law) -> tuple[list[sp.Symbol], sp.Expr, sp.Poly, sp.Poly]:
    params = list(law.parameters)
    P = law.polynomial.as_expr()
    pm = sp.Poly(P, M_SYM)
    disc = sp.discriminant(pm) if pm.degree() > 1 else sp.Integer(1)
    disc = sp.Poly(sp.expand(sp.numer(sp.together(disc))), Z_SYM)
    lead = sp.Poly(pm.LC(), Z_SYM)
    return params, P, disc, lead


def _law_extras(law) -> tuple[list[sp.Expr], sp.Expr]:
    """``[variance, m_1]`` of the law (its scale) and the rounding bound of ``P``.

    The bound is ``Σ |c_jk| |m|^j |z|^k`` over the terms ``c_jk m^j z^k`` of ``P`` (in the
    symbols ``mabs``, ``zabs``): ``|P|`` below a small multiple of ``eps`` times it is rounding
    error.
    """
    try:
        m1, m2 = law.moments(2)
        var = sp.factor(sp.cancel(m2 - m1**2))
    except Exception:  # no moment series (not a probability law): the kernels fall back to 1
        m1, var = sp.Integer(0), sp.Integer(0)
    pz = sp.Poly(law.polynomial.as_expr(), M_SYM, Z_SYM)
    bound = sp.Add(*[sp.Abs(c) * _MA**i * _ZA**j for (i, j), c in pz.terms()])
    return [var, m1], bound


def _law_coeffs(law) -> list[sp.Expr]:
    """Coefficients ``a_j(z)`` of ``P = Σ_j a_j(z) m^j`` as a flat list ``[a_0(z)..a_d(z)]``
    by rows of ``z``-powers: entry ``j (D + 1) + k`` is the coefficient of ``m^j z^k``
    (``D = deg_z P``)."""
    pz = sp.Poly(law.polynomial.as_expr(), M_SYM, Z_SYM)
    d, D = pz.degree(M_SYM), pz.degree(Z_SYM)
    return [pz.coeff_monomial(M_SYM**j * Z_SYM**k) for j in range(d + 1) for k in range(D + 1)]


def law_source(law) -> str:
    """Source text of the generated solver module of an :class:`~symrmt.symbolic.laws.AlgebraicLaw`."""
    params, P, disc, lead = _law_parts(law)
    cons = [c for c in law.constraints if c.expr.free_symbols and c.expr.free_symbols <= set(params)]
    scale, bound = _law_extras(law)
    meta = {"kind": "law", "name": law.name, "parameters": tuple(p.name for p in params),
            "degree": int(law.polynomial.degree(M_SYM)), "degree_z": int(law.polynomial.degree(Z_SYM)),
            "polynomial": sp.sstr(P),
            "constraints": tuple((c.label, c.kind, sp.sstr(c.expr)) for c in cons)}
    parts = [
        _header(f"solver of the law {law.name}", meta,
                "Stieltjes convention m(z) = int rho(x)/(x - z) dx (Herglotz branch)."),
        emit_function("_pm", [M_SYM, Z_SYM], [P, sp.diff(P, M_SYM), sp.diff(P, Z_SYM)],
                      packed=params, horner=[M_SYM, Z_SYM], decorator=tpl.EXPR),
        "\n",
        emit_function("_pmm", [M_SYM, Z_SYM], [sp.diff(P, M_SYM), sp.diff(P, M_SYM, 2)],
                      packed=params, horner=[M_SYM, Z_SYM], decorator=tpl.EXPR),
        "\n",
        # called once per support()/atoms() call: plain Python, no JIT cost
        emit_function("_disc", [], [c for c in disc.all_coeffs()], packed=params, uniform=True, decorator=""),
        "\n",
        emit_function("_lead", [], [c for c in lead.all_coeffs()], packed=params, uniform=True, decorator=""),
        "\n",
        emit_function("_coeffs", [], _law_coeffs(law), packed=params, uniform=True, decorator=""),
        "\n",
        # variance and mean (the law's scale) and the rounding bound of P, used by the kernels
        emit_function("_moments2", [], scale, packed=params, uniform=True, decorator=tpl.EXPR),
        "\n",
        emit_function("_pabs", [_MA, _ZA], [bound], packed=params, complex_mode=False, uniform=True,
                      horner=[_MA, _ZA], decorator=tpl.INNER),
        "\n",
        # parameter constraints (e.g. ratio > 0), evaluated on numpy arrays: plain Python
        emit_function("_constraint_values", [], [c.expr for c in cons] or [sp.Integer(0)], packed=params,
                      complex_mode=False, uniform=True, decorator=""),
        tpl.render(tpl.LAW_KERNELS, pack="(" + "".join(f"params[i, {j}], " for j in range(len(params))) + ")"),
        tpl.LAW_WRAPPERS,
    ]
    return "".join(parts)


def _law_check(law) -> Callable[[ModuleType], None]:
    """The self-check of a freshly generated law module (symbolic work deferred to the call)."""

    def check(mod: ModuleType) -> None:
        mod = interpreted(mod)  # the printed source, run by Python: no second compile of the checked functions
        params, P, disc, lead = _law_parts(law)
        exprs = [P, sp.diff(P, M_SYM), sp.diff(P, Z_SYM)]
        exprs2 = [sp.diff(P, M_SYM), sp.diff(P, M_SYM, 2)]
        cons = [c.expr for c in law.constraints if c.expr.free_symbols and c.expr.free_symbols <= set(params)]
        rng = np.random.default_rng(20240531)
        full, ppts, g1, g2, gd, gl, gc = [], [], [], [], [], [], []
        gm, gk, gb, bpts = [], [], [], []
        scale, bound = _law_extras(law)
        for _ in range(_CHECK_POINTS):
            mv = complex(rng.normal(), rng.normal())
            zv = complex(rng.normal(), abs(rng.normal()) + 0.1)
            pv = rng.uniform(0.3, 1.7, size=len(params))
            full.append([mv, zv, *pv])
            ppts.append(list(pv))
            g1.append(mod._pm(mv, zv, tuple(pv)))
            g2.append(mod._pmm(mv, zv, tuple(pv)))
            gd.append(mod._disc(tuple(pv)))
            gl.append(mod._lead(tuple(pv)))
            gm.append(mod._moments2(tuple(pv)))
            gk.append(mod._coeffs(tuple(pv)))
            gb.append(mod._pabs(abs(mv), abs(zv), tuple(pv)))
            bpts.append([abs(mv), abs(zv), *pv])
            if cons:
                gc.append(mod._constraint_values(tuple(pv)))
        syms = [M_SYM, Z_SYM, *params]
        check_generated(exprs, syms, full, g1, f"law {law.name}: P, dP/dm, dP/dz")
        check_generated(exprs2, syms, full, g2, f"law {law.name}: dP/dm, d2P/dm2")
        check_generated(disc.all_coeffs(), params, ppts, gd, f"law {law.name}: discriminant")
        check_generated(lead.all_coeffs(), params, ppts, gl, f"law {law.name}: leading coefficient")
        check_generated(scale, params, ppts, gm, f"law {law.name}: variance and mean")
        check_generated(_law_coeffs(law), params, ppts, gk, f"law {law.name}: coefficients")
        check_generated([bound], [_MA, _ZA, *params], bpts, gb, f"law {law.name}: rounding bound")
        if cons:
            check_generated(cons, params, ppts, gc, f"law {law.name}: constraints")

    return check


def law_module(law, **options: Any) -> ModuleType:
    """The cached, checked module of ``law`` (generated on a miss)."""
    if options:
        raise ParameterError(f"compile options: law compilation takes no options, got {sorted(options)}")
    bad = {p.name for p in law.parameters} & {"strict", "tol_", "eta0_"}
    if bad:
        raise ParameterError(f"parameters: the names {sorted(bad)} are reserved for solver options; rename them")
    return cached_module(_key("law", law.polynomial, law.name),
                         lambda: (law_source(law), "law"), _law_check(law))


def compile_law(law, **options: Any):
    """Generate, cache and self-check a solver for ``law``: returns a :class:`CompiledLaw`."""
    from .law import CompiledLaw

    return CompiledLaw(law, law_module(law, **options))


# ---------------------------------------------------------------------- systems
_DOMAIN_CODES = {"complex": 0, "upper": 1, "real": 2, "positive": 3, "negative": 4}


def _spectral_index(system, spectral: Any) -> int:
    names = [p.name for p in system.parameters]
    if spectral is None:
        if "z" in names and any(d == "upper" for d in system.domains.values()):
            return names.index("z")
        return -1
    if spectral is False:
        return -1
    key = spectral.name if isinstance(spectral, sp.Symbol) else spectral
    if key not in names:
        raise ParameterError(f"spectral: must name a parameter of the system {names}, got {spectral!r}")
    return names.index(key)


def canonical_system(system) -> tuple[Any, list]:
    """``(system with its measures replaced by slot placeholders, [measures in slot order])``.

    A measure inside ``sr.expect`` is data: the generated module sees only its slot
    (``MeasureRef.slot(j)``), so every measure of the same System shares one module, whatever
    its size, and the arrays are passed at solve time.
    """
    exprs = [*system.residuals, *system.observables.values()]
    if has_expect(system.initial.values()):
        raise ParameterError(f"initial: the initial guesses of {system.name} may not contain expectations "
                             "(use a number or an expression in the parameters)")
    refs = measure_refs(exprs)
    if not refs:
        return system, []
    if any(r.measure is None for r in refs):
        if all(r.measure is None for r in refs) and [r.index for r in refs] == sorted(r.index for r in refs):
            return system, [None] * len(refs)  # already canonical (the data comes at solve time)
        raise ParameterError(f"equations: {system.name} mixes measure placeholders and measures")
    mapping = {r: MeasureRef.slot(j) for j, r in enumerate(refs)}
    canon = type(system)([e.xreplace(mapping) for e in system.residuals], system.unknowns, system.parameters,
                   {k: v.xreplace(mapping) for k, v in system.observables.items()}, dict(system.domains),
                   dict(system.initial), system.name)
    return canon, [r.measure for r in refs]


def measure_dims(system) -> tuple[int, ...]:
    """Coordinates per atom of each measure slot of a canonical ``system`` (1, or ``k`` for a joint
    measure read through ``k`` variables); a slot read with different numbers of variables is refused."""
    dims: dict = {}
    for node in expectations([*system.residuals, *system.observables.values()]):
        k = len(node.variables)
        if dims.setdefault(node.measure.index, k) != k:
            raise ParameterError(f"equations: measure slot {node.measure.index} of {system.name} is read with "
                                 f"{dims[node.measure.index]} and with {k} variables")
    return tuple(dims[j] for j in sorted(dims))


def _expect_parts(name: str, exprs: Sequence[sp.Expr], us: list, ps: list, real: Sequence[sp.Symbol] = (),
                  real_mode: bool = False):
    """Source of ``_ex<name>`` (the expectations in ``exprs``, one loop per measure) and the map
    from each ``Expect`` node to the symbol standing for its value; None without expectations.
    ``real``: the unknowns that are real at every evaluation (see :func:`emit_expect_function`);
    ``real_mode``: the real variant (every argument real, real outputs)."""
    nodes = expectations(exprs)
    if not nodes:
        return None
    groups: dict = {}
    for n in nodes:
        groups.setdefault((n.measure.index, n.variable), []).append(n)
    order = [n for g in groups.values() for n in g]
    syms = [sp.Dummy(f"ev{k}") for k in range(len(order))]
    src = emit_expect_function(f"_ex{name}", [(slot, var, [n.expr for n in g]) for (slot, var), g in groups.items()],
                               packed={"u": us, "pv": ps}, decorator=tpl.LOOP,
                               real=[*us, *ps] if real_mode else real, real_out=real_mode)
    return src, dict(zip(order, syms)), syms


def _emit_with_expectations(name: str, exprs: list, us: list, ps: list, real: Sequence[sp.Symbol] = (),
                            real_mode: bool = False) -> str:
    """``def name(u, pv, ms)`` returning ``exprs``: straight-line code, after the loops over the
    measures (``ms = (points, weights, offsets)``) that give the values of its expectations (one
    compiled function for the straight-line part, one for the loops).  ``real_mode``: real
    arithmetic and real outputs (the real variant, see :func:`real_variant`)."""
    parts = _expect_parts(name, exprs, us, ps, real, real_mode)
    if parts is None:
        return emit_function(name, [], exprs, packed={"u": us, "pv": ps, "ms": []}, uniform=True,
                             complex_mode=not real_mode, decorator=tpl.INNER)
    src, sub, syms = parts
    core = emit_function(name, [], [e.xreplace(sub) for e in exprs],
                         packed={"u": us, "pv": ps, "ev": syms}, uniform=True, complex_mode=not real_mode,
                         decorator=tpl.INNER)
    head = f"def {name}(u, pv, ev):\n"
    if core.count(head) != 1:
        raise CodegenError(f"{name}: unexpected generated header")  # pragma: no cover - emit_function's form
    # the expectations' values are computed first, in the function itself (no wrapper to compile)
    core = core.replace(head, f"def {name}(u, pv, ms):\n    ev = _ex{name}(u, pv, ms[0], ms[1], ms[2])\n", 1)
    return src + "\n" + core


def _real_unknowns(system) -> list:
    """The unknowns that are real wherever the generated code is evaluated: those of the domains
    "real", "positive", "negative" (``_admissible`` projects them onto the real axis before every
    evaluation, and the self-check samples them real)."""
    return [u for u in system.unknowns if system.domains[u] in ("real", "positive", "negative")]


def real_variant(system, spectral: Any = None) -> bool:
    """Whether ``system`` has a real variant: no spectral parameter, every unknown of a real
    domain ("real", "positive", "negative"), and residuals, observables, initial guesses and the
    integrands of their expectations rational with real coefficients -- real inputs give real
    values, so real parameters need no complex arithmetic at all (a smaller module to compile)."""
    system, _ = canonical_system(system)
    if _spectral_index(system, spectral) >= 0:
        return False
    if any(system.domains[u] not in ("real", "positive", "negative") for u in system.unknowns):
        return False
    exprs = [*system.residuals, *system.observables.values(),
             *[v if isinstance(v, sp.Basic) else safe_sympify(v, f"initial[{k}]") for k, v in system.initial.items()]]
    nodes = expectations(exprs)
    sub = {n: sp.Dummy() for n in nodes}
    return real_safe([n.expr for n in nodes]) and real_safe([e.xreplace(sub) for e in exprs])


def system_source(system, spectral: Any = None, real: bool | None = None) -> str:
    """Source text of the generated solver module of a :class:`~symrmt.symbolic.system.System`.

    Expectations (``sr.expect``) become loops over run-time measure arrays; the source depends
    on the measures' slots only, never on their data or size.  ``real``: the real variant (see
    :func:`real_variant`; float64 arrays throughout, real parameters only); None (default):
    wherever the system has one, as :func:`compile_system` generates it.
    """
    if real is None:
        real = real_variant(system, spectral)
    elif real and not real_variant(system, spectral):
        raise CodegenError(f"{system.name}: no real variant (a spectral parameter, a complex unknown or "
                           "equations that are not rational with real coefficients)")
    system, measures = canonical_system(system)
    us, ps = list(system.unknowns), list(system.parameters)
    F = list(system.residuals)
    J = system.jacobian()
    reals = _real_unknowns(system)
    obs_names = list(system.observables)
    meta = {"kind": "system", "name": system.name, "parameters": tuple(p.name for p in ps),
            "unknowns": tuple(u.name for u in us), "observables": tuple(obs_names),
            "domains": tuple(system.domains[u] for u in us), "measures": len(measures),
            "measure_dims": measure_dims(system), "real": bool(real)}
    parts = [
        _header(f"solver of the system {system.name}", meta,
                "Damped Newton with the analytic Jacobian; warm starts along the grid."),
        RECIP_HELPER if measures else "",
        _emit_with_expectations("_fj", F + [J[i, j] for i in range(len(us)) for j in range(len(us))], us, ps,
                                reals, real),
        "\n",
        # the residual alone, for the line search (no Jacobian at trial points)
        _emit_with_expectations("_f", F, us, ps, reals, real),
        "\n",
        _emit_with_expectations("_obs", [system.observables[k] for k in obs_names] or [sp.Integer(0)], us, ps,
                                reals, real),
        "\n",
        emit_function("_init", [], [system.initial[u] for u in us], packed={"pv": ps}, uniform=True,
                      complex_mode=not real, decorator=tpl.INNER),
        tpl.render(tpl.SYSTEM_KERNELS, nu=len(us), domains=[_DOMAIN_CODES[system.domains[u]] for u in us],
                   spectral=_spectral_index(system, spectral), real_warm=int(bool(measures)), real=int(bool(real)),
                   admissible=tpl.admissible_source([system.domains[u] for u in us], bool(real))),
        tpl.SYSTEM_WRAPPERS,
    ]
    return "".join(parts)


# the self-check's measures: three atoms per slot (the loops are checked against explicit sums)
_CHECK_ATOMS = ((0.35, 0.8, 1.45), (0.25, 0.35, 0.4))


def check_measures(dims: Sequence[int]) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict, dict]:
    """The packed arrays of small test measures (coordinates per atom ``dims[j]`` for slot ``j``)
    and their points/weights by slot; a joint slot's coordinate ``c`` is the 1-d atoms scaled by
    ``1 + 0.3 c`` (distinct coordinates)."""
    pts, wts = {}, {}
    for j, k in enumerate(dims):
        one = [x * (1 + 0.1 * j) for x in _CHECK_ATOMS[0]]
        pts[MeasureRef.slot(j)] = one if k == 1 else [tuple(x * (1 + 0.3 * c) for c in range(k)) for x in one]
        wts[MeasureRef.slot(j)] = list(_CHECK_ATOMS[1])
    return pack_measures([(pts[MeasureRef.slot(j)], wts[MeasureRef.slot(j)]) for j in range(len(dims))]), pts, wts



def _system_check(system) -> Callable[[ModuleType], None]:
    """The self-check of a freshly generated system module (symbolic work deferred to the call).

    Expectations are checked on small test measures against the explicit sums over their atoms.
    The real variant (``META["real"]``) is checked at real parameter values.
    """

    def check(mod: ModuleType) -> None:
        real_mode = bool(mod.META.get("real"))
        mod = interpreted(mod)  # the printed source, run by Python: no second compile of the checked functions
        canon, measures = canonical_system(system)
        us, ps = list(canon.unknowns), list(canon.parameters)
        J = canon.jacobian()
        real = _real_unknowns(canon)
        ms, mpts, mwts = check_measures(measure_dims(canon))

        def explicit(e):
            return expand_expectations(e, mpts, mwts) if measures else e

        exprs = [explicit(e) for e in list(canon.residuals) + [J[i, j] for i in range(len(us)) for j in range(len(us))]]
        obs = [explicit(canon.observables[k]) for k in canon.observables]
        rng = np.random.default_rng(20240601)
        pts, gfj, gf, gobs, ginit = [], [], [], [], []
        for _ in range(_CHECK_POINTS):
            uv = rng.normal(size=len(us)) + 1j * (np.abs(rng.normal(size=len(us))) + 0.1)
            for a, u in enumerate(us):  # the real-domain unknowns: real, as at every evaluation
                if u in real:
                    uv[a] = {"real": uv[a].real, "positive": abs(uv[a].real) + 0.1,
                             "negative": -abs(uv[a].real) - 0.1}[canon.domains[u]]
            pv = rng.uniform(0.3, 1.7, size=len(ps)) + 0.2j
            if real_mode:  # real unknowns and parameters: float arrays, as the real kernels get them
                uv, pv = uv.real.copy(), pv.real.copy()
            pts.append([*uv, *pv])
            gfj.append(mod._fj(uv, pv, ms))
            gf.append(mod._f(uv, pv, ms))
            gobs.append(mod._obs(uv, pv, ms))
            ginit.append(mod._init(pv))
        syms = us + ps
        what = f"system {canon.name}"
        check_generated(exprs, syms, pts, gfj, f"{what}: residual and Jacobian")
        check_generated(exprs[:len(us)], syms, pts, gf, f"{what}: residual")
        if obs:
            check_generated(obs, syms, pts, gobs, f"{what}: observables")
        check_generated([canon.initial[u] for u in us], syms, pts, ginit, f"{what}: initial guess")

    return check


def system_module(system, spectral: Any = None, complex_only: bool = False) -> ModuleType:
    """The cached, checked module of ``system`` (its measures' slots only: one module serves
    every measure, whatever its size): the real variant where :func:`real_variant` allows it
    (``META["real"]``), unless ``complex_only``."""
    canon, _ = canonical_system(system)
    idx = _spectral_index(canon, spectral)
    key = _key("system", canon._fingerprint(), idx, *(("complex",) if complex_only else ()))
    return cached_module(key, lambda: (system_source(canon, spectral, real=False if complex_only else None), "system"),
                         _system_check(canon))


def compile_system(system, *, spectral: Any = None, maxit: int = 100, tol: float = 1e-13,
                   ftol: float = 1e-10):
    """Generate, cache and self-check a solver for ``system``: returns a :class:`CompiledSystem`.

    Parameters
    ----------
    spectral
        Name of a complex parameter (a spectral variable ``z``) for which a point with
        ``Im z > 0`` is cold-started by continuation from ``Im z = Y`` large down to its value; a
        real ``z`` gives the limit from the upper half-plane (continuation down to ``Im z = 1e-10
        (1 + |Re z|)``, then Newton on the real axis), and ``Im z < 0`` is refused.  Default: ``"z"`` if the system has a parameter ``z`` and an unknown with domain
        ``"upper"``; ``False`` disables it.
    maxit, tol, ftol
        Newton iterations per solve; relative step tolerance; tolerance on the relative residual
        ``max_i |F_i| / (1 + Σ_j |∂F_i/∂u_j| |u_j|)`` (scale-aware: see :class:`~symrmt.codegen.solved.SolveResult`).
    """
    from .solved import CompiledSystem

    for name, v, lo in (("maxit", maxit, 1), ("tol", tol, 0.0), ("ftol", ftol, 0.0)):
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > lo - (name == "maxit")):
            raise ParameterError(f"{name}: must be a finite number > {lo if name != 'maxit' else 0}, got {v!r}")
    _, measures = canonical_system(system)
    if any(mu is None for mu in measures):
        raise ParameterError(f"equations: {system.name} uses measure placeholders (MeasureRef.slot); "
                             "build its expectations with measures (sr.expect(expr, var, measure))")
    return CompiledSystem(system, system_module(system, spectral), maxit=int(maxit), tol=float(tol),
                          ftol=float(ftol), measures=measures,
                          complex_module=lambda: system_module(system, spectral, complex_only=True))


# ---------------------------------------------------------------------- plain functions
def function_source(exprs: Sequence[sp.Expr], args: Sequence[sp.Symbol], name: str, complex_mode: bool) -> str:
    meta = {"kind": "function", "name": name, "arguments": tuple(str(a) for a in args), "outputs": len(exprs)}
    return (_header(f"function {name}", meta, "Compiled expressions.")
            + emit_function(name, list(args), list(exprs), complex_mode=complex_mode, uniform=True))


def compile_function(exprs: Sequence[sp.Expr] | sp.Expr, args: Sequence[sp.Symbol], name: str = "f", *,
                     complex_mode: bool = False) -> Callable:
    """Compile SymPy expressions in ``args`` into a cached numba function ``f(*args) -> tuple``.

    Parameters
    ----------
    exprs
        One expression or a sequence; the function always returns a tuple of ``len(exprs)``.
    args
        The argument symbols, in call order; every free symbol of ``exprs`` must be among them.
    name
        A Python identifier, the function's name in the generated module.
    complex_mode
        Evaluate with ``cmath`` and complex outputs (default: real ``math``).

    The generated function is checked against SymPy at random points before it is returned.
    """
    if isinstance(exprs, sp.Basic):
        exprs = [exprs]
    if isinstance(exprs, str) or not isinstance(exprs, Sequence):
        raise ParameterError("exprs: expected a SymPy expression or a sequence of them")
    exprs = [safe_sympify(e, f"exprs[{i}]") for i, e in enumerate(exprs)]
    args = list(args)
    # the name is pasted into the source as ``def name(...)``: an ASCII identifier, not a keyword
    if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) and not keyword.iskeyword(name)):
        raise ParameterError(f"name: must be an ASCII Python identifier (not a keyword) not starting with '_', "
                             f"got {name!r}")
    if not all(isinstance(a, sp.Symbol) for a in args):
        raise ParameterError(f"args: must be SymPy Symbols, got {args!r}")
    extra = set().union(*[e.free_symbols for e in exprs]) - set(args) if exprs else set()
    if extra:
        raise ParameterError(f"exprs: use symbol(s) {sorted(map(str, extra))} not listed in args")

    def check(mod: ModuleType) -> None:
        rng = np.random.default_rng(20240602)
        f = getattr(mod, name)
        pts, got = [], []
        for _ in range(_CHECK_POINTS):
            vals = rng.uniform(0.3, 1.7, size=len(args))
            if complex_mode:
                vals = vals + 0.3j * rng.uniform(0.3, 1.7, size=len(args))
                vals = [complex(v) for v in vals]
            else:
                vals = [float(v) for v in vals]
            pts.append(vals)
            got.append(f(*vals))
        check_generated(exprs, args, pts, got, f"function {name}")

    mod = cached_module(_key("function", tuple(exprs), tuple(args), name, complex_mode),
                        lambda: (function_source(exprs, args, name, complex_mode), "function"), check)
    return getattr(mod, name)
