"""Gaussian (Hermite) coefficients of an activation function.

For ``G ~ N(0, 1)`` and an activation ``σ`` with ``E σ(G)² < ∞`` (Mei & Montanari 2019,
arXiv 1908.05355, §2):

* ``μ0 = E σ(G)``, ``μ1 = E[G σ(G)]``, ``μ*² = E σ(G)² − μ0² − μ1²``;
* equivalently ``σ = μ0 h_0 + μ1 h_1 + Σ_{k≥2} b_k h_k`` in the normalized probabilists'
  Hermite basis ``h_k = He_k/√(k!)``, with ``μ*² = Σ_{k≥2} b_k²``.

The coefficients are exact SymPy numbers where SymPy can evaluate the Gaussian integrals in
closed form, and Gauss–Hermite quadrature otherwise (:func:`hermite_coefficients`, ``method``).
Named activations: ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"``; any other
activation is a SymPy expression in one free variable.  Strings other than the names are
rejected (nothing is parsed or evaluated).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from .._checks import integer
from ..errors import ParameterError
from .parsing import check_code_names, safe_sympify

__all__ = ["HermiteCoefficients", "hermite_coefficients", "activation_expr", "ACTIVATIONS",
           "numpy_function", "is_smooth", "check_gaussian_tails", "gaussian_moments"]

_x = sp.Symbol("x", real=True)

#: Named activations as SymPy expressions in the real variable ``x``.
ACTIVATIONS: dict[str, sp.Expr] = {
    "relu": sp.Max(_x, 0),
    "tanh": sp.tanh(_x),
    "erf": sp.erf(_x),
    "sign": sp.sign(_x),
    "linear": _x,
}

_QUAD_NODES = (100, 160)


@dataclass(frozen=True)
class HermiteCoefficients:
    """``μ0``, ``μ1``, ``μ*`` of an activation (conventions: module docstring).

    Attributes
    ----------
    mu0, mu1, mustar : sympy.Expr
        Exact SymPy numbers when ``exact`` is True, SymPy Floats otherwise.
    exact : bool
        Whether every coefficient came from a closed-form integral.
    """

    mu0: sp.Expr
    mu1: sp.Expr
    mustar: sp.Expr
    exact: bool

    def as_floats(self) -> tuple[float, float, float]:
        """``(μ0, μ1, μ*)`` as Python floats."""
        return float(self.mu0), float(self.mu1), float(self.mustar)


def activation_expr(activation: str | sp.Expr) -> tuple[sp.Expr, sp.Symbol]:
    """The activation as ``(expression, variable)``; named activations use the real ``x``.

    Raises
    ------
    ParameterError
        Unknown name, or an expression that does not have exactly one free variable.
    """
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key not in ACTIVATIONS:
            raise ParameterError(
                f"activation: unknown name {activation!r}; use one of {sorted(ACTIVATIONS)} "
                "or a SymPy expression in one variable")
        return ACTIVATIONS[key], _x
    if callable(activation) and not isinstance(activation, sp.Basic):
        raise ParameterError("activation: expected a name or a SymPy expression, got a Python callable")
    expr = safe_sympify(activation, "activation")
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(free) != 1:
        raise ParameterError(
            f"activation: expression must have exactly one free variable, got {[s.name for s in free]}")
    var = free[0]
    real = sp.Symbol(var.name + "_r", real=True)
    return expr.xreplace({var: real}), real


def _gauss(expr: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``E expr(G)`` in closed form, or None when SymPy leaves the integral unevaluated."""
    dens = sp.exp(-var**2 / 2) / sp.sqrt(2 * sp.pi)
    try:
        val = sp.integrate(sp.piecewise_fold(sp.expand(expr * dens)), (var, -sp.oo, sp.oo))
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if val.has(sp.Integral) or val.has(sp.Piecewise) or val.free_symbols:
        return None
    if val.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ParameterError("activation: not square-integrable under the standard Gaussian "
                             "(E σ(G)² is infinite); allowed: activations with E σ(G)² < ∞")
    return sp.nsimplify(val) if val.is_Float else sp.simplify(val)


