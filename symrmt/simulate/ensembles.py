"""Batched random-matrix ensembles in torch: matrices whose spectra have the ensemble's law.

Every function takes an explicit :class:`torch.Generator` (reproducibility) and draws all
trials of a batch at once, so that one batched ``torch.linalg.eigvalsh`` does the work.
Matrices are ``(batch, d, d)``; where a function says "lower-stored", only the lower triangle
is meaningful (what ``eigvalsh`` reads), and :func:`symmetrized` makes the full matrix.

Conventions (docs/architecture.md):

* Wigner: ``σ (G + Gᵀ)/√(2d)``, G a d×d standard Gaussian matrix; limit: semicircle of variance σ².
* Sample covariance: ``Σ^{1/2} XᵀX Σ^{1/2}/n``, X of shape n×d standard Gaussian, ratio γ = d/n;
  with Σ = σ² I the limit is Marchenko–Pastur(γ, σ²) (Marchenko & Pastur 1967); in general
  Silverstein's law (Silverstein & Bai 1995).  Only the spectrum of Σ matters (X is orthogonally
  invariant), so Σ is passed as its eigenvalues or as any factor ``F`` with ``Σ ≅ F Fᵀ``.
* Free sum ``A + Q B Qᵀ`` and free product ``A^{1/2} Q B Qᵀ A^{1/2}`` with Q Haar-orthogonal
  (Voiculescu): their spectra depend only on the spectra of A and B, because ``U_Aᵀ Q U_B`` is
  again Haar; so B is passed as eigenvalues, which is exact in distribution.
* Free compression: the top-left d×d block of ``Q A Qᵀ`` (A of size D ≥ d) equals ``Vᵀ A V`` with
  V the first d columns of Q, a Haar-distributed D×d frame.

Tridiagonal models (Dumitriu & Edelman 2002, "Matrix models for beta ensembles",
arXiv math-ph/0206043).  Householder reduction of a Gaussian matrix keeps the untouched block
Gaussian and independent at every step, so the spectra of the classical ensembles are those of
tridiagonal matrices with independent χ entries, exactly (not asymptotically):

* GOE / Wigner (β = 1): diagonal ``N(0, 2)``, off-diagonal ``χ_{d−1}, χ_{d−2}, …, χ_1``, all
  times ``σ/√d`` (:func:`wigner_tridiagonal`);
* white Wishart ``XᵀX`` (Laguerre, β = 1), X of shape n×d, ``N = max(n, d)``, ``M = min(n, d)``:
  ``XᵀX`` has ``d − M`` zero eigenvalues and the others are those of ``BᵀB`` with B upper
  bidiagonal M×M, ``B_kk = χ_{N−k+1}``, ``B_{k,k+1} = χ_{M−k}`` (Golub–Kahan bidiagonalization,
  :func:`laguerre_bidiagonal`).

They need O(d) random numbers instead of O(nd), and no Gram product, so a white Wishart costs
one eigensolve.  They are not orthogonally invariant as matrices: where a model adds or
multiplies them with other matrices, an orthogonally invariant partner is required (a Wigner
matrix or the dense Wishart), which :mod:`symrmt.simulate.models` arranges.
"""
from __future__ import annotations

import math

__all__ = ["gaussian", "chi", "haar_frame", "haar_orthogonal", "wigner_matrix", "wigner_tridiagonal",
           "wigner_bands", "laguerre_bidiagonal", "bidiagonal_gram", "bidiagonal_gram_bands", "tridiagonal",
           "tridiagonal_eigvalsh", "wishart_matrix", "covariance_matrix",
           "symmetrized", "free_sum_matrix", "free_product_matrix", "compression_matrix"]


def gaussian(shape, gen, dtype):
    """Standard Gaussian tensor on the generator's device.

    Box–Muller on uniforms of the requested precision: ``r = √(−2 log(1 − u1))``,
    ``θ = 2π u2`` give the independent pair ``(r cos θ, r sin θ)`` (exact in law up to the
    uniforms' resolution, 2⁻⁵³ in float64; tails reach 8.5σ).  On a CPU this is about twice as
    fast as ``torch.randn`` in float64, whose generator is scalar.
    """
    import torch

    count = math.prod(shape)
    half = (count + 1) // 2
    u = torch.rand(2, half, generator=gen, dtype=dtype, device=gen.device)
    r = u[0].neg_().log1p_().mul_(-2.0).sqrt_()
    theta = u[1].mul_(2.0 * math.pi)
    out = torch.empty(2, half, dtype=dtype, device=gen.device)
    torch.cos(theta, out=out[0])
    torch.sin(theta, out=out[1])
    out.mul_(r)
    return out.view(-1)[:count].view(*shape)


def chi(df, gen):
    """χ variates with ``df`` (a tensor of positive degrees of freedom) degrees of freedom.

    ``χ_k = √(2 Γ_{k/2})`` with ``Γ_a`` a standard gamma variate (drawn with the explicit
    generator, so runs are reproducible); ``df = 0`` gives exactly 0.
    """
    import torch

    shape = (df / 2).clamp_min(1e-300)
    g = torch._standard_gamma(shape, generator=gen)
    return torch.where(df > 0, (2 * g).sqrt(), torch.zeros_like(g))


