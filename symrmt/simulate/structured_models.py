"""Random-matrix models of the structured constructions (registered in :mod:`symrmt.simulate.models`
when :mod:`symrmt.simulate` is imported).

==================  ==========================================================================
op                  n×n model
==================  ==========================================================================
info_plus_noise     ``(A + σG)(A + σG)ᵀ/N``, ``N = round(n/c)``, ``A = [diag(√(N λ)) 0]`` with λ
                    the operand's model eigenvalues (G bi-orthogonally invariant, so a
                    rectangular-diagonal A is exact in law); for ``n > N`` the ``n - N``
                    eigenvalues of λ nearest 0 must be zeros
correlated_wishart  ``X Xᵀ/N``, ``X = diag(√a) G diag(√b)``, a (n) and b (``N = round(n/c)``) the
                    operands' model eigenvalues
chiral_block        the block matrix ``[[αI_k, X/√m], [Xᵀ/√m, βI_m]]``, ``k = round(n c/(1 + c))``
free_meixner        standardized Wigner (a = b = 0), free Poisson (b = 0), inverse Wishart
                    (``a² = 4b``) or ``W₁^{1/2} W₂^{-1} W₁^{1/2}`` (``a² > 4b > 0``; Wishart
                    ratios from a, b as in :mod:`symrmt.symbolic.meixner`); for ``-1 <= b < 0``
                    the affine image of a compressed Haar projection (free binomial); for
                    ``0 < a² < 4b`` a Wigner matrix plus rank-one jumps from a Gauss–Radau rule
                    of the Lévy measure (see :func:`meixner_model`)
equilibrium_measure the eigenvalues of the unitary ensemble ``exp(-n tr t H^{2M})`` (M > 1; M = 1
                    is the semicircle), drawn by MCMC on the log-gas, one chain per trial
                    (:mod:`symrmt.simulate.log_gas`)
==================  ==========================================================================

Every free Meixner law (real a, ``b >= -1``) has a model; :func:`meixner_model` refuses other
parameters with a :class:`~symrmt.errors.ParameterError`.
"""
from __future__ import annotations

import math

from ..errors import ParameterError
from . import ensembles as ens
from . import models
from .models import _draw, _num, _Sample, _size, _white_wishart, atom_counts

__all__ = ["HANDLERS", "NO_MODEL", "meixner_model"]

#: ops that have no random-matrix model, with the reason (none among these constructions)
NO_MODEL: dict[str, str] = {}


def _nonnegative(x, what: str):
    scale = max(float(x.abs().max()), 1e-300)
    if bool((x < -1e-10 * scale).any()):
        raise ParameterError(f"{what} takes negative values; it must be supported on [0, inf)")
    return x.clamp(min=0)


def _info_plus_noise(law, d, batch, ctx, invariant):
    import torch

    c = _num(law.construction.args["ratio"], "info_plus_noise ratio")
    s2 = _num(law.construction.args["noise"], "info_plus_noise noise")
    op = law.construction.operands[0]
    big = _size(d / c, "info_plus_noise columns")
    lam = _nonnegative(_draw(op, d, batch, ctx).eigenvalues(), f"info_plus_noise: the signal law {op.name}")
    if big < d:  # AAᵀ/N has rank <= N: the d - N smallest must be zeros
        lam = lam.sort(dim=-1).values
        gone = lam[:, : d - big]
        if bool((gone > 1e-8 * max(float(lam.max()), 1e-300)).any()):
            raise ParameterError(f"info_plus_noise: ratio = {c:.6g} > 1 needs an atom at 0 of mass >= 1 - 1/ratio "
                                 f"= {1 - 1 / c:.6g} in {op.name}; its model has fewer zero eigenvalues")
        lam = lam[:, d - big:]
    k = lam.shape[-1]
    y = ens.gaussian((batch, d, big), ctx.gen, ctx.dtype) * math.sqrt(s2)
    idx = torch.arange(k, device=y.device)
    y[:, idx, idx] += (big * lam).sqrt()
    return _Sample(mat=y @ y.transpose(-2, -1) / big)


def _correlated_wishart(law, d, batch, ctx, invariant):
    c = _num(law.construction.args["ratio"], "correlated_wishart ratio")
    left, right = law.construction.operands
    big = _size(d / c, "correlated_wishart columns")
    a = _nonnegative(_draw(left, d, batch, ctx).eigenvalues(), f"correlated_wishart: {left.name}")
    b = _nonnegative(_draw(right, big, batch, ctx).eigenvalues(), f"correlated_wishart: {right.name}")
    x = ens.gaussian((batch, d, big), ctx.gen, ctx.dtype) * a.sqrt().unsqueeze(-1) * b.sqrt().unsqueeze(-2)
    return _Sample(mat=x @ x.transpose(-2, -1) / big)


