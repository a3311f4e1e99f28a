"""Each construction's random-matrix model reproduces the law's exact moments and CDF.

Reference values are the symbolic layer's exact moments (cumulant/S-transform calculus) or closed
forms — independent of the simulation.  Tolerances: normalized traces (1/n) tr Xᵏ of an n×n
matrix fluctuate by O(1/n) and have O(1/n) bias (finite-size corrections), so with n = 200 a
relative tolerance of 4 % is 8x the expected size of both, while a wrong model (wrong scale,
missing rotation, wrong ratio) moves the second moment by far more.
"""
import math

import numpy as np
import pytest
import sympy as sp
import torch

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import atom_counts, sample_eigenvalues
from symrmt.simulate import ensembles as ens
from symrmt.verify.stats import ks_distance
from tests.verify.closed_forms import semicircle_cdf

R = sp.Rational
N, TRIALS = 200, 4


def _check_moments(law, k=3, tol=0.04, n=N, trials=TRIALS, seed=0):
    eig = sample_eigenvalues(law, n, trials, seed=seed, device="cpu").numpy()
    exact = [float(v) for v in law.moments(k)]
    for j, ex in enumerate(exact, start=1):
        sim = float((eig**j).mean())
        scale = max(abs(ex), float((eig**2).mean()) ** (j / 2))
        assert abs(sim - ex) <= tol * scale, (law.name, j, sim, ex)
    return eig


sc = sr.laws.semicircle(1)
mp = sr.laws.marchenko_pastur(R(1, 2))
at = sr.laws.atoms([1, 3], [R(1, 4), R(3, 4)])
at2 = sr.laws.atoms([0, 2])
sc_shift = sr.mobius(sc, 1, 1, 0, 1)  # semicircle + 1: support [-1, 3], signed, mean 1

