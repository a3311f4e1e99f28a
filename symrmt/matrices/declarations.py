"""Declared matrices: SymPy matrix symbols that know their law (Gaussian, Wigner, deterministic).

Every dimension is a ratio times the reference size ``n`` (the symbol :data:`N`): a declaration
takes the ratios (numbers or positive SymPy Symbols, e.g. ``gamma``) and the matrix symbol has the
shape ``(ratio_rows·n, ratio_cols·n)``, so SymPy's matrix expressions (products, sums,
transposes, inverses) carry the shapes symbolically.

Conventions (docs/matrices.md):

* :func:`gaussian` -- i.i.d. entries ``N(0, variance)``, *not* normalized: ``XᵀX/n`` is the
  Marchenko–Pastur matrix of docs/architecture.md (``X`` of shape ``n × γn``);
* :func:`wigner` -- the symmetric ``σ(G + Gᵀ)/√(2 s n)`` of size ``s n``: normalized, its
  spectrum tends to the semicircle of variance ``σ²`` (radius ``2σ``);
* :func:`deterministic` -- a symmetric matrix of size ``s n`` whose spectral measure tends to a
  given measure (Haar-rotated; with Gaussian and Wigner neighbours, which are orthogonally
  invariant, a diagonal matrix has the same joint law); its real powers ``D**a`` are allowed.
  Several deterministic matrices of one dimension are a *commuting family* when they are the
  coordinates of one joint measure (``deterministic(name, size, joint_measure, coordinate=k)``):
  diagonal in one basis, with the joint law of their diagonals given.
"""
from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.symbol import Str

from ..errors import ParameterError
from ..symbolic.expect import MeasureRef
from ..symbolic.parsing import to_exact

__all__ = ["N", "DeclaredMatrix", "gaussian", "wigner", "deterministic", "identity", "KINDS"]

#: the reference size ``n``: every dimension is a ratio times ``n``
N = sp.Symbol("n", positive=True)
KINDS = ("gaussian", "wigner", "deterministic")


def _ratio(value: Any, what: str) -> sp.Expr:
    """A dimension ratio: a positive number or a positive expression in Symbols other than ``n``."""
    if isinstance(value, str):
        raise ParameterError(f"{what}: expected a positive number or SymPy expression, got the string {value!r}")
    if isinstance(value, sp.Basic):
        ex = value
        if not isinstance(ex, sp.Expr) or isinstance(ex, sp.MatrixExpr):
            raise ParameterError(f"{what}: expected a scalar ratio, got {ex!r}")
    else:
        try:
            ex = to_exact(value, what)
        except ParameterError:
            raise
        except Exception as exc:  # pragma: no cover - to_exact names its failures itself
            raise ParameterError(f"{what}: expected a positive number, got {value!r}") from exc
    if N in ex.free_symbols:
        raise ParameterError(f"{what}: give the dimension as a ratio to n (e.g. 1 or gamma), not in n itself; "
                             f"got {ex}")
    if ex.is_number and not (ex.is_real and ex > 0):
        raise ParameterError(f"{what}: a dimension ratio must be > 0, got {ex}")
    if not ex.is_number and ex.is_positive is not True:
        raise ParameterError(f"{what}: a symbolic ratio must be positive (declare its Symbols positive=True), "
                             f"got {ex}")
    return ex


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
        raise ParameterError(f"name: must be an identifier of at most 40 characters, got {name!r}")
    return name


class DeclaredMatrix(sp.MatrixSymbol):
    """A matrix symbol with its law: ``args = (name, rows, cols, kind, variance, measure)``.

    ``kind`` is ``"gaussian"``, ``"wigner"`` or ``"deterministic"``; ``variance`` a positive
    scalar expression (Gaussian, Wigner) or, for a deterministic matrix, ``1 +`` its coordinate in
    its measure (1 for a measure on the line); ``measure`` a
    :class:`~symrmt.symbolic.expect.MeasureRef` (deterministic) or the string ``"none"``.  Equal
    declarations compare equal.
    """

    def __new__(cls, name, rows, cols, kind, variance, measure):
        obj = sp.MatrixSymbol.__new__(cls, name, rows, cols)
        kind = kind if isinstance(kind, Str) else Str(str(kind))
        measure = measure if isinstance(measure, (Str, MeasureRef)) else Str(str(measure))
        obj._args = (*obj._args[:3], kind, sp.sympify(variance), measure)
        return obj

    @property
    def kind(self) -> str:
        return self.args[3].name

    @property
    def variance(self) -> sp.Expr:
        return self.args[4]

    @property
    def measure(self):
        """The spectral measure of a deterministic matrix (a :class:`~symrmt.measures.Measure`), else None."""
        ref = self.args[5]
        return ref.measure if isinstance(ref, MeasureRef) else None

    @property
    def coordinate(self) -> int | None:
        """A deterministic matrix's coordinate in its (joint) measure: 0 on the line; else None."""
        return int(self.args[4]) - 1 if self.kind == "deterministic" else None

    @property
    def measure_ref(self) -> MeasureRef | None:
        ref = self.args[5]
        return ref if isinstance(ref, MeasureRef) else None

    @property
    def ratios(self) -> tuple[sp.Expr, sp.Expr]:
        """``(rows/n, cols/n)``."""
        return sp.simplify(self.shape[0] / N), sp.simplify(self.shape[1] / N)

    @property
    def symmetric(self) -> bool:
        return self.kind in ("wigner", "deterministic")

    @property
    def free_symbols(self) -> set:
        out = set(self.shape[0].free_symbols) | set(self.shape[1].free_symbols)
        if self.kind != "deterministic":
            out |= set(self.variance.free_symbols)
        return out

    def _sympystr(self, printer) -> str:
        return self.name


