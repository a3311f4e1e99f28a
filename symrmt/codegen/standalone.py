"""Standalone solver modules: the generated source, needing only numpy and numba.

A user drops the file into a project and calls ``stieltjes(z, **params)``, ``density(x, **params)``,
``cdf(x, **params)``, ``support(**params)``, ``atoms(**params)`` (laws) or ``solve(**params)``
(systems); see the module's docstring for its conventions.  A law module carries the text of
:mod:`symrmt.codegen.law_runtime` (the numerics behind ``CompiledLaw.stieltjes``/``support``/
``cdf``/``atoms``, the same code) followed by the thin wrappers :data:`LAW_FACE`.  A System whose expectations hold
measures (a learning model's data spectrum) carries their atoms and weights as ``MEASURES``, the
default of ``solve(measures_=...)`` (:data:`MEASURES_FACE`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from . import law_runtime
from .cache import _TRAILER, atomic_write, seal, standalone_text

__all__ = ["standalone_source", "write_standalone"]

#: the first line of the part of :mod:`symrmt.codegen.law_runtime` a standalone law module embeds
RUNTIME_MARKER = "# --- law runtime: the text from here on is embedded in standalone law modules ---"

#: the law functions of a standalone module on top of the embedded runtime (its own module's
#: kernels, parameters checked by the generated ``_broadcast_law``)
LAW_FACE = '''

class _Here:
    """This module's own functions, as the law runtime above reads them."""

    def __getattr__(self, name):
        try:
            return globals()[name]
        except KeyError:
            raise AttributeError(name) from None


_NUMERICS = LawNumerics(_Here(), META["name"], RuntimeError)


def _scalar_row(params):
    _, _, pv = _broadcast_law(0.0, params)
    if pv.shape[0] != 1:
        raise ValueError("support/atoms take scalar parameters; loop over parameter values (cdf accepts arrays)")
    return pv[0]


def stieltjes_full(z, tol_=1e-14, eta0_=1e-10, **params):
    """Physical Stieltjes transform m(z) and per-point report (converged, residual, iterations).

    Convention m(z) = int rho(x) / (x - z) dx; Im z >= 0 (real z: the limit from above).  The
    kernel above, with points next to an atom solved as LawNumerics.run does (the same values as
    CompiledLaw.stieltjes).
    """
    shape, zf, pv = _broadcast_law(z, params)
    if np.any(zf.imag < 0):
        raise ValueError("z: need Im z >= 0 (the upper half-plane or the real axis)")
    out, conv, res, its, err = _NUMERICS.run(np.ascontiguousarray(zf), pv, tol_, eta0_)
    return out.reshape(shape), conv.reshape(shape), res.reshape(shape), its.reshape(shape)


def atoms(**params):
    """Atoms [(x, mass), ...] of the law: poles of the physical branch on the real axis."""
    return _NUMERICS.atoms(_scalar_row(params))


def support(**params):
    """Support as sorted intervals [(a, b), ...]; atoms outside them appear as (x, x)."""
    return _NUMERICS.support(_scalar_row(params))


def cdf(x, **params):
    """Cumulative distribution F(x) = mu((-inf, x]), atoms included (right-continuous)."""
    shape, zf, pv = _broadcast_law(np.asarray(x, dtype=np.float64), params)
    return _NUMERICS.cdf(np.ascontiguousarray(zf.real), pv).reshape(shape)
'''


#: the solve() of a standalone System module with its own measures as the default ``measures_``
MEASURES_FACE = '''

_solve_given_measures = solve


def solve(maxit_=100, tol_=1e-13, ftol_=1e-10, measures_=None, **params):
    """solve() above with this System's own measures (MEASURES, slot order) unless measures_ is given."""
    return _solve_given_measures(maxit_, tol_, ftol_, MEASURES if measures_ is None else measures_, **params)