def haar_frame(batch: int, big: int, d: int, gen, dtype):
    """``(batch, big, d)`` matrices with orthonormal columns, Haar distributed (QR of a Gaussian
    with the signs of diag(R) absorbed; Mezzadri 2007, arXiv math-ph/0609050)."""
    import torch

    q, r = torch.linalg.qr(gaussian((batch, big, d), gen, dtype))
    sign = torch.sgn(torch.diagonal(r, dim1=-2, dim2=-1))
    sign = torch.where(sign == 0, torch.ones_like(sign), sign)
    return q * sign.unsqueeze(-2)


def haar_orthogonal(batch: int, d: int, gen, dtype):
    """``(batch, d, d)`` Haar-distributed orthogonal matrices."""
    return haar_frame(batch, d, d, gen, dtype)


def symmetrized(mat):
    """The full symmetric matrix of a lower-stored one."""
    import torch

    low = torch.tril(mat)
    return low + torch.tril(mat, -1).transpose(-2, -1)


def wigner_matrix(batch: int, d: int, gen, dtype, variance: float = 1.0):
    """``(batch, d, d)`` GOE-type matrices ``σ (G + Gᵀ)/√(2d)``, lower-stored.

    Off the diagonal ``(G_ij + G_ji)/√(2d) ~ N(0, 1/d)`` and on it ``2G_ii/√(2d) ~ N(0, 2/d)``,
    so the lower triangle of ``σ G/√d`` with its diagonal times √2 has exactly the same law; the
    upper triangle is left as drawn (this saves the transpose-add).  The law of the symmetric
    matrix is orthogonally invariant.
    """
    g = gaussian((batch, d, d), gen, dtype)
    g.mul_(math.sqrt(variance / d))
    g.diagonal(dim1=-2, dim2=-1).mul_(math.sqrt(2.0))
    return g


def tridiagonal(diag, off):
    """Lower-stored symmetric tridiagonal matrices from ``diag`` (batch, k) and ``off`` (batch, k−1)."""
    import torch

    batch, k = diag.shape
    mat = torch.zeros(batch, k, k, dtype=diag.dtype, device=diag.device)
    mat.diagonal(dim1=-2, dim2=-1).copy_(diag)
    if k > 1:
        mat.diagonal(offset=-1, dim1=-2, dim2=-1).copy_(off)
    return mat


def wigner_tridiagonal(batch: int, d: int, gen, dtype, variance: float = 1.0):
    """Lower-stored tridiagonal matrices with the exact spectral law of ``wigner_matrix``
    (Dumitriu–Edelman); the matrices of :func:`wigner_bands`."""
    return tridiagonal(*wigner_bands(batch, d, gen, dtype, variance))


def wigner_bands(batch: int, d: int, gen, dtype, variance: float = 1.0):
    """The bands ``(diag, off)``, of shapes ``(batch, d)`` and ``(batch, d − 1)``, of the
    Dumitriu–Edelman tridiagonal model of ``wigner_matrix`` (module docstring)."""
    import torch

    df = torch.arange(d - 1, 0, -1, dtype=dtype, device=gen.device)
    diag, off = [], []
    for _ in range(batch):  # trial by trial, so that the draws do not depend on the batch size
        diag.append(gaussian((d,), gen, dtype) * math.sqrt(2.0))
        off.append(chi(df, gen))
    scale = math.sqrt(variance / d)
    return torch.stack(diag) * scale, torch.stack(off) * scale


def tridiagonal_eigvalsh(diag, off, on_row=None):
    """Ascending eigenvalues ``(batch, k)`` of the symmetric tridiagonal matrices with bands
    ``diag`` ``(batch, k)`` and ``off`` ``(batch, k − 1)``, on their device and in their dtype.

    On a CPU: LAPACK's tridiagonal solver through :func:`scipy.linalg.eigvalsh_tridiagonal`
    (``sterf``, root-free QL/QR; O(k²) per matrix instead of the O(k³) of a dense ``eigvalsh``),
    one matrix at a time, calling ``on_row()`` after each if given.  Elsewhere (CUDA): the dense
    batched ``torch.linalg.eigvalsh`` of :func:`tridiagonal` (``on_row`` called once per matrix
    at the end).
    """
    import torch

    batch, k = diag.shape
    if diag.device.type != "cpu":
        ev = torch.linalg.eigvalsh(tridiagonal(diag, off))
        for _ in range(batch if on_row is not None else 0):
            on_row()
        return ev
    import numpy as np
    from scipy.linalg import eigvalsh_tridiagonal

    d_np = diag.detach().numpy()
    e_np = off.detach().numpy()
    out = np.empty((batch, k), dtype=d_np.dtype)
    for i in range(batch):
        if k == 1:
            out[i] = d_np[i]
        else:
            out[i] = eigvalsh_tridiagonal(d_np[i], e_np[i], lapack_driver="sterf", check_finite=False)
        if on_row is not None:
            on_row()
    return torch.from_numpy(out).to(dtype=diag.dtype)


