"""``deterministic_equivalent``: a trace of a rational matrix expression -> a System for its limit.

The steps, in order: the trace expression is split into ``c0 + Σ c_k tr(A_k)``
(:func:`~symrmt.matrices.expressions.trace_terms`); each ``A_k`` is linearized into a reduced,
numerically checked pencil (:func:`~symrmt.matrices.pencil.linearize`); the block Dyson equation
of the pencils gives the equations in the block traces (:mod:`~symrmt.matrices.dyson`); the
result is a :class:`DeterministicEquivalent`, a :class:`~symrmt.symbolic.system.System` whose
observable ``value`` is the limit of the expression.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import ParameterError
from ..symbolic.system import System
from .dyson import dyson_system
from .expressions import trace_terms
from .pencil import Pencil, linearize

__all__ = ["DeterministicEquivalent", "deterministic_equivalent", "pencils"]

_SPECTRAL_NAMES = ("z", "lambda", "lam", "ridge")


class DeterministicEquivalent(System):
    """A System derived from a trace expression; ``compile()`` defaults to continuation in its
    spectral parameter (``spectral``: the branch is the one reached from ``Im → +∞``).

    Attributes
    ----------
    spectral : str or None
        The parameter continued from a large imaginary part at each cold start (``z`` of a
        resolvent ``(A − z)⁻¹``, or ``λ`` of ``(A + λ)⁻¹``: a real ``λ > 0`` is reached from
        ``λ + i∞``); solve with ``Im >= 0`` there.
    pencils : list of (coefficient, Pencil) or (coefficient, Pencil, (s, at))
        The pencils the equations come from (a third entry: the term is a derivative in ``s``,
        :func:`symrmt.matrices.derivative`).
    expression : sympy.Expr or None
        The trace expression.
    """

    def __init__(self, equations, unknowns, parameters, observables=None, domains=None, initial=None,
                 name: str = "deterministic-equivalent", spectral: str | None = None) -> None:
        super().__init__(equations, unknowns, parameters, observables, domains, initial, name)
        names = [p.name for p in self.parameters]
        if spectral is not None and spectral not in names:
            raise ParameterError(f"spectral: must name a parameter of the system {names}, got {spectral!r}")
        self.spectral = spectral
        self.pencils: list = []
        self.expression = None

    def compile(self, **options: Any):
        """As :meth:`System.compile`, with ``spectral`` defaulting to :attr:`spectral`."""
        if self.spectral is not None:
            options.setdefault("spectral", self.spectral)
        return super().compile(**options)


def _spectral(spectral: Any, symbols: set) -> str | None:
    names = {s.name for s in symbols}
    if spectral is False:
        return None
    if spectral is None:
        return next((k for k in _SPECTRAL_NAMES if k in names), None)
    key = spectral.name if isinstance(spectral, sp.Symbol) else spectral
    if key not in names:
        raise ParameterError(f"spectral: must name a scalar of the expression {sorted(names)}, got {spectral!r}")
    return key


def pencils(expr: Any, *, check: bool = True) -> tuple[sp.Expr, list[tuple]]:
    """``(c0, [(c_k, pencil of A_k)])`` for ``expr = c0 + Σ c_k tr(A_k)``; a term
    :func:`symrmt.matrices.derivative` of a trace is ``(c_k, pencil of A_k, (s, at))``."""
    c0, terms = trace_terms(expr, derivatives=True)
    return c0, [(c, linearize(a, check=check)) if spec is None else (c, linearize(a, check=check), spec)
                for c, a, spec in terms]


def deterministic_equivalent(expr: Any, *, spectral: Any = None, name: str = "deterministic-equivalent",
                             pencil: Sequence[tuple[Any, Pencil]] | Pencil | None = None
                             ) -> DeterministicEquivalent:
    """The deterministic equivalent of a linear combination of normalized traces, as a System.

    Parameters
    ----------
    expr : sympy.Expr
        ``c0 + Σ_k c_k tr(A_k)`` with ``tr`` = :func:`symrmt.matrices.tr` and each ``A_k`` a
        rational expression of declared matrices (:func:`~symrmt.matrices.gaussian`,
        :func:`~symrmt.matrices.wigner`, :func:`~symrmt.matrices.deterministic`, identities,
        scalars), ``O(1)`` as ``n → ∞`` (Gaussian matrices scaled by ``1/√n``).  Derivatives
        in a scalar (``sympy.diff(tr(...), lam)``) are traces again; an unevaluated
        :func:`symrmt.matrices.derivative` is derived by differentiating the
        trace's equations implicitly (fewer unknowns than the pencil of the derivative).
    spectral : Symbol, str or False, optional
        The scalar in which cold starts continue from a large imaginary part (the branch rule):
        default the scalar named ``z``, else ``lambda``/``lam``/``ridge``; ``False`` for none.
        Solve with ``Im >= 0`` in it (a real ``λ > 0`` of ``(A + λ)⁻¹`` is reached from above).
    name : str
        The System's name.
    pencil : Pencil or list of (coefficient, Pencil), optional
        Use these pencils instead of linearizing ``expr`` (e.g. an edited, wrong one for a
        control); ``expr`` then only fixes the constant ``c0``.

    Returns
    -------
    DeterministicEquivalent
        A :class:`~symrmt.symbolic.system.System`: unknowns the block traces of the pencils'
        Dyson equation left after exact eliminations, parameters every scalar (dimension ratios,
        variances, ``z``, ``λ``, ...), observable ``value`` (the limit of ``expr``).
        ``.compile().solve(...)`` like any System.

    Raises
    ------
    ParameterError
        ``expr`` is not a linear combination of normalized traces of rational expressions of
        declared matrices, has incompatible shapes, a non-square inverse, no ``O(1)`` limit, or
        two deterministic matrices in one dimension.

    Examples
    --------
    Marchenko–Pastur (docs/architecture.md: ``XᵀX/n``, ``X`` of shape ``n × γn``):

    >>> import sympy as sp
    >>> from symrmt import matrices as mx
    >>> g, z = sp.Symbol("gamma", positive=True), sp.Symbol("z")
    >>> X = mx.gaussian("X", 1, g)
    >>> sys = mx.deterministic_equivalent(mx.tr((X.T * X / mx.N - z * mx.identity(g)) ** -1))
    >>> [u.name for u in sys.unknowns], [p.name for p in sys.parameters]
    (['m0_0_0'], ['gamma', 'z'])

    References: Helton, Mai & Speicher, arXiv 1511.05330 (linearizations); Adlam & Pennington,
    arXiv 2008.06786 (the Dyson equation of a pencil with Gaussian blocks).
    """
    if pencil is None:
        c0, parts = pencils(expr)
    else:
        c0, _ = trace_terms(expr)
        parts = [(sp.Integer(1), pencil)] if isinstance(pencil, Pencil) else [(sp.sympify(c), p) for c, p in pencil]
        for _, p in parts:
            if not isinstance(p, Pencil):
                raise ParameterError(f"pencil: expected a Pencil or [(coefficient, Pencil)], got {p!r}")
    syms = set(expr.free_symbols) | set().union(*[sp.sympify(item[0]).free_symbols for item in parts])
    for item in parts:
        p = item[1]
        syms |= set().union(*[sp.sympify(c).free_symbols for e in p.entries.values() for c in e.values()])
    sys = dyson_system(parts, c0, spectral=_spectral(spectral, syms), name=name, cls=DeterministicEquivalent)
    sys.pencils = parts
    sys.expression = expr
    return sys