CASES = {
    "semicircle": sr.laws.semicircle(R(9, 4)),
    "marchenko_pastur": sr.laws.marchenko_pastur(R(1, 2), 2),
    "marchenko_pastur_ratio_above_one": sr.laws.marchenko_pastur(2),
    "free_poisson": sr.laws.free_poisson(3, R(1, 2)),
    "free_poisson_negative_jump": sr.laws.free_poisson(2, -1),
    "atoms": at,
    "free_add_haar": sr.free_add(at, at2),
    "free_add_wigner": sr.free_add(sc, at),
    "free_multiply_haar": sr.free_multiply(at, at2),
    "free_multiply_swapped": sr.free_multiply(sc_shift, at),
    "free_multiply_mp": sr.free_multiply(mp, at),
    "mobius_inverse": sr.mobius(mp, 0, 1, 1, 0),
    "mobius_affine": sr.mobius(sc, 2, 1, 0, 1),
    "free_power_integer": sr.free_power(at, 2),
    "free_power_real": sr.free_power(at, R(3, 2)),
    "sample_covariance": sr.sample_covariance(at, R(1, 3)),
    "compress": sr.compress(at, R(1, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_moments_match_exact_moments(name):
    # the inverse of MP magnifies the O(1/n) fluctuations of the smallest eigenvalues: check k <= 2
    _check_moments(CASES[name], k=2 if name == "mobius_inverse" else 3)


def test_wigner_spectrum_matches_semicircle_cdf():
    """KS distance of one n×n Wigner spectrum is O(log n / n) by rigidity: n·KS stays below ~5."""
    eig = sample_eigenvalues(sc, 400, 3, seed=2, device="cpu")
    assert np.all(ks_distance(eig, semicircle_cdf) * 400 < 6)


def test_atoms_model_is_exact_and_counts_sum_to_n():
    assert atom_counts([1 / 3, 1 / 3, 1 / 3], 10) == [4, 3, 3]
    assert sum(atom_counts([0.1, 0.25, 0.65], 37)) == 37
    eig = sample_eigenvalues(at, 8, 2, device="cpu")
    assert eig[0].tolist() == [1, 1, 3, 3, 3, 3, 3, 3]


def test_haar_orthogonal_is_orthogonal():
    g = torch.Generator().manual_seed(0)
    q = ens.haar_orthogonal(3, 30, g, torch.float64)
    eye = torch.eye(30, dtype=torch.float64).expand(3, 30, 30)
    assert torch.allclose(q @ q.transpose(-2, -1), eye, atol=1e-12)


def test_haar_first_column_has_uniform_direction():
    """For Haar Q, E[Q_11²] = 1/d and E[Q_11] = 0; many small draws, tolerance 4 s.e."""
    g = torch.Generator().manual_seed(1)
    q = ens.haar_orthogonal(4000, 5, g, torch.float64)[:, 0, 0]
    assert abs(q.mean().item()) < 4 * math.sqrt(0.2 / 4000)
    assert abs((q**2).mean().item() - 0.2) < 4 * math.sqrt(2 / 35 / 4000)  # Var Q11² = 2(d-1)/(d²(d+2))


def test_sample_covariance_pads_zeros_when_fewer_samples():
    eig = sample_eigenvalues(sr.laws.marchenko_pastur(4), 40, 1, device="cpu")[0]
    assert int((eig == 0).sum()) == 30


def test_unbound_parameters_are_rejected():
    g = sp.Symbol("gamma", positive=True)
    with pytest.raises(ParameterError, match="unbound parameter.*gamma"):
        sample_eigenvalues(sr.laws.marchenko_pastur(g), 10)


def test_law_without_model_is_rejected():
    m, z = sp.symbols("m z")
    law = sr.AlgebraicLaw(m**2 + z * m + 1)
    with pytest.raises(ParameterError, match="no random-matrix model"):
        sample_eigenvalues(law, 10)


def test_free_power_below_one_has_no_model():
    with pytest.raises(ParameterError, match="t >= 1"):
        sample_eigenvalues(sr.free_power(sc, R(1, 2)), 10)


def test_product_of_two_signed_laws_is_rejected():
    with pytest.raises(ParameterError, match="neither"):
        sample_eigenvalues(sr.free_multiply(sc_shift, sc_shift), 10)


def test_mobius_pole_is_reported():
    with pytest.raises(ParameterError, match="pole"):
        sample_eigenvalues(sr.mobius(at2, 0, 1, 1, 0), 10)


# ---------------------------------------------------------------------- tridiagonal models
def test_chi_variates_have_chi_square_moments():
    """χ_k² has mean k and variance 2k; 20000 draws per k, tolerance 4 standard errors."""
    g = torch.Generator().manual_seed(5)
    ks = torch.tensor([1.0, 2.0, 7.0, 40.0], dtype=torch.float64)
    x = ens.chi(ks.repeat(20000, 1), g) ** 2
    for j, k in enumerate(ks.tolist()):
        assert abs(x[:, j].mean().item() - k) < 4 * math.sqrt(2 * k / 20000)
        assert abs(x[:, j].var().item() - 2 * k) < 4 * math.sqrt((48 * k + 8 * k * k) / 20000)
    assert torch.equal(ens.chi(torch.zeros(3, dtype=torch.float64), g), torch.zeros(3, dtype=torch.float64))


@pytest.mark.parametrize("samples,d", [(30, 12), (12, 30), (20, 20)])
def test_laguerre_model_has_exact_wishart_trace_moments(samples, d):
    """For X of shape n×d Gaussian, E tr XᵀX = nd and E tr (XᵀX)² = nd(n + d + 1) exactly (any n, d);
    the bidiagonal model BᵀB must match both.  4000 trials, tolerance 4 standard errors."""
    g = torch.Generator().manual_seed(6)
    bd, bs = ens.laguerre_bidiagonal(4000, d, samples, g, torch.float64)
    t = ens.symmetrized(ens.bidiagonal_gram(bd, bs))
    tr1 = t.diagonal(dim1=-2, dim2=-1).sum(-1)
    tr2 = (t * t).sum((-2, -1))
    for val, exact in ((tr1, samples * d), (tr2, samples * d * (samples + d + 1))):
        assert abs(val.mean().item() - exact) < 4 * val.std().item() / math.sqrt(4000)
    assert bd.shape[-1] == min(samples, d)


def test_tridiagonal_models_match_dense_spectra():
    """The tridiagonal GOE and Laguerre models against the dense matrices they replace: pooled
    eigenvalues of 300 matrices of size 20 each (6000 values; the two-sample KS distance of two
    samples of this size from one law is below 1.63·√(2/6000) = 0.030 with probability 99 %)."""
    from scipy.stats import ks_2samp

    g = torch.Generator().manual_seed(7)
    dense_w = torch.linalg.eigvalsh(ens.wigner_matrix(300, 20, g, torch.float64, 2.0))
    tri_w = torch.linalg.eigvalsh(ens.wigner_tridiagonal(300, 20, g, torch.float64, 2.0))
    dense_x = torch.linalg.eigvalsh(ens.wishart_matrix(300, 20, 35, g, torch.float64))
    bd, bs = ens.laguerre_bidiagonal(300, 20, 35, g, torch.float64)
    tri_x = torch.linalg.eigvalsh(ens.bidiagonal_gram(bd, bs)) / 35
    for a, b in ((dense_w, tri_w), (dense_x, tri_x)):
        assert ks_2samp(a.ravel().numpy(), b.ravel().numpy()).statistic < 0.030
    # a wrong model is far: the Laguerre chain with n and d swapped in the χ degrees
    bd2, bs2 = ens.laguerre_bidiagonal(300, 20, 25, g, torch.float64)
    wrong = torch.linalg.eigvalsh(ens.bidiagonal_gram(bd2, bs2)) / 35
    assert ks_2samp(dense_x.ravel().numpy(), wrong.ravel().numpy()).statistic > 0.1


def test_tridiagonal_eigensolver_is_exact():
    """The free-particle chain (diagonal 0, off-diagonal 1, size k) has the eigenvalues
    2 cos(πj/(k + 1)), j = 1..k, exactly; a batch of shifted and scaled copies must give them."""
    k = 300
    j = torch.arange(k, 0, -1, dtype=torch.float64)
    exact = 2 * torch.cos(math.pi * j / (k + 1))
    scale = torch.tensor([[1.0], [3.0]], dtype=torch.float64)
    diag, off = torch.zeros(2, k, dtype=torch.float64) + scale, torch.ones(2, k - 1, dtype=torch.float64) * scale
    rows = []
    ev = ens.tridiagonal_eigvalsh(diag, off, on_row=lambda: rows.append(1))
    assert ev.dtype == torch.float64 and ev.shape == (2, k) and len(rows) == 2
    assert torch.allclose(ev, scale * (exact + 1), rtol=0, atol=1e-12 * 6)
    one = ens.tridiagonal_eigvalsh(torch.full((3, 1), 2.5, dtype=torch.float32), torch.zeros(3, 0, dtype=torch.float32))
    assert one.dtype == torch.float32 and torch.equal(one, torch.full((3, 1), 2.5))


@pytest.mark.parametrize("law", [sr.laws.semicircle(2), sr.laws.marchenko_pastur(R(1, 2)),
                                 sr.laws.marchenko_pastur(2, 3), sr.mobius(sr.laws.semicircle(1), 2, 1, 0, 1)],
                         ids=["semicircle", "mp-1/2", "mp-2-zeros", "affine"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_tridiagonal_models_use_the_tridiagonal_solver(law, dtype):
    """Lone Wigner / white Wishart models (and affine maps of them) keep their bands and are solved
    by the tridiagonal eigensolver on a CPU; same draws, same eigenvalues as the dense eigvalsh of
    the same tridiagonal matrices (1e-10 of the spectral radius in float64, 1e-5 in float32)."""
    from symrmt.simulate import make_generator
    from symrmt.simulate.models import _Ctx, _draw

    n, trials = 150, 3
    sample = _draw(law, n, trials, _Ctx(make_generator(5, "cpu"), dtype))
    assert sample.tri is not None and sample.mat is None
    dense = torch.linalg.eigvalsh(_draw(law, n, trials, _Ctx(make_generator(5, "cpu"), dtype)).matrix())
    if sample.zeros:
        dense = torch.cat([dense, torch.zeros(trials, sample.zeros, dtype=dtype)], -1).sort(-1).values
    got = sample_eigenvalues(law, n, trials, seed=5, device="cpu", dtype=dtype)
    assert got.dtype == dtype and got.device.type == "cpu" and got.shape == (trials, n)
    tol = (1e-10 if dtype == torch.float64 else 1e-5) * float(dense.abs().max())
    assert torch.allclose(got, dense, rtol=0, atol=tol)


def test_invariant_operand_absorbs_the_other_without_rotation():
    """semicircle ⊞ MP is drawn as Wigner + Laguerre tridiagonal (exact: Wigner is invariant);
    its moments are the exact free-cumulant moments (_check_moments' tolerance)."""
    _check_moments(sr.free_add(sc, mp), k=4)
    _check_moments(sr.free_add(mp, at), k=3)  # dense invariant Wishart + diagonal atoms
    _check_moments(sr.free_power(mp, 3), k=3)  # three invariant copies summed
    _check_moments(sr.free_multiply(mp, mp), k=3)  # population as the bidiagonal factor


def test_box_muller_gaussians_are_standard_normal():
    """ens.gaussian against N(0, 1): KS distance of 10⁵ draws below 1.63/√n (the 1 % critical
    value), mean and variance within 4 standard errors, an odd count handled."""
    from scipy.stats import kstest

    g = torch.Generator().manual_seed(8)
    x = ens.gaussian((100001,), g, torch.float64).numpy()
    assert x.shape == (100001,)
    assert kstest(x, "norm").statistic < 1.63 / math.sqrt(x.size)
    assert abs(x.mean()) < 4 / math.sqrt(x.size) and abs(x.var() - 1) < 4 * math.sqrt(2 / x.size)
    # pairs (cos, sin) are uncorrelated, and consecutive halves independent
    h = x[:50000], x[50000:100000]
    assert abs(np.corrcoef(h[0], h[1])[0, 1]) < 4 / math.sqrt(50000)