_CLOSED = (sp.exp, sp.erf, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside, sp.Piecewise)


def _closed_form_class(expr: sp.Expr) -> bool:
    """Whether SymPy's Gaussian integrals are worth trying: only polynomials, ``exp``, ``erf``
    and piecewise pieces (``Max``, ``Abs``, ``sign``, ...) appear.  Others (``tanh``, logistic)
    would make SymPy search at length before giving up, so they go to quadrature directly."""
    funcs = expr.atoms(sp.Function, sp.Piecewise)
    if not all(isinstance(f, _CLOSED) for f in funcs):
        return False
    try:  # a polynomial in x and those functions: none of them in a denominator
        sp.Poly(expr, *expr.free_symbols, *funcs)
    except sp.PolynomialError:
        return False
    return True


def numpy_function(expr: sp.Expr, var: sp.Symbol | Sequence[sp.Symbol]) -> Callable[..., np.ndarray]:
    """``expr`` as a vectorized NumPy function of ``var`` (floats, the broadcast shape of the
    inputs; floating-point warnings silenced: a NaN or inf is for the caller to check).  ``var``
    may be a sequence of symbols: the function then takes one array per symbol, in that order.

    Raises
    ------
    ParameterError
        A name in ``expr`` that cannot be compiled (see
        :func:`symrmt.symbolic.parsing.check_code_names`).
    """
    # lambdify generates code from a SymPy expression tree (never from a user string); it pastes
    # names, so every name in the tree must be a plain identifier
    check_code_names(expr, "activation")
    args = tuple(var) if isinstance(var, (tuple, list)) else (var,)
    f = sp.lambdify(args, expr, modules=["numpy", "scipy"])

    def call(*xs: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(f(*xs), dtype=float), np.broadcast(*xs).shape)
    return call


_BOUNDED = (sp.tanh, sp.erf, sp.erfc, sp.sin, sp.cos, sp.atan, sp.sign, sp.Heaviside, sp.DiracDelta, sp.sech)
_TAME_WRAPPERS = (sp.Abs, sp.Max, sp.Min, sp.re, sp.im)


def tame_growth(expr: sp.Expr, var: sp.Symbol) -> bool:
    """Whether ``|expr| <= C (1 + |x|^k) e^{a|x|}`` follows from the expression's structure alone:
    polynomials, bounded functions (tanh, erf, sin, cos, atan, sign, Heaviside, sech, ...), ``exp``
    of an argument at most linear in ``var``, ``Abs``/``Max``/``Min``/``Piecewise`` of tame pieces,
    and reciprocals of ``c + (non-negative terms)`` with ``c > 0`` (the logistic function).  Such
    integrands have finite Gaussian moments of every order, so the costly symbolic limit of the
    tail test is not needed.  False means "not shown", not "divergent"."""
    if expr.is_number or expr == var:
        return True
    if not expr.has(var):
        return True
    if isinstance(expr, (sp.Add, sp.Mul)) or isinstance(expr, _TAME_WRAPPERS):
        return all(tame_growth(a, var) for a in expr.args)
    if isinstance(expr, _BOUNDED):
        return True
    if isinstance(expr, sp.Piecewise):
        return all(tame_growth(e, var) for e, _ in expr.args)
    if isinstance(expr, sp.exp):
        arg = sp.expand(expr.args[0])
        return arg.is_polynomial(var) and sp.degree(arg, var) <= 1 and arg.coeff(var).is_real is True
    if isinstance(expr, sp.Pow) and expr.exp.is_number and expr.exp.is_real:
        if expr.exp.is_nonnegative and expr.exp.is_integer:
            return tame_growth(expr.base, var)
        b = expr.base
        if expr.exp.is_negative and isinstance(b, sp.Add):
            const = sum((a for a in b.args if a.is_number), sp.Integer(0))
            rest = [a for a in b.args if not a.is_number]
            return bool(const.is_positive) and all(a.is_nonnegative for a in rest)
    return False


