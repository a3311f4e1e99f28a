"""The random-matrix model of an :class:`~symrmt.symbolic.laws.AlgebraicLaw`, read off its construction.

Every law built with the symbolic calculus records how it was built
(:class:`~symrmt.symbolic.laws.Construction`); this module walks that tree and draws the matching
random matrices, so that any composed law gets its simulation automatically:

==================  ==========================================================================
op                  d×d model (its spectrum has the law exactly, at every d)
==================  ==========================================================================
semicircle          Wigner ``σ (G + Gᵀ)/√(2d)``; alone, its tridiagonal (Dumitriu–Edelman) model
marchenko_pastur    ``σ² XᵀX/n``, X of shape n×d, ``n = round(d/γ)``; alone or as a population,
                    its Laguerre tridiagonal model ``BᵀB`` (no Gram product); dense where it must
                    be orthogonally invariant
free_poisson        ``αλ XᵀX/n`` with ``n = round(λ d)`` (= Marchenko–Pastur(1/λ, αλ))
atoms               diagonal, ``round(p_i d)`` copies of ``x_i`` (largest remainders fix the total)
free_add            ``A + B`` when A is orthogonally invariant in law (Wigner, white Wishart,
                    affine maps and sums of these): then ``A + QBQᵀ ≅ A + B`` and B may be any
                    matrix with the right spectrum; otherwise ``A + Q diag(b) Qᵀ``, Q Haar
free_multiply       a Marchenko–Pastur operand becomes a sample covariance of the other (the
                    population as eigenvalues or as the bidiagonal factor of a white Wishart);
                    otherwise ``A^{1/2} Q B Qᵀ A^{1/2}`` (operands swapped if only B is ≥ 0)
mobius              affine (r = 0): ``pA/s + q/s`` on the matrix (keeps invariance); otherwise
                    ``(pA + q)(rA + s)^{-1}`` applied to the eigenvalues
free_power          integer t: sum of t free copies; real t > 1: ``t ×`` the d×d corner of a
                    ``Q A Qᵀ`` of size ``round(t d)`` (Nica & Speicher 1996); t < 1: no model
sample_covariance   ``Σ^{1/2} XᵀX Σ^{1/2}/n``, ``n = round(d/c)``, Σ drawn from the population law
compress            top-left d×d block of ``Q A Qᵀ``, A of size ``round(d/α)``
square              the operand's eigenvalues squared
transpose           the operand at size ``round(c d)``: padded with ``d - round(c d)`` zeros
                    (c < 1) or with its ``round(c d) - d`` eigenvalues nearest 0 removed, which
                    must be zeros (c > 1)
block_diagonal      ``diag(A, B)``: A of size ``round(α d)``, B of size ``d - round(α d)``
info_plus_noise,    :mod:`symrmt.simulate.structured_models` (information plus noise,
correlated_wishart, separable covariance, the chiral block matrix, free Meixner laws)
chiral_block,
free_meixner
polynomial          no model (the law was given directly): :class:`ParameterError`
==================  ==========================================================================

Each node is drawn once per batch and composed as a matrix where it can be, so a composed law
costs one eigensolve (plus the Gram products and Haar rotations its model needs).

References: Voiculescu (free sums/products of Haar-rotated matrices); Rao & Edelman 2008, "The
polynomial method for random matrices"; Silverstein & Bai 1995; Dumitriu & Edelman 2002,
"Matrix models for beta ensembles" (tridiagonal models).
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify
from . import ensembles as ens
from .device import (batch_size, check_seed, check_size, check_trials, make_generator,
                     resolve_device, resolve_dtype)

__all__ = ["sample_eigenvalues", "sample_matrix", "check_simulable", "atom_counts", "model_cost"]


@dataclass
class _Ctx:
    gen: Any
    dtype: Any


def _num(value: Any, what: str) -> float:
    expr = safe_sympify(value, what)
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


# ---------------------------------------------------------------------- samples
@dataclass
class _Sample:
    """One batch of a law's model: its eigenvalues, or a matrix whose spectrum they are.

    ``mat`` is ``(batch, d, d)`` with a meaningful lower triangle (``full=True``: symmetric);
    ``invariant``: the law of ``mat`` is invariant under orthogonal conjugation, so it may be
    added to (or multiplied with) any independent matrix without a Haar rotation.  ``factor``:
    an upper-bidiagonal ``(diag, super)`` with ``mat ≅ BᵀB`` (white Wishart), usable as the
    square root of a population.  ``zeros``: exact zero eigenvalues not represented in ``mat``.
    ``tri``: the bands ``(diag, off)`` of a tridiagonal ``mat`` (then ``mat`` is built only when
    a matrix is asked for, and the eigenvalues come from a tridiagonal eigensolver on a CPU).
    """

    eig: Any = None
    mat: Any = None
    full: bool = True
    invariant: bool = False
    factor: Any = None
    zeros: int = 0
    tri: Any = None

    @property
    def has_matrix(self) -> bool:
        """Whether the sample is a matrix (dense or tridiagonal), not eigenvalues alone."""
        return self.mat is not None or self.tri is not None

    def matrix(self):
        """The (lower-stored) matrix, built from the bands of a tridiagonal sample when needed."""
        if self.mat is None and self.tri is not None:
            self.mat = ens.tridiagonal(*self.tri)
        return self.mat

    def eigenvalues(self, on_row=None):
        """Ascending eigenvalues ``(batch, d)``; ``on_row()`` is called per finished matrix where
        the solver goes matrix by matrix (else once per matrix at the end)."""
        import torch

        if self.eig is None:
            if self.tri is not None and self.mat is None:
                ev = ens.tridiagonal_eigvalsh(*self.tri, on_row=on_row)
                on_row = None
            elif on_row is not None and self.mat.device.type == "cpu":
                # matrix by matrix: the same LAPACK call per matrix as the batched solve
                ev = []
                for m in self.mat:
                    ev.append(torch.linalg.eigvalsh(m))
                    on_row()
                ev, on_row = torch.stack(ev), None
            else:
                ev = torch.linalg.eigvalsh(self.matrix())
            if self.zeros:
                ev = torch.cat([ev, torch.zeros(ev.shape[0], self.zeros, dtype=ev.dtype, device=ev.device)], -1)
                ev = ev.sort(dim=-1).values
            self.eig = ev
        for _ in range(self.eig.shape[0] if on_row is not None else 0):
            on_row()
        return self.eig

    def _padded(self, mat):
        import torch

        if not self.zeros:
            return mat
        return torch.nn.functional.pad(mat, (0, self.zeros, 0, self.zeros))

    def lower(self):
        """A matrix with this spectrum whose lower triangle is meaningful."""
        import torch

        if not self.has_matrix:
            return torch.diag_embed(self.eig)
        return self._padded(self.matrix())

    def symmetric(self):
        """A full symmetric matrix with this spectrum."""
        m = self.lower()
        return m if self.full or not self.has_matrix else ens.symmetrized(m)

    def scaled(self, p: float, q: float) -> "_Sample":
        """The sample of ``pX + q`` (an affine map keeps orthogonal invariance)."""
        if not self.has_matrix or (q != 0 and self.zeros):
            ev = p * self.eigenvalues() + q
            return _Sample(eig=ev.sort(dim=-1).values if p < 0 else ev)
        factor = None
        if self.factor is not None and p > 0 and q == 0:
            factor = tuple(f * math.sqrt(p) for f in self.factor)
        if self.mat is None:  # tridiagonal: scale the bands
            diag, off = self.tri
            return _Sample(tri=(p * diag + q, p * off), full=False, invariant=self.invariant, factor=factor,
                           zeros=self.zeros)
        mat = p * self.mat
        if q:
            mat.diagonal(dim1=-2, dim2=-1).add_(q)
        return _Sample(mat=mat, full=self.full, invariant=self.invariant, factor=factor, zeros=self.zeros)


# ---------------------------------------------------------------------- handlers
# Each handler draws one batch of its node: handler(law, d, batch, ctx, invariant) -> _Sample.
# ``invariant=True`` asks for an orthogonally invariant matrix where the node has one
# (see _invariant_cost); otherwise the handler picks its cheapest exact model.

def _semicircle(law, d, batch, ctx, invariant):
    var = _num(law.construction.args["variance"], "semicircle variance")
    if invariant:
        return _Sample(mat=ens.wigner_matrix(batch, d, ctx.gen, ctx.dtype, var), full=False, invariant=True)
    return _Sample(tri=ens.wigner_bands(batch, d, ctx.gen, ctx.dtype, var), full=False)


def _white_wishart(d, samples, scale, batch, ctx, invariant):
    """``scale · XᵀX/n``: dense (invariant) or the Laguerre tridiagonal model (one eigensolve)."""
    if invariant:
        return _Sample(mat=ens.wishart_matrix(batch, d, samples, ctx.gen, ctx.dtype) * scale, invariant=True)
    bd, bs = ens.laguerre_bidiagonal(batch, d, samples, ctx.gen, ctx.dtype)
    root = math.sqrt(abs(scale) / samples)
    bd, bs = bd * root, bs * root
    diag, off = ens.bidiagonal_gram_bands(bd, bs)
    if scale < 0:
        diag, off = diag.neg(), off.neg()
    return _Sample(tri=(diag, off), full=False, factor=(bd, bs) if scale >= 0 else None, zeros=d - bd.shape[-1])


def _marchenko_pastur(law, d, batch, ctx, invariant):
    args = law.construction.args
    g = _num(args["ratio"], "marchenko_pastur ratio")
    var = _num(args["variance"], "marchenko_pastur variance")
    return _white_wishart(d, _size(d / g, "marchenko_pastur samples"), var, batch, ctx, invariant)


def _free_poisson(law, d, batch, ctx, invariant):
    args = law.construction.args
    lam = _num(args["rate"], "free_poisson rate")
    jump = _num(args["jump"], "free_poisson jump")
    return _white_wishart(d, _size(d * lam, "free_poisson samples"), jump * lam, batch, ctx, invariant)


def _atoms(law, d, batch, ctx, invariant):
    import torch

    args = law.construction.args
    pts = [_num(p, "atom point") for p in args["points"]]
    wts = [_num(w, "atom weight") for w in args["weights"]]
    vals = []
    for p, c in zip(pts, atom_counts(wts, d)):
        vals += [p] * c
    row = torch.tensor(sorted(vals), dtype=ctx.dtype, device=ctx.gen.device)
    return _Sample(eig=row.expand(batch, d).clone())


def _free_add(law, d, batch, ctx, invariant):
    a, b = law.construction.operands
    ca, cb = _invariant_cost(a), _invariant_cost(b)
    if ca is None and cb is None:
        return _haar_sum(_draw(a, d, batch, ctx), _draw(b, d, batch, ctx), ctx)
    if ca is None or (cb is not None and cb < ca):
        a, b, ca, cb = b, a, cb, ca
    # a is orthogonally invariant: a + b has the law of a + (any matrix with b's spectrum)
    sa = _draw(a, d, batch, ctx, invariant=True)
    sb = _draw(b, d, batch, ctx, invariant=invariant and cb is not None)
    mat = sa.lower() + sb.lower()
    return _Sample(mat=mat, full=sa.full and (sb.full or not sb.has_matrix),
                   invariant=sa.invariant and sb.invariant)


def _haar_sum(sa: _Sample, sb: _Sample, ctx) -> _Sample:
    """``A + Q B Qᵀ`` with Q Haar: B enters as eigenvalues (the operand that has them, if one
    does), A as its eigenvalues or its matrix (no eigensolve of A needed)."""
    if sb.eig is None and sa.eig is not None:
        sa, sb = sb, sa
    first = sa.eig if sa.eig is not None else sa.symmetric()
    return _Sample(mat=ens.free_sum_matrix(first, sb.eigenvalues(), ctx.gen))


def _population(sample: _Sample, what: str):
    """The population of a sample covariance from a sample: eigenvalues (>= 0) or a factor."""
    if sample.factor is not None:
        bd, bs = sample.factor
        if sample.zeros:
            import torch

            pad = torch.zeros(bd.shape[0], sample.zeros, dtype=bd.dtype, device=bd.device)
            bd, bs = torch.cat([bd, pad], -1), torch.cat([bs, pad], -1)
        return ("bidiagonal", bd, bs)
    pop = sample.eigenvalues()
    if bool((pop < 0).any()):
        raise ParameterError(what)
    return pop


def _sample_covariance_sample(population, d, samples, scale, ctx) -> _Sample:
    """The sample of ``scale · Σ^{1/2} XᵀX Σ^{1/2}/n`` (its d − n zeros kept apart when n < d)."""
    mat = ens.covariance_matrix(population, samples, ctx.gen) * scale
    return _Sample(mat=mat, zeros=max(d - samples, 0))


def _free_multiply(law, d, batch, ctx, invariant):
    a, b = law.construction.operands
    if b.construction.op == "marchenko_pastur":
        a, b = b, a
    if a.construction.op == "marchenko_pastur":  # Σ^{1/2} (σ² XᵀX/n) Σ^{1/2}: a sample covariance
        g = _num(a.construction.args["ratio"], "marchenko_pastur ratio")
        var = _num(a.construction.args["variance"], "marchenko_pastur variance")
        pop = _population(_draw(b, d, batch, ctx),
                          f"free_multiply: {b.name} takes negative values; a product with "
                          "Marchenko–Pastur needs the other law supported on [0, inf)")
        return _sample_covariance_sample(pop, d, _size(d / g, "marchenko_pastur samples"), var, ctx)
    ea, eb = _draw(a, d, batch, ctx).eigenvalues(), _draw(b, d, batch, ctx).eigenvalues()
    if bool((ea < 0).any()):
        if bool((eb < 0).any()):
            raise ParameterError(f"free_multiply: neither {a.name} nor {b.name} is supported on [0, inf); "
                                 "the model A^(1/2) Q B Qᵀ A^(1/2) needs one of them to be")
        ea, eb = eb, ea
    return _Sample(mat=ens.free_product_matrix(ea, eb, ctx.gen))


def _mobius(law, d, batch, ctx, invariant):
    args = law.construction.args
    p, q, r, s = (_num(args[k], f"mobius {k}") for k in "pqrs")
    op = law.construction.operands[0]
    if r == 0:  # affine: (p/s) X + q/s, on the matrix itself
        return _draw(op, d, batch, ctx, invariant).scaled(p / s, q / s)
    x = _draw(op, d, batch, ctx).eigenvalues()
    den = r * x + s
    scale = x.abs().max().item() * abs(r) + abs(s)
    if bool((den.abs() <= 1e-9 * max(scale, 1e-300)).any()):
        raise ParameterError(f"mobius: the operand {op.name} has eigenvalues at "
                             f"the pole x = {-s / r:.6g} of (p x + q)/(r x + s)")
    return _Sample(eig=((p * x + q) / den).sort(dim=-1).values)


def _free_power(law, d, batch, ctx, invariant):
    t = _num(law.construction.args["t"], "free_power t")
    op = law.construction.operands[0]
    if abs(t - round(t)) < 1e-12 and round(t) >= 1:
        k = int(round(t))
        if _invariant_cost(op) is not None:  # a sum of independent invariant copies
            mat = sum(_draw(op, d, batch, ctx, invariant=True).lower() for _ in range(k))
            return _Sample(mat=mat, full=False, invariant=True)
        out = _draw(op, d, batch, ctx)
        for _ in range(k - 1):
            out = _haar_sum(out, _draw(op, d, batch, ctx), ctx)
        return out
    if t < 1:
        raise ParameterError(f"free_power: t = {t:.6g} < 1 has no random-matrix model here; need t >= 1")
    big = _size(t * d, "free_power size")
    return _Sample(mat=ens.compression_matrix(_draw(op, big, batch, ctx).eigenvalues(), d, ctx.gen) * t)


def _sample_covariance(law, d, batch, ctx, invariant):
    c = _num(law.construction.args["ratio"], "sample_covariance ratio")
    pop_law = law.construction.operands[0]
    pop = _population(_draw(pop_law, d, batch, ctx),
                      f"sample_covariance: the population {pop_law.name} must be supported on [0, inf)")
    return _sample_covariance_sample(pop, d, _size(d / c, "sample_covariance samples"), 1.0, ctx)


def _compress(law, d, batch, ctx, invariant):
    frac = _num(law.construction.args["fraction"], "compress fraction")
    big = _size(d / frac, "compress size")
    eig = _draw(law.construction.operands[0], big, batch, ctx).eigenvalues()
    return _Sample(mat=ens.compression_matrix(eig, d, ctx.gen))


def _square(law, d, batch, ctx, invariant):
    x = _draw(law.construction.operands[0], d, batch, ctx).eigenvalues()
    return _Sample(eig=(x * x).sort(dim=-1).values)


def _transpose(law, d, batch, ctx, invariant):
    import torch

    c = _num(law.construction.args["ratio"], "transpose ratio")
    op = law.construction.operands[0]
    size = _size(c * d, "transpose operand size")
    x = _draw(op, size, batch, ctx).eigenvalues()
    if size <= d:  # XXᵀ has the non-zero eigenvalues of XᵀX and d - size more zeros
        pad = torch.zeros(batch, d - size, dtype=x.dtype, device=x.device)
        return _Sample(eig=torch.cat([x, pad], -1).sort(dim=-1).values)
    drop = size - d
    order = x.abs().argsort(dim=-1)
    gone = torch.gather(x, -1, order[:, :drop])
    scale = max(float(x.abs().max()), 1e-300)
    if bool((gone.abs() > 1e-8 * scale).any()):
        raise ParameterError(f"transpose: ratio = {c:.6g} > 1 needs an atom at 0 of mass >= 1 - 1/ratio "
                             f"= {1 - 1 / c:.6g} in {op.name}; its model has fewer zero eigenvalues")
    return _Sample(eig=torch.gather(x, -1, order[:, drop:]).sort(dim=-1).values)


def _block_diagonal(law, d, batch, ctx, invariant):
    import torch

    al = _num(law.construction.args["fraction"], "block_diagonal fraction")
    a, b = law.construction.operands
    k = _size(al * d, "block_diagonal first block")
    rest = _size(d - k, "block_diagonal second block")
    ea, eb = _draw(a, k, batch, ctx).eigenvalues(), _draw(b, rest, batch, ctx).eigenvalues()
    return _Sample(eig=torch.cat([ea, eb], -1).sort(dim=-1).values)


_HANDLERS: dict[str, Callable] = {
    "semicircle": _semicircle, "marchenko_pastur": _marchenko_pastur, "free_poisson": _free_poisson,
    "atoms": _atoms, "free_add": _free_add, "free_multiply": _free_multiply, "mobius": _mobius,
    "free_power": _free_power, "sample_covariance": _sample_covariance, "compress": _compress,
    "square": _square, "transpose": _transpose, "block_diagonal": _block_diagonal,
}


def _invariant_cost(law: AlgebraicLaw) -> int | None:
    """Cost rank of an orthogonally invariant model of ``law``'s node, or None if it has none
    short of a Haar rotation: 0 Wigner (its entries), 1 white Wishart (a Gram product)."""
    cons = law.construction
    if cons.op == "semicircle":
        return 0
    if cons.op in ("marchenko_pastur", "free_poisson"):
        return 1
    if cons.op == "mobius" and _num(cons.args["r"], "mobius r") == 0:
        return _invariant_cost(cons.operands[0])
    if cons.op == "free_add":
        costs = [_invariant_cost(o) for o in cons.operands]
        return None if None in costs else max(costs)
    return None


def _draw(law: AlgebraicLaw, d: int, batch: int, ctx: _Ctx, invariant: bool = False) -> _Sample:
    handler = _HANDLERS.get(law.construction.op)
    if handler is None and law.construction.op in _NO_MODEL:
        raise ParameterError(f"law {law.name!r} has no random-matrix model: {_NO_MODEL[law.construction.op]}")
    if handler is None:
        raise ParameterError(f"law {law.name!r} (construction {law.construction.op!r}) has no random-matrix "
                             "model; build it from the catalogue and free operations to simulate it")
    return handler(law, d, batch, ctx, invariant)


def _is_law(obj: Any) -> bool:
    """Whether ``obj`` is an AlgebraicLaw, by its class name and the fields this module reads
    (the symbolic class is not imported here: ``AlgebraicLaw.sample`` imports this module)."""
    return type(obj).__name__ == "AlgebraicLaw" and hasattr(obj, "construction") and hasattr(obj, "parameters")


def check_simulable(law: AlgebraicLaw) -> None:
    """Raise :class:`ParameterError` unless every node of ``law``'s construction has a model and
    all parameters are bound."""
    if not _is_law(law):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    if law.parameters:
        raise ParameterError(f"law {law.name!r} has unbound parameter(s) {[s.name for s in law.parameters]}; "
                             "bind them with law.subs(...) before simulating")
    stack = [law]
    while stack:
        node = stack.pop()
        op = node.construction.op
        if op in _NO_MODEL:
            raise ParameterError(f"law {node.name!r} has no random-matrix model: {_NO_MODEL[op]}")
        if op in _PRECHECKS:
            _PRECHECKS[op](node)
        if op not in _HANDLERS:
            raise ParameterError(f"law {node.name!r} (construction {op!r}) has no random-matrix model")
        if op == "free_power" and _num(node.construction.args["t"], "free_power t") < 1:
            raise ParameterError("free_power: t < 1 has no random-matrix model here; need t >= 1")
        stack.extend(node.construction.operands)


def _footprint(law: AlgebraicLaw, d: float) -> float:
    """Rough peak number of float entries one trial of the model of ``law`` at size d holds
    (a float: ``inf`` when a parameter makes a model size overflow)."""
    cons = law.construction
    args = cons.args

    def over(x: float) -> float:  # d / x, inf where x is 0 or tiny
        return d / x if x > 0 and d / x < math.inf else math.inf

    try:
        if cons.op in ("marchenko_pastur", "sample_covariance"):
            n = over(_num(args["ratio"], "ratio"))
            own = 2 * n * d + 2 * d * d
        elif cons.op == "free_poisson":
            own = 2 * d * abs(_num(args["rate"], "rate")) * d + 2 * d * d
        elif cons.op == "compress":
            big = over(_num(args["fraction"], "fraction"))
            return 3 * big * d + _footprint(cons.operands[0], big)
        elif cons.op == "transpose":
            size = d * abs(_num(args["ratio"], "ratio"))
            return 4 * d * d + _footprint(cons.operands[0], size)
        elif cons.op == "free_power" and abs(_num(args["t"], "t") - round(_num(args["t"], "t"))) > 1e-12:
            big = d * abs(_num(args["t"], "t"))
            return 3 * big * d + _footprint(cons.operands[0], big)
        else:
            own = 4 * d * d
    except (ParameterError, OverflowError):
        own = 4 * d * d
    return float(own + sum(_footprint(o, d) for o in cons.operands))


def model_cost(law: AlgebraicLaw, n: int, trials: int = 1, dtype: Any = None):
    """Estimated peak memory and work of :func:`sample_eigenvalues` (a :class:`symrmt.limits.Cost`).

    Memory: one trial of the model — :func:`_footprint` entries (the matrices of each node of the
    construction: Gram products hold ``n·d + d²``, Haar rotations and dense models a few ``d²``,
    compressions their larger matrix), times the entry size; trials are drawn in batches that fit
    the simulation budget, so a run needs at least one trial's worth.  Work: per trial, each of
    those entries takes part in ``O(d)`` operations (products, QR, the eigensolve): ``2·d·entries``.
    """
    from ..limits import Cost

    itemsize = 4 if str(dtype).endswith("float32") else 8
    entries = float(_footprint(law, n))
    return Cost(memory=entries * itemsize, work=float(trials) * 2.0 * n * entries)


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
    progress : bool, None or a text stream
        Show a tqdm bar over the trials (a stream: draw it there); None: only for long runs when
        stderr is a terminal and ``CI`` is not set.  Inside :meth:`Derivation.verify` the finished
        trials move the verification's one bar instead.

    Returns
    -------
    torch.Tensor of shape ``(trials, n)``, ascending in each row.
    """
    from ..limits import check_cost

    check_simulable(law)
    n, trials, seed = check_size(n), check_trials(trials), check_seed(seed)
    what = f"simulating {law.name} at n={n} with {trials} trial(s)"
    cost = check_cost(model_cost(law, n, trials, dtype), what)  # before torch allocates anything
    import torch

    dev, dt = resolve_device(device), resolve_dtype(dtype)
    check_cost(cost, what, dev)  # a CUDA device also caps the memory at its own
    gen = make_generator(seed, dev)
    ctx = _Ctx(gen, dt)
    per_trial = _footprint(law, n) * torch.finfo(dt).bits // 8
    batch = batch_size(trials, per_trial, dev)
    from .._progress import Ladder, advance, default_enabled, reporting

    own = None
    if not reporting():  # inside a verification its ladder's bar counts these trials
        if progress is None:
            progress = default_enabled() and trials * n**3 > 5e10
        own = Ladder([(f"n={n}", trials, trials)], desc=f"simulating {law.name}", progress=progress)
        if own.bar is None:
            own = None
    try:
        with own.size(0) if own is not None else contextlib.nullcontext():
            on_row = advance if reporting() else None  # a bar listens: report trial by trial
            out = [_draw(law, n, min(batch, trials - start), ctx).eigenvalues(on_row=on_row)
                   for start in range(0, trials, batch)]
    finally:
        if own is not None:
            own.close()
    return torch.cat(out, dim=0)


def sample_matrix(law: AlgebraicLaw, n: int, seed: int = 0, device: Any = None, dtype: Any = None):
    """One n×n symmetric random matrix of ``law``'s construction (the matrix behind
    :func:`sample_eigenvalues` with ``trials=1`` and the same seed: equal spectra).

    Where the model composes eigenvalues rather than matrices (atoms, ``square``, ``transpose``,
    ``block_diagonal``, a Möbius map with ``r ≠ 0``), the matrix is the diagonal matrix of those
    eigenvalues.  Parameters as in :func:`sample_eigenvalues`; returns a ``(n, n)`` tensor.
    """
    from ..limits import check_cost

    check_simulable(law)
    n, seed = check_size(n), check_seed(seed)
    check_cost(model_cost(law, n, 1, dtype), f"drawing a matrix of {law.name} at n={n}")
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    return _draw(law, n, 1, _Ctx(make_generator(seed, dev), dt)).symmetric()[0]


#: ops with no random-matrix model, and the reason (filled by the modules that define the ops' models)
_NO_MODEL: dict[str, str] = {}
#: per-op checks of a node's arguments that ``check_simulable`` runs before anything is drawn
_PRECHECKS: dict[str, Callable] = {}
