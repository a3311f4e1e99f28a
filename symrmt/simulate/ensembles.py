"""Batched random-matrix ensembles in torch, each returning sorted eigenvalues ``(batch, d)``.

Every function takes an explicit :class:`torch.Generator` (reproducibility) and draws all
trials of a batch at once, so that one batched ``torch.linalg.eigvalsh`` does the work.

Conventions (DESIGN.md):

* Wigner: ``σ (G + Gᵀ)/√(2d)``, G a d×d standard Gaussian matrix; limit: semicircle of variance σ².
* Sample covariance: ``Σ^{1/2} XᵀX Σ^{1/2}/n``, X of shape n×d standard Gaussian, ratio γ = d/n;
  with Σ = σ² I the limit is Marchenko–Pastur(γ, σ²) (Marchenko & Pastur 1967); in general
  Silverstein's law (Silverstein & Bai 1995).  Only the spectrum of Σ matters (X is orthogonally
  invariant), so Σ is passed as its eigenvalues.
* Free sum ``A + Q B Qᵀ`` and free product ``A^{1/2} Q B Qᵀ A^{1/2}`` with Q Haar-orthogonal
  (Voiculescu): their spectra depend only on the spectra of A and B, because ``U_Aᵀ Q U_B`` is
  again Haar; so A and B are passed as eigenvalues, which is exact in distribution.
* Free compression: the top-left d×d block of ``Q A Qᵀ`` (A of size D ≥ d) equals ``Vᵀ A V`` with
  V the first d columns of Q, a Haar-distributed D×d frame.
"""
from __future__ import annotations

import math

__all__ = ["gaussian", "haar_frame", "haar_orthogonal", "wigner", "sample_covariance",
           "free_sum", "free_product", "compression"]


def gaussian(shape, gen, dtype):
    """Standard Gaussian tensor on the generator's device."""
    import torch

    return torch.randn(*shape, generator=gen, dtype=dtype, device=gen.device)


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


def _eigvalsh(mat):
    import torch

    return torch.linalg.eigvalsh(mat)


def wigner_matrix(batch: int, d: int, gen, dtype, variance: float = 1.0):
    """``(batch, d, d)`` GOE-type matrices ``σ (G + Gᵀ)/√(2d)``, stored by their lower triangle.

    Off the diagonal ``(G_ij + G_ji)/√(2d) ~ N(0, 1/d)`` and on it ``2G_ii/√(2d) ~ N(0, 2/d)``,
    so the lower triangle of ``σ G/√d`` with its diagonal times √2 has exactly the same law.
    ``torch.linalg.eigvalsh`` reads only the lower triangle (``UPLO="L"``), so the upper one is
    left as drawn: this saves the transpose-add, a fifth of the cost at n = 1000.  Consumers
    must use only the lower triangle (eigvalsh, or add diagonal matrices).
    """
    g = gaussian((batch, d, d), gen, dtype)
    g.mul_(math.sqrt(variance / d))
    g.diagonal(dim1=-2, dim2=-1).mul_(math.sqrt(2.0))
    return g


def wigner(batch: int, d: int, gen, dtype, variance: float = 1.0):
    """Eigenvalues of Wigner matrices of variance σ² (limit: semicircle on [-2σ, 2σ])."""
    return _eigvalsh(wigner_matrix(batch, d, gen, dtype, variance))


def sample_covariance(population, samples: int, gen, scale: float = 1.0):
    """Eigenvalues of ``scale · Σ^{1/2} XᵀX Σ^{1/2}/n`` for populations ``population`` (batch, d) ≥ 0.

    X is ``samples × d`` standard Gaussian.  When ``samples < d`` the n×n Gram matrix is
    diagonalized instead and padded with the ``d - n`` exact zeros.
    """
    import torch

    batch, d = population.shape
    if bool((population < 0).any()):
        raise ValueError("population: the population spectrum of a sample covariance must be >= 0")
    x = gaussian((batch, samples, d), gen, population.dtype) * population.sqrt().unsqueeze(-2)
    if samples >= d:
        eig = _eigvalsh(x.transpose(-2, -1) @ x)
    else:
        eig = _eigvalsh(x @ x.transpose(-2, -1))
        eig = torch.cat([torch.zeros(batch, d - samples, dtype=eig.dtype, device=eig.device), eig], dim=-1)
    eig = eig * (scale / samples)
    return eig.sort(dim=-1).values if scale < 0 else eig


def free_sum(a, b, gen):
    """Eigenvalues of ``diag(a) + Q diag(b) Qᵀ`` with Q Haar; a, b of shape (batch, d)."""
    import torch

    batch, d = a.shape
    q = haar_orthogonal(batch, d, gen, a.dtype)
    mat = (q * b.unsqueeze(-2)) @ q.transpose(-2, -1)
    mat = mat + torch.diag_embed(a)
    return _eigvalsh(mat)


def free_product(a, b, gen):
    """Eigenvalues of ``A^{1/2} Q B Qᵀ A^{1/2}`` (A = diag(a) >= 0, Q Haar); a, b of shape (batch, d).

    Raises ``ValueError`` if ``a`` has negative entries (callers swap the operands first when
    only ``b`` is non-negative: the two orders have the same spectrum).
    """
    batch, d = a.shape
    if bool((a < 0).any()):
        raise ValueError("free product: the first operand must be supported on [0, inf)")
    q = haar_orthogonal(batch, d, gen, a.dtype)
    ra = a.sqrt()
    qs = q * ra.unsqueeze(-1)  # diag(√a) Q
    mat = (qs * b.unsqueeze(-2)) @ qs.transpose(-2, -1)
    return _eigvalsh(mat)


def compression(a, d: int, gen):
    """Eigenvalues of the top-left d×d block of ``Q diag(a) Qᵀ`` (a of shape (batch, D), D ≥ d)."""
    batch, big = a.shape
    v = haar_frame(batch, big, d, gen, a.dtype)
    mat = v.transpose(-2, -1) @ (v * a.unsqueeze(-1))
    return _eigvalsh(mat)