def check_gaussian_tails(expr: sp.Expr, var: sp.Symbol) -> None:
    """Reject activations whose square outgrows the Gaussian weight: σ(x)² e^{-x²/2} x² ↛ 0.

    Raises
    ------
    ParameterError
        When SymPy finds a non-zero limit at ``+∞`` or ``-∞`` (limits SymPy cannot take pass).
        Integrands of :func:`tame_growth` pass without a limit.
    """
    if tame_growth(expr, var):
        return
    for end in (sp.oo, -sp.oo):
        try:
            lim = sp.limit(expr**2 * sp.exp(-var**2 / 2) * var**2, var, end)
        except (NotImplementedError, ValueError, TypeError, RecursionError):
            continue
        if lim.is_number and lim != 0:
            raise ParameterError(
                "activation: not square-integrable under the standard Gaussian (σ(x)² grows like "
                f"e^(x²/2) or faster as x → {end}); allowed: activations with E σ(G)² < ∞")


_KINKS = (sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside, sp.Piecewise)


def is_smooth(expr: sp.Expr) -> bool:
    """Whether ``expr`` has no kinks or jumps (no ``Abs``, ``sign``, ``Max``, ``Min``,
    ``Heaviside`` or ``Piecewise``): Gauss–Hermite quadrature suits it."""
    return not expr.atoms(*_KINKS)


def gaussian_moments(f: Callable[[np.ndarray], np.ndarray], smooth: bool) -> np.ndarray:
    """``(E f(G), E G f(G), E f(G)²)`` for G ~ N(0, 1), f vectorized.

    Gauss–Hermite rules of two orders (which must agree) when ``smooth``; adaptive Gauss–Kronrod
    on each half-line for piecewise functions, or when Gauss–Hermite does not converge (poles
    near the real axis)."""
    if smooth:
        try:
            return _gauss_hermite(f)
        except ParameterError:
            pass
    return _split_adaptive(f)


