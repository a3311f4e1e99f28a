"""The :class:`AlgebraicLaw`: a spectral law given by the minimal polynomial of its Stieltjes transform.

Conventions (docs/architecture.md; Rao & Edelman 2008, "The polynomial method for random matrices"):

* Stieltjes transform ``m(z) = ∫ ρ(x) / (x - z) dx``; Herglotz: ``Im m > 0`` when ``Im z > 0``,
  and ``m(z) ~ -1/z`` as ``z → ∞``.  Cauchy transform ``G = -m``.
* An :class:`AlgebraicLaw` is a polynomial ``P(m, z)`` with coefficients polynomial in named
  SymPy parameters such that ``P(m(z), z) = 0``; the physical root is the one that is Herglotz
  and continuous from ``z = i∞`` (where ``m ≈ -1/z``).  The polynomial is kept irreducible: every
  operation that can create spurious factors selects the factor the physical law satisfies by
  matching its moment series (:func:`symrmt.symbolic.factors.select_factor`).
* Each law records how it was built (:class:`Construction`), so that the simulation stage can
  draw the matching random matrix.

The named laws are in :mod:`symrmt.symbolic.laws`, the free operations in
:mod:`symrmt.symbolic.free`, the transforms (moments, R, S) in :mod:`symrmt.symbolic.transforms`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sympy as sp

from ..errors import DerivationError, ParameterError
from . import transforms
from .factors import select_factor
from .parsing import parse_expression, safe_sympify, to_exact
from .symbols import RESERVED, m, z

__all__ = ["AlgebraicLaw", "Construction", "Constraint", "constraint", "to_exact"]


_RELATIONS = {
    "positive": (lambda e: sp.Gt(e, 0), "{} > 0"),
    "nonnegative": (lambda e: sp.Ge(e, 0), "{} >= 0"),
    "nonzero": (lambda e: sp.Ne(e, 0), "{} != 0"),
    "<1": (lambda e: sp.Lt(e, 1), "{} < 1"),
}


@dataclass(frozen=True)
class Constraint:
    """A condition ``kind`` on the expression ``expr`` of parameter ``label`` (e.g. ratio > 0).

    It is checked whenever it becomes decidable: at construction and after every :meth:`subs`.
    ``kind`` is one of ``"positive"``, ``"nonnegative"``, ``"nonzero"``, ``"<1"``.
    """

    label: str
    expr: sp.Expr
    kind: str

    @property
    def allowed(self) -> str:
        return _RELATIONS[self.kind][1].format(self.label)

    def check(self) -> "Constraint":
        if self.expr.is_number and self.expr.is_real is False:
            raise ParameterError(f"{self.label}: must be real, got {self.expr}")
        if _RELATIONS[self.kind][0](self.expr) is sp.false:
            raise ParameterError(f"{self.label}: must satisfy {self.allowed}, got {self.expr}")
        return self

    def subs(self, mapping: Mapping[sp.Symbol, sp.Expr]) -> "Constraint":
        return Constraint(self.label, safe_sympify(self.expr, self.label).subs(mapping), self.kind).check()


def constraint(label: str, expr: sp.Expr, kind: str) -> Constraint:
    """Build and check a :class:`Constraint` (``kind`` as in :class:`Constraint`)."""
    return Constraint(label, expr, kind).check()


@dataclass(frozen=True)
class Construction:
    """How a law was built: an operation name, the laws it combines, and its scalar arguments.

    ``op`` is one of ``"semicircle"``, ``"marchenko_pastur"``, ``"free_poisson"``, ``"atoms"``,
    ``"free_add"``, ``"free_multiply"``, ``"mobius"``, ``"free_power"``,
    ``"sample_covariance"``, ``"square"``, ``"transpose"``, ``"block_diagonal"``,
    ``"info_plus_noise"``, ``"correlated_wishart"``, ``"chiral_block"``, ``"free_meixner"``,
    ``"equilibrium_measure"``, ``"polynomial"`` (given directly; no random-matrix model known).
    """

    op: str
    operands: tuple = ()
    args: Mapping[str, Any] = field(default_factory=dict)

    def subs(self, mapping: Mapping[sp.Symbol, sp.Expr]) -> "Construction":
        ops = tuple(o._subs_symbols(mapping) for o in self.operands)
        args = {}
        for k, v in self.args.items():
            if isinstance(v, (list, tuple)):
                args[k] = type(v)(safe_sympify(x, f"construction {k}").subs(mapping) for x in v)
            else:
                args[k] = safe_sympify(v, f"construction {k}").subs(mapping)
        return Construction(self.op, ops, args)


class AlgebraicLaw:
    """A probability law on ℝ given by the minimal polynomial ``P(m, z) = 0`` of its Stieltjes transform.

    Parameters
    ----------
    polynomial
        A SymPy expression or :class:`sympy.Poly` in the reserved symbols ``m`` and ``z``
        (:mod:`symrmt.symbolic.symbols`), coefficients polynomial (or rational) in the parameters.
        Denominators are cleared and the content removed.  A string is read by the restricted
        parser :func:`symrmt.symbolic.parsing.parse_expression` (never evaluated): it may use
        ``m``, ``z``, the names in ``parameters``, numbers, ``+ - * / ** ^`` and parentheses.
    name
        A short human-readable name (any text; escaped wherever it reaches generated code).
    parameters
        The parameter names (or Symbols) a string ``polynomial`` may use; ignored otherwise.
    construction
        How the law was built (used by the simulation stage); defaults to ``"polynomial"``.
    constraints
        Parameter conditions checked on :meth:`subs`.

    Notes
    -----
    Stieltjes convention ``m(z) = ∫ ρ(x)/(x - z) dx`` (Herglotz, ``m ~ -1/z`` at infinity).  The
    physical branch is not stored as a root index: it is the root that is Herglotz and continuous
    from ``z = i∞``, which the codegen stage follows numerically and the symbolic stage follows as
    the unique power series ``m(z) = -Σ_k m_k z^{-k-1}`` with ``m_0 = 1``.
    """

    def __init__(
        self,
        polynomial: sp.Expr | sp.Poly,
        *,
        name: str = "law",
        construction: Construction | None = None,
        constraints: Sequence[Constraint] = (),
        parameters: Sequence[sp.Symbol | str] = (),
    ) -> None:
        if isinstance(polynomial, str):
            if isinstance(parameters, (str, sp.Symbol)):
                parameters = [parameters]
            names = [p.name if isinstance(p, sp.Symbol) else p for p in parameters]
            bad = sorted(set(map(str, names)) & RESERVED)
            if bad:
                raise ParameterError(f"parameters: {bad} are reserved symbols; only m and z are implicit")
            polynomial = parse_expression(polynomial, [m, z, *parameters], what="polynomial")
        if isinstance(polynomial, sp.Poly) and polynomial.gens[:2] == (m, z) and polynomial.domain in (sp.ZZ, sp.QQ):
            extra = polynomial.gens[2:]
            poly = polynomial.eject(*extra) if extra else polynomial
            self._init(_normalize(poly), name, construction, constraints)
            return
        expr = polynomial.as_expr() if isinstance(polynomial, sp.Poly) else safe_sympify(polynomial, "polynomial")
        if not isinstance(expr, sp.Expr):
            raise ParameterError(f"polynomial: expected a SymPy expression in m and z, got {expr!r}")
        bad = {s.name for s in expr.free_symbols} & (RESERVED - {"m", "z"})
        if bad:
            raise ParameterError(f"polynomial uses reserved symbol(s) {sorted(bad)}; only m and z may appear besides parameters")
        num, _den = sp.fraction(sp.together(expr))
        if not num.has(m):
            raise DerivationError("a law's polynomial must involve the Stieltjes variable m")
        poly = sp.Poly(sp.expand(num), m, z)
        if not poly.domain.is_Exact and poly.domain != sp.EX:
            raise ParameterError("polynomial coefficients must be exact (no floats)")
        self._init(_normalize(poly), name, construction, constraints)

    def _init(self, poly, name, construction, constraints) -> None:
        if not isinstance(name, str):
            raise ParameterError(f"name: expected a string, got {type(name).__name__}")
        self.polynomial: sp.Poly = poly
        self.name = str.__str__(name)
        self.construction = construction or Construction("polynomial")
        self.constraints: tuple[Constraint, ...] = tuple(constraints)
        self._moment_cache: list | None = None

    # ------------------------------------------------------------------ basic data
    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """The free parameter symbols of the polynomial, sorted by name."""
        syms = set()
        for c in self.polynomial.coeffs():
            syms |= c.free_symbols
        return tuple(sorted(syms, key=lambda s: s.name))

    @property
    def degree(self) -> tuple[int, int]:
        """``(deg_m P, deg_z P)``."""
        return self.polynomial.degree(m), self.polynomial.degree(z)

    @property
    def expr(self) -> sp.Expr:
        """The polynomial as a SymPy expression in ``m``, ``z`` and the parameters."""
        return self.polynomial.as_expr()

    def __repr__(self) -> str:
        return f"AlgebraicLaw({self.name}: {sp.sstr(self.expr)} = 0)"

    def latex(self) -> str:
        """LaTeX of ``P(m, z) = 0``."""
        return sp.latex(sp.Eq(sp.collect(self.expr, m), 0))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AlgebraicLaw):
            return NotImplemented
        a, b = self.polynomial, other.polynomial
        return sp.expand(a.as_expr() * b.LC() - b.as_expr() * a.LC()) == 0

    def __hash__(self) -> int:
        return hash(self.polynomial)

    # ------------------------------------------------------------------ parameters
    def _symbol(self, name: str) -> sp.Symbol:
        for s in self.parameters:
            if s.name == name:
                return s
        raise ParameterError(
            f"unknown parameter {name!r} for {self.name}; its parameters are "
            f"{[s.name for s in self.parameters] or 'none'}"
        )

    def subs(self, **values: Any) -> "AlgebraicLaw":
        """Bind parameters by name to numbers or SymPy expressions; returns a new law.

        Floats are converted to exact rationals through their decimal representation.  After
        binding, the polynomial may become reducible: the factor that the physical law satisfies
        is selected by matching the moment series.  Parameter constraints are re-checked.
        """
        mapping = {self._symbol(k): to_exact(v, k) for k, v in values.items()}
        return self._subs_symbols(mapping)

    def _subs_symbols(self, mapping: Mapping[sp.Symbol, sp.Expr]) -> "AlgebraicLaw":
        mapping = {k: v for k, v in mapping.items() if k in set(self.parameters)}
        if not mapping:
            return self
        constraints = tuple(c.subs(mapping) for c in self.constraints)
        construction = self.construction.subs(mapping)
        expr = self.polynomial.as_expr().subs(mapping)
        expr = select_factor(expr, expected=_expected_from(self, mapping), what=f"{self.name} with {mapping}")
        return AlgebraicLaw(expr, name=self.name, construction=construction, constraints=constraints)

    # ------------------------------------------------------------------ transforms
    def moments(self, k: int) -> list[sp.Expr]:
        """Exact moments ``m_1, ..., m_k`` (see :func:`symrmt.symbolic.transforms.moments`)."""
        return transforms.moments(self, k)

    def free_cumulants(self, k: int) -> list[sp.Expr]:
        """Exact free cumulants ``κ_1, ..., κ_k``."""
        return transforms.free_cumulants(self, k)

    def stieltjes_series(self, order: int) -> sp.Expr:
        """``-Σ_{j=0}^{order} m_j z^{-j-1}``, the expansion of ``m(z)`` at infinity."""
        return transforms.stieltjes_series(self, order)

    def r_transform(self) -> sp.Expr | sp.Poly:
        """R-transform in ``w`` (explicit if possible, else the implicit Poly in ``R, w``)."""
        return transforms.r_transform(self)

    def s_transform(self) -> sp.Expr | sp.Poly:
        """S-transform in ``u`` (explicit if possible, else the implicit Poly in ``S, u``)."""
        return transforms.s_transform(self)

    def rescale(self, size_ratio: Any) -> "AlgebraicLaw":
        """The law of the same matrix model at size ``n' = size_ratio · n``: free (de)compression.

        Parameters
        ----------
        size_ratio : number or SymPy expression, > 0
            ``n'/n``.  At most 1: the law of the ``n' × n'`` principal corner (free compression,
            as :func:`symrmt.symbolic.free.compress`, simulated by compressing a Haar-rotated
            matrix).  Above 1: free decompression, the law of the size-``n'`` matrix whose
            ``n × n`` corner has this law (construction ``"rescale"``; no random-matrix model).

        Returns
        -------
        AlgebraicLaw
            Free cumulants ``κ_k · size_ratio^{k−1}`` (Nica & Speicher 1996; freealg's
            ``decompress``, arXiv 2506.11994); see :mod:`symrmt.symbolic.decompression`.

        Raises
        ------
        ParameterError
            ``size_ratio`` not a positive number or expression.

        Examples
        --------
        >>> import sympy as sp, symrmt as sr
        >>> sr.laws.marchenko_pastur(sp.Rational(1, 8)).rescale(4).polynomial.as_expr()
        m**2*z + 2*m*z - m + 2
        """
        from .decompression import rescaled_polynomial

        al = to_exact(size_ratio, "size_ratio")
        cons = constraint("size_ratio", al, "positive")
        name = f"rescale({self.name}, {sp.sstr(al)})"
        poly = rescaled_polynomial(self.polynomial, al, name)
        compression = bool(al.is_number and al <= 1)
        construction = (Construction("compress", (self,), {"fraction": al}) if compression
                        else Construction("rescale", (self,), {"size_ratio": al}))
        return AlgebraicLaw(poly, name=name, construction=construction, constraints=self.constraints + (cons,))

    # ------------------------------------------------------------------ random matrices
    def sample(self, n: int, seed: int = 0):
        """Sorted eigenvalues of one n×n random matrix of the law's construction.

        Parameters
        ----------
        n : int, >= 2
            Matrix size.
        seed : int
            Seed of the draw; :meth:`matrix` with the same n and seed draws the same matrix.

        Returns
        -------
        numpy.ndarray of shape ``(n,)``, float64, ascending.

        Raises
        ------
        ParameterError
            Unbound parameters, or a construction with no random-matrix model (e.g. a law given
            by its polynomial); :mod:`symrmt.simulate.models` lists the models.
        """
        from ..simulate.models import sample_eigenvalues

        return sample_eigenvalues(self, n, 1, seed=seed, device="cpu")[0].numpy()

    def matrix(self, n: int, seed: int = 0):
        """One n×n symmetric random matrix of the law's construction (float64 NumPy array).

        The matrix :mod:`symrmt.simulate.models` builds (for models that compose eigenvalues
        only, e.g. :func:`symrmt.square`, their diagonal matrix); its spectrum is
        :meth:`sample` with the same ``n`` and ``seed``.  Raises :class:`ParameterError` as
        :meth:`sample` does.
        """
        from ..simulate.models import sample_matrix

        return sample_matrix(self, n, seed=seed, device="cpu").numpy()

    def compile(self, **options: Any):
        """Generate, cache and self-check a numba solver: returns a ``CompiledLaw``.

        Memoized (:mod:`symrmt.symbolic.compile_memo`) on the polynomial, name, constraints and
        construction, the options and the cache directory: an equal law compiled again returns
        the same object at once.
        """
        from ..codegen.cache import cache_dir
        from ..codegen.compile import compile_law
        from .compile_memo import memoized, option_key

        try:
            key = ("law", self._content_key(), option_key(options), str(cache_dir()))
            hash(key)
        except TypeError:  # unhashable content or options: compile without the memo
            key = None
        return memoized(key, lambda: compile_law(self, **options))

    def _content_key(self) -> tuple:
        """What a compiled law depends on: polynomial, name, constraints and construction."""
        return (self.polynomial, self.name, self.constraints, _construction_key(self.construction))


def _construction_key(c: Construction) -> tuple:
    args = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in c.args.items()))
    return (c.op, tuple(o._content_key() for o in c.operands), args)


def _normalize(poly: sp.Poly) -> sp.Poly:
    """Remove the content in (m, z) that is free of m and z, and fix the sign."""
    if poly.is_zero:
        raise DerivationError("the zero polynomial defines no law")
    _, prim = poly.primitive()
    # content with respect to the parameters: gcd of all coefficients as expressions
    coeffs = prim.coeffs()
    g = coeffs[0]
    for c in coeffs[1:]:
        g = sp.gcd(g, c)
        if g == 1:
            break
    if g != 1 and g.free_symbols:
        prim = sp.Poly(sp.expand(sp.cancel(prim.as_expr() / g)), m, z)
    lc = prim.coeffs()[0]
    if lc.could_extract_minus_sign():
        prim = -prim
    return prim


def _expected_from(law: AlgebraicLaw, mapping: Mapping[sp.Symbol, sp.Expr]):
    """Expected moment series of ``law`` after ``mapping``: its own series at the bound point."""
    def expected(point: Mapping[sp.Symbol, sp.Rational], order: int):
        full = {k: safe_sympify(v, str(k)).subs(point) for k, v in mapping.items()}
        full.update({k: v for k, v in point.items() if k not in full})
        return transforms.numeric_moment_series(law.polynomial, full, order)

    return expected
