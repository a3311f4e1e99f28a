"""Algebraic spectral laws: the minimal polynomial of the Stieltjes transform, and a catalogue.

Conventions (DESIGN.md; Rao & Edelman 2008, "The polynomial method for random matrices"):

* Stieltjes transform ``m(z) = ∫ ρ(x) / (x - z) dx``; Herglotz: ``Im m > 0`` when ``Im z > 0``,
  and ``m(z) ~ -1/z`` as ``z → ∞``.  Cauchy transform ``G = -m``.
* An :class:`AlgebraicLaw` is a polynomial ``P(m, z)`` with coefficients polynomial in named
  SymPy parameters such that ``P(m(z), z) = 0``; the physical root is the one that is Herglotz
  and continuous from ``z = i∞`` (where ``m ≈ -1/z``).  The polynomial is kept irreducible: every
  operation that can create spurious factors selects the factor the physical law satisfies by
  matching its moment series (see :mod:`symrmt.symbolic.free`).
* Each law records how it was built (:class:`Construction`), so that the simulation stage can
  draw the matching random matrix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sympy as sp

from .._checks import python_scalar
from ..errors import DerivationError, ParameterError
from .parsing import parse_expression, safe_sympify
from .symbols import RESERVED, m, z

__all__ = [
    "AlgebraicLaw",
    "Construction",
    "semicircle",
    "marchenko_pastur",
    "free_poisson",
    "atoms",
    "sample_covariance",
    "wachter",
    "to_exact",
]


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


def _constraint(label: str, expr: sp.Expr, kind: str) -> Constraint:
    """Build and check a :class:`Constraint`."""
    return Constraint(label, expr, kind).check()


@dataclass(frozen=True)
class Construction:
    """How a law was built: an operation name, the laws it combines, and its scalar arguments.

    ``op`` is one of ``"semicircle"``, ``"marchenko_pastur"``, ``"free_poisson"``, ``"atoms"``,
    ``"free_add"``, ``"free_multiply"``, ``"mobius"``, ``"free_power"``,
    ``"sample_covariance"``, ``"polynomial"`` (given directly; no random-matrix model known).
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
        from .free import select_factor  # local: free builds on laws

        expr = select_factor(expr, expected=_expected_from(self, mapping), what=f"{self.name} with {mapping}")
        return AlgebraicLaw(expr, name=self.name, construction=construction, constraints=constraints)

    # ------------------------------------------------------------------ transforms
    def moments(self, k: int) -> list[sp.Expr]:
        """Exact moments ``m_1, ..., m_k`` (see :func:`symrmt.symbolic.transforms.moments`)."""
        from .transforms import moments

        return moments(self, k)

    def free_cumulants(self, k: int) -> list[sp.Expr]:
        """Exact free cumulants ``κ_1, ..., κ_k``."""
        from .transforms import free_cumulants

        return free_cumulants(self, k)

    def stieltjes_series(self, order: int) -> sp.Expr:
        """``-Σ_{j=0}^{order} m_j z^{-j-1}``, the expansion of ``m(z)`` at infinity."""
        from .transforms import stieltjes_series

        return stieltjes_series(self, order)

    def r_transform(self) -> sp.Expr | sp.Poly:
        """R-transform in ``w`` (explicit if possible, else the implicit Poly in ``R, w``)."""
        from .transforms import r_transform

        return r_transform(self)

    def s_transform(self) -> sp.Expr | sp.Poly:
        """S-transform in ``u`` (explicit if possible, else the implicit Poly in ``S, u``)."""
        from .transforms import s_transform

        return s_transform(self)

    def compile(self, **options: Any):
        """Generate, cache and self-check a numba solver: returns a ``CompiledLaw``."""
        from ..codegen.compile import compile_law

        return compile_law(self, **options)


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
    from .transforms import numeric_moment_series

    def expected(point: Mapping[sp.Symbol, sp.Rational], order: int):
        full = {k: safe_sympify(v, str(k)).subs(point) for k, v in mapping.items()}
        full.update({k: v for k, v in point.items() if k not in full})
        return numeric_moment_series(law.polynomial, full, order)

    return expected