'''


def _array_literal(a: Any) -> str:
    """``np.array([...])`` reproducing the float64 array ``a`` exactly (``repr`` round-trips)."""
    import numpy as np

    arr = np.ascontiguousarray(a, dtype=np.float64)
    return f"np.array({[float(v) for v in arr.ravel()]!r}).reshape({arr.shape!r})"


def _with_measures(sealed: str, measures: Any) -> str:
    """A sealed System module with its measures' data and :data:`MEASURES_FACE` appended, sealed
    again; unchanged when the System has no measures or only solve-time placeholders."""
    measures = [mu for mu in measures if mu is not None]
    if not measures:
        return sealed
    pairs = ",\n    ".join(f"({_array_literal(mu.points)},\n     {_array_literal(mu.weights)})" for mu in measures)
    block = ("\n\n#: the measures of the System's expectations, slot order: (points, weights) per slot\n"
             f"MEASURES = (\n    {pairs},\n)\n" + MEASURES_FACE)
    body = sealed.rpartition(_TRAILER)[0] if _TRAILER in sealed else sealed
    return seal(body.rstrip("\n") + "\n" + block)


def _runtime_text() -> str:
    text = Path(law_runtime.__file__).read_text(encoding="utf-8")
    return text[text.index(RUNTIME_MARKER):]


def _with_law_runtime(sealed: str) -> str:
    """A sealed law module with the runtime and :data:`LAW_FACE` appended, sealed again."""
    body = sealed.rpartition(_TRAILER)[0] if _TRAILER in sealed else sealed
    return seal(body.rstrip("\n") + "\n\n\n" + _runtime_text().rstrip("\n") + "\n" + LAW_FACE)


def standalone_source(obj: Any) -> str:
    """Source of a standalone solver module for an AlgebraicLaw, a System or their compiled forms."""
    from ..symbolic.laws import AlgebraicLaw
    from ..symbolic.system import System
    from .compile import canonical_system, law_source, system_source
    from .law import CompiledLaw
    from .solved import CompiledSystem

    if isinstance(obj, CompiledLaw):
        return _with_law_runtime(standalone_text(Path(obj.module.__file__)))
    if isinstance(obj, CompiledSystem):
        return _with_measures(standalone_text(Path(obj.module.__file__)), obj.measures)
    if isinstance(obj, AlgebraicLaw):
        return _with_law_runtime(seal(law_source(obj)))
    if isinstance(obj, System):
        return _with_measures(seal(system_source(obj)), canonical_system(obj)[1])
    raise ParameterError(f"obj: expected an AlgebraicLaw, a System or a compiled one, got {type(obj).__name__}")


def write_standalone(obj: Any, path: str | os.PathLike) -> Path:
    """Write the standalone solver module of ``obj`` to ``path``; returns the path.

    Parameters
    ----------
    obj
        An :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` (free parameters become
        arguments of every function), a :class:`~symrmt.symbolic.system.System`, or their
        compiled forms — e.g. ``symrmt.load(name).codegen_target()``, what ``symrmt codegen
        NAME -o FILE`` writes.  A law's module has ``stieltjes``, ``density``, ``cdf``,
        ``support`` and ``atoms``; a System's has ``solve(**params)``, a dict of arrays with
        every unknown and observable, ``converged`` and ``residual``.  A System whose
        expectations (``sr.expect``) hold measures carries their data as ``MEASURES``, the default
        of ``solve(measures_=...)``; other measures are passed as ``[(points, weights), ...]`` in
        slot order (placeholders with no data must be passed so).
    path
        A ``.py`` file in an existing directory.  It is written atomically, with the
        permissions of a normally created file (``0666`` under the umask, e.g. ``0644``).

    Raises
    ------
    ParameterError
        An object of another type, a path not ending in ``.py`` or in a missing directory.

    Examples
    --------
    >>> import sympy as sp, tempfile, pathlib
    >>> import symrmt as sr
    >>> from symrmt.codegen import write_standalone
    >>> law = sr.laws.marchenko_pastur(sp.Rational(1, 2))
    >>> out = write_standalone(law, pathlib.Path(tempfile.mkdtemp()) / "mp_half.py")  # doctest: +SKIP
    >>> ridge = sr.load("ridge").codegen_target()      # the model's System, Σ = I as its measure
    >>> out = write_standalone(ridge, pathlib.Path(tempfile.mkdtemp()) / "ridge.py")  # doctest: +SKIP
    """
    p = Path(path)
    if p.suffix != ".py":
        raise ParameterError(f"path: must end in .py (an importable module), got {str(p)!r}")
    if not p.parent.is_dir():
        raise ParameterError(f"path: directory {str(p.parent)!r} does not exist")
    atomic_write(p, standalone_source(obj), shared=True)
    return p