def laguerre_bidiagonal(batch: int, d: int, samples: int, gen, dtype):
    """The upper-bidiagonal factor B (``(diag, super)``, each ``(batch, M)`` with the last super
    entry 0) whose ``BᵀB`` has the nonzero spectrum of ``XᵀX``, X of shape samples×d Gaussian.

    ``M = min(samples, d)``, ``N = max(samples, d)``: ``diag = (χ_N, χ_{N−1}, …, χ_{N−M+1})``,
    ``super = (χ_{M−1}, …, χ_1, 0)`` (Dumitriu & Edelman 2002, Golub–Kahan bidiagonalization).
    """
    import torch

    big, m = max(samples, d), min(samples, d)
    dev = gen.device
    k = torch.arange(m, dtype=dtype, device=dev)
    dfs = torch.cat([big - k, m - 1 - k])
    vals = torch.stack([chi(dfs, gen) for _ in range(batch)])  # trial by trial (batch-size independent)
    return vals[:, :m], vals[:, m:]


def bidiagonal_gram(diag, sup):
    """``BᵀB`` for the upper-bidiagonal B = (diag, super), as a lower-stored tridiagonal matrix."""
    return tridiagonal(*bidiagonal_gram_bands(diag, sup))


def bidiagonal_gram_bands(diag, sup):
    """The bands ``(diag, off)`` of the tridiagonal ``BᵀB``, B = (diag, super) upper bidiagonal."""
    import torch

    shifted = torch.cat([torch.zeros_like(sup[:, :1]), sup[:, :-1]], dim=-1)
    return diag**2 + shifted**2, diag[:, :-1] * sup[:, :-1]


def wishart_matrix(batch: int, d: int, samples: int, gen, dtype):
    """Dense ``XᵀX/n`` (X of shape samples×d Gaussian): orthogonally invariant in law."""
    x = gaussian((batch, samples, d), gen, dtype)
    return x.transpose(-2, -1) @ x / samples


def covariance_matrix(population, samples: int, gen):
    """A symmetric matrix with the spectrum of ``Σ^{1/2} XᵀX Σ^{1/2}/n`` (X: samples×d Gaussian).

    ``population`` is either the eigenvalues of Σ, a ``(batch, d)`` tensor ``>= 0``, or a factor
    ``("bidiagonal", diag, super)`` with ``Σ ≅ BᵀB`` (:func:`laguerre_bidiagonal`).  With
    ``Σ ≅ F Fᵀ`` the matrix is the Gram matrix of ``Y = X F``; when ``samples < d`` the n×n
    ``Y Yᵀ`` is returned instead (its spectrum lacks the ``d − n`` exact zeros, which the caller
    pads: see ``models``).
    """
    import torch

    if isinstance(population, tuple):
        _, bd, bs = population
        batch, m = bd.shape
        d = m
        x = gaussian((batch, samples, d), gen, bd.dtype)
        # Y = X Bᵀ: column j is B_jj x_j + B_{j,j+1} x_{j+1}
        y = x * bd.unsqueeze(-2)
        y[..., :-1] += x[..., 1:] * bs[:, :-1].unsqueeze(-2)
    else:
        batch, d = population.shape
        y = gaussian((batch, samples, d), gen, population.dtype) * population.sqrt().unsqueeze(-2)
    if samples >= d:
        return y.transpose(-2, -1) @ y / samples
    return y @ y.transpose(-2, -1) / samples


def free_sum_matrix(a, b, gen):
    """``A + Q diag(b) Qᵀ`` with Q Haar; ``a`` is a full symmetric ``(batch, d, d)`` matrix or its
    eigenvalues ``(batch, d)``, ``b`` eigenvalues ``(batch, d)``."""
    import torch

    batch, d = b.shape
    q = haar_orthogonal(batch, d, gen, b.dtype)
    mat = (q * b.unsqueeze(-2)) @ q.transpose(-2, -1)
    return mat + (torch.diag_embed(a) if a.dim() == 2 else a)


def free_product_matrix(a, b, gen):
    """``A^{1/2} Q B Qᵀ A^{1/2}`` (A = diag(a) >= 0, Q Haar); a, b eigenvalues of shape (batch, d).

    Raises ``ValueError`` if ``a`` has negative entries (callers swap the operands first when
    only ``b`` is non-negative: the two orders have the same spectrum).
    """
    batch, d = a.shape
    if bool((a < 0).any()):
        raise ValueError("free product: the first operand must be supported on [0, inf)")
    q = haar_orthogonal(batch, d, gen, a.dtype)
    qs = q * a.sqrt().unsqueeze(-1)  # diag(√a) Q
    return (qs * b.unsqueeze(-2)) @ qs.transpose(-2, -1)


def compression_matrix(a, d: int, gen):
    """The top-left d×d block of ``Q diag(a) Qᵀ`` (a of shape (batch, D), D ≥ d)."""
    batch, big = a.shape
    v = haar_frame(batch, big, d, gen, a.dtype)
    return v.transpose(-2, -1) @ (v * a.unsqueeze(-1))
