"""Dot-product kernels of wide networks and their reverse engineering (``sr.kernels``).

* :func:`hermite_coefficients` — ``b_0..b_K`` of an activation ``φ = Σ_k b_k h_k`` in the
  orthonormal Hermite basis ``h_k = He_k/√(k!)`` (exact SymPy where possible, quadrature otherwise);
* :func:`dot_product_kernel` — the NNGP / NTK ``K(c)`` of a fully connected network of any depth as
  a function of the cosine ``c = x·x′/d`` of unit-scale inputs, with exact or 40-digit Taylor
  series;
* :func:`bivariate_normal_cdf` — ``Φ₂(h, k; ρ)`` to ~1e-15, behind the exact kernels of
  piecewise-linear activations with kinks away from 0;
* :func:`activation_from_kernel` — the inverse construction of Simon, Anand & DeWeese
  (arXiv 2106.03186): the activation whose one-hidden-layer kernel is a given ``Σ_k a_k c^k``.

Pure SymPy / numpy / mpmath (no torch); the simulations live in :mod:`symrmt.simulate.ntk`.
"""
from __future__ import annotations

import sympy as sp

from ..symbolic.hermite import HermiteSeries, hermite_series
from .bivariate_normal import bivariate_normal_cdf
from .dot_product import KINDS, DotProductKernel, dot_product_kernel
from .reverse import METHODS, KernelActivation, activation_from_kernel, fit_kernel_coefficients

__all__ = ["hermite_coefficients", "HermiteSeries", "dot_product_kernel", "DotProductKernel",
           "activation_from_kernel", "KernelActivation", "fit_kernel_coefficients", "KINDS", "METHODS",
           "bivariate_normal_cdf"]


def hermite_coefficients(activation: str | sp.Expr, order: int, method: str = "auto") -> HermiteSeries:
    """Normalized Hermite coefficients ``b_0..b_order`` of ``φ = Σ_k b_k h_k``, ``h_k = He_k/√(k!)``.

    Parameters
    ----------
    activation : str or sympy.Expr
        ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"`` or a SymPy expression in one
        variable with ``E φ(G)² < ∞``.
    order : int
        Highest index ``>= 0``.
    method : {"auto", "exact", "quadrature"}
        Exact SymPy integrals, numerical quadrature, or exact where SymPy manages (default).

    Returns
    -------
    HermiteSeries
        A sequence of the ``b_k`` (SymPy numbers) with ``.exact``, ``.second_moment`` (``E φ²``),
        ``.tail()`` (``Σ_{k>order} b_k²``) and ``.as_floats()``.

    Raises
    ------
    ParameterError
        ``order < 0``, unknown activation, or ``E φ(G)² = ∞`` (e.g. ``exp(x**2)``).

    Notes
    -----
    Simon, Anand & DeWeese (arXiv 2106.03186): ReLU has ``b = (1/√(2π), 1/2, 1/(2√π), 0, …)`` and
    ``b_k = 0`` for odd ``k >= 3``.  Computed by :func:`symrmt.symbolic.hermite.hermite_series`.
    """
    return hermite_series(activation, order, method=method)
