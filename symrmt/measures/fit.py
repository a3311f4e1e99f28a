"""An algebraic law fitted to eigenvalues, and the check that a law is a probability law.

:func:`fit_law` finds the polynomial ``P(m, z) = Σ c_ij m^i z^j`` (``i ≤ deg_m``, ``j ≤ deg_z``)
that the empirical Stieltjes transform ``m_n(z) = (1/n) Σ_k 1/(λ_k − z)`` nearly satisfies off
the real axis — the idea of freealg's ``AlgebraicForm.fit`` (Ameli, van der Heide, Hodgkinson &
Mahoney, arXiv 2506.11994): a least-squares null vector of the matrix ``[m_n(z_r)^i z_r^j]`` at
points ``z_r`` on confocal ellipses around the spectrum, after an affine map of the spectrum to
``[−1, 1]`` (conditioning).  Linear constraints make the fit a law: the Laurent coefficients of
``P(m_n(z), z)`` at ``z^{deg_z}, …, z^{−moments}`` vanish (``m_n`` has the exact expansion
``−Σ_k μ_k z^{−k−1}`` in the empirical moments), so that ``m ~ −1/z`` is a branch and the low
moments follow the data.  The coefficients are then made exact rationals (the constraints kept
exactly) and the polynomial is an :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw`, with
every operation of the calculus (e.g. :meth:`~symrmt.symbolic.algebraic_law.AlgebraicLaw.rescale`).

:func:`check_law` tests the compiled law numerically: Herglotz (``Im m > 0`` on a grid of the
upper half-plane, ``z m(z) → −1``), a nonnegative density and total mass 1.

Conventions: docs/architecture.md (``m(z) = ∫ ρ(x)/(x − z) dx``).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .._checks import finite_array, integer
from ..errors import DerivationError, ParameterError, SymrmtError

__all__ = ["fit_law", "check_law", "LawFit", "LawCheck"]

#: semi-minor axes of the confocal ellipses (foci ±1) carrying the fit points, in units of the
#: spectrum's half-width: from close to the axis (0.1: about 25 eigenvalue spacings at n = 500)
#: to far away (where the moments dominate)
_ELLIPSES = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
_ANGLES = 48
_DENOMINATOR = 10**8   # rationalization: relative error below 1e-16 for numbers of order 1


@dataclass(frozen=True)
class LawCheck:
    """Whether a compiled law is a probability law, numerically (:func:`check_law`).

    Fields: ``herglotz`` (``Im m(z) > 0`` at every grid point of the upper half-plane and
    ``|z m(z) + 1| < 1e-6`` far away), ``positive`` (the density is ``>= −1e-9 · max ρ`` on a grid
    of every support interval), ``mass`` (``F(+∞) − F(−∞)`` from the law's CDF), ``support``
    (``[(a, b), ...]``, atoms as ``(x, x)``), ``min_imag`` (the smallest ``Im m`` on the grid),
    ``min_density`` (the smallest density on the support grid over its maximum).
    """

    herglotz: bool
    positive: bool
    mass: float
    support: list
    min_imag: float
    min_density: float

    @property
    def ok(self) -> bool:
        """Herglotz, positive and of mass 1 (to 1e-6)."""
        return self.herglotz and self.positive and abs(self.mass - 1.0) < 1e-6


@dataclass(frozen=True)
class LawFit:
    """The result of :func:`fit_law`.

    Fields: ``law`` (the fitted :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw`, exact
    rational coefficients, construction ``"polynomial"``), ``residual`` (RMS of
    ``|P(m_n(z_r), z_r)|`` over the fit points with each row of monomials and the coefficient
    vector scaled to unit norm: 0 for an exact fit, about ``1/n`` for ``n`` eigenvalues of a
    model of that degree), ``check`` (:func:`check_law` of the fitted law), ``degree``
    (``(deg_m, deg_z)``) and ``size`` (the number of eigenvalues fitted).
    """

    law: Any
    residual: float
    check: LawCheck
    degree: tuple
    size: int


def _degree(degree: Any) -> tuple[int, int]:
    if isinstance(degree, (tuple, list)) and len(degree) == 2:
        dm, dz = (integer("degree", d, low=0, high=8) for d in degree)
    else:
        dm, dz = integer("degree", degree, low=1, high=8), 1
    if dm < 1:
        raise ParameterError(f"degree: deg_m must be at least 1 (the polynomial must involve m), got {degree!r}")
    return dm, dz


def _rational(x: float) -> Fraction:
    return Fraction(float(x)).limit_denominator(_DENOMINATOR)


def _series_powers(mu: list, dm: int, order: int) -> list[list]:
    """Coefficients of ``s(t)^i`` in ``t^0..t^order`` for ``s(t) = −Σ_k μ_k t^k`` (``m = t s(t)``,
    ``t = 1/z``), i = 0..dm, in the arithmetic of the entries of ``mu`` (floats or Fractions)."""
    one = mu[0] * 0 + 1
    s = [-mu[k] for k in range(order + 1)]
    out = [[one] + [one * 0] * order]
    for _ in range(dm):
        prev = out[-1]
        out.append([sum(prev[a] * s[p - a] for a in range(p + 1)) for p in range(order + 1)])
    return out


def _constraints(mu: list, dm: int, dz: int, moments: int) -> list[list]:
    """Rows of the linear constraints on ``c_ij`` (column order i-major): the coefficient of
    ``t^p`` in ``P(m_n, z) = Σ c_ij t^{i−j} s(t)^i`` vanishes for p = −dz..moments."""
    order = moments + dz + 1
    pw = _series_powers(mu, dm, order)
    zero = mu[0] * 0
    rows = []
    for p in range(-dz, moments + 1):
        row = []
        for i in range(dm + 1):
            for j in range(dz + 1):
                k = p - i + j   # t^{i−j} · t^k = t^p
                row.append(pw[i][k] if 0 <= k <= order else zero)
        rows.append(row)
    return rows


def _null_vector(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Unit ``c`` minimizing ``‖A c‖`` subject to ``B c = 0``."""
    _, sv, vt = np.linalg.svd(B)
    rank = int(np.sum(sv > 1e-12 * sv[0])) if sv.size else 0
    N = vt[rank:].T                     # orthonormal basis of the null space of B
    if N.shape[1] == 0:
        raise ParameterError("moments: the constraints leave no polynomial of this degree; "
                             "lower moments or raise degree")
    _, _, wt = np.linalg.svd(A @ N, full_matrices=False)
    return N @ wt[-1]


def _exact(c: np.ndarray, B: list[list]) -> list[Fraction]:
    """Rational coefficients near ``c`` satisfying the exact constraints ``B`` (pivot
    coefficients solved exactly from the others, which are ``c`` rationalized)."""
    c = c / np.max(np.abs(c))
    M = sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in B])
    rref, pivots = M.rref()
    vals = [sp.Rational(_rational(x).numerator, _rational(x).denominator) for x in c]
    for r, col in enumerate(pivots):
        vals[col] = -sum((rref[r, j] * vals[j] for j in range(len(vals)) if j != col and j not in pivots),
                         sp.Integer(0))
    return vals


def fit_law(eigenvalues: Any, degree: Any = (2, 1), *, moments: int = 2, name: str = "fitted"):
    """Fit an algebraic law to eigenvalues (freealg's ``AlgebraicForm.fit`` idea).

    Parameters
    ----------
    eigenvalues : array_like
        Real, finite eigenvalues of one matrix (or pooled over draws), at least 20 of them and
        not all equal.
    degree : int or tuple of int
        ``(deg_m, deg_z)`` of ``P(m, z)``; an int ``d`` means ``(d, 1)``.  Choose the smallest
        that holds the law: ``(2, 1)`` holds semicircles and Marchenko–Pastur laws (and their
        affine images and decompressions), ``(3, 1)`` their free sums, ``(1, k)`` ``k`` atoms.
        Too high a degree leaves a multiple null space and a reducible fit.
    moments : int
        The Laurent coefficients of ``P(m_n(z), z)`` down to ``z^{−moments}`` are made to vanish
        exactly (0 to 6; ``0`` only makes ``m ~ −1/z`` a branch).
    name : str
        The law's name.

    Returns
    -------
    LawFit
        ``law`` (an :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` with rational
        coefficients), ``residual``, ``check`` (:func:`check_law`), ``degree``, ``size``.

    Raises
    ------
    ParameterError
        Bad ``eigenvalues``, ``degree``, ``moments`` or ``name``.
    DerivationError
        The fitted polynomial is not a law (no branch ``m ~ −1/z``, or it does not compile);
        the message suggests another degree.

    Notes
    -----
    The fit inherits the finite-``n`` error of the empirical law: for ``n`` eigenvalues of a
    matrix in the Marchenko–Pastur or Wigner class the fitted coefficients are off by about
    ``1/n`` (the eigenvalues are rigid: their empirical CDF is within ``O(log n / n)`` of the
    limit).  A fit is not a test of the model: ``check.ok`` says the polynomial is a
    probability law, ``residual`` how well it holds the data.

    Examples
    --------
    >>> import numpy as np, symrmt as sr
    >>> x = np.random.default_rng(0).standard_normal((2000, 500))
    >>> fit = sr.fit_law(np.linalg.eigvalsh(x.T @ x / 2000), degree=(2, 1))  # doctest: +SKIP
    >>> fit.check.ok, fit.residual < 1e-3                                      # doctest: +SKIP
    (True, True)
    """
    from ..symbolic.algebraic_law import AlgebraicLaw, Construction
    from ..symbolic.symbols import m, z

    x = finite_array("eigenvalues", eigenvalues, ndim=1).astype(np.float64)
    if x.size < 20:
        raise ParameterError(f"eigenvalues: need at least 20 values to fit a law, got {x.size}")
    dm, dz = _degree(degree)
    q = integer("moments", moments, low=0, high=6)
    if not isinstance(name, str):
        raise ParameterError(f"name: expected a string, got {type(name).__name__}")
    lo, hi = float(x.min()), float(x.max())
    if not hi - lo > 1e-12 * max(1.0, abs(hi)):
        raise ParameterError("eigenvalues: all equal; a point mass needs no fit (sr.laws.atoms)")
    c0, s = _rational((lo + hi) / 2), _rational((hi - lo) / 2)
    y = (x - float(c0)) / float(s)
    th = np.linspace(0, np.pi, _ANGLES + 2)[1:-1]
    pts = np.concatenate([np.sqrt(1 + b * b) * np.cos(th) + 1j * b * np.sin(th) for b in _ELLIPSES])
    mn = np.mean(1.0 / (y[None, :] - pts[:, None]), axis=1)
    mono = np.stack([mn**i * pts**j for i in range(dm + 1) for j in range(dz + 1)], axis=1)
    mono /= np.linalg.norm(mono, axis=1, keepdims=True)
    A = np.concatenate([mono.real, mono.imag])
    mu_f = [float(np.mean(y**k)) for k in range(q + dz + 2)]
    B = np.array(_constraints(mu_f, dm, dz, q), dtype=float)
    c = _null_vector(A, B)
    exact = _exact(c, _constraints([_rational(v) for v in mu_f], dm, dz, q))
    cf = np.array([float(v) for v in exact])
    residual = float(np.sqrt(np.mean(np.abs(mono @ (cf / np.linalg.norm(cf))) ** 2)))
    # back from y = (x − c0)/s: m_y(w) = s m_x(c0 + s w), so P_x(m, z) = P_y(s m, (z − c0)/s)
    c0s, ss = sp.Rational(c0.numerator, c0.denominator), sp.Rational(s.numerator, s.denominator)
    terms = [exact[i * (dz + 1) + j] * (ss * m) ** i * ((z - c0s) / ss) ** j
             for i in range(dm + 1) for j in range(dz + 1)]
    try:
        law = AlgebraicLaw(sp.expand(sp.Add(*terms) * ss**dz), name=name, construction=Construction("polynomial"))
        law.moments(2)   # the branch m ~ −1/z exists and is a simple root
        check = check_law(law)
    except SymrmtError as exc:
        raise DerivationError(f"fit_law: the fitted polynomial of degree {(dm, dz)} is not a law ({exc}); "
                              "try another degree") from None
    return LawFit(law, residual, check, (dm, dz), int(x.size))


def check_law(law: Any, **params: Any) -> LawCheck:
    """Check numerically that a law is a probability law: Herglotz, positive density, mass 1.

    Parameters
    ----------
    law : AlgebraicLaw
        The law (compiled here; :meth:`~symrmt.symbolic.algebraic_law.AlgebraicLaw.compile`).
    **params
        Values of its free parameters, by name.

    Returns
    -------
    LawCheck
        On a grid of 4 heights ``η = 10^{−3}w … w`` (``w`` the support's width) times 201 points
        over the support widened by ``w``, plus ``z = 10^6 w i``; the density on 400 points of
        each support interval.

    Raises
    ------
    ParameterError
        Not an AlgebraicLaw, or unbound parameters.
    """
    from ..symbolic.algebraic_law import AlgebraicLaw

    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    sol = law.compile()
    support = sol.support(**params)
    if not support:
        return LawCheck(False, False, 0.0, [], float("nan"), float("nan"))
    lo, hi = support[0][0], support[-1][1]
    w = max(hi - lo, 1e-12 * max(1.0, abs(hi)))
    xs = np.linspace(lo - w, hi + w, 201)
    zs = np.concatenate([xs + 1j * eta for eta in (1e-3 * w, 1e-2 * w, 0.1 * w, w)])
    mz = sol.stieltjes(zs, strict=False, **params)
    far = 1e6 * w * 1j
    mfar = sol.stieltjes(np.array([far]), strict=False, **params)[0]
    min_imag = float(np.nanmin(mz.imag)) if np.isfinite(mz).any() else float("nan")
    herglotz = bool(np.all(np.isfinite(mz)) and np.all(mz.imag > 0) and abs(far * mfar + 1) < 1e-6)
    dens = [sol.density(np.linspace(a, b, 402)[1:-1], strict=False, **params) for a, b in support if b > a]
    dens = np.concatenate(dens) if dens else np.zeros(1)
    top = float(np.nanmax(dens)) if np.isfinite(dens).any() else 0.0
    min_density = float(np.nanmin(dens)) / top if top > 0 else 0.0
    positive = bool(np.all(np.isfinite(dens)) and min_density >= -1e-9)
    mass = float(sol.cdf(hi + w, **params) - sol.cdf(lo - w, **params))
    return LawCheck(herglotz, positive, mass, [(float(a), float(b)) for a, b in support], min_imag, min_density)