def _gauss_hermite(f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``(E f, E Gf, E f²)`` by probabilists' Gauss–Hermite rules of two orders (must agree)."""
    results = []
    for n in _QUAD_NODES:
        nodes, weights = np.polynomial.hermite_e.hermegauss(n)
        weights = weights / np.sqrt(2.0 * np.pi)
        vals = f(nodes)
        if not np.all(np.isfinite(vals)):
            raise ParameterError("activation: not finite at some Gaussian quadrature node; "
                                 "allowed: activations with E σ(G)² < ∞")
        results.append(np.array([weights @ vals, weights @ (nodes * vals), weights @ vals**2]))
    a, b = results
    if np.max(np.abs(a - b)) > 1e-8 * max(1.0, abs(b[2])):
        raise ParameterError("activation: Gaussian moments do not converge under quadrature "
                             "(not square-integrable, or too irregular); allowed: activations "
                             "with E σ(G)² < ∞")
    return b


def _split_adaptive(f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The same moments for piecewise activations: adaptive Gauss–Kronrod on each half-line
    (kinks and jumps sit at 0 for the usual activations; others are resolved adaptively)."""
    import warnings

    from scipy.integrate import IntegrationWarning, quad

    def integrand(k: int):
        def g(t: float) -> float:
            v = float(f(np.array([t]))[0])
            return (v, t * v, v * v)[k] * np.exp(-t * t / 2.0) / np.sqrt(2.0 * np.pi)
        return g

    out = np.zeros(3)
    for k in range(3):
        for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)):
            with warnings.catch_warnings():
                warnings.simplefilter("error", IntegrationWarning)
                try:
                    val, err = quad(integrand(k), lo, hi, epsabs=1e-12, epsrel=1e-10, limit=200)
                except (IntegrationWarning, ZeroDivisionError, OverflowError) as exc:
                    raise ParameterError(
                        "activation: Gaussian moments do not converge (not square-integrable, or "
                        "too irregular); allowed: activations with E σ(G)² < ∞") from exc
            if not np.isfinite(val):
                raise ParameterError("activation: not square-integrable under the standard "
                                     "Gaussian; allowed: activations with E σ(G)² < ∞")
            out[k] += val
    return out


def _quadrature(expr: sp.Expr, var: sp.Symbol) -> tuple[float, float, float]:
    """``(E σ, E Gσ, E σ²)`` numerically: Gauss–Hermite for smooth activations (two orders must
    agree), adaptive quadrature on the half-lines for piecewise ones.  Disagreement or divergence
    raises :class:`ParameterError` rather than returning a doubtful number."""
    check_gaussian_tails(expr, var)
    f = numpy_function(expr, var)
    e = _gauss_hermite(f) if is_smooth(expr) else _split_adaptive(f)
    return float(e[0]), float(e[1]), float(e[2])


def hermite_coefficients(activation: str | sp.Expr, method: str = "auto") -> HermiteCoefficients:
    """``μ0 = Eσ(G)``, ``μ1 = E[Gσ(G)]``, ``μ* = (Eσ(G)² − μ0² − μ1²)^½`` of an activation.

    Parameters
    ----------
    activation : str or sympy.Expr
        ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"``, or a SymPy expression in one
        variable.
    method : {"auto", "exact", "quadrature"}
        ``"exact"`` requires closed forms (raises if SymPy cannot integrate); ``"quadrature"``
        uses Gauss–Hermite quadrature only; ``"auto"`` tries exact first, per coefficient group.

    Returns
    -------
    HermiteCoefficients

    Raises
    ------
    ParameterError
        Unknown activation, or ``E σ(G)² = ∞`` (not square-integrable under the Gaussian).

    Notes
    -----
    Mei & Montanari 2019 (arXiv 1908.05355): ReLU has ``μ0 = 1/√(2π)``, ``μ1 = 1/2``,
    ``μ*² = (π − 2)/(4π)``.
    """
    if method not in ("auto", "exact", "quadrature"):
        raise ParameterError(f"method: must be 'auto', 'exact' or 'quadrature', got {method!r}")
    expr, var = activation_expr(activation)
    return _coefficients(expr, var, method)


@lru_cache(maxsize=64)
def _coefficients(expr: sp.Expr, var: sp.Symbol, method: str) -> HermiteCoefficients:
    quad = None
    if method == "auto" and not _closed_form_class(expr):
        method = "quadrature"
    if method != "quadrature":
        # Stein's lemma E[Gσ(G)] = E σ'(G) often integrates where x·σ(x) does not
        stein = sp.diff(expr, var) if not expr.has(sp.Piecewise, sp.Max, sp.Min, sp.sign,
                                                    sp.Abs, sp.Heaviside) else None
        vals = [_gauss(expr**2, var), _gauss(expr, var),
                _gauss(var * expr, var) if stein is None else _gauss(stein, var)]
        if method == "exact" and any(v is None for v in vals):
            raise ParameterError(f"activation: SymPy cannot evaluate the Gaussian integrals of "
                                 f"{expr} in closed form; use method='quadrature' or 'auto'")
        if any(v is None for v in vals):
            quad = _quadrature(expr, var)
            second, zeroth, first = (sp.Float(q) if v is None else v
                                     for v, q in zip(vals, (quad[2], quad[0], quad[1])))
        else:
            second, zeroth, first = vals
        exact = quad is None
        star2 = sp.simplify(second - zeroth**2 - first**2) if exact else second - zeroth**2 - first**2
        if star2.is_negative and abs(float(star2)) > 1e-10:
            raise ParameterError("activation: inconsistent Gaussian moments (μ*² < 0)")
        if star2.is_negative or (not exact and abs(float(star2)) < 1e-13 * max(1.0, float(second))):
            star2 = sp.Integer(0)
        return HermiteCoefficients(sp.simplify(zeroth), sp.simplify(first), sp.sqrt(star2),
                                   exact=exact)
    e0, e1, e2 = _quadrature(expr, var)
    star2 = max(e2 - e0**2 - e1**2, 0.0)
    if star2 < 1e-13 * max(1.0, e2):
        star2 = 0.0
    return HermiteCoefficients(sp.Float(e0), sp.Float(e1), sp.Float(np.sqrt(star2)), exact=False)


def _delta_power_divergent(expr: sp.Expr) -> bool:
    """Whether ``expr`` contains a product or power of Dirac deltas (``E δ(G)²`` is infinite)."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.base.has(sp.DiracDelta) and node.exp.is_number and node.exp > 1:
            return True
        if isinstance(node, sp.Mul) and sum(1 for a in node.args if a.has(sp.DiracDelta)) > 1:
            return True
    return False


def gaussian_expectation(expr: sp.Expr, var: sp.Symbol | None = None, method: str = "auto") -> sp.Expr:
    """``E g(G)`` for ``G ~ N(0, 1)`` and a SymPy expression ``g`` in one variable.

    Used for the Gaussian integrals of derived functions of an activation (``σ′(z)²``,
    ``z σ′(z)``, ``σ*(z)²``, ...), e.g. the spike parameters of Cui et al. (arXiv 2402.04980).

    Parameters
    ----------
    expr : sympy.Expr
        The integrand ``g``; Dirac deltas (derivatives of kinks and jumps) are allowed to the
        first power.
    var : sympy.Symbol, optional
        The Gaussian variable (default: the only free symbol of ``expr``; a constant is its own
        expectation).
    method : {"auto", "exact", "quadrature"}
        As in :func:`hermite_coefficients`: closed form (SymPy) where possible, else quadrature
        (Gauss–Hermite of two orders for smooth integrands, adaptive Gauss–Kronrod on the
        half-lines for piecewise ones); ``"exact"`` raises if no closed form is found.

    Returns
    -------
    sympy.Expr
        An exact SymPy number, or a SymPy Float from quadrature.

    Raises
    ------
    ParameterError
        Divergent expectation (``g`` grows like ``e^{x²/2}``, or a squared Dirac delta), a bad
        ``method``, or more than one free variable.
    """
    if method not in ("auto", "exact", "quadrature"):
        raise ParameterError(f"method: must be 'auto', 'exact' or 'quadrature', got {method!r}")
    expr = safe_sympify(expr, "expr")
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if var is None:
        if not free:
            return expr
        if len(free) != 1:
            raise ParameterError(f"expr: expected one free variable, got {[s.name for s in free]}")
        var = free[0]
    elif set(free) - {var}:
        raise ParameterError(f"expr: symbols {[s.name for s in free if s != var]} other than {var} are free")
    if not expr.has(var):
        return expr
    real = sp.Symbol(var.name + "_g", real=True)
    expr = expr.xreplace({var: real})
    if _delta_power_divergent(expr):
        raise ParameterError("expr: a squared Dirac delta (e.g. σ′(z)² for an activation with a jump) "
                             "has an infinite Gaussian expectation; allowed: integrands with E|g(G)| < ∞")
    return _expectation(expr, real, method)


@lru_cache(maxsize=256)
def _expectation(expr: sp.Expr, var: sp.Symbol, method: str) -> sp.Expr:
    delta = expr.has(sp.DiracDelta)
    # SymPy integrates Piecewise pieces where it gives up on Max/Min/Abs/sign
    cand = expr.rewrite(sp.Piecewise) if expr.has(sp.Max, sp.Min, sp.Abs, sp.sign) else expr
    if method != "quadrature" and (delta or method == "exact" or _closed_form_class(cand)):
        val = _gauss(cand, var)
        if val is not None:
            return val
        if method == "exact" or delta:
            raise ParameterError(f"expr: SymPy cannot evaluate E[{expr}] in closed form"
                                 + ("; use method='quadrature' or 'auto'" if not delta else ""))
    for end in () if tame_growth(expr, var) else (sp.oo, -sp.oo):
        try:
            lim = sp.limit(sp.Abs(expr) * sp.exp(-var**2 / 2) * var**2, var, end)
        except (NotImplementedError, ValueError, TypeError, RecursionError):
            continue
        if lim.is_number and lim != 0:
            raise ParameterError(f"expr: E[{expr}] diverges (the integrand grows like e^(x²/2) or faster "
                                 f"as x → {end}); allowed: integrands with E|g(G)| < ∞")
    f = numpy_function(expr, var)
    if is_smooth(expr):
        try:
            return sp.Float(float(_gauss_hermite(f)[0]))
        except ParameterError:  # slowly converging Gauss–Hermite (poles near the real axis)
            pass
    return sp.Float(float(_split_adaptive(f)[0]))


__all__.append("gaussian_expectation")
__all__.append("tame_growth")


# ---------------------------------------------------------------------- general order
@dataclass(frozen=True)
class HermiteSeries:
    """The normalized Hermite coefficients ``b_0, ..., b_order`` of an activation.

    ``σ = Σ_k b_k h_k`` with ``h_k = He_k/√(k!)`` orthonormal under the standard Gaussian, so
    ``b_k = E[σ(G) h_k(G)]`` and ``Σ_k b_k² = E σ(G)²`` (Parseval).  Behaves as the sequence of
    the ``b_k`` (``len``, indexing, iteration).

    Attributes
    ----------
    coefficients : tuple of sympy.Expr
        ``b_0, ..., b_order``: exact SymPy numbers when ``exact``, SymPy Floats otherwise.
    exact : bool
        Whether every coefficient came from a closed-form integral.
    second_moment : sympy.Expr
        ``E σ(G)²`` (exact when the three low-order moments were).
    """

    coefficients: tuple
    exact: bool
    second_moment: sp.Expr

    def __len__(self) -> int:
        return len(self.coefficients)

    def __getitem__(self, k):
        return self.coefficients[k]

    def __iter__(self):
        return iter(self.coefficients)

    @property
    def order(self) -> int:
        """The highest index ``k`` held."""
        return len(self.coefficients) - 1

    def as_floats(self) -> np.ndarray:
        """``b_0, ..., b_order`` as a float array."""
        return np.array([float(b) for b in self.coefficients], dtype=float)

    def tail(self) -> float:
        """``Σ_{k > order} b_k² = E σ(G)² − Σ_{k ≤ order} b_k²`` (Parseval), clipped at 0: the
        squared L²(γ) error of the truncated series."""
        return max(float(self.second_moment) - float(np.sum(self.as_floats() ** 2)), 0.0)


def probabilists_hermite(k: int, var: sp.Symbol) -> sp.Expr:
    """``He_k(var)`` (monic, orthogonal under ``e^{-x²/2}``) by ``He_{k+1} = x He_k − k He_{k−1}``."""
    prev, cur = sp.Integer(1), var
    if k == 0:
        return prev
    for n in range(1, k):
        prev, cur = cur, sp.expand(var * cur - n * prev)
    return cur


def normalized_hermite_values(order: int, x: np.ndarray) -> np.ndarray:
    """``h_k(x) = He_k(x)/√(k!)`` for ``k = 0..order`` (rows), by the stable three-term recurrence
    ``h_{k+1} = (x h_k − √k h_{k−1})/√(k+1)``."""
    x = np.asarray(x, dtype=float)
    out = np.empty((order + 1,) + x.shape)
    out[0] = 1.0
    if order >= 1:
        out[1] = x
    for k in range(1, order):
        out[k + 1] = (x * out[k] - np.sqrt(k) * out[k - 1]) / np.sqrt(k + 1)
    return out


def _hermite_quadrature(expr: sp.Expr, var: sp.Symbol, order: int) -> np.ndarray:
    """``b_k = E[σ(G) h_k(G)]``, ``k = 0..order``, numerically: Gauss–Hermite rules of two orders
    (must agree) for smooth activations, adaptive Gauss–Kronrod (vector-valued) on the two
    half-lines for piecewise ones.  Divergence or disagreement raises ParameterError."""
    import warnings

    from scipy.integrate import IntegrationWarning, quad_vec

    check_gaussian_tails(expr, var)
    f = numpy_function(expr, var)
    bad = ParameterError("activation: Gaussian–Hermite coefficients do not converge (not "
                         "square-integrable, or too irregular); allowed: activations with E σ(G)² < ∞")
    if is_smooth(expr):
        results = []
        for n in (max(_QUAD_NODES[0], 2 * order + 40), max(_QUAD_NODES[1], 3 * order + 80)):
            nodes, weights = np.polynomial.hermite_e.hermegauss(n)
            vals = f(nodes)
            if not np.all(np.isfinite(vals)):
                raise bad
            results.append(normalized_hermite_values(order, nodes) @ (weights * vals) / np.sqrt(2.0 * np.pi))
        scale = max(1.0, float(np.sqrt(np.sum(results[1] ** 2))))
        if np.max(np.abs(results[0] - results[1])) <= 1e-8 * scale:
            return results[1]
    norm = 1.0 / np.sqrt(2.0 * np.pi)

    def integrand(t: float) -> np.ndarray:
        v = float(f(np.array([t]))[0])
        return v * normalized_hermite_values(order, np.array(t)) * (np.exp(-t * t / 2.0) * norm)

    out = np.zeros(order + 1)
    for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)):
        with warnings.catch_warnings():
            warnings.simplefilter("error", IntegrationWarning)
            try:
                val, err = quad_vec(integrand, lo, hi, epsabs=1e-12, epsrel=1e-10, limit=400)
            except (IntegrationWarning, ZeroDivisionError, OverflowError) as exc:
                raise bad from exc
        if not np.all(np.isfinite(val)) or err > 1e-7:
            raise bad
        out += val
    return out


