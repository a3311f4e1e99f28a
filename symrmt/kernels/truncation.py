"""A rigorous bound on the error of a kernel whose dual activation is a truncated Hermite series.

For an activation without a closed-form dual, layer ``l`` uses ``g_K(ρ) = Σ_{k≤K} b_k² ρ^k``
(``b_k = b_k(q_l)`` the Hermite coefficients of ``φ(√q_l ·)``) instead of
``g(ρ) = E[φ(u)φ(v)] = Σ_k b_k² ρ^k``, and ``ġ_K(ρ) = q^{-1} Σ_{k≤K} k b_k² ρ^{k−1}`` instead of
``ġ(ρ) = E[φ′(u)φ′(v)]``.  With ``m_j = E[φ^{(j)}(√q G)²]`` (Gaussian quadrature, exact variances):

* tails, for every ``|ρ| ≤ 1``: ``|g − g_K| ≤ T_0 = m_0 − Σ_{k≤K} b_k²`` and
  ``|ġ − ġ_K| ≤ T_1 = m_1 − q^{-1} Σ_{k≤K} k b_k²``;
* Lipschitz constants on ``[−1, 1]``: ``|g′| ≤ q m_1`` and ``|ġ′| ≤ q m_2`` (Cauchy–Schwarz);
* the truncated correlation stays in ``[−1, 1]`` (``g_K(ρ) ≤ g_K(1) ≤ m_0``).

So with ``ε_Σ``, ``ε_Θ`` the sup-errors of layer ``l`` over ``c ∈ [−1, 1]`` (zero at layer 1) and
``w², b²`` the scales of the next layer::

    ε_Σ′ = w² (T_0 + m_1 ε_Σ)
    ε_Θ′ = ε_Σ′ + w² [(T_1 + m_2 ε_Σ)(Θ̃(1) + 2 ε_Θ) + m_1 ε_Θ]

(``|Θ(c)| ≤ Θ(1)`` for a positive semi-definite kernel).  ``m_2 = ∞`` when ``φ′`` has a kink
(then the NTK bound is infinite beyond one hidden layer).  The quadrature's own error estimates
are added to the tails.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.integrate import quad

from ..symbolic.hermite import numpy_function

__all__ = ["gaussian_square_moments", "propagate_bound"]


@lru_cache(maxsize=256)
def gaussian_square_moments(expr: sp.Expr, var: sp.Symbol, q: float) -> tuple[tuple[float, float], ...]:
    """``(m_j, error_j)`` for ``j = 0, 1, 2``: ``m_j = E[φ^{(j)}(√q G)²]`` by adaptive quadrature
    on the two half-lines; ``m_j = ∞`` when ``φ^{(j)}`` has a Dirac delta."""
    out = []
    f = expr
    for j in range(3):
        if j:
            f = sp.diff(f, var)
        if f.has(sp.DiracDelta) or f.has(sp.Subs) or f.has(sp.Derivative):
            out.append((math.inf, 0.0))
            continue
        fn = numpy_function(f, var)
        root = math.sqrt(q)

        def g(t, fn=fn):
            v = float(fn(np.asarray(root * t)))
            return v * v * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)

        total, err = 0.0, 0.0
        for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)):
            val, e = quad(g, lo, hi, epsabs=1e-14, epsrel=1e-13, limit=400)
            total, err = total + val, err + e
        out.append((total if math.isfinite(total) else math.inf, err))
    return tuple(out)


def propagate_bound(layers: list[dict], kind: str) -> float:
    """The sup-error bound of the output kernel (recursion in the module docstring).

    ``layers[l]`` holds ``q``, the moments ``m0, m1, m2`` (with errors ``e0, e1``), the partial
    sums ``s0 = Σ b_k²`` and ``s1 = Σ k b_k²``, the next layer's ``w2`` and the truncated
    ``theta1`` (``Θ̃_l(1)``)."""
    eS = eT = 0.0
    for L in layers:
        q, w2 = L["q"], L["w2"]
        t0 = max(L["m0"] - L["s0"], 0.0) + L["e0"] + 1e-13 * max(1.0, L["m0"])
        new_S = w2 * (t0 + (L["m1"] * eS if eS else 0.0))
        if kind == "ntk":
            t1 = max(L["m1"] - L["s1"] / q, 0.0) + L["e1"] + 1e-13 * max(1.0, L["m1"])
            lip = L["m2"] * eS if eS else 0.0
            eT = new_S + w2 * ((t1 + lip) * (L["theta1"] + 2 * eT) + L["m1"] * eT)
        eS = new_S
    out = eT if kind == "ntk" else eS
    return float(out) if math.isfinite(out) else math.inf
