"""The catalogue of named spectral laws (each an :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw`).

* closed forms (:mod:`symrmt.symbolic.classical_laws`): :func:`semicircle`,
  :func:`marchenko_pastur`, :func:`free_poisson`, :func:`atoms`;
* derived with the free calculus (:mod:`symrmt.symbolic.free`): :func:`sample_covariance`
  (Silverstein's equation), :func:`wachter` (Jacobi / MANOVA);
* :func:`chiral_block` (:mod:`symrmt.symbolic.chiral`), :func:`free_meixner`
  (:mod:`symrmt.symbolic.meixner`), :func:`equilibrium_measure` of ``t x^{2M}``
  (:mod:`symrmt.symbolic.equilibrium`).

Conventions: docs/architecture.md and :mod:`symrmt.symbolic.algebraic_law`.  The law class and its
helpers (:class:`AlgebraicLaw`, :class:`Construction`, :func:`to_exact`) are re-exported here.

Examples
--------
>>> import symrmt as sr
>>> sr.laws.marchenko_pastur(ratio=sr.laws.to_exact(0.5)).moments(2)
[1, 3/2]
"""
from __future__ import annotations

from typing import Any

from .algebraic_law import AlgebraicLaw, Constraint, Construction, constraint
from .chiral import chiral_block
from .classical_laws import atoms, free_poisson, marchenko_pastur, semicircle
from .equilibrium import equilibrium_measure
from .free import free_multiply, mobius, sample_covariance
from .meixner import free_meixner
from .parsing import to_exact

__all__ = [
    "AlgebraicLaw",
    "Construction",
    "Constraint",
    "semicircle",
    "marchenko_pastur",
    "free_poisson",
    "atoms",
    "sample_covariance",
    "wachter",
    "chiral_block",
    "free_meixner",
    "equilibrium_measure",
    "to_exact",
]


def wachter(ratio1: Any, ratio2: Any) -> AlgebraicLaw:
    """Wachter (Jacobi / MANOVA) law: the limit spectrum of ``A (A + B)^{-1}``.

    ``A = X₁ᵀX₁``, ``B = X₂ᵀX₂`` with X₁ of shape n₁×d, X₂ of shape n₂×d, standard Gaussian
    entries; ``ratio1 = d/n₁ > 0``, ``ratio2 = d/n₂ ∈ (0, 1)`` (B invertible).  Derived with the
    free calculus: with ``W_i = X_iᵀX_i/n_i`` (Marchenko–Pastur), the eigenvalues of
    ``A(A+B)^{-1}`` are ``λ = cF/(1 + cF)``, F an eigenvalue of ``W₂^{-1} W₁``, ``c = n₁/n₂``.
    Mean ``n₁/(n₁ + n₂)``.  (Wachter 1980; Rao & Edelman 2008 §6.)
    """
    a = to_exact(ratio1, "ratio1")
    b = to_exact(ratio2, "ratio2")
    extra = (constraint("ratio1", a, "positive"), constraint("ratio2", b, "positive"),
             constraint("ratio2", b, "<1"))
    inv_w2 = mobius(marchenko_pastur(b), 0, 1, 1, 0)
    f = free_multiply(marchenko_pastur(a), inv_w2)
    c = b / a
    law = mobius(f, c, 0, c, 1)
    return AlgebraicLaw(law.polynomial, name="wachter", construction=law.construction,
                        constraints=law.constraints + extra)