def hermite_series(activation: str | sp.Expr, order: int, method: str = "auto") -> HermiteSeries:
    """Normalized Hermite coefficients ``b_0..b_order`` of an activation, ``σ = Σ_k b_k h_k``.

    Parameters
    ----------
    activation : str or sympy.Expr
        A name (``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"``) or a SymPy expression
        in one variable.
    order : int
        Highest index, ``>= 0``.
    method : {"auto", "exact", "quadrature"}
        As in :func:`hermite_coefficients`: ``"exact"`` requires closed-form integrals,
        ``"quadrature"`` uses numerical quadrature only, ``"auto"`` tries exact first.

    Returns
    -------
    HermiteSeries

    Raises
    ------
    ParameterError
        ``order`` not a non-negative integer, unknown activation, ``E σ(G)² = ∞``, or
        ``method="exact"`` where SymPy finds no closed form.

    Notes
    -----
    ``h_k = He_k/√(k!)`` (probabilists' Hermite polynomials), orthonormal under ``N(0, 1)``; then
    ``b_0 = μ0``, ``b_1 = μ1`` and ``Σ_{k≥2} b_k² = μ*²`` (Mei & Montanari 2019, arXiv 1908.05355).
    Closed forms come from ``E[σ(G) He_k(G)] = E σ^{(k)}(G)`` (Gaussian integration by parts) for
    smooth activations and from ``E[σ(G) He_k(G)]`` directly for piecewise ones.  ReLU:
    ``b = (1/√(2π), 1/2, 1/(2√π), 0, −1/(4√(3π)), 0, …)``, ``b_k = He_{k−2}(0)/√(2π k!)`` for
    ``k ≥ 2`` (Simon, Anand & DeWeese, arXiv 2106.03186).
    """
    order = integer("order", order, low=0)
    if method not in ("auto", "exact", "quadrature"):
        raise ParameterError(f"method: must be 'auto', 'exact' or 'quadrature', got {method!r}")
    expr, var = activation_expr(activation)
    if expr.is_polynomial(var):
        return _polynomial_series(expr, var, int(order))
    return _series(expr, var, int(order), method)


