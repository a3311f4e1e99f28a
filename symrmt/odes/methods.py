"""Designing and running Runge--Kutta methods: order conditions, their solutions, adjoints, steps.

* :func:`order_conditions` -- the equations ``Φ(t) = 1/γ(t)`` for every rooted tree ``|t| <= p``,
  exact, in the symbolic entries of a tableau (Butcher 1963; Hairer, Nørsett & Wanner I, II.2);
* :func:`solve_order_conditions` -- the families of coefficients that reach order ``p``;
* :func:`adjoint` -- the method ``Φ*_h = Φ_{-h}^{-1}`` (Hairer, Lubich & Wanner, *Geometric
  Numerical Integration*, II.3 and V.1): ``A*_ij = b_{s+1-j} − A_{s+1-i, s+1-j}``,
  ``b*_i = b_{s+1-i}``; a method is symmetric iff it equals its adjoint up to a permutation;
* :func:`run` -- the numerical flow of a tableau on a field (NumPy; implicit stages by a
  fixed-point iteration on the stage derivatives, then Newton's method when it stalls).

Examples
--------
>>> import sympy as sp
>>> from symrmt.odes import Tableau, solve_order_conditions
>>> a21, b1, b2 = sp.symbols("a21 b1 b2")
>>> fam = Tableau([[0, 0], [a21, 0]], [b1, b2], name="2-stage explicit")
>>> sol = solve_order_conditions(fam, 2, unknowns=[b1, b2])
>>> sorted((str(k), str(v)) for k, v in sol[0].items())
[('b1', '(2*a21 - 1)/(2*a21)'), ('b2', '1/(2*a21)')]
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from .._checks import finite_array, integer, positive
from ..errors import ConvergenceError, ParameterError
from .bseries import exact_weights, rk_weights
from .tableaux import MethodLike, Tableau, as_tableau
from .trees import tree_str, trees_upto

__all__ = ["order_conditions", "solve_order_conditions", "adjoint", "is_symmetric", "symmetry_order", "run"]


def order_conditions(method: MethodLike, order: int) -> list[tuple[str, sp.Eq]]:
    """``(tree, Φ(t) = 1/γ(t))`` for every rooted tree with ``|t| <= order``.

    Parameters
    ----------
    method
        A tableau (its entries may be SymPy symbols) or a catalogue name.
    order
        The order ``p`` to reach (``1 <= p <= 12``).

    Returns
    -------
    list of (str, sympy.Eq)
        The tree (bracket notation) and its condition; a condition that holds identically is
        ``True``, one that cannot hold ``False`` (SymPy's evaluation of ``Eq``).  The method has order ``p`` exactly when every condition
        holds (Butcher's theorem).
    """
    return [(label, sp.Eq(lhs, rhs)) for label, lhs, rhs in _conditions(method, order)]


def _conditions(method: MethodLike, order: int) -> list[tuple[str, sp.Expr, sp.Expr]]:
    p = integer("order", order, low=1, high=12)
    a, e = rk_weights(method, p), exact_weights(p)
    return [(tree_str(t), sp.simplify(a[t]), e[t]) for t in trees_upto(p)]


def solve_order_conditions(method: MethodLike, order: int, unknowns: Sequence[sp.Symbol] | None = None) -> list[dict]:
    """The solutions of :func:`order_conditions` in the tableau's parameters.

    Parameters
    ----------
    method
        A :class:`Tableau` with symbolic entries.
    order
        The order to reach.
    unknowns
        The symbols to solve for (default: all parameters of the tableau; the rest stay free).

    Returns
    -------
    list of dict
        Each a map from unknowns to expressions in the remaining parameters (SymPy's ``solve``;
        an empty list when no coefficients reach the order).

    Raises
    ------
    ParameterError
        A tableau without parameters, or unknowns that are not among them.
    """
    tab = as_tableau(method)
    params = tab.parameters
    if not params:
        raise ParameterError(f"method: {tab.name} has no symbolic entries to solve for")
    wanted = list(params) if unknowns is None else list(unknowns)
    bad = [u for u in wanted if u not in params]
    if bad:
        raise ParameterError(f"unknowns: {bad} are not parameters of {tab.name} ({list(params)})")
    eqs = [sp.simplify(lhs - rhs) for _, lhs, rhs in _conditions(tab, order)]
    if any(e.is_number and e != 0 for e in eqs):
        return []
    eqs = [e for e in eqs if not (e.is_number and e == 0)]
    if not eqs:
        return [{}]
    sols = sp.solve(eqs, wanted, dict=True)
    return [{k: sp.factor(v) for k, v in s.items()} for s in sols]


def adjoint(method: MethodLike) -> Tableau:
    """The adjoint method ``Φ*_h = Φ_{-h}^{-1}``: ``A*_ij = b_{s+1-j} − A_{s+1-i,s+1-j}``,
    ``b*_i = b_{s+1-i}`` (stages in reverse order).  The adjoint of explicit Euler is implicit
    Euler; the implicit midpoint rule and the Gauss methods are their own adjoints."""
    tab = as_tableau(method)
    s = tab.stages
    A = [[tab.b[s - 1 - j] - tab.A[s - 1 - i, s - 1 - j] for j in range(s)] for i in range(s)]
    b = [tab.b[s - 1 - i] for i in range(s)]
    return Tableau(A, b, name=f"adjoint({tab.name})")


def is_symmetric(method: MethodLike, order: int = 8) -> bool:
    """Whether the method equals its adjoint on every tree up to ``order`` (B-series test: the
    elementary weights of the method and of its adjoint agree), decided exactly."""
    tab = as_tableau(method)
    a, b = rk_weights(tab, order), rk_weights(adjoint(tab), order)
    return all(sp.simplify(a[t] - b[t]) == 0 for t in a)


def symmetry_order(method: MethodLike, max_order: int = 10) -> int:
    """The largest ``q <= max_order`` with the method's B-series equal to its adjoint's on every
    tree of order ``<= q`` (``max_order`` for a symmetric method): the order to which an explicit,
    effectively symmetric scheme (:func:`~symrmt.odes.tableaux.ees25`) behaves symmetrically."""
    from .trees import trees

    tab = as_tableau(method)
    q = integer("max_order", max_order, low=1, high=12)
    a, b = rk_weights(tab, q), rk_weights(adjoint(tab), q)
    for n in range(1, q + 1):
        if any(sp.simplify(a[t] - b[t]) != 0 for t in trees(n)):
            return n - 1
    return q


def run(method: MethodLike, f: Callable[[np.ndarray], np.ndarray], y0: Any, h: float, steps: int,
        *, tol: float = 1e-13, maxit: int = 100) -> np.ndarray:
    """The numerical flow ``y_{k+1} = Φ_h(y_k)`` of a tableau on ``y' = f(y)`` (NumPy, float64).

    Parameters
    ----------
    method
        A tableau with numeric entries or a catalogue name.
    f
        The field: a function from a float array of shape ``(dim,)`` to one of the same shape.
    y0
        The initial state (array-like of finite floats, shape ``(dim,)``).
    h
        The step (non-zero; negative steps run backwards).
    steps
        The number of steps (``0 <= steps <= 10⁷``).
    tol, maxit
        Implicit stages: the relative tolerance on the stage derivatives and the iterations of the
        fixed point ``K_i = f(y + h Σ_j A_ij K_j)`` (Newton's method with a finite-difference
        Jacobian takes over when it stalls).

    Returns
    -------
    numpy.ndarray
        The trajectory, shape ``(steps + 1, dim)``, ``y0`` first.

    Raises
    ------
    ParameterError
        Symbolic entries, bad ``y0``/``h``/``steps``, or a field returning another shape or
        non-finite values.
    ConvergenceError
        Implicit stages that do not converge.
    """
    tab = as_tableau(method)
    if tab.parameters:
        raise ParameterError(f"method: {tab.name} has symbolic entries {list(tab.parameters)}; substitute numbers first")
    A = np.array(tab.A.evalf(17).tolist(), dtype=float)
    b = np.array([float(x) for x in tab.b.evalf(17)], dtype=float)
    y = finite_array("y0", y0).astype(float).reshape(-1)
    if not (isinstance(h, (int, float, np.floating)) and np.isfinite(h) and h != 0):
        raise ParameterError(f"h: expected a finite non-zero step, got {h!r}")
    n = integer("steps", steps, low=0, high=10**7)
    positive("tol", tol)
    dim, s = y.size, b.size

    def field(x: np.ndarray) -> np.ndarray:
        v = np.asarray(f(x), dtype=float).reshape(-1)
        if v.shape != (dim,) or not np.all(np.isfinite(v)):
            raise ParameterError(f"f: expected finite values of shape ({dim},), got {v.shape} "
                                 f"{'with non-finite entries' if v.shape == (dim,) else ''}".rstrip())
        return v

    explicit = tab.is_explicit
    out = np.empty((n + 1, dim))
    out[0] = y
    K = np.zeros((s, dim))
    for k in range(n):
        if explicit:
            for i in range(s):
                K[i] = field(y + h * (A[i, :i] @ K[:i]))
        else:
            K = _implicit_stages(field, A, y, h, K if k else np.tile(field(y), (s, 1)), tol, maxit)
        y = y + h * (b @ K)
        out[k + 1] = y
    return out


def _implicit_stages(field, A, y, h, K, tol, maxit):
    """Stage derivatives of an implicit step: fixed point, then Newton on ``G(K) = K − f(y + hAK)``."""
    s, dim = K.shape

    def G(Kf: np.ndarray) -> np.ndarray:
        Km = Kf.reshape(s, dim)
        return (Km - np.array([field(y + h * (A[i] @ Km)) for i in range(s)])).reshape(-1)

    for _ in range(maxit):
        new = np.array([field(y + h * (A[i] @ K)) for i in range(s)])
        if np.max(np.abs(new - K)) <= tol * (1.0 + np.max(np.abs(new))):
            return new
        K = new
    Kf = K.reshape(-1)
    for _ in range(maxit):
        g = G(Kf)
        if np.max(np.abs(g)) <= tol * (1.0 + np.max(np.abs(Kf))):
            return Kf.reshape(s, dim)
        eps = 1e-7 * (1.0 + np.abs(Kf))
        J = np.empty((Kf.size, Kf.size))
        for j in range(Kf.size):
            d = np.zeros_like(Kf)
            d[j] = eps[j]
            J[:, j] = (G(Kf + d) - g) / eps[j]
        try:
            Kf = Kf - np.linalg.solve(J, g)
        except np.linalg.LinAlgError:
            break
    raise ConvergenceError(f"implicit stages did not converge within {maxit} iterations (step h = {h}); "
                           "use a smaller step")