def _chiral_block(law, d, batch, ctx, invariant):
    import torch

    args = law.construction.args
    al, be, c = (_num(args[k], f"chiral_block {k}") for k in ("alpha", "beta", "ratio"))
    k = _size(d * c / (1 + c), "chiral_block first block")
    rest = _size(d - k, "chiral_block second block")
    x = ens.gaussian((batch, k, rest), ctx.gen, ctx.dtype) / math.sqrt(rest)
    mat = torch.zeros(batch, d, d, dtype=ctx.dtype, device=x.device)
    mat[:, :k, k:] = x
    mat[:, k:, :k] = x.transpose(-2, -1)
    diag = torch.cat([torch.full((k,), al, dtype=ctx.dtype, device=x.device),
                      torch.full((rest,), be, dtype=ctx.dtype, device=x.device)])
    mat.diagonal(dim1=-2, dim2=-1).add_(diag)
    return _Sample(mat=mat)


#: nodes of the Gauss–Radau rule of the Lévy measure ρ tried for ``0 < a² < 4b`` (the rule with
#: the smallest total rate ``Σ w_i/x_i²`` among these sizes is used; see :func:`meixner_model`)
_RADAU_SIZES = (16, 17, 18, 19)


def _radau_semicircle(a: float, b: float, size: int):
    """Gauss–Radau rule of the semicircle of mean ``a`` and variance ``b`` with one node fixed at 0:
    ``(nodes, weights)`` (``size`` of them, exact for polynomials of degree ``<= 2 size - 2``), or
    None where it degenerates (0 a node of the Gauss rule of ``size - 1`` points, or a node far
    outside the support).  Golub 1973: the Jacobi matrix (diagonal a, off-diagonal √b) of order
    ``size - 1``, bordered so that 0 is an eigenvalue; weights are the squared first components
    of the eigenvectors."""
    import numpy as np

    k, r = size - 1, math.sqrt(b)
    jac = np.diag(np.full(k, a)) + np.diag(np.full(k - 1, r), 1) + np.diag(np.full(k - 1, r), -1)
    if abs(np.linalg.det(jac / r)) < 1e-6:
        return None
    last = np.linalg.solve(jac, np.eye(k)[-1] * b)[-1]   # (J - 0·I) δ = b e_k, α_k = 0 + δ_k
    full = np.zeros((size, size))
    full[:k, :k] = jac
    full[k, k] = last
    full[k - 1, k] = full[k, k - 1] = r
    nodes, vec = np.linalg.eigh(full)
    if np.abs(nodes - a).max() > 2 * r * (1 + 1e-9) or np.abs(nodes).min() > 1e-9 * (abs(a) + r):
        return None
    return nodes, vec[0] ** 2