# ---------------------------------------------------------------------- catalogue
def semicircle(variance: Any = 1) -> AlgebraicLaw:
    """Wigner semicircle law of variance σ²: the limit law of ``(G + Gᵀ)/√(2n)`` (scaled by σ).

    ``σ² m² + z m + 1 = 0``; R-transform ``R(w) = σ² w``; support ``[-2σ, 2σ]``;
    moments ``m_{2k} = Catalan(k) σ^{2k}``.  (Voiculescu; Rao & Edelman 2008, Table 1.)

    Parameters
    ----------
    variance : number or SymPy expression, > 0
    """
    s2 = to_exact(variance, "variance")
    c = _constraint("variance", s2, "positive")
    return AlgebraicLaw(
        s2 * m**2 + z * m + 1,
        name="semicircle",
        construction=Construction("semicircle", (), {"variance": s2}),
        constraints=(c,),
    )


def marchenko_pastur(ratio: Any, variance: Any = 1) -> AlgebraicLaw:
    """Marchenko–Pastur law: the limit spectrum of ``XᵀX/n``, X of shape n×d, ratio γ = d/n.

    Entries of X are i.i.d. with variance σ².  Minimal polynomial (DESIGN.md)
    ``γ σ² z m² + (z - σ²(1 - γ)) m + 1 = 0``; atom of mass ``1 - 1/γ`` at 0 when γ > 1;
    S-transform ``S(u) = 1/(σ²(1 + γu))``; free cumulants ``κ_k = γ^{k-1} σ^{2k}``; moments are
    Narayana polynomials (``m_2 = σ⁴(1 + γ)``).  (Marchenko & Pastur 1967.)

    Parameters
    ----------
    ratio : number or SymPy expression, > 0
        γ = d/n.
    variance : number or SymPy expression, > 0
        σ², the variance of the entries of X.
    """
    g = to_exact(ratio, "ratio")
    s2 = to_exact(variance, "variance")
    cs = (_constraint("ratio", g, "positive"), _constraint("variance", s2, "positive"))
    return AlgebraicLaw(
        g * s2 * z * m**2 + (z - s2 * (1 - g)) * m + 1,
        name="marchenko-pastur",
        construction=Construction("marchenko_pastur", (), {"ratio": g, "variance": s2}),
        constraints=cs,
    )


def free_poisson(rate: Any, jump: Any = 1) -> AlgebraicLaw:
    """Free Poisson law with rate λ and jump size α: ``R(w) = λ α / (1 - α w)``.

    Minimal polynomial ``α z m² + (z + α - λα) m + 1 = 0``.  ``free_poisson(1/γ, γσ²)`` equals
    ``marchenko_pastur(γ, σ²)``.  (Nica & Speicher, Lecture 12.)

    Parameters
    ----------
    rate : > 0
    jump : real, != 0
    """
    lam = to_exact(rate, "rate")
    a = to_exact(jump, "jump")
    cs = (_constraint("rate", lam, "positive"), _constraint("jump", a, "nonzero"))
    return AlgebraicLaw(
        a * z * m**2 + (z + a - lam * a) * m + 1,
        name="free-poisson",
        construction=Construction("free_poisson", (), {"rate": lam, "jump": a}),
        constraints=cs,
    )


def _sequence(values: Any, name: str) -> list:
    """``values`` as a list of entries (a sequence or 1-d array), else a ParameterError naming ``name``."""
    if isinstance(values, (str, bytes, dict, set, frozenset)):
        raise ParameterError(f"{name}: expected a sequence of numbers, got {values!r}")
    if hasattr(values, "ndim") and getattr(values, "ndim") != 1:
        raise ParameterError(f"{name}: expected a 1-d sequence of numbers, got an array of shape "
                             f"{getattr(values, 'shape', '?')}")
    try:
        return list(values)
    except TypeError as exc:
        raise ParameterError(f"{name}: expected a sequence of numbers, got {values!r}") from exc


