"""The spectral kind: a derivation whose theory is an :class:`~symrmt.symbolic.laws.AlgebraicLaw`.

The theory is the generated solver's CDF, density and support (:class:`SpectralTheory`), the
simulation the law's random-matrix model (:func:`symrmt.simulate.sample_eigenvalues` reads the
law's construction), and the error of a trial the Kolmogorov–Smirnov distance between its
empirical spectral CDF and the solver's CDF, which decays like ``n^{-1}`` up to logs by
eigenvalue rigidity when the law is right.  :func:`from_law` registers an already-bound law.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import DerivationError, ParameterError
from ..symbolic.laws import AlgebraicLaw
from .base import Derivation
from .parameters import plain

__all__ = ["SpectralDerivation", "SpectralTheory", "from_law"]


class SpectralTheory:
    """The solved law at bound parameters: fast CDF (tabulated), density, support and exact moments.

    ``law`` is an :class:`AlgebraicLaw`, or any law object with ``name``, ``moments(k)`` and a
    ``compile()`` giving ``support()``, ``density`` and ``cdf`` (e.g. the sample covariance of a
    measure, :func:`symrmt.measures.sample_covariance`).
    """

    def __init__(self, law: Any, n_moments: int = 4, grid_points: int = 4001):
        from ..verify import grid_cdf

        self.law = law
        self.compiled = law.compile()
        self.support = [(float(a), float(b)) for a, b in self.compiled.support()]
        if not self.support:
            raise DerivationError(f"{law.name}: the solver returned an empty support")
        self.density = self.compiled.density
        self.cdf = grid_cdf(self.compiled.cdf, self.support, grid_points, density=self.density)
        self.moments = [float(sp.N(mk)) for mk in law.moments(n_moments)]


class SpectralDerivation(Derivation):
    """A derivation whose theory is an :class:`AlgebraicLaw` (a spectral law).

    Subclasses implement :meth:`build_law` with the law's construction written as in the paper
    (e.g. ``free_add(semicircle(s), marchenko_pastur(g))``); parameters arrive as exact SymPy
    numbers or, for :meth:`equations`, as positive symbols.  Error: the Kolmogorov–Smirnov distance
    between each simulated matrix's empirical spectral CDF and the solver's CDF, which decays like
    ``n^{-1}`` (up to logs) by eigenvalue rigidity when the law is right.
    """

    statistic = "ks"
    log_correction = True
    #: which of the law's transforms :meth:`equations` shows ("R", "S"); symbolic transforms of
    #: high-degree laws with several parameters can be expensive, so subclasses may narrow this
    transforms: tuple[str, ...] = ("R", "S")

    def build_law(self, **params: sp.Expr) -> AlgebraicLaw:
        raise NotImplementedError

    def symbols(self) -> dict[str, sp.Symbol]:
        return {p.name: sp.Symbol(p.name, positive=True) for p in self.parameters}

    def symbolic_law(self) -> AlgebraicLaw:
        """The law with every parameter a positive symbol named after it."""
        return self.build_law(**self.symbols())

    def law(self, **params: Any) -> AlgebraicLaw:
        """The law at bound parameters (defaults filled in)."""
        return self.build_law(**self.bind(**params))

    def equations(self) -> list[tuple[str, sp.Basic]]:
        from ..symbolic.symbols import R as Rs, S as Ss, m, u, w

        law = self.symbolic_law()
        eqs = list(self.extra_equations_for(self.symbols()))
        eqs.append((f"minimal polynomial of m(z) = ∫ρ(x)/(x − z)dx for {law.name}", sp.Eq(sp.collect(law.expr, m), 0)))
        for label, fn, var, sym in (("R-transform", law.r_transform, w, Rs), ("S-transform", law.s_transform, u, Ss)):
            if label[0] not in self.transforms:
                continue
            try:
                val = fn()
            except (DerivationError, NotImplementedError, ValueError):
                continue
            if isinstance(val, sp.Poly):
                eqs.append((f"{label} (implicit)", sp.Eq(val.as_expr(), 0)))
            else:
                eqs.append((label, sp.Eq(sp.Function(sym.name)(var), val)))
        return eqs

    def extra_equations_for(self, symbols: Mapping[str, sp.Symbol]) -> list[tuple[str, sp.Basic]]:
        """Equations stating the construction (override: e.g. R-transforms add)."""
        return []

    def solve(self, at: Sequence[float] | None = None, **params: Any) -> dict:
        """Support, exact moments and (at points ``at``) density and CDF of the law."""
        law = self.law(**params)
        comp = law.compile()
        out = {"law": law.name, "params": {k: plain(v) for k, v in self.bind(**params).items()},
               "support": [[float(a), float(b)] for a, b in comp.support()],
               "moments": [float(sp.N(mk)) for mk in law.moments(4)]}
        if at is not None:
            x = np.asarray(at, dtype=float)
            out["at"] = x.tolist()
            out["density"] = np.asarray(comp.density(x), dtype=float).tolist()
            out["cdf"] = np.asarray(comp.cdf(x), dtype=float).tolist()
        return out

    def theory(self, **params: Any) -> SpectralTheory:
        return SpectralTheory(self.law(**params))

    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """The cost of the law's random-matrix model (:func:`symrmt.simulate.models.model_cost`)."""
        from ..simulate.models import model_cost

        try:  # a ladder asks once per size: build the law once
            key = tuple(sorted(params.items()))
            hash(key)
        except TypeError:
            key = None
        cached = self.__dict__.get("_cost_law")
        if key is None or cached is None or cached[0] != key:
            cached = (key, self.law(**params))
            if key is not None:
                self.__dict__["_cost_law"] = cached
        return model_cost(cached[1], n, trials)

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any):
        """Sorted eigenvalues ``(trials, n)`` (torch tensor) of the law's random-matrix model."""
        from ..simulate import sample_eigenvalues

        return sample_eigenvalues(self.law(**params), n, trials, seed, device, dtype, progress)

    def measure(self, sample: Any, theory: SpectralTheory) -> dict:
        from ..verify import ks_distance, mean_ci, moment_statistics, wasserstein1

        eig = sample.detach().cpu().numpy()
        hull = (min(a for a, _ in theory.support), max(b for _, b in theory.support))
        return {"errors": ks_distance(eig, theory.cdf),
                "wasserstein1": mean_ci(wasserstein1(eig, theory.cdf, hull)).to_dict(),
                "moments": moment_statistics(eig, theory.moments)}

    def plot_data(self, sample: Any, theory: SpectralTheory, n: int) -> dict:
        return {"eigenvalues": sample.detach().cpu().numpy(), "density": theory.density,
                "support": theory.support, "n": n}

    def codegen_target(self, **params: Any) -> AlgebraicLaw:
        return self.law(**params) if params else self.symbolic_law()


def from_law(law: AlgebraicLaw, name: str | None = None, summary: str = "", reference: str = "") -> SpectralDerivation:
    """A parameterless :class:`SpectralDerivation` for an already-bound law (e.g. one just derived
    with the free calculus), so that it can be solved, simulated and verified like a named result."""
    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    if law.parameters:
        raise ParameterError(f"law {law.name!r} has unbound parameter(s) {[s.name for s in law.parameters]}; "
                             "bind them with law.subs(...) first")
    cls = type("LawDerivation", (SpectralDerivation,), {
        "name": name or law.name, "summary": summary or f"the law {law.name}",
        "reference": reference or "built with the free calculus of Rao & Edelman 2008, arXiv math/0601389",
        "transforms": (), "build_law": lambda self: law})
    return cls()