def meixner_model(a: float, b: float):
    """The model of the free Meixner law ``μ_{a,b}``; a :class:`ParameterError` where there is none.

    Parameters
    ----------
    a : float
        The third moment.
    b : float
        ``m₄ - a² - 2``; every real ``a`` and ``b >= -1`` has a model.

    Returns
    -------
    tuple
        ``("semicircle",)``; ``("free_poisson", rate, jump)`` (b = 0); ``("ratio", c1, c2, sign)``
        for ``sign·(F - mean)/sd`` with ``F = W₁^{1/2} W₂^{-1} W₁^{1/2}``, ``W_i`` white Wisharts
        of ratio ``c_i`` (``c1 = 0``: W₁ = I; ``a² >= 4b > 0``); ``("binomial", p, t, s)`` for
        ``s (t P Π P - t p)`` on the range of P, ``Π`` a Haar-rotated projection of rank
        ``p·size``, P a coordinate projection of rank ``size/t`` (``-1 <= b < 0``);
        ``("levy", nodes, weights)`` for the centred ``Σ_i x_i G_i G_iᵀ/n + √w₀ Wigner``
        (``0 < a² < 4b``).

    Notes
    -----
    Wishart ratio (``a² >= 4b > 0``): with ``c2 = b/(1 + b)`` and ``x = c1 (1 - c2)``, F has
    ``b = c2/(1 - c2)`` and ``a² = (x + 2c2)²/((1 - c2)(x + c2)) >= 4b``; solving for x gives
    ``x = (k - 4c2 + √(k(k - 4c2)))/2`` with ``k = a²/(1 + b)``.

    Free binomial (``-1 <= b < 0``): the Bernoulli law ``β_p = (1 - p)δ₀ + pδ₁`` has free
    cumulants ``κ₂ = p(1 - p)``, ``κ₃ = κ₂(1 - 2p)``, ``κ₄ = κ₂(1 - 5p + 5p²)``, and ``β_p^{⊞t}``
    (t >= 1) is the law of ``t PΠP`` on the range of P, ``tr P = 1/t`` (Nica & Speicher 1996).
    Matching ``s(β_p^{⊞t} - tp)`` to ``κ₂ = 1``, ``κ₃ = a``, ``κ₄ = a² + b`` gives ``t = -1/b``,
    ``s = √(a² - 4b)`` and ``p = (1 - a/s)/2``: every ``(a, b)`` with ``-1 <= b < 0`` is
    reached (``b < -1`` would need ``t < 1``, for which no law exists).  All free cumulants then
    agree, since both are free Meixner laws with the same ``(a, b)`` (the tests check the
    moments to order 10).

    Pure free Meixner (``0 < a² < 4b``): ``μ_{a,b}`` is ⊞-infinitely divisible with
    ``κ_{k+2} = ∫ x^k ρ(dx)``, ρ the semicircle of mean a and variance b (Saitoh & Yoshida 2001;
    Bożejko & Bryc 2006), which charges 0, so no compound Poisson law has it.  The model replaces
    ρ by its Gauss–Radau rule ``Σ_i w_i δ_{x_i}`` with a node ``x₀ = 0``: the law of
    ``√w₀ Wigner + Σ_{i≠0} x_i G_i G_iᵀ/n - Σ_{i≠0} x_i N_i/n`` (``G_i`` of size
    ``n × N_i``, ``N_i = round(n w_i/x_i²)``) is the free convolution of a semicircle of
    variance w₀ and free Poisson laws of rates ``w_i/x_i²`` and jumps ``x_i``, whose free
    cumulants are ``κ_{k+2} = Σ_i w_i x_i^k``.  A rule of K = 16 to 19 nodes (the one with the
    smallest total rate) is exact for degree ``2K - 2 >= 30``, so the model's law has the
    moments of ``μ_{a,b}`` exactly up to order ``2K >= 32``; beyond, they differ by the rule's
    error: relative 1e-14 to 2e-11 at order 36 and at most 1e-9 at order 40 for
    ``(a, b) = (0, 1), (1/2, 1), (3/2, 1), (-1, 3)``, far under the finite-n error
    ``O(1/n) ≈ 3e-3`` at n = 300.  The total rate ``Σ w_i/x_i²`` is about ``2.5/b`` (1.3 to
    2.6 for b = 1, 2; 250 for b = 0.01): the model has that many times n Gaussian columns.
    This replaces the truncation of the small jumps (a Gaussian part of variance
    ``ρ(|x| < ε)``), whose bias ``O(ε^{k-2})`` in κ_k would need rates ``~ 1/ε``.
    References: Golub 1973, "Some modified matrix eigenvalue problems", SIAM Rev. 15:318-334.
    """
    if b == 0:
        return ("semicircle",) if a == 0 else ("free_poisson", 1 / a**2, a)
    if b > 0 and a * a >= 4 * b * (1 - 1e-12):
        c2 = b / (1 + b)
        k = a * a / (1 + b)
        gap = max(k - 4 * c2, 0.0)
        x = (gap + math.sqrt(k * gap)) / 2
        return ("ratio", x * (1 + b), c2, 1.0 if a > 0 else -1.0)
    if -1 <= b < 0:
        s = math.sqrt(a * a - 4 * b)
        return ("binomial", (1 - a / s) / 2, -1 / b, s)
    if b > 0:
        rules = [r for r in (_radau_semicircle(a, b, k) for k in _RADAU_SIZES) if r is not None]
        if rules:
            nodes, weights = min(rules, key=lambda rule: _levy_rates(*rule)[1].sum())
            return ("levy", nodes, weights)
    raise ParameterError(f"free_meixner: a = {a:.6g}, b = {b:.6g} has no random-matrix model here "
                         "(models exist for real a and b >= -1)")


def _levy_rates(nodes, weights):
    """The nonzero nodes (jumps) of a Lévy-measure rule and their free Poisson rates ``w_i/x_i²``."""
    off = abs(nodes) > 1e-9 * abs(nodes).max()
    return nodes[off], weights[off] / nodes[off] ** 2


