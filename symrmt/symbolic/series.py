"""Truncated power series with exact coefficients.

A series is a Python list ``[a0, a1, ..., aK]`` of coefficients of one ring or field (SymPy
domain elements, :class:`fractions.Fraction`, or plain SymPy expressions); every function here
works for any such coefficient type, so the same code serves symbolic moments (coefficients in
``QQ(parameters)``) and the fast exact factor selection (coefficients in ``QQ``).
"""
from __future__ import annotations

from typing import Any, Sequence

Series = list


def mul(a: Sequence[Any], b: Sequence[Any], order: int, zero: Any) -> Series:
    """Product of two series truncated after ``w**order``."""
    out = [zero] * (order + 1)
    for i, ai in enumerate(a[: order + 1]):
        if not ai:
            continue
        for j, bj in enumerate(b[: order + 1 - i]):
            if bj:
                out[i + j] = out[i + j] + ai * bj
    return out


def powers(a: Sequence[Any], n: int, order: int, zero: Any, one: Any) -> list[Series]:
    """``[a**0, a**1, ..., a**n]`` truncated after ``w**order``."""
    res = [[one] + [zero] * order]
    for _ in range(n):
        res.append(mul(res[-1], a, order, zero))
    return res


def implicit(q: Sequence[Sequence[Any]], y0: Any, order: int, zero: Any, one: Any) -> Series:
    """Power series y(w) with y(0) = y0 solving  Σ_j q_j(w) y(w)**j = 0.

    ``q[j]`` is the series of the coefficient of ``y**j``.  The root must be simple,
    ∂/∂y Σ q_j(0) y**j ≠ 0 at y0 (the implicit function theorem); otherwise ``ZeroDivisionError``.
    """
    deg = len(q) - 1
    qd = zero
    for j in range(1, deg + 1):
        if q[j] and q[j][0]:
            qd = qd + j * q[j][0] * y0 ** (j - 1)
    if not qd:
        raise ZeroDivisionError("the branch through y0 is not a simple root")
    y = [y0] + [zero] * order
    for k in range(1, order + 1):
        pw = powers(y[:k] + [zero] * (order + 1 - k), deg, k, zero, one)
        r = zero
        for j in range(deg + 1):
            qj = q[j]
            pj = pw[j]
            for i in range(min(k, len(qj) - 1) + 1):
                if qj[i] and pj[k - i]:
                    r = r + qj[i] * pj[k - i]
        y[k] = -r / qd
    return y


def compose(a: Sequence[Any], b: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """a(b(w)) truncated, for b(0) = 0."""
    if b[0]:
        raise ValueError("compose needs b(0) = 0")
    out = [zero] * (order + 1)
    pw = [one] + [zero] * order
    for k, ak in enumerate(a[: order + 1]):
        if k:
            pw = mul(pw, b, order, zero)
        if ak:
            out = [o + ak * p for o, p in zip(out, pw)]
    return out


def reversion(a: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """Compositional inverse b of a (a(0) = 0, a'(0) ≠ 0): a(b(y)) = y."""
    if a[0]:
        raise ValueError("reversion needs a(0) = 0")
    if not a[1]:
        raise ZeroDivisionError("reversion needs a'(0) != 0")
    # Σ_j a_j b**j - y = 0 : coefficients of b**j are constants a_j, minus y at j = 0.
    q = [[zero, -one] + [zero] * (order - 1)] + [[aj] for aj in a[1 : order + 1]]
    return implicit(q, zero, order, zero, one)


def moments_to_cumulants(mom: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """Free cumulants κ_0 = 1, κ_1..κ_order from moments m_0 = 1, m_1.. (M(w) = C(w M(w)))."""
    M = list(mom[: order + 1])
    wM = [zero] + M[:order]
    pw = powers(wM, order, order, zero, one)
    kap = [one] + [zero] * order
    for k in range(1, order + 1):
        s = zero
        for n in range(1, k):
            if kap[n] and pw[n][k]:
                s = s + kap[n] * pw[n][k]
        kap[k] = M[k] - s
    return kap


def cumulants_to_moments(kap: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """Moments m_0 = 1, m_1.. from free cumulants κ_0 = 1, κ_1.. (M(w) = C(w M(w)))."""
    # y = M(w) solves  Σ_n κ_n w**n y**n - y = 0.
    q = []
    for n in range(order + 1):
        qn = [zero] * (order + 1)
        if n <= order:
            qn[n] = kap[n] if n else one
        if n == 1:
            qn[0] = qn[0] - one
        q.append(qn)
    return implicit(q, one, order, zero, one)


def moments_product(ma: Sequence[Any], mb: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """Moments of the free multiplicative convolution via S-transforms (both means non-zero).

    ψ(u) = Σ_{k≥1} m_k u**k, χ = ψ^{-1}; χ_C(y) = χ_A(y) χ_B(y) (1 + y) / y because
    S_C = S_A S_B with S = χ (1 + y)/y.
    """
    chis = []
    for mm in (ma, mb):
        psi = [zero] + list(mm[1 : order + 1])
        chis.append(reversion(psi, order, zero, one))
    # χ_A χ_B / y  (χ_A χ_B has zero constant and linear terms)
    chi_a = chis[0] + [zero]
    chi_b = chis[1] + [zero]
    prod = mul(chi_a, chi_b, order + 1, zero)
    shifted = prod[1:] + [zero]          # divide by y
    onepy = [one, one] + [zero] * order
    chi_c = mul(shifted, onepy, order, zero)
    psi_c = reversion(chi_c, order, zero, one)
    return [one] + psi_c[1:]


def inverse(a: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """``1/a(w)`` truncated after ``w**order`` (``a(0)`` invertible)."""
    if not a[0]:
        raise ZeroDivisionError("inverse needs a(0) != 0")
    out = [one / a[0]] + [zero] * order
    for k in range(1, order + 1):
        s = zero
        for i in range(1, min(k, len(a) - 1) + 1):
            if a[i]:
                s = s + a[i] * out[k - i]
        out[k] = -s / a[0]
    return out


def stieltjes_at(mom: Sequence[Any], t: Sequence[Any], order: int, zero: Any, one: Any) -> Series:
    """The series of ``-m_H(ζ) = Σ_k h_k t**(k+1)`` where ``t = 1/ζ`` is a series with ``t(0) = 0``
    and ``h_k`` the moments ``mom`` of H (so ``m_H(ζ) = -Σ_k h_k ζ**(-k-1)`` at infinity)."""
    return mul(compose(list(mom[: order + 1]), t, order, zero, one), t, order, zero)
