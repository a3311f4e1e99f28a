"""Draw declared random matrices at size n and evaluate normalized traces of matrix expressions (torch).

The expression is a SymPy matrix expression of declared matrices (``symrmt.matrices``:
objects with ``kind``, ``variance``, ``measure`` and a symbolic ``shape`` in the reference
size ``n``); it is evaluated on batches of trials:

* ``"gaussian"``: i.i.d. ``N(0, variance)`` entries;
* ``"wigner"``: ``σ(G + Gᵀ)/√(2 s)`` of size ``s``, ``σ² = variance``;
* ``"deterministic"``: ``diag(measure.population(s))`` (its real powers elementwise) -- the
  Haar rotation is omitted: the Gaussian and Wigner matrices around it are orthogonally
  invariant, so the traces have the same law; the members of a commuting family (one joint
  measure) take their coordinate of the same rows.

Products, sums, scalar multiples, transposes, integer powers and inverses (by LU solves) are
evaluated as written; the normalized trace is ``Tr/rows``.  This module computes no theory.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import ParameterError
from .measurement import Measurement

__all__ = ["simulate_traces", "matrix_dimension"]

_CHUNK_ENTRIES = 2 ** 24  # matrix entries per batch of trials (bounds memory)


def matrix_dimension(dim: sp.Expr, n: int, values: Mapping[sp.Symbol, Any], size_symbol: sp.Symbol) -> int:
    """A symbolic dimension (a ratio times ``n``) as an integer at size ``n``."""
    v = sp.N(dim.xreplace({size_symbol: n, **values}))
    try:
        x = float(v)
    except TypeError as exc:
        raise ParameterError(f"dimension {dim}: needs a value for {sorted(map(str, v.free_symbols))}") from exc
    if not (math.isfinite(x) and x >= 0.5):
        raise ParameterError(f"dimension {dim}: is {x:g} at n = {n}; need at least 1")
    return int(round(x))


class _Evaluator:
    def __init__(self, n, values, size_symbol, batch, gen, device, dtype):
        self.n, self.values, self.size_symbol = n, values, size_symbol
        self.batch, self.gen, self.device, self.dtype = batch, gen, device, dtype
        self.draws: dict = {}

    def dim(self, d) -> int:
        return matrix_dimension(d, self.n, self.values, self.size_symbol)

    def scalar(self, c) -> complex:
        v = sp.N(sp.sympify(c).xreplace({self.size_symbol: self.n, **self.values}))
        try:
            return complex(v)
        except TypeError as exc:
            raise ParameterError(f"scalar {c}: needs values for {sorted(map(str, v.free_symbols))}") from exc

    def draw(self, m):
        import torch

        if m in self.draws:
            return self.draws[m]
        r, c = self.dim(m.shape[0]), self.dim(m.shape[1])
        real = torch.float64
        if m.kind == "gaussian":
            sd = math.sqrt(self.scalar(m.variance).real)
            a = sd * torch.randn(self.batch, r, c, generator=self.gen, device=self.device, dtype=real)
        elif m.kind == "wigner":
            sd = math.sqrt(self.scalar(m.variance).real)
            g = torch.randn(self.batch, r, r, generator=self.gen, device=self.device, dtype=real)
            a = sd * (g + g.transpose(1, 2)) / math.sqrt(2 * r)
        elif m.kind == "deterministic":
            pop = np.asarray(m.measure.population(r), dtype=np.float64)
            if pop.ndim == 2:                     # one coordinate of a commuting family's joint measure
                pop = pop[:, m.coordinate]
            a = torch.as_tensor(pop, device=self.device)
        else:
            raise ParameterError(f"matrix {m}: unknown kind {m.kind!r}")
        self.draws[m] = a
        return a

    def ev(self, e):
        import torch

        kind = getattr(e, "kind", None)
        if isinstance(e, sp.MatrixSymbol) and kind is not None:
            a = self.draw(e)
            return torch.diag_embed(a).expand(self.batch, -1, -1).to(self.dtype) if kind == "deterministic" \
                else a.to(self.dtype)
        if isinstance(e, sp.Identity):
            k = self.dim(e.shape[0])
            return torch.eye(k, dtype=self.dtype, device=self.device).expand(self.batch, k, k)
        if isinstance(e, sp.Transpose):
            return self.ev(e.arg).transpose(1, 2)
        if isinstance(e, sp.Inverse):
            return torch.linalg.inv(self.ev(e.arg))
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if isinstance(base, sp.Transpose) and getattr(base.arg, "kind", None) in ("deterministic",):
                base = base.arg
            if getattr(base, "kind", None) == "deterministic":
                ev = self.draw(base) ** float(k)
                return torch.diag_embed(ev).expand(self.batch, -1, -1).to(self.dtype)
            a = self.ev(base)
            if not k.is_Integer:
                raise ParameterError(f"expression: {e} is not an integer power")
            k = int(k)
            if k < 0:
                a, k = torch.linalg.inv(a), -k
            return torch.linalg.matrix_power(a, k)
        if isinstance(e, sp.MatMul):
            coeff = self.scalar(sp.Mul(*[a for a in e.args if not isinstance(a, sp.MatrixExpr)]))
            mats = [a for a in e.args if isinstance(a, sp.MatrixExpr)]
            out = self.ev(mats[0])
            for a in mats[1:]:
                if isinstance(a, sp.Inverse):
                    out = torch.linalg.solve(self.ev(a.arg).transpose(1, 2), out.transpose(1, 2)).transpose(1, 2)
                else:
                    out = out @ self.ev(a)
            return out * (coeff if coeff.imag != 0 else coeff.real)
        if isinstance(e, sp.MatAdd):
            out = self.ev(e.args[0])
            for a in e.args[1:]:
                out = out + self.ev(a)
            return out
        raise ParameterError(f"expression: cannot simulate {sp.sstr(e)} ({type(e).__name__}); declare its "
                             "matrices with symrmt.matrices and use products, sums, transposes, powers, inverses")


def simulate_traces(terms: Sequence[tuple[Any, sp.MatrixExpr]], n: int, trials: int = 1, seed: int = 0,
                    device: Any = None, *, values: Mapping[str, Any], size_symbol: sp.Symbol,
                    constant: Any = 0) -> Measurement:
    """``constant + Σ_k c_k tr(A_k)`` on ``trials`` independent draws at reference size ``n``.

    Parameters
    ----------
    terms : sequence of (coefficient, matrix expression)
        Scalar coefficients and square matrix expressions of declared matrices.
    n : int
        The reference size (every dimension is a ratio times ``n``).
    trials, seed : int
        Independent draws; one torch generator seeded with ``seed``.
    device : str or torch.device, optional
        ``None``: CUDA when available, else CPU.
    values : mapping
        ``{scalar name: number}`` for every scalar (ratios, variances, ``z``, ``λ``, ...).
    size_symbol : sympy.Symbol
        The reference size's Symbol (``symrmt.matrices.N``).
    constant
        The constant term ``c0``.

    Returns
    -------
    Measurement
        ``values["value"]`` (real part) and ``values["value_imag"]`` per trial, ``sizes`` the
        reference size.

    Raises
    ------
    ParameterError
        Bad sizes or trials, a scalar without a value, an expression that cannot be evaluated.
    """
    import torch

    from .._checks import integer
    from .device import resolve_device

    n = integer("n", n, low=2)
    trials = integer("trials", trials, low=1)
    seed = integer("seed", seed, low=0)
    dev = resolve_device(device)
    symbols = {s.name: s for c, a in terms for s in (sp.sympify(c).free_symbols | a.free_symbols)}
    symbols.update({s.name: s for s in sp.sympify(constant).free_symbols})
    symbols.pop(size_symbol.name, None)
    missing = sorted(set(symbols) - set(values))
    if missing:
        raise ParameterError(f"values: missing value(s) for {missing}")
    vals = {symbols[k]: sp.sympify(complex(v) if np.iscomplexobj(v) else float(v)) for k, v in values.items()
            if k in symbols}
    cplx = any(complex(v).imag != 0 for v in vals.values())
    dtype = torch.complex128 if cplx else torch.float64
    dims = [matrix_dimension(d, n, vals, size_symbol) for _, a in terms for d in a.shape]
    big = max(dims)
    chunk = max(1, min(trials, _CHUNK_ENTRIES // (4 * big * big)))
    gen = torch.Generator(device=dev).manual_seed(seed)
    out = []
    done = 0
    while done < trials:
        b = min(chunk, trials - done)
        ev = _Evaluator(n, vals, size_symbol, b, gen, dev, dtype)
        total = torch.full((b,), complex(sp.N(sp.sympify(constant).xreplace(vals))), dtype=torch.complex128,
                           device=dev)
        for c, a in terms:
            m = ev.ev(a)
            k = m.shape[-1]
            total = total + ev.scalar(c) * torch.diagonal(m, dim1=1, dim2=2).sum(-1).to(torch.complex128) / k
        out.append(total.cpu().numpy())
        done += b
    v = np.concatenate(out)
    if not np.all(np.isfinite(v)):
        raise ParameterError("simulation: a drawn matrix was singular (non-finite trace); move the scalars away "
                             "from the spectrum (e.g. Im z > 0 or λ > 0)")
    return Measurement({"value": v.real.copy(), "value_imag": v.imag.copy()}, sizes={"n": n})