def _free_levy(nodes, weights, d, batch, ctx):
    """Centred ``√v Wigner + G diag(x) Gᵀ/d`` for the Lévy measure ``Σ w_i δ_{x_i}`` (a node at 0):
    ``N_i = round(d w_i/x_i²)`` Gaussian columns of jump ``x_i``, and ``v = Σ w_i - Σ N_i x_i²/d``
    (the node at 0 plus the rounding), so that the variance is ``Σ w_i`` at every d."""
    import torch

    jumps, rates = _levy_rates(nodes, weights)
    total = float(weights.sum())
    counts = [int(round(d * r)) for r in rates]
    if sum(c * x * x for c, x in zip(counts, jumps)) > d * total:
        counts = [int(math.floor(d * r)) for r in rates]
    var = total - sum(c * x * x for c, x in zip(counts, jumps)) / d
    mat = ens.symmetrized(ens.wigner_matrix(batch, d, ctx.gen, ctx.dtype, max(var, 0.0)))
    col = torch.tensor([x for c, x in zip(counts, jumps) for _ in range(c)], dtype=ctx.dtype,
                       device=mat.device)
    if col.numel():
        g = ens.gaussian((batch, d, col.numel()), ctx.gen, ctx.dtype)
        mat = mat + (g * col) @ g.transpose(-2, -1) / d
        mat.diagonal(dim1=-2, dim2=-1).sub_(float(col.sum()) / d)
    return _Sample(mat=mat, invariant=True)


def _free_binomial(p, t, s, d, batch, ctx):
    """``s (t PΠP - t p')`` on the range of P: the top-left d×d corner of a Haar-rotated projection
    Π of size ``round(t d)`` and rank ``round(p·size)`` (p' that rank over the size)."""
    import torch

    big = _size(t * d, "free_meixner projection size")
    ones = atom_counts([1 - p, p], big)[1]
    proj = torch.zeros(batch, big, dtype=ctx.dtype, device=ctx.gen.device)
    proj[:, :ones] = 1
    mat = ens.compression_matrix(proj, d, ctx.gen) * (s * t)
    mat.diagonal(dim1=-2, dim2=-1).sub_(s * t * ones / big)
    return _Sample(mat=mat, invariant=True)


def _free_meixner(law, d, batch, ctx, invariant):
    import torch

    a = _num(law.construction.args["a"], "free_meixner a")
    b = _num(law.construction.args["b"], "free_meixner b")
    kind = meixner_model(a, b)
    if kind[0] == "semicircle":
        return _Sample(mat=ens.wigner_matrix(batch, d, ctx.gen, ctx.dtype, 1.0), full=False, invariant=True)
    if kind[0] == "free_poisson":
        _, rate, jump = kind
        s = _white_wishart(d, _size(d * rate, "free_meixner samples"), jump * rate, batch, ctx, True)
        return s.scaled(1.0, -rate * jump)
    if kind[0] == "binomial":
        return _free_binomial(*kind[1:], d, batch, ctx)
    if kind[0] == "levy":
        return _free_levy(*kind[1:], d, batch, ctx)
    _, c1, c2, sign = kind
    w2 = ens.wishart_matrix(batch, d, _size(d / c2, "free_meixner samples"), ctx.gen, ctx.dtype)
    low = torch.linalg.cholesky(w2)
    if c1 > 0:
        w1 = ens.wishart_matrix(batch, d, _size(d / c1, "free_meixner samples"), ctx.gen, ctx.dtype)
    else:
        w1 = torch.eye(d, dtype=ctx.dtype, device=w2.device).expand(batch, d, d)
    half = torch.linalg.solve_triangular(low, w1, upper=False)
    f = torch.linalg.solve_triangular(low, half.transpose(-2, -1), upper=False)   # L⁻¹ W₁ L⁻ᵀ
    f = (f + f.transpose(-2, -1)) / 2
    mean = 1 / (1 - c2)
    sd = math.sqrt((c1 * (1 - c2) + c2) / (1 - c2) ** 3)
    f.diagonal(dim1=-2, dim2=-1).sub_(mean)
    return _Sample(mat=f * (sign / sd), invariant=True)


def _equilibrium_measure(law, d, batch, ctx, invariant):
    from .log_gas import log_gas_eigenvalues

    power = int(_num(law.construction.args["power"], "equilibrium_measure power"))
    t = _num(law.construction.args["coupling"], "equilibrium_measure coupling")
    if not t > 0:
        raise ParameterError(f"equilibrium_measure coupling: must be > 0, got {t:.6g}")
    if d < 2:
        raise ParameterError(f"equilibrium_measure: the log-gas needs n >= 2 eigenvalues, got {d}")
    return _Sample(eig=log_gas_eigenvalues(power, t, d, batch, ctx.gen, ctx.dtype))


HANDLERS = {"info_plus_noise": _info_plus_noise, "correlated_wishart": _correlated_wishart,
            "chiral_block": _chiral_block, "free_meixner": _free_meixner,
            "equilibrium_measure": _equilibrium_measure}


def _meixner_precheck(law) -> None:
    meixner_model(_num(law.construction.args["a"], "free_meixner a"), _num(law.construction.args["b"], "free_meixner b"))


models._HANDLERS.update(HANDLERS)
models._NO_MODEL.update(NO_MODEL)
models._PRECHECKS["free_meixner"] = _meixner_precheck