def atoms(points: Sequence[Any], weights: Sequence[Any] | None = None) -> AlgebraicLaw:
    """A finite discrete law ``Σ_i p_i δ_{x_i}`` (e.g. a population spectrum).

    ``m(z) = Σ_i p_i/(x_i - z)``, so ``Π_i (x_i - z) m - Σ_i p_i Π_{j≠i} (x_j - z) = 0``.
    Atoms of zero weight are dropped; numeric points must be distinct, numeric weights
    non-negative, and the weights must sum to 1 (checked exactly).

    Parameters
    ----------
    points : sequence of numbers or SymPy expressions
        Python, NumPy or SymPy numbers (a 1-d NumPy array is fine); floats are kept exact as
        by :func:`to_exact`.
    weights : sequence of the same length, default uniform

    Raises
    ------
    ParameterError
        ``points`` or ``weights`` not a sequence, a non-numeric or non-finite entry, negative
        weights, weights not summing to 1, or repeated points.
    """
    pts = [to_exact(p, f"points[{i}]") for i, p in enumerate(_sequence(points, "points"))]
    if not pts:
        raise ParameterError("points: need at least one atom")
    if weights is None:
        wts = [sp.Rational(1, len(pts))] * len(pts)
    else:
        wts = [to_exact(p, f"weights[{i}]") for i, p in enumerate(_sequence(weights, "weights"))]
    if len(wts) != len(pts):
        raise ParameterError(f"weights: expected {len(pts)} weights (one per point), got {len(wts)}")
    cs = []
    for i, wi in enumerate(wts):
        cs.append(_constraint(f"weights[{i}]", wi, "nonnegative"))
    total = sp.simplify(sum(wts))
    if total != 1:
        raise ParameterError(f"weights: must sum to 1, got {total}")
    keep = [(p, wi) for p, wi in zip(pts, wts) if wi != 0]
    pts = [p for p, _ in keep]
    wts = [wi for _, wi in keep]
    for i in range(len(pts)):
        if not pts[i].is_real and pts[i].is_real is not None:
            raise ParameterError(f"points[{i}]: must be real, got {pts[i]}")
        for j in range(i):
            if sp.simplify(pts[i] - pts[j]) == 0:
                raise ParameterError(f"points: must be distinct, points {j} and {i} are both {pts[i]}")
    prod_all = sp.Mul(*[(p - z) for p in pts])
    rest = sum(wi * sp.Mul(*[(pj - z) for j, pj in enumerate(pts) if j != i]) for i, wi in enumerate(wts))
    return AlgebraicLaw(
        prod_all * m - rest,
        name="atoms",
        construction=Construction("atoms", (), {"points": tuple(pts), "weights": tuple(wts)}),
        constraints=tuple(cs),
    )


def sample_covariance(population: AlgebraicLaw, ratio: Any) -> AlgebraicLaw:
    """Limit spectrum of ``Σ^{1/2} XᵀX Σ^{1/2} / n`` (X: n×d standard, c = d/n), Σ having law ``population``.

    Silverstein's equation, as a substitution in the population polynomial:
    ``m_H → m (1 - c - c z m)``, ``z → z / (1 - c - c z m)`` (Silverstein & Bai 1995).
    Equals ``free_multiply(population, marchenko_pastur(c))``.  See
    :func:`symrmt.symbolic.free.sample_covariance`.
    """
    from .free import sample_covariance as _sc

    return _sc(population, ratio)


def wachter(ratio1: Any, ratio2: Any) -> AlgebraicLaw:
    """Wachter (Jacobi / MANOVA) law: the limit spectrum of ``A (A + B)^{-1}``.

    ``A = X₁ᵀX₁``, ``B = X₂ᵀX₂`` with X₁ of shape n₁×d, X₂ of shape n₂×d, standard Gaussian
    entries; ``ratio1 = d/n₁ > 0``, ``ratio2 = d/n₂ ∈ (0, 1)`` (B invertible).  Derived with the
    free calculus: with ``W_i = X_iᵀX_i/n_i`` (Marchenko–Pastur), the eigenvalues of
    ``A(A+B)^{-1}`` are ``λ = cF/(1 + cF)``, F an eigenvalue of ``W₂^{-1} W₁``, ``c = n₁/n₂``.
    Mean ``n₁/(n₁ + n₂)``.  (Wachter 1980; Rao & Edelman 2008 §6.)
    """
    from .free import free_multiply, mobius

    a = to_exact(ratio1, "ratio1")
    b = to_exact(ratio2, "ratio2")
    extra = (_constraint("ratio1", a, "positive"), _constraint("ratio2", b, "positive"),
             _constraint("ratio2", b, "<1"))
    inv_w2 = mobius(marchenko_pastur(b), 0, 1, 1, 0)
    f = free_multiply(marchenko_pastur(a), inv_w2)
    c = b / a
    law = mobius(f, c, 0, c, 1)
    return AlgebraicLaw(law.polynomial, name="wachter", construction=law.construction,
                        constraints=law.constraints + extra)
