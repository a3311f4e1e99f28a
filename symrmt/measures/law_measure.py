"""An :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` as a measure: quadrature nodes and atoms.

The law's density ``ρ`` on each support interval ``(a, b)`` (:meth:`CompiledLaw.support`) is
integrated by Gauss–Legendre in ``θ`` with ``x = a + (b − a) sin²(θ/2)``: the substitution makes
``ρ(x) dx/dθ`` smooth at square-root edges and bounded at hard (``|x − a|^(-1/2)``) edges, so the
rule converges fast for smooth integrands.  Atoms (:meth:`CompiledLaw.atoms`) are nodes of their
own with their masses.  The rule is exact for nothing in particular, but an expectation of a
function smooth on the support converges spectrally in ``nodes``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import integer
from ..errors import ParameterError
from .measure import Measure

__all__ = ["from_law"]


def from_law(law: Any, nodes: int = 128, **params: Any) -> Measure:
    """The law as a measure: ``nodes`` quadrature nodes per support interval, plus its atoms.

    Parameters
    ----------
    law
        An :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` (e.g. ``sr.laws.marchenko_pastur``).
    nodes
        Gauss–Legendre nodes per support interval (an integer in [8, 100000]).
    **params
        Values of the law's free parameters, by name (or bind them first with ``law.subs``).

    Returns
    -------
    Measure
        ``kind == "law"``; ``measure.law`` is the law, ``support()`` its exact support.

    Raises
    ------
    ParameterError
        Not an AlgebraicLaw, unbound parameters, a bad ``nodes``, or a law whose mass is not 1.
    """
    from ..symbolic.algebraic_law import AlgebraicLaw

    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    n = integer("nodes", nodes, low=8, high=100000)
    sol = law.compile()
    missing = [p.name for p in law.parameters if p.name not in params]
    if missing:
        raise ParameterError(f"law: bind the parameters {missing} (law.subs(...) or by name) to use "
                             "it as a measure")
    support = sol.support(**params)
    atoms = sol.atoms(**params)
    t, w = np.polynomial.legendre.leggauss(n)
    th = 0.5 * np.pi * (t + 1.0)
    wt = 0.5 * np.pi * w
    xs, ws = [], []
    for a, b in support:
        if b <= a:
            continue
        x = np.where(th <= 0.5 * np.pi, a + (b - a) * np.sin(0.5 * th) ** 2, b - (b - a) * np.cos(0.5 * th) ** 2)
        rho = sol.density(x, **params)
        xs.append(x)
        ws.append(wt * rho * 0.5 * (b - a) * np.sin(th))
    for x0, m0 in atoms:
        xs.append(np.array([x0]))
        ws.append(np.array([m0]))
    if not xs:
        raise ParameterError(f"law: {law.name} has no support at {params}")
    x = np.concatenate(xs)
    wv = np.concatenate(ws)
    total = float(wv.sum())
    if not abs(total - 1.0) <= 1e-3:
        raise ParameterError(f"law: the density of {law.name} integrates to {total:.6g}, not 1, at {params}; "
                             "is it a probability law at these parameters?")
    order = np.argsort(x, kind="stable")
    desc = f"{law.name} ({n} nodes per interval)" + (f" at {params}" if params else "")
    return Measure(x[order], wv[order] / total, "law", desc, law=law,
                   exact_support=[(float(a), float(b)) for a, b in support])