def _variance(value: Any) -> sp.Expr:
    if isinstance(value, str):
        raise ParameterError(f"variance: expected a positive number or SymPy expression, got the string {value!r}")
    v = value if isinstance(value, sp.Expr) else to_exact(value, "variance")
    if v.is_number and not (v.is_real and v > 0):
        raise ParameterError(f"variance: must be > 0, got {v}")
    if N in v.free_symbols:
        raise ParameterError(f"variance: may not depend on n (the entries' scale is fixed), got {v}")
    return v


def gaussian(name: str, rows: Any, cols: Any, variance: Any = 1) -> DeclaredMatrix:
    """A rectangular Gaussian matrix of shape ``(rows·n, cols·n)``, i.i.d. entries ``N(0, variance)``.

    Parameters
    ----------
    name : str
        An identifier (the simulation and messages use it).
    rows, cols : number or positive SymPy expression
        The dimensions as ratios to the reference size ``n``.
    variance : number or positive SymPy expression
        The variance of each entry (not normalized: write ``X.T*X/n`` for the sample covariance).

    Returns
    -------
    DeclaredMatrix

    Raises
    ------
    ParameterError
        A bad name, ratio or variance.

    Examples
    --------
    >>> import sympy as sp
    >>> from symrmt.matrices import gaussian, N
    >>> g = sp.Symbol("gamma", positive=True)
    >>> gaussian("X", 1, g).shape == (N, g * N)
    True
    """
    return DeclaredMatrix(_name(name), _ratio(rows, "rows") * N, _ratio(cols, "cols") * N, "gaussian",
                          _variance(variance), "none")


def wigner(name: str, size: Any = 1, variance: Any = 1) -> DeclaredMatrix:
    """A Wigner matrix of size ``size·n``, normalized: ``σ(G + Gᵀ)/√(2·size·n)``, semicircle of variance ``σ²``.

    Parameters
    ----------
    name : str
        An identifier.
    size : number or positive SymPy expression
        The size as a ratio to ``n``.
    variance : number or positive SymPy expression
        ``σ²``: the limit spectrum is the semicircle on ``[−2σ, 2σ]``.

    Returns
    -------
    DeclaredMatrix

    Raises
    ------
    ParameterError
        A bad name, size or variance.
    """
    s = _ratio(size, "size") * N
    return DeclaredMatrix(_name(name), s, s, "wigner", _variance(variance), "none")


def deterministic(name: str, size: Any, measure: Any, coordinate: Any = None) -> DeclaredMatrix:
    """A symmetric deterministic matrix of size ``size·n`` with a limit spectral measure.

    With a joint measure (:func:`symrmt.measures.joint`) and a ``coordinate``, the matrix is one
    member of a commuting family: the matrices declared on the same joint measure and size are
    diagonal in one basis and their diagonal entries have that joint law (e.g. ``diag(e(z))`` and
    ``diag(z)`` for the same samples ``z``), so a trace may multiply them, and
    ``tr(D_f A D_g)`` is the limit of ``fᵀAg/n`` for the vectors ``f = D_f 1``, ``g = D_g 1``
    whenever ``A``'s deterministic equivalent is diagonal in the family's basis (the anisotropic
    law with the deterministic vector ``1``).

    Parameters
    ----------
    name : str
        An identifier.
    size : number or positive SymPy expression
        The size as a ratio to ``n``.
    measure
        Its spectrum: a :class:`symrmt.measures.Measure` (``empirical``, ``power_law``,
        ``from_law``), an AlgebraicLaw with bound parameters, ``(points, weights)`` or an
        array of eigenvalues (anything :func:`symrmt.measures.as_measure` accepts); or a
        :class:`symrmt.measures.JointMeasure`, with ``coordinate``.
    coordinate : int or str, optional
        The coordinate (index or name) of a joint measure that is this matrix's spectrum; only
        with a joint measure, and required there.

    Returns
    -------
    DeclaredMatrix
        Real powers ``D**a`` (``a`` a number) are allowed in expressions; a negative or
        fractional power needs a measure on ``(0, ∞)``.

    Raises
    ------
    ParameterError
        A bad name, size, measure or coordinate.
    """
    from ..measures import JointMeasure, as_measure

    if isinstance(measure, JointMeasure):
        if coordinate is None:
            raise ParameterError(f"coordinate: a joint measure needs the coordinate of this matrix (an index in "
                                 f"[0, {measure.dim}) or one of {list(measure.names)})")
        j = measure.names.index(coordinate) if isinstance(coordinate, str) and coordinate in measure.names \
            else coordinate
        if not (isinstance(j, int) and not isinstance(j, bool) and 0 <= j < measure.dim):
            raise ParameterError(f"coordinate: expected an index in [0, {measure.dim}) or one of "
                                 f"{list(measure.names)}, got {coordinate!r}")
        mu = measure
    else:
        if coordinate is not None:
            raise ParameterError("coordinate: only a joint measure (symrmt.measures.joint) has coordinates")
        mu, j = as_measure(measure, "measure"), 0
    s = _ratio(size, "size") * N
    return DeclaredMatrix(_name(name), s, s, "deterministic", sp.Integer(1 + j), MeasureRef(mu))


def identity(size: Any = 1) -> sp.Identity:
    """The identity of size ``size·n`` (``sympy.Identity``)."""
    return sp.Identity(_ratio(size, "size") * N)
