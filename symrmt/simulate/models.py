"""The random-matrix model of an :class:`~symrmt.symbolic.laws.AlgebraicLaw`, read off its construction.

Every law built with the symbolic calculus records how it was built
(:class:`~symrmt.symbolic.laws.Construction`); this module walks that tree and draws the matching
random matrices, so that any composed law gets its simulation automatically:

==================  ==========================================================================
op                  d×d model (sorted eigenvalues)
==================  ==========================================================================
semicircle          Wigner ``σ (G + Gᵀ)/√(2d)``
marchenko_pastur    ``σ² XᵀX/n``, X of shape n×d, ``n = round(d/γ)``
free_poisson        ``αλ XᵀX/n`` with ``n = round(λ d)`` (= Marchenko–Pastur(1/λ, αλ))
atoms               diagonal, ``round(p_i d)`` copies of ``x_i`` (largest remainders fix the total)
free_add            ``A + Q B Qᵀ``; a Wigner operand is used directly (it is orthogonally invariant)
free_multiply       ``A^{1/2} Q B Qᵀ A^{1/2}`` (operands swapped if only B is ≥ 0); a
                    Marchenko–Pastur operand becomes a sample covariance of the other
mobius              ``f(A) = (pA + q)(rA + s)^{-1}`` applied to the eigenvalues
free_power          integer t: sum of t free copies; real t > 1: ``t ×`` the d×d corner of a
                    ``Q A Qᵀ`` of size ``round(t d)`` (Nica & Speicher 1996); t < 1: no model
sample_covariance   ``Σ^{1/2} XᵀX Σ^{1/2}/n``, ``n = round(d/c)``, Σ drawn from the population law
compress            top-left d×d block of ``Q A Qᵀ``, A of size ``round(d/α)``
polynomial          no model (the law was given directly): :class:`ParameterError`
==================  ==========================================================================

References: Voiculescu (free sums/products of Haar-rotated matrices); Rao & Edelman 2008, "The
polynomial method for random matrices"; Silverstein & Bai 1995.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from ..errors import ParameterError
from ..symbolic.laws import AlgebraicLaw
from . import ensembles as ens
from .device import (batch_size, check_seed, check_size, check_trials, make_generator,
                     resolve_device, resolve_dtype)

__all__ = ["sample_eigenvalues", "check_simulable", "atom_counts"]


@dataclass
class _Ctx:
    gen: Any
    dtype: Any


def _num(value: Any, what: str) -> float:
    expr = sp.sympify(value)
    if expr.free_symbols:
        raise ParameterError(f"{what}: unbound parameter(s) {sorted(s.name for s in expr.free_symbols)}; bind them with law.subs(...)")
    val = complex(sp.N(expr))
    if abs(val.imag) > 1e-12 * max(1.0, abs(val.real)) or not math.isfinite(val.real):
        raise ParameterError(f"{what}: must be a finite real number, got {expr}")
    return float(val.real)


def atom_counts(weights: list[float], d: int) -> list[int]:
    """``round(p_i d)`` copies per atom, adjusted by largest remainders so that they sum to d."""
    raw = [w * d for w in weights]
    counts = [int(math.floor(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: d - sum(counts)]:
        counts[i] += 1
    return counts


def _size(d: float, what: str) -> int:
    k = int(round(d))
    if k < 1:
        raise ParameterError(f"{what}: the matrix model needs a size >= 1, got {d:.3g}; increase n")
    return k


# ---------------------------------------------------------------------- handlers
def _semicircle(law, d, batch, ctx):
    var = _num(law.construction.args["variance"], "semicircle variance")
    return ens.wigner(batch, d, ctx.gen, ctx.dtype, var)


def _identity(batch, d, ctx, value=1.0):
    import torch

    return torch.full((batch, d), value, dtype=ctx.dtype, device=ctx.gen.device)


def _marchenko_pastur(law, d, batch, ctx):
    args = law.construction.args
    g = _num(args["ratio"], "marchenko_pastur ratio")
    var = _num(args["variance"], "marchenko_pastur variance")
    n = _size(d / g, "marchenko_pastur samples")
    return ens.sample_covariance(_identity(batch, d, ctx), n, ctx.gen, var)


def _free_poisson(law, d, batch, ctx):
    args = law.construction.args
    lam = _num(args["rate"], "free_poisson rate")
    jump = _num(args["jump"], "free_poisson jump")
    n = _size(d * lam, "free_poisson samples")
    return ens.sample_covariance(_identity(batch, d, ctx), n, ctx.gen, jump * lam)


def _atoms(law, d, batch, ctx):
    import torch

    args = law.construction.args
    pts = [_num(p, "atom point") for p in args["points"]]
    wts = [_num(w, "atom weight") for w in args["weights"]]
    vals = []
    for p, c in zip(pts, atom_counts(wts, d)):
        vals += [p] * c
    row = torch.tensor(sorted(vals), dtype=ctx.dtype, device=ctx.gen.device)
    return row.expand(batch, d).clone()


def _free_add(law, d, batch, ctx):
    a, b = law.construction.operands
    if b.construction.op == "semicircle":
        a, b = b, a
    if a.construction.op == "semicircle":
        import torch

        var = _num(a.construction.args["variance"], "semicircle variance")
        mat = ens.wigner_matrix(batch, d, ctx.gen, ctx.dtype, var)
        mat.diagonal(dim1=-2, dim2=-1).add_(_draw(b, d, batch, ctx))
        return torch.linalg.eigvalsh(mat)
    return ens.free_sum(_draw(a, d, batch, ctx), _draw(b, d, batch, ctx), ctx.gen)


def _free_multiply(law, d, batch, ctx):
    a, b = law.construction.operands
    if b.construction.op == "marchenko_pastur":
        a, b = b, a
    if a.construction.op == "marchenko_pastur":  # Σ^{1/2} (σ² XᵀX/n) Σ^{1/2}: a sample covariance
        g = _num(a.construction.args["ratio"], "marchenko_pastur ratio")
        var = _num(a.construction.args["variance"], "marchenko_pastur variance")
        pop = _draw(b, d, batch, ctx)
        if bool((pop < 0).any()):
            raise ParameterError(f"free_multiply: {b.name} takes negative values; a product with "
                                 "Marchenko–Pastur needs the other law supported on [0, inf)")
        return ens.sample_covariance(pop, _size(d / g, "marchenko_pastur samples"), ctx.gen, var)
    ea, eb = _draw(a, d, batch, ctx), _draw(b, d, batch, ctx)
    if bool((ea < 0).any()):
        if bool((eb < 0).any()):
            raise ParameterError(f"free_multiply: neither {a.name} nor {b.name} is supported on [0, inf); "
                                 "the model A^(1/2) Q B Qᵀ A^(1/2) needs one of them to be")
        ea, eb = eb, ea
    return ens.free_product(ea, eb, ctx.gen)


def _mobius(law, d, batch, ctx):
    args = law.construction.args
    p, q, r, s = (_num(args[k], f"mobius {k}") for k in "pqrs")
    x = _draw(law.construction.operands[0], d, batch, ctx)
    den = r * x + s
    scale = x.abs().max().item() * abs(r) + abs(s)
    if bool((den.abs() <= 1e-9 * max(scale, 1e-300)).any()):
        raise ParameterError(f"mobius: the operand {law.construction.operands[0].name} has eigenvalues at "
                             f"the pole x = {-s / r if r else float('inf'):.6g} of (p x + q)/(r x + s)")
    return ((p * x + q) / den).sort(dim=-1).values


def _free_power(law, d, batch, ctx):
    t = _num(law.construction.args["t"], "free_power t")
    op = law.construction.operands[0]
    if abs(t - round(t)) < 1e-12 and round(t) >= 1:
        out = _draw(op, d, batch, ctx)
        for _ in range(int(round(t)) - 1):
            out = ens.free_sum(out, _draw(op, d, batch, ctx), ctx.gen)
        return out
    if t < 1:
        raise ParameterError(f"free_power: t = {t:.6g} < 1 has no random-matrix model here; need t >= 1")
    big = _size(t * d, "free_power size")
    return ens.compression(_draw(op, big, batch, ctx), d, ctx.gen) * t


def _sample_covariance(law, d, batch, ctx):
    c = _num(law.construction.args["ratio"], "sample_covariance ratio")
    pop_law = law.construction.operands[0]
    pop = _draw(pop_law, d, batch, ctx)
    if bool((pop < 0).any()):
        raise ParameterError(f"sample_covariance: the population {pop_law.name} must be supported on [0, inf)")
    return ens.sample_covariance(pop, _size(d / c, "sample_covariance samples"), ctx.gen)


def _compress(law, d, batch, ctx):
    frac = _num(law.construction.args["fraction"], "compress fraction")
    big = _size(d / frac, "compress size")
    return ens.compression(_draw(law.construction.operands[0], big, batch, ctx), d, ctx.gen)


_HANDLERS: dict[str, Callable] = {
    "semicircle": _semicircle, "marchenko_pastur": _marchenko_pastur, "free_poisson": _free_poisson,
    "atoms": _atoms, "free_add": _free_add, "free_multiply": _free_multiply, "mobius": _mobius,
    "free_power": _free_power, "sample_covariance": _sample_covariance, "compress": _compress,
}


def _draw(law: AlgebraicLaw, d: int, batch: int, ctx: _Ctx):
    handler = _HANDLERS.get(law.construction.op)
    if handler is None:
        raise ParameterError(f"law {law.name!r} (construction {law.construction.op!r}) has no random-matrix "
                             "model; build it from the catalogue and free operations to simulate it")
    return handler(law, d, batch, ctx)


def check_simulable(law: AlgebraicLaw) -> None:
    """Raise :class:`ParameterError` unless every node of ``law``'s construction has a model and
    all parameters are bound."""
    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    if law.parameters:
        raise ParameterError(f"law {law.name!r} has unbound parameter(s) {[s.name for s in law.parameters]}; "
                             "bind them with law.subs(...) before simulating")
    stack = [law]
    while stack:
        node = stack.pop()
        op = node.construction.op
        if op not in _HANDLERS:
            raise ParameterError(f"law {node.name!r} (construction {op!r}) has no random-matrix model")
        if op == "free_power" and _num(node.construction.args["t"], "free_power t") < 1:
            raise ParameterError("free_power: t < 1 has no random-matrix model here; need t >= 1")
        stack.extend(node.construction.operands)


def _footprint(law: AlgebraicLaw, d: int) -> int:
    """Rough peak number of float entries one trial of the model of ``law`` at size d holds."""
    cons = law.construction
    args = cons.args
    try:
        if cons.op in ("marchenko_pastur", "sample_covariance"):
            key = "ratio"
            n = d / max(_num(args[key], key), 1e-9)
            own = 2 * n * d + 2 * d * d
        elif cons.op == "free_poisson":
            own = 2 * d * _num(args["rate"], "rate") * d + 2 * d * d
        elif cons.op == "compress":
            big = d / _num(args["fraction"], "fraction")
            return int(3 * big * d + _footprint(cons.operands[0], int(big)))
        elif cons.op == "free_power" and abs(_num(args["t"], "t") - round(_num(args["t"], "t"))) > 1e-12:
            big = d * _num(args["t"], "t")
            return int(3 * big * d + _footprint(cons.operands[0], int(big)))
        else:
            own = 4 * d * d
    except ParameterError:
        own = 4 * d * d
    return int(own + sum(_footprint(o, d) for o in cons.operands))


def sample_eigenvalues(law: AlgebraicLaw, n: int, trials: int = 1, seed: int = 0, device: Any = None,
                       dtype: Any = None, progress: bool | None = None):
    """Sorted eigenvalues of ``trials`` independent n×n random matrices whose limit law is ``law``.

    Parameters
    ----------
    law : AlgebraicLaw
        A law with all parameters bound, built from the catalogue and free operations.
    n : int, >= 2
        Matrix dimension (for sample covariances: the dimension d; samples ``round(d/ratio)``).
    trials : int, >= 1
        Independent matrices; drawn in memory-aware batches, each a batched ``eigvalsh``.
    seed : int
        Seed of the :class:`torch.Generator`; the same seed on the same device gives the same output.
    device : None, "cpu" or "cuda"
        None: CUDA if available, else CPU.
    dtype : None, "float64" or "float32"
        Default float64.
    progress : bool or None
        Show a tqdm bar over batches; None: only for long runs on a terminal.

    Returns
    -------
    torch.Tensor of shape ``(trials, n)``, ascending in each row.
    """
    import torch

    check_simulable(law)
    n, trials, seed = check_size(n), check_trials(trials), check_seed(seed)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    gen = make_generator(seed, dev)
    ctx = _Ctx(gen, dt)
    per_trial = _footprint(law, n) * torch.finfo(dt).bits // 8
    batch = batch_size(trials, per_trial, dev)
    chunks = list(range(0, trials, batch))
    it = chunks
    if progress is None:
        import sys

        progress = sys.stderr.isatty() and len(chunks) > 1 and trials * n**3 > 5e10
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(chunks, desc=f"simulating {law.name} (n={n})", unit="batch")
    out = [_draw(law, n, min(batch, trials - start), ctx) for start in it]
    return torch.cat(out, dim=0)
