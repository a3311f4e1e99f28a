"""Linear pencils (linearizations) of rational matrix expressions, reduced and checked.

A *realization* of a matrix expression ``f`` is a block matrix ``L`` whose blocks are linear
combinations of atoms (the identity, a declared matrix, its transpose, a real power of a
deterministic matrix) together with a block position ``(i, j)`` and a scalar ``c`` such that

    f = c · (L⁻¹)_{ij}                       (Helton, Mai & Speicher, arXiv 1511.05330, §3)

built recursively (``A``: ``[[I, −A], [0, I]]``; products and sums by block-triangular
couplings; ``g⁻¹`` by bordering ``[[0, u], [v, L_g]]`` -- a Schur complement).  A Gaussian
``X`` enters as ``√n·X̃`` with ``X̃ = X/√n`` (entries of variance ``σ²/n``, operator norm
``O(1)``): its ``√n`` goes into the scalars, which must be free of ``n`` in the end (else the
expression has no ``O(1)`` limit and is refused).  The pencil is then reduced by Schur
complements of blocks whose diagonal is a nonzero multiple of the identity wherever the result
stays linear, and checked numerically: ``c (L⁻¹)_{ij}`` against the expression itself on random
matrices of small size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..errors import DerivationError, ParameterError
from .declarations import N, DeclaredMatrix
from .expressions import Node, parse

__all__ = ["Pencil", "linearize", "Term"]

#: an atom of a pencil block: (matrix or None for the identity, power, transposed)
Term = tuple
_IDENTITY: Term = (None, sp.Integer(1), False)


def _clean(entry: dict) -> dict:
    out = {}
    for t, c in entry.items():
        c = sp.cancel(c) if c.free_symbols else c
        if c != 0:
            out[t] = c
    return out


def _add(entry: dict, other: dict, scale: sp.Expr = sp.Integer(1)) -> dict:
    out = dict(entry)
    for t, c in other.items():
        out[t] = out.get(t, sp.Integer(0)) + scale * c
    return _clean(out)


def _product(a: dict, b: dict) -> dict | None:
    """``a·b`` when it is again linear (one side a multiple of the identity, or powers of one
    deterministic matrix); None otherwise."""
    out: dict = {}
    for ta, ca in a.items():
        for tb, cb in b.items():
            if ta == _IDENTITY:
                t = tb
            elif tb == _IDENTITY:
                t = ta
            elif (ta[0] is tb[0] or ta[0] == tb[0]) and ta[0].kind == "deterministic":
                p = ta[1] + tb[1]
                t = _IDENTITY if p == 0 else (ta[0], p, False)
            else:
                return None
            out[t] = out.get(t, sp.Integer(0)) + ca * cb
    return _clean(out)


@dataclass
class Pencil:
    """``expression = prefactor · (L⁻¹)[out]`` for the block matrix ``L``.

    Attributes
    ----------
    dims : list of sympy.Expr
        Block sizes (ratios times ``n``).
    entries : dict
        ``{(i, j): {term: coefficient}}``; a term is ``(DeclaredMatrix or None, power,
        transposed)`` -- a Gaussian stands for its normalized ``X/√n``.
    out : tuple
        The block ``(i, j)`` of ``L⁻¹`` that gives the expression.
    prefactor : sympy.Expr
    expression : sympy.MatrixExpr or None
        What the pencil realizes (None after a manual edit such as :meth:`drop`).
    """

    dims: list
    entries: dict
    out: tuple
    prefactor: sp.Expr
    expression: Any = None
    checked: bool = field(default=False)

    @property
    def size(self) -> int:
        return len(self.dims)

    def __repr__(self) -> str:
        return (f"Pencil({self.size} blocks, {sum(len(e) for e in self.entries.values())} terms; "
                f"{sp.sstr(self.prefactor)}·(L⁻¹){self.out}"
                + (f" = {sp.sstr(self.expression)}" if self.expression is not None else "") + ")")

    def matrix(self) -> sp.Matrix:
        """``L`` as a SymPy matrix of block entries (atoms written as matrix symbols)."""
        def atom(t):
            m, p, tr = t
            if m is None:
                return sp.Symbol("I", commutative=False)
            base = sp.Symbol(f"{m.name}~" if m.kind == "gaussian" else m.name, commutative=False)
            base = base**p if p != 1 else base
            return sp.Symbol(f"{sp.sstr(base)}^T", commutative=False) if tr else base

        out = sp.zeros(self.size, self.size)
        for (i, j), e in self.entries.items():
            out[i, j] = sp.Add(*[c * atom(t) for t, c in e.items()])
        return out

    def drop(self, i: int, j: int, matrix: DeclaredMatrix | None = None) -> "Pencil":
        """A copy with the block ``(i, j)`` (or only its terms in ``matrix``) removed: a wrong pencil,
        for controls (its equations must disagree with a simulation)."""
        if (i, j) not in self.entries:
            raise ParameterError(f"block: ({i}, {j}) is empty; nonzero blocks are {sorted(self.entries)}")
        entries = {k: dict(v) for k, v in self.entries.items()}
        if matrix is None:
            del entries[(i, j)]
        else:
            entries[(i, j)] = {t: c for t, c in entries[(i, j)].items() if t[0] != matrix}
            if not entries[(i, j)]:
                del entries[(i, j)]
        return Pencil(list(self.dims), entries, self.out, self.prefactor, None, False)

    def random_terms(self) -> list[tuple[int, int, Term, sp.Expr]]:
        """``(i, j, term, coefficient)`` for every Gaussian or Wigner term."""
        return [(i, j, t, c) for (i, j), e in sorted(self.entries.items()) for t, c in e.items()
                if t[0] is not None and t[0].kind in ("gaussian", "wigner")]

    # ---------------------------------------------------------------- reduction
    def reduce(self) -> "Pencil":
        """Schur-complement every block ``k`` outside ``out`` with ``L_kk = a·I`` (``a ≠ 0``) whose
        elimination keeps every block linear; repeated until none is left."""
        dims, entries = list(self.dims), {k: dict(v) for k, v in self.entries.items()}
        out = self.out
        changed = True
        while changed:
            changed = False
            for k in range(len(dims)):
                if k in out:
                    continue
                diag = entries.get((k, k), {})
                if set(diag) != {_IDENTITY} or diag[_IDENTITY] == 0:
                    continue
                a = diag[_IDENTITY]
                col = [i for (i, j) in entries if j == k and i != k]
                row = [j for (i, j) in entries if i == k and j != k]
                updates = {}
                ok = True
                for i in col:
                    for j in row:
                        p = _product(entries[(i, k)], entries[(k, j)])
                        if p is None:
                            ok = False
                            break
                        updates[(i, j)] = p
                    if not ok:
                        break
                if not ok:
                    continue
                for (i, j), p in updates.items():
                    new = _add(entries.get((i, j), {}), p, -1 / a)
                    if new:
                        entries[(i, j)] = new
                    else:
                        entries.pop((i, j), None)
                # drop block k and renumber
                keep = [b for b in range(len(dims)) if b != k]
                idx = {b: r for r, b in enumerate(keep)}
                entries = {(idx[i], idx[j]): e for (i, j), e in entries.items() if i != k and j != k}
                dims = [dims[b] for b in keep]
                out = (idx[out[0]], idx[out[1]])
                changed = True
                break
        return Pencil(dims, entries, out, self.prefactor, self.expression, False)

    # ---------------------------------------------------------------- checks
    def check_scaling(self) -> None:
        """Every coefficient and the prefactor free of ``n`` (an ``O(1)`` limit), else ParameterError."""
        bad = [sp.sstr(c) for e in self.entries.values() for c in e.values() if N in sp.sympify(c).free_symbols]
        if N in sp.sympify(self.prefactor).free_symbols or bad:
            what = sp.sstr(self.expression) if self.expression is not None else "the pencil"
            raise ParameterError(f"expression: {what} has no O(1) limit as n → ∞ (coefficients "
                                 f"{bad or [sp.sstr(self.prefactor)]} depend on n); scale each Gaussian matrix "
                                 "X by 1/√n (e.g. write X.T*X/n)")

    def check(self, n0: int = 6, seed: int = 1511, tol: float = 1e-8) -> "Pencil":
        """``prefactor · (L⁻¹)[out]`` against the expression on random matrices of size about ``n0``.

        Raises
        ------
        DerivationError
            The two differ (relative error above ``tol``).
        """
        if self.expression is None:
            raise ParameterError("pencil: an edited pencil realizes no known expression and cannot be checked")
        rng = np.random.default_rng(seed)
        syms = sorted(set().union(*[sp.sympify(c).free_symbols for e in self.entries.values() for c in e.values()],
                                  sp.sympify(self.prefactor).free_symbols, self.expression.free_symbols) - {N},
                      key=lambda s: s.name)
        values = {s: complex(rng.uniform(0.6, 1.4), rng.uniform(0.1, 0.5)) for s in syms}
        dim_syms = set().union(*[d.free_symbols for d in self.dims]) - {N}
        for s in dim_syms:
            values[s] = complex(rng.choice([0.5, 1.0, 1.5, 2.0]))
        draws: dict = {}
        node = parse(self.expression)

        def size(d):
            v = complex(sp.N(d.subs({N: n0, **values}))).real
            return max(1, int(round(v)))

        def atom(m, power, transposed):
            if m not in draws:
                r, c = size(m.shape[0]), size(m.shape[1])
                if m.kind == "gaussian":
                    draws[m] = rng.normal(size=(r, c))
                elif m.kind == "wigner":
                    g = rng.normal(size=(r, r))
                    draws[m] = (g + g.T) / np.sqrt(2 * r)
                elif hasattr(m.measure, "names"):          # a commuting family: one basis, joint spectra
                    key = m.measure_ref
                    if key not in draws:
                        q, _ = np.linalg.qr(rng.normal(size=(r, r)))
                        draws[key] = (q, rng.uniform(0.5, 2.0, size=(r, m.measure.dim)))
                    q, evs = draws[key]
                    draws[m] = (q, evs[:, m.coordinate])
                else:
                    q, _ = np.linalg.qr(rng.normal(size=(r, r)))
                    draws[m] = (q, rng.uniform(0.5, 2.0, size=r))
            if m.kind == "deterministic":
                q, ev = draws[m]
                return (q * ev ** float(power)) @ q.T
            a = draws[m]
            return a.T if transposed else a

        def num(c):
            return complex(sp.N(sp.sympify(c).subs({N: n0, **values})))

        def ev(nd: Node):
            if nd.op == "atom":
                if nd.matrix is None:
                    return np.eye(size(nd.rows))
                return atom(nd.matrix, nd.power, nd.transposed)
            if nd.op == "scale":
                return num(nd.coeff) * ev(nd.children[0])
            if nd.op == "inv":
                return np.linalg.inv(ev(nd.children[0]))
            if nd.op == "add":
                return sum(ev(c) for c in nd.children)
            out = ev(nd.children[0])
            for c in nd.children[1:]:
                out = out @ ev(c)
            return out

        want = ev(node)
        sizes = [size(d) for d in self.dims]
        offs = np.concatenate([[0], np.cumsum(sizes)])
        L = np.zeros((offs[-1], offs[-1]), dtype=complex)
        for (i, j), e in self.entries.items():
            blk = np.zeros((sizes[i], sizes[j]), dtype=complex)
            for (m, p, t), c in e.items():
                if m is None:
                    blk += num(c) * np.eye(sizes[i], sizes[j])
                else:
                    a = atom(m, p, t)
                    blk += num(c) * (a / np.sqrt(n0) if m.kind == "gaussian" else a)
            L[offs[i]:offs[i + 1], offs[j]:offs[j + 1]] = blk
        try:
            inv = np.linalg.inv(L)
        except np.linalg.LinAlgError as exc:
            raise DerivationError(f"pencil of {sp.sstr(self.expression)}: singular at the check point") from exc
        i, j = self.out
        got = num(self.prefactor) * inv[offs[i]:offs[i + 1], offs[j]:offs[j + 1]]
        err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
        if not err <= tol:
            raise DerivationError(f"pencil of {sp.sstr(self.expression)}: c·(L⁻¹){self.out} differs from the "
                                  f"expression by {err:.3g} (relative) at the check point")
        self.checked = True
        return self


# -------------------------------------------------------------------- construction
class _Builder:
    """Block matrices under construction: dims and entries with global block indices."""

    def __init__(self) -> None:
        self.dims: list = []
        self.entries: dict = {}

    def block(self, dim) -> int:
        self.dims.append(dim)
        return len(self.dims) - 1

    def put(self, i: int, j: int, term: Term, coeff) -> None:
        e = self.entries.setdefault((i, j), {})
        e[term] = e.get(term, sp.Integer(0)) + sp.sympify(coeff)

    def realize(self, nd: Node) -> tuple[int, int, sp.Expr]:
        """Blocks for ``nd``: returns ``(i, j, c)`` with ``nd = c (L⁻¹)_{ij}``."""
        if nd.op == "atom":
            if nd.matrix is None:
                i = self.block(nd.rows)
                self.put(i, i, _IDENTITY, 1)
                return i, i, sp.Integer(1)
            i, j = self.block(nd.rows), self.block(nd.cols)
            self.put(i, i, _IDENTITY, 1)
            self.put(j, j, _IDENTITY, 1)
            self.put(i, j, (nd.matrix, nd.power, nd.transposed), -1)
            return i, j, (sp.sqrt(N) if nd.matrix.kind == "gaussian" else sp.Integer(1))
        if nd.op == "scale":
            i, j, c = self.realize(nd.children[0])
            return i, j, c * nd.coeff
        if nd.op == "mul":
            i, j, c = self.realize(nd.children[0])
            for child in nd.children[1:]:
                i2, j2, c2 = self.realize(child)
                self.put(j, i2, _IDENTITY, -1)     # [[L_g, −E_{j,i2}], [0, L_h]]
                j, c = j2, c * c2
            return i, j, c
        if nd.op == "add":
            top = self.block(nd.rows)
            self.put(top, top, _IDENTITY, 1)
            parts = [self.realize(child) for child in nd.children]
            bottom = self.block(nd.cols)
            self.put(bottom, bottom, _IDENTITY, 1)
            for i, j, c in parts:                  # (L⁻¹)_{top,bottom} = Σ_k c_k (L_k⁻¹)_{i_k j_k}
                self.put(top, i, _IDENTITY, -c)
                self.put(j, bottom, _IDENTITY, -1)
            return top, bottom, sp.Integer(1)
        # inverse: [[0, u], [v, L_g]], (M⁻¹)_{00} = −(c⁻¹ g)⁻¹
        border = self.block(nd.rows)
        i, j, c = self.realize(nd.children[0])
        self.put(border, i, _IDENTITY, 1)
        self.put(j, border, _IDENTITY, 1)
        return border, border, -1 / c


def linearize(expr: Any, *, reduce: bool = True, check: bool = True) -> Pencil:
    """A (reduced, checked) linear pencil of a rational matrix expression.

    Parameters
    ----------
    expr : sympy.MatrixExpr
        A rational expression of declared matrices (:func:`~symrmt.matrices.expressions.parse`).
    reduce : bool
        Eliminate blocks by Schur complements where the pencil stays linear (default True).
    check : bool
        Compare ``c (L⁻¹)[out]`` with ``expr`` on random small matrices (default True).

    Returns
    -------
    Pencil

    Raises
    ------
    ParameterError
        ``expr`` is not a rational expression of declared matrices, has incompatible shapes, a
        non-square inverse, or no ``O(1)`` limit.
    DerivationError
        The pencil failed its numerical check (a defect of the construction, never of the input).
    """
    node = parse(expr)
    b = _Builder()
    i, j, c = b.realize(node)
    entries = {k: _clean(v) for k, v in b.entries.items()}
    p = Pencil(b.dims, {k: v for k, v in entries.items() if v}, (i, j), sp.simplify(c), expr)
    if reduce:
        p = p.reduce()
    p.prefactor = sp.simplify(p.prefactor)
    p.check_scaling()
    if check:
        p.check()
    return p
