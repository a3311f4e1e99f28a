"""A registered derivation from any trace expression of declared random matrices.

:func:`from_expression` binds the deterministic equivalent of the expression
(:func:`symrmt.matrices.deterministic_equivalent`: pencil -> Dyson equation -> System) to the
simulation of the same expression (:func:`symrmt.simulate.matrix_expressions.simulate_traces`)
and to the learning-curve kind's verdict (signed relative deviation extrapolated in the size),
so ``verify`` works on any expression with no extra code.  A complex scalar (a spectral ``z``)
becomes two real parameters ``<name>_re`` and ``<name>_im``; the compared quantity is the real
(``part="real"``) or imaginary (``part="imag"``) part of the limit.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import ParameterError
from .from_model import SystemDerivation, _name
from .learning import system_equations
from .parameters import Parameter

__all__ = ["ExpressionDerivation", "from_expression"]


class _Parts:
    """A SolveResult's ``value`` split into real and imaginary parts."""

    def __init__(self, res) -> None:
        self.converged = res.converged
        v = np.asarray(res["value"])
        self._values = {"value": np.real(v), "value_imag": np.imag(v)}

    def __getitem__(self, name: str):
        return self._values[name]


class ExpressionDerivation(SystemDerivation):
    """The limit of ``c0 + Σ c_k tr(A_k)`` (its System) against draws of the matrices at size ``n``."""

    def __init__(self, expression: Any, name: str, defaults: Mapping[str, Any], *, part: str = "real",
                 system: Any = None, sizes: Sequence[int] | None = None, reference: str = "") -> None:
        from ..matrices import N, deterministic_equivalent, trace_terms

        if part not in ("real", "imag"):
            raise ParameterError(f"part: 'real' or 'imag', got {part!r}")
        self.expression = expression
        self.constant, self.terms = trace_terms(expression)
        self.system = deterministic_equivalent(expression) if system is None else system
        self._size_symbol = N
        self.name = _name(name, "name")
        self.quantity = "value" if part == "real" else "value_imag"
        self.summary = f"deterministic equivalent of {sp.sstr(expression)}"
        self.reference = reference or ("linear pencil + block Dyson equation (Helton, Mai & Speicher, "
                                       "arXiv 1511.05330)")
        if not isinstance(defaults, Mapping):
            raise ParameterError("defaults: expected a mapping {scalar name: value}")
        names = sorted({s.name for s in self.system.parameters}
                       | {s.name for c, a in self.terms for s in (sp.sympify(c).free_symbols | a.free_symbols)}
                       | {s.name for s in sp.sympify(self.constant).free_symbols})
        names = [k for k in names if k != N.name]
        missing, extra = sorted(set(names) - set(defaults)), sorted(set(defaults) - set(names))
        if missing or extra:
            raise ParameterError(f"defaults: need exactly the scalars {names}; missing {missing}, unknown {extra}")
        self._complex = [k for k in names if np.iscomplexobj(defaults[k]) and complex(defaults[k]).imag != 0]
        params = []
        for k in names:
            if k in self._complex:
                v = complex(defaults[k])
                params += [Parameter(f"{k}_re", v.real, f"Re {k}"), Parameter(f"{k}_im", v.imag, f"Im {k}", low=0)]
            else:
                params.append(Parameter(k, defaults[k], k))
        self.parameters = tuple(params)
        self._names = names
        if sizes is not None:
            self.sizes = self.quick_sizes = tuple(int(s) for s in sizes)
        self._shapes = None

    def _values(self, params: Mapping[str, Any]) -> dict:
        out = {}
        for k in self._names:
            out[k] = (np.asarray(params[f"{k}_re"]) + 1j * np.asarray(params[f"{k}_im"]) if k in self._complex
                      else params[k])
        return out

    def equations(self):
        return system_equations(self.system, self.system.name)

    def solve_arrays(self, **params):
        from .._checks import broadcast

        vals = self._values(params)
        used = {p.name for p in self.system.parameters}
        grid = broadcast({k: np.asarray(v) for k, v in vals.items() if k in used})
        return _Parts(self.system.compile().solve(strict=False, **grid))

    def shapes(self, n, **params):
        from ..simulate.matrix_expressions import matrix_dimension

        vals = {sp.Symbol(k, positive=True): v for k, v in params.items()}
        syms = {s.name: s for _, a in self.terms for s in a.free_symbols}
        vals = {syms[k.name]: sp.Float(v) for k, v in vals.items() if k.name in syms}
        out = []
        for _, a in self.terms:
            try:
                d = [matrix_dimension(x, n, vals, self._size_symbol) for x in a.shape]
            except ParameterError:
                d = [n, n]
            out += [(d[0], d[1]), (d[0], d[0])]
        return out

    def run_simulation(self, n, trials, seed, device, **params):
        from ..simulate.matrix_expressions import simulate_traces

        return simulate_traces(self.terms, n, trials, seed, device, values=self._values(params),
                               size_symbol=self._size_symbol, constant=self.constant)


def from_expression(expression: Any, name: str = "expression", defaults: Mapping[str, Any] | None = None, *,
                    part: str = "real", system: Any = None, sizes: Sequence[int] | None = None,
                    reference: str = "") -> ExpressionDerivation:
    """A registered-style derivation of ``expression`` (a linear combination of normalized traces).

    Parameters
    ----------
    expression : sympy.Expr
        ``c0 + Σ c_k tr(A_k)`` of declared matrices (see :func:`symrmt.matrices.deterministic_equivalent`).
    name : str
        Registry name.
    defaults : mapping
        A value for every scalar of the expression (dimension ratios, variances, ``z``, ``λ``);
        a complex value (``z``) becomes two real parameters ``z_re``, ``z_im``.
    part : str
        Compare the real (default) or imaginary part of the trace.
    system : System, optional
        The theory to use instead of the expression's own deterministic equivalent (e.g. from a
        pencil with a block dropped: a control that must come out "disagrees").
    sizes : sequence of int, optional
        The ladder of reference sizes ``verify`` runs.
    reference : str
        One line.

    Returns
    -------
    ExpressionDerivation
        ``solve``, ``simulate(n, trials, seed, device, ...)``, ``verify(...)`` as any
        learning-curve derivation; the quantity ``value`` (or ``value_imag``).

    Raises
    ------
    ParameterError
        A bad expression (see :func:`~symrmt.matrices.deterministic_equivalent`), defaults that
        do not match its scalars, a bad ``part``.

    Examples
    --------
    >>> import sympy as sp, symrmt as sr
    >>> from symrmt import matrices as mx
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> X = mx.gaussian("X", 1, sp.Rational(1, 2))
    >>> d = sr.registry.from_expression(mx.tr((X.T * X / mx.N + lam * mx.identity(sp.Rational(1, 2))) ** -1),
    ...                                 "mp-resolvent", {"lambda": 0.5})
    >>> [p.name for p in d.parameters]
    ['lambda']
    """
    if defaults is None:
        raise ParameterError("defaults: give a value for every scalar of the expression")
    return ExpressionDerivation(expression, name, defaults, part=part, system=system, sizes=sizes,
                                reference=reference)