def _polynomial_series(expr: sp.Expr, var: sp.Symbol, order: int) -> HermiteSeries:
    """Exact change of basis for a polynomial: peel off the leading term ``c_n x^n = c_n √(n!) h_n +
    (lower degree)`` (``He_n`` is monic) until nothing is left; coefficients stay exact."""
    poly = sp.Poly(sp.expand(expr), var)
    b = [sp.Integer(0)] * (max(order, poly.degree()) + 1)
    while not poly.is_zero:
        n = poly.degree()
        lead = poly.LC()
        b[n] = lead * sp.sqrt(sp.factorial(n))
        poly = poly - sp.Poly(lead * probabilists_hermite(n, var), var)
    coeffs = [sp.nsimplify(v) if not v.has(sp.Float) else v for v in b]
    exact = not any(v.has(sp.Float) for v in coeffs)
    second = sp.Add(*[v**2 for v in coeffs])
    return HermiteSeries(tuple(coeffs[: order + 1]), exact, sp.simplify(second) if exact else second)


def _series_closed_form_class(expr: sp.Expr) -> bool:
    """Like :func:`_closed_form_class`, with ``Max``/``Min`` pieces allowed: a polynomial in the
    variable and in ``exp``, ``erf`` and piecewise functions of it."""
    funcs = expr.atoms(sp.Function, sp.Piecewise, sp.Max, sp.Min)
    if not all(isinstance(f, _CLOSED) for f in funcs):
        return False
    dummies = {f: sp.Dummy() for f in funcs}
    try:
        sp.Poly(expr.xreplace(dummies), *expr.free_symbols, *dummies.values())
    except sp.PolynomialError:
        return False
    return True


