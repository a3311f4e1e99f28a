"""Self-consistent systems ``F(u; p) = 0`` (deterministic equivalents, fixed points), in pure SymPy.

A :class:`System` is a square set of equations in unknowns ``u`` (real or complex) with
parameters ``p``, per-unknown domain rules, observables (formulas in ``u`` and ``p``) and initial
guesses.  ``System.compile()`` generates a damped-Newton numba solver with the analytic Jacobian
(:mod:`symrmt.codegen`).

Domain rules (checked on every accepted Newton step):

* ``"complex"`` -- no constraint (default);
* ``"upper"`` -- ``Im u > 0``: a Stieltjes-type unknown (Herglotz branch, docs/architecture.md);
* ``"real"`` -- ``u`` real (the imaginary part is projected out);
* ``"positive"`` / ``"negative"`` -- ``u`` real and ``> 0`` / ``< 0`` (e.g. a renormalized ridge
  ``κ > 0``, Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..errors import ParameterError
from .parsing import safe_sympify

__all__ = ["System", "DOMAINS"]

DOMAINS = ("complex", "upper", "real", "positive", "negative")
_DEFAULT_INITIAL = {"complex": sp.Rational(1, 2) + sp.I / 2, "upper": sp.I, "real": sp.Rational(1, 2),
                    "positive": sp.Integer(1), "negative": sp.Integer(-1)}


def _symbols(items: Any, what: str) -> tuple[sp.Symbol, ...]:
    if isinstance(items, sp.Symbol):
        items = [items]
    try:
        seq = tuple(items)
    except TypeError as exc:
        raise ParameterError(f"{what}: expected a sequence of SymPy Symbols, got {items!r}") from exc
    for s in seq:
        if not isinstance(s, sp.Symbol):
            raise ParameterError(f"{what}: every entry must be a SymPy Symbol, got {s!r}")
    names = [s.name for s in seq]
    if len(set(names)) != len(names):
        raise ParameterError(f"{what}: names must be distinct, got {names}")
    return seq


def _check_defined(expr: sp.Basic, what: str) -> None:
    """Refuse undefined functions (``sp.Function("f")(m)``): no numerical code exists for them."""
    undef = sorted({type(f).__name__ for f in expr.atoms(AppliedUndef)})
    if undef:
        raise ParameterError(f"{what}: undefined function(s) {undef} in {sp.sstr(expr)}; a System may "
                             "use only SymPy's named functions (sqrt, exp, log, ...) of its unknowns and "
                             "parameters -- write the function out as an expression")


class System:
    """A square system of equations ``F(u; p) = 0`` with observables and domain rules.

    Parameters
    ----------
    equations
        SymPy expressions (meaning ``expr == 0``) or :class:`sympy.Eq`; as many as unknowns.
    unknowns
        SymPy Symbols solved for (complex arithmetic throughout).
    parameters
        SymPy Symbols given numerically at solve time (real or complex numbers or arrays).
    observables
        ``{name: expr}``: formulas in the unknowns and parameters evaluated at the solution; a
        string formula is read by the restricted parser
        (:func:`symrmt.symbolic.parsing.parse_expression`, never evaluated) with the unknowns and
        parameters as its names.
    domains
        ``{unknown (Symbol or name): rule}``, rule in ``"complex"`` (default), ``"upper"``,
        ``"real"``, ``"positive"``, ``"negative"``.
    initial
        ``{unknown: guess}``, a number or an expression in the parameters (a string is parsed
        like an observable, with the parameters as its names); default by domain
        (``i`` for ``"upper"``, ``1`` for ``"positive"``, ``-1`` for ``"negative"``,
        ``1/2`` for ``"real"``, ``(1 + i)/2`` for ``"complex"``).
    name
        Short name (used in messages and generated module titles).

    Examples
    --------
    >>> import sympy as sp
    >>> m, z = sp.symbols("m z")
    >>> sc = System([m**2 + z*m + 1], [m], [z], domains={m: "upper"}, initial={m: -1/z})
    """

    def __init__(self, equations: Sequence[sp.Expr | sp.Eq], unknowns: Sequence[sp.Symbol],
                 parameters: Sequence[sp.Symbol], observables: Mapping[str, sp.Expr] | None = None,
                 domains: Mapping[Any, str] | None = None, initial: Mapping[Any, Any] | None = None,
                 name: str = "system") -> None:
        if not isinstance(name, str) or not name:
            raise ParameterError(f"name: must be a non-empty string, got {name!r}")
        self.name = str.__str__(name)  # any text: escaped wherever it reaches generated code
        self.unknowns = _symbols(unknowns, "unknowns")
        self.parameters = _symbols(parameters, "parameters")
        if not self.unknowns:
            raise ParameterError("unknowns: need at least one unknown")
        reserved = {s.name for s in self.parameters} & {"strict"}
        if reserved or any(s.name.endswith("_") and s.name[:-1] in ("maxit", "tol", "ftol")
                           for s in self.parameters):
            raise ParameterError("parameters: the names 'strict', 'maxit_', 'tol_', 'ftol_' are reserved "
                                 "for solver options")
        clash = {s.name for s in self.unknowns} & {s.name for s in self.parameters}
        if clash:
            raise ParameterError(f"parameters: {sorted(clash)} are also unknowns")
        if isinstance(equations, (sp.Basic, sp.Eq)):
            equations = [equations]
        eqs = []
        for i, e in enumerate(equations):
            if isinstance(e, str):
                raise ParameterError(f"equations[{i}]: expected a SymPy expression, got a string")
            e = safe_sympify(e, f"equations[{i}]")
            if isinstance(e, sp.Equality):
                e = e.lhs - e.rhs
            if isinstance(e, sp.logic.boolalg.BooleanAtom) or isinstance(e, sp.Rel):
                raise ParameterError(f"equations[{i}]: expected an expression or Eq, got {e}")
            eqs.append(e)
        if len(eqs) != len(self.unknowns):
            raise ParameterError(f"equations: need one equation per unknown ({len(self.unknowns)}), got {len(eqs)}")
        self.residuals: tuple[sp.Expr, ...] = tuple(eqs)
        allowed = set(self.unknowns) | set(self.parameters)
        for i, e in enumerate(eqs):
            extra = e.free_symbols - allowed
            if extra:
                raise ParameterError(f"equations[{i}]: symbol(s) {sorted(map(str, extra))} are neither "
                                     f"unknowns nor parameters")
        self.observables: dict[str, sp.Expr] = {}
        names = {s.name for s in self.unknowns}
        if observables is not None and not isinstance(observables, Mapping):
            raise ParameterError(f"observables: expected a mapping {{name: expression}}, got {type(observables).__name__}")
        for k, v in (observables or {}).items():
            if not isinstance(k, str) or not k.isidentifier():
                raise ParameterError(f"observables: names must be identifiers, got {k!r}")
            if k in names or k in ("converged", "residual", "iterations"):
                raise ParameterError(f"observables: name {k!r} is taken (unknown or report field)")
            ex = safe_sympify(v, f"observables[{k!r}]", symbols=[*self.unknowns, *self.parameters])
            if not isinstance(ex, sp.Expr):
                raise ParameterError(f"observables[{k!r}]: expected an expression, got {ex!r}")
            extra = ex.free_symbols - allowed
            if extra:
                raise ParameterError(f"observables[{k!r}]: symbol(s) {sorted(map(str, extra))} are neither "
                                     f"unknowns nor parameters")
            self.observables[k] = ex
        self.domains: dict[sp.Symbol, str] = {u: "complex" for u in self.unknowns}
        for k, rule in (domains or {}).items():
            u = self._unknown(k, "domains")
            if rule not in DOMAINS:
                raise ParameterError(f"domains[{u}]: must be one of {DOMAINS}, got {rule!r}")
            self.domains[u] = rule
        self.initial: dict[sp.Symbol, sp.Expr] = {u: _DEFAULT_INITIAL[self.domains[u]] for u in self.unknowns}
        for k, v in (initial or {}).items():
            u = self._unknown(k, "initial")
            ex = safe_sympify(v, f"initial[{u}]", symbols=self.parameters)
            if not isinstance(ex, sp.Expr):
                raise ParameterError(f"initial[{u}]: expected a number or expression, got {ex!r}")
            extra = ex.free_symbols - set(self.parameters)
            if extra:
                raise ParameterError(f"initial[{u}]: may use only parameters, got symbol(s) {sorted(map(str, extra))}")
            self.initial[u] = ex
        for what, ex in ([(f"equations[{i}]", e) for i, e in enumerate(self.residuals)]
                         + [(f"observables[{k!r}]", v) for k, v in self.observables.items()]
                         + [(f"initial[{u}]", v) for u, v in self.initial.items()]):
            _check_defined(ex, what)

    def _unknown(self, key: Any, what: str) -> sp.Symbol:
        for u in self.unknowns:
            if key == u or key == u.name:
                return u
        raise ParameterError(f"{what}: {key!r} is not an unknown; unknowns are {[u.name for u in self.unknowns]}")

    @classmethod
    def from_law(cls, law) -> "System":
        """The law ``P(m, z) = 0`` as a one-unknown system in ``m`` (domain ``"upper"``, spectral ``z``)."""
        from .symbols import m, z

        return cls([law.expr], [m], [z, *law.parameters], domains={m: "upper"}, initial={m: -1 / z},
                   name=law.name)

    def jacobian(self) -> sp.Matrix:
        """``∂F_i/∂u_j`` by :func:`sympy.diff` (analytic; used by the generated Newton solver)."""
        return sp.Matrix(self.residuals).jacobian(sp.Matrix(self.unknowns))

    def _fingerprint(self) -> tuple:
        return (self.name, self.residuals, self.unknowns, self.parameters,
                tuple(sorted((k, v) for k, v in self.observables.items())),
                tuple(self.domains[u] for u in self.unknowns), tuple(self.initial[u] for u in self.unknowns))

    def subs(self, **values: Any) -> "System":
        """Bind parameters by name to numbers or expressions; returns a new System."""
        from .laws import to_exact

        by_name = {p.name: p for p in self.parameters}
        bad = sorted(set(values) - set(by_name))
        if bad:
            raise ParameterError(f"unknown parameter(s) {bad}; parameters are {sorted(by_name)}")
        mapping = {by_name[k]: to_exact(v, k) for k, v in values.items()}
        return System([e.subs(mapping) for e in self.residuals], self.unknowns,
                      [p for p in self.parameters if p not in mapping],
                      {k: v.subs(mapping) for k, v in self.observables.items()},
                      dict(self.domains), {u: v.subs(mapping) for u, v in self.initial.items()}, self.name)

    def latex(self) -> str:
        """LaTeX of the equations, one per line."""
        return r" \\ ".join(sp.latex(sp.Eq(e, 0)) for e in self.residuals)

    def __repr__(self) -> str:
        return (f"System({self.name}: {[sp.sstr(e) for e in self.residuals]} in "
                f"{[u.name for u in self.unknowns]}; parameters {[p.name for p in self.parameters]})")

    def compile(self, **options: Any):
        """Generate, cache and self-check a numba solver: returns a ``CompiledSystem``.

        Options are those of :func:`symrmt.codegen.compile.compile_system` (``spectral``,
        ``maxit``, ``tol``, ``ftol``).  Memoized (:mod:`symrmt.symbolic.compile_memo`) on
        ``(self._fingerprint(), options with their defaults filled in, cache directory)``: an
        equal System compiled again with the same options returns the same object at once.
        """
        import inspect

        from ..codegen.cache import cache_dir
        from ..codegen.compile import compile_system
        from .compile_memo import memoized, option_key

        try:
            bound = inspect.signature(compile_system).bind(self, **options)
        except TypeError:  # an unknown option: compile_system says so
            return compile_system(self, **options)
        bound.apply_defaults()
        normalized = {k: v for k, v in bound.arguments.items() if k != "system"}
        spectral = normalized.get("spectral")
        if isinstance(spectral, sp.Symbol):
            normalized["spectral"] = spectral.name  # a parameter's Symbol and its name mean the same
        try:
            key = ("system", self._fingerprint(), option_key(normalized), str(cache_dir()))
            hash(key)
        except TypeError:  # an unhashable option value: compile_system judges it
            key = None
        return memoized(key, lambda: compile_system(self, **options))
