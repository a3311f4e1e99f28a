"""Population spectra and the S-transform derivation of the renormalized ridge κ.

Conventions (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592, "Scaling and renormalization
in high-dimensional regression"): for a population covariance Σ with spectral law H and
``tr = (1/N) Tr``,

* ``df1(κ) = tr[Σ(Σ + κ)⁻¹]``, ``df2(κ) = tr[Σ²(Σ + κ)⁻²]``, ``t2(κ) = tr[Σ(Σ + κ)⁻²]``;
* the "df" form of the S-transform is Voiculescu's S evaluated at ``−df`` (docs/architecture.md
  convention ``S(u) = χ(u)(1 + u)/u``); a white Wishart of ratio q has ``S(u) = 1/(1 + q u)``,
  so ``S_W(df) = 1/(1 − q df)``;
* for ``Σ̂ = Σ^{½} W Σ^{½}`` (or a product with several free Wishart factors), S-transforms
  multiply and ``df_Σ̂(λ) = df_Σ(κ)`` with ``κ = λ Π_i S_{W_i}(df)``: the κ equation.

A spectrum is the identity (default), a finite list of atoms ``(points, weights)``, or any
:class:`~symrmt.symbolic.laws.AlgebraicLaw`; for a law, ``m = m_H(−κ)`` (Stieltjes transform at
the negative real point ``−κ``, where it is real and positive) becomes an extra unknown tied to κ
by the law's polynomial ``P(m, −κ) = 0``, and ``m' = −P_z/P_m``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Sequence

import sympy as sp

from ..errors import ParameterError
from ..measures import Measure, as_measure, expect
from ..symbolic import laws
from ..symbolic.laws import AlgebraicLaw, to_exact
from ..symbolic.symbols import m as M_SYM, u as U_SYM, z as Z_SYM

__all__ = ["PopulationSpectrum", "population_spectrum", "wishart_s_transform", "kappa_equation",
           "direct_kappa_equation"]

KAPPA = sp.Symbol("kappa", positive=True)


@dataclass(frozen=True)
class PopulationSpectrum:
    """Traces of Σ's resolvent at ``−κ`` as SymPy expressions in κ (and an extra unknown for laws).

    Attributes
    ----------
    df1, df2, t2 : sympy.Expr
        ``tr Σ(Σ+κ)⁻¹``, ``tr Σ²(Σ+κ)⁻²``, ``tr Σ(Σ+κ)⁻²``.
    unknowns, equations, domains, initial
        Extra unknowns (``m`` for a law) with their equations, domains and initial guesses
        (the latter in terms of κ's initial guess ``kappa0``).
    key : tuple
        Hashable description (compiled solvers are cached per spectrum).
    """

    df1: sp.Expr
    df2: sp.Expr
    t2: sp.Expr
    key: tuple
    unknowns: tuple = ()
    equations: tuple = ()
    domains: dict = field(default_factory=dict)
    initial: Any = None


def population_spectrum(spectrum: Any = None, kappa: sp.Symbol = KAPPA) -> PopulationSpectrum:
    """Describe Σ's spectrum: ``None`` (identity), a measure (:mod:`symrmt.measures`; or
    ``(points, weights)``, an array of eigenvalues), or an AlgebraicLaw.

    A measure is data: ``df1``, ``df2``, ``t2`` are expectations (``sr.expect``) compiled as
    loops over its atoms.  A few atoms given exactly (at most 8, some entry a SymPy number) keep
    the symbolic route (explicit sums).

    Raises
    ------
    ParameterError
        Negative atoms, weights not summing to one, or a law with unbound parameters.
    """
    if spectrum is None:
        spectrum = ([1], [1])
    if isinstance(spectrum, AlgebraicLaw):
        return _law_spectrum(spectrum, kappa)
    if not _exact_atoms(spectrum):
        return _measure_spectrum(as_measure(spectrum, "spectrum", nonnegative=True), kappa)
    points, weights = spectrum
    law = laws.atoms(points, weights)  # validates weights (>= 0, sum 1) and distinct points
    pts, wts = law.construction.args["points"], law.construction.args["weights"]
    for i, p in enumerate(pts):
        if not (p.is_number and p >= 0):
            raise ParameterError(f"spectrum: points[{i}] must be a real number >= 0 "
                                 f"(eigenvalues of a covariance), got {p}")
    df1 = sum(w * p / (p + kappa) for p, w in zip(pts, wts))
    df2 = sum(w * p**2 / (p + kappa) ** 2 for p, w in zip(pts, wts))
    t2 = sum(w * p / (p + kappa) ** 2 for p, w in zip(pts, wts))
    return PopulationSpectrum(df1, df2, t2, key=("atoms", tuple(pts), tuple(wts)))


_EXACT_MAX = 8  # at most this many atoms with SymPy entries stay symbolic; any other population is data


def _exact_atoms(spectrum: Any) -> bool:
    """A few atoms given exactly (some entry a SymPy number): the symbolic route, exact sums."""
    if not (isinstance(spectrum, tuple) and len(spectrum) == 2):
        return False
    try:
        points, weights = (list(v) for v in spectrum)
    except TypeError:
        return False
    entries = points + weights
    return (0 < len(points) <= _EXACT_MAX and any(isinstance(v, sp.Basic) for v in entries)
            and all(isinstance(v, (int, sp.Basic)) and not isinstance(v, bool) for v in entries))


def _measure_spectrum(mu: Measure, kappa: sp.Symbol) -> PopulationSpectrum:
    """A population held as data: the traces are expectations under the measure (loops over its
    atoms in the generated kernel; the measure's size never enters the symbolic work)."""
    t = sp.Symbol("t_pop", positive=True)
    df1 = expect(t / (t + kappa), t, mu)
    df2 = expect(t**2 / (t + kappa) ** 2, t, mu)
    t2 = expect(t / (t + kappa) ** 2, t, mu)
    return PopulationSpectrum(df1, df2, t2, key=("measure", mu.digest))


def _law_spectrum(law: AlgebraicLaw, kappa: sp.Symbol) -> PopulationSpectrum:
    if law.parameters:
        raise ParameterError(f"spectrum: bind the law's parameters {[s.name for s in law.parameters]} "
                             "first (law.subs(...)); a population spectrum must be numeric")
    mm = sp.Symbol("m_pop", positive=True)
    P = law.polynomial.as_expr()
    at = {M_SYM: mm, Z_SYM: -kappa}
    dm = -sp.diff(P, Z_SYM).subs(at) / sp.diff(P, M_SYM).subs(at)  # m'(z) at z = -κ
    df1 = 1 - kappa * mm
    df2 = 1 - 2 * kappa * mm + kappa**2 * dm
    t2 = mm - kappa * dm
    mean = law.moments(1)[0]
    return PopulationSpectrum(df1, df2, t2, key=("law", sp.srepr(P)), unknowns=(mm,),
                              equations=(P.subs(at),), domains={mm: "positive"},
                              initial=lambda k0: {mm: 1 / (k0 + mean)})


def wishart_s_transform(ratio: Any) -> sp.Expr:
    """Voiculescu's S-transform ``S(u) = 1/(1 + ratio·u)`` of a white Wishart (Marchenko–Pastur,
    variance 1), obtained from the law's minimal polynomial by :meth:`AlgebraicLaw.s_transform`
    (memoized per ratio: every solve with a new population rebuilds its System)."""
    try:
        return _wishart_s_transform(ratio)
    except TypeError:  # an unhashable ratio: computed afresh
        return _wishart_s_transform.__wrapped__(ratio)


@functools.lru_cache(maxsize=64)
def _wishart_s_transform(ratio: Any) -> sp.Expr:
    s = laws.marchenko_pastur(ratio=ratio, variance=1).s_transform()
    if isinstance(s, sp.Poly):  # pragma: no cover - MP's S-transform is always explicit
        raise ParameterError("ratio: no explicit S-transform")
    return s


def kappa_equation(df: sp.Expr, kappa: sp.Symbol, ridge: sp.Symbol, ratios: Sequence[Any]) -> sp.Expr:
    """The κ equation from the S-transform route: ``κ / Π_i S_{W_i}(−df) − λ = 0``.

    Each Wishart factor of ratio ``ratios[i]`` contributes its S-transform (derived by the free
    calculus, :func:`wishart_s_transform`) evaluated at ``u = −df``; S-transforms multiply under
    ⊠.  Written as ``κ/S − λ`` so that no denominator vanishes on the way to the solution.
    """
    s_total = sp.Integer(1)
    for r in ratios:
        s_total *= wishart_s_transform(r).subs(U_SYM, -df)
    return sp.expand(sp.cancel(kappa / s_total)) - ridge


def direct_kappa_equation(df1: sp.Expr, kappa: sp.Symbol, ridge: sp.Symbol, q: Any) -> sp.Expr:
    """AZP's κ equation written directly: ``κ (1 − q·df1(κ)) − λ = 0`` (arXiv 2405.00592)."""
    qq = q if isinstance(q, sp.Basic) else to_exact(q, "q")
    return kappa * (1 - qq * df1) - ridge