@lru_cache(maxsize=64)
def _series(expr: sp.Expr, var: sp.Symbol, order: int, method: str) -> HermiteSeries:
    # validates E σ² < ∞ and gives E σ² (the b_k themselves are computed below, closed form or not)
    base = _coefficients(expr, var, "auto" if method == "exact" else method)
    second = base.mu0**2 + base.mu1**2 + base.mustar**2
    second = sp.simplify(second) if base.exact else sp.Float(float(second))
    if method == "exact" or (method == "auto" and _series_closed_form_class(expr)):
        kinks = bool(expr.atoms(*_KINKS))
        exact = []
        for k in range(order + 1):
            integrand = expr * probabilists_hermite(k, var) if kinks else sp.diff(expr, var, k)
            val = _gauss(integrand, var)
            if val is None:
                break
            exact.append(sp.simplify(val / sp.sqrt(sp.factorial(k))))
        if len(exact) == order + 1:
            return HermiteSeries(tuple(exact), True, second)
        if method == "exact":
            raise ParameterError(f"activation: SymPy cannot evaluate the Gaussian–Hermite integrals of "
                                 f"{expr} in closed form up to order {order}; use method='quadrature' or 'auto'")
    b = _hermite_quadrature(expr, var, order)
    return HermiteSeries(tuple(sp.Float(float(v)) for v in b), False, second)


__all__ += ["HermiteSeries", "hermite_series", "probabilists_hermite", "normalized_hermite_values"]
