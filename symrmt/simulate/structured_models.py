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
                    ratios from a, b as in :mod:`symrmt.symbolic.meixner`)
==================  ==========================================================================

Laws with no model here (refused with the reason by ``check_simulable``): equilibrium measures
of ``t x^{2M}`` for M > 1 (a non-Gaussian unitary ensemble), free Meixner laws with ``b < 0``
or ``0 < a² < 4b``.
"""
from __future__ import annotations

import math

from ..errors import ParameterError
from . import ensembles as ens
from . import models
from .models import _draw, _num, _Sample, _size, _white_wishart

__all__ = ["HANDLERS", "NO_MODEL", "meixner_model"]

#: ops that have no random-matrix model, with the reason
NO_MODEL = {
    "equilibrium_measure": "the equilibrium measure of t·x^(2M) (M > 1) is the limit of the non-Gaussian "
                           "unitary ensemble exp(-n tr V(H)), which has no exact direct sampler here",
}


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


def meixner_model(a: float, b: float):
    """The model of the free Meixner law ``μ_{a,b}``: ``("semicircle",)``, ``("free_poisson", rate,
    jump)``, or ``("ratio", c1, c2, sign)`` for ``sign·(F - mean)/sd`` with
    ``F = W₁^{1/2} W₂^{-1} W₁^{1/2}``, ``W_i`` white Wisharts of ratio ``c_i`` (``c1 = 0``: W₁ = I);
    a :class:`ParameterError` where there is none.

    With ``c2 = b/(1 + b)`` and ``x = c1 (1 - c2)``, F has ``b = c2/(1 - c2)`` and
    ``a² = (x + 2c2)²/((1 - c2)(x + c2)) ≥ 4b``; solving for x gives
    ``x = (k - 4c2 + √(k(k - 4c2)))/2`` with ``k = a²/(1 + b)``.
    """
    if b == 0:
        return ("semicircle",) if a == 0 else ("free_poisson", 1 / a**2, a)
    if b > 0 and a * a >= 4 * b * (1 - 1e-12):
        c2 = b / (1 + b)
        k = a * a / (1 + b)
        gap = max(k - 4 * c2, 0.0)
        x = (gap + math.sqrt(k * gap)) / 2
        return ("ratio", x * (1 + b), c2, 1.0 if a > 0 else -1.0)
    raise ParameterError(f"free_meixner: a = {a:.6g}, b = {b:.6g} has no random-matrix model here "
                         "(models exist for b = 0 and for b > 0 with a² >= 4b)")


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


HANDLERS = {"info_plus_noise": _info_plus_noise, "correlated_wishart": _correlated_wishart,
            "chiral_block": _chiral_block, "free_meixner": _free_meixner}


def _meixner_precheck(law) -> None:
    meixner_model(_num(law.construction.args["a"], "free_meixner a"), _num(law.construction.args["b"], "free_meixner b"))


models._HANDLERS.update(HANDLERS)
models._NO_MODEL.update(NO_MODEL)
models._PRECHECKS["free_meixner"] = _meixner_precheck
