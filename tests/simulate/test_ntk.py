"""Empirical NNGP / NTK of finite fully connected torch networks of any depth
(:mod:`symrmt.simulate.ntk`) — the simulation side of every kernel of :mod:`symrmt.kernels`.

References: autograd on the network itself (the exact sum over parameters), and the
infinite-width kernels of :func:`symrmt.kernels.dot_product_kernel`, themselves tested against
quadrature in ``tests/kernels``.  Statistics: the empirical kernel at width m is an average over
the neurons of the last layer of weakly dependent terms, so over T initializations the mean has a
standard error s/√T estimated from the trials; agreement is asked to 4.5 standard errors per
cosine (a Gaussian miss rate ~1e-5 each).  The finite-width bias of a deep NTK is O(1/m), well
below that standard error at the widths used.  Slow tests fit the width⁻½ rate."""
import math

import numpy as np
import pytest
import sympy as sp
import torch

from symrmt.errors import ParameterError
from symrmt.kernels import dot_product_kernel
from symrmt.simulate.ntk import deep_ntk_from_parameters, empirical_kernel

x = sp.Symbol("x", real=True)
COS = [-0.6, 0.0, 0.4, 0.8, 1.0]


def _z(sample, target):
    mean = sample.values.mean(0)
    se = sample.values.std(0, ddof=1) / math.sqrt(sample.trials)
    return (mean - target) / se


@pytest.mark.parametrize("depth, kind", [(1, "ntk"), (3, "ntk"), (2, "nngp")])
def test_deep_formula_equals_autograd(depth, kind):
    """Θ̂ = Σ_θ ∂f(x)/∂θ ∂f(x′)/∂θ by autograd on the network, readout scales different from the
    hidden ones; the NNGP is the readout part (gradients w.r.t. v and β_out only)."""
    g = torch.Generator().manual_seed(3)
    m, d, w, b, rw, rb = 6, 4, 1.3, 0.4, 0.7, 0.2
    sizes = [(m, d)] + [(m, m)] * (depth - 1)
    Ws = [torch.randn(*s, generator=g, dtype=torch.float64) for s in sizes]
    Bs = [torch.randn(m, generator=g, dtype=torch.float64) for _ in range(depth)]
    v, bo = torch.randn(m, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)
    X = torch.randn(3, d, generator=g, dtype=torch.float64)
    phi, dphi = torch.tanh, lambda z: 1 - torch.tanh(z) ** 2

    def f(params, xx):
        *layers, v_, bo_ = params
        a = xx
        for W_, b_ in zip(layers[0::2], layers[1::2]):
            a = phi(w * (W_ @ a) / math.sqrt(W_.shape[1]) + b * b_)
        return rw * (v_ @ a) / math.sqrt(m) + rb * bo_[0]

    params = [t.clone().requires_grad_(True) for pair in zip(Ws, Bs) for t in pair] + [
        v.clone().requires_grad_(True), bo.clone().requires_grad_(True)]
    used = params if kind == "ntk" else params[-2:]

    def grad(xx):
        gs = torch.autograd.grad(f(params, xx), used, allow_unused=True)
        return torch.cat([gg.reshape(-1) for gg in gs])

    grads = [grad(xx) for xx in X]
    ref = torch.stack([torch.stack([gi @ gj for gj in grads]) for gi in grads])
    got = deep_ntk_from_parameters(phi, dphi, Ws, Bs, v, X, X, w, b, rw, rb, kind)
    torch.testing.assert_close(got, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("act, depth, kind, w, b", [
    ("relu", 3, "ntk", 1.4, 0.1),
    (sp.Abs(x), 2, "ntk", 1.0, 0.1),
    (sp.exp(-x**2) * sp.sin(x), 2, "ntk", 1.3, 0.2),
    ("erf", 2, "nngp", 1.5, 0.3),
])
def test_empirical_deep_kernel_matches_theory(act, depth, kind, w, b):
    """Width 512, 48 initializations, seed 7: every cosine within 4.5 standard errors."""
    target = dot_product_kernel(act, kind, depth, w_std=w, b_std=b)(np.array(COS))
    s = empirical_kernel(act, COS, width=512, trials=48, seed=7, device="cpu", depth=depth, w_std=w, b_std=b,
                         kind=kind)
    z = _z(s, target)
    assert np.all(np.abs(z) < 4.5), (z, target)


def test_stax_readout_scales():
    """neural-tangents' readout (W_std = 1, no bias) on a depth-2 ReLU net with W_std = √2, b = 0.1."""
    th = dot_product_kernel("relu", "ntk", 2, w_std=sp.sqrt(2), b_std=0.1, convention="stax")(np.array(COS))
    s = empirical_kernel("relu", COS, width=512, trials=48, seed=8, device="cpu", depth=2, w_std=math.sqrt(2),
                         b_std=0.1, readout_w_std=1.0, readout_b_std=0.0)
    assert np.all(np.abs(_z(s, th)) < 4.5)
    ours = dot_product_kernel("relu", "ntk", 2, w_std=sp.sqrt(2), b_std=0.1)(np.array(COS))
    assert np.all(np.abs(_z(s, ours)) > 4.5)  # the symrmt readout (W_std² = 2) is about twice as large


def test_depth_one_unchanged_and_bad_input():
    a = empirical_kernel("tanh", COS, width=32, trials=3, seed=4, device="cpu")
    b = empirical_kernel("tanh", COS, width=32, trials=3, seed=4, device="cpu", depth=1)
    np.testing.assert_array_equal(a.values, b.values)
    for bad in (0, 2.5, True, 100):
        with pytest.raises(ParameterError, match="depth"):
            empirical_kernel("relu", COS, width=8, depth=bad)
    with pytest.raises(ParameterError, match="readout_w_std"):
        empirical_kernel("relu", COS, width=8, readout_w_std=0.0)
    with pytest.raises(ParameterError, match="readout_b_std"):
        empirical_kernel("relu", COS, width=8, readout_b_std=-1.0)


# ------------------------------------------------------------------ slow: the width^(-1/2) rate
WIDTHS = (512, 1024, 2048, 4096)


def _rate(act, depth, kind, w, b, seed, trials=16):
    """Mean over trials of the RMS (over the cosines) of empirical − theory, per width; the slope
    of log(error) against log(width) by least squares."""
    cs = np.array(COS)
    target = dot_product_kernel(act, kind, depth, w_std=w, b_std=b)(cs)
    errs = []
    for i, m in enumerate(WIDTHS):
        s = empirical_kernel(act, cs, width=m, trials=trials, seed=seed + 1000 * i, device="cpu", depth=depth,
                             w_std=w, b_std=b, kind=kind)
        errs.append(float(np.mean(np.sqrt(np.mean((s.values - target) ** 2, axis=1)))))
        if m == WIDTHS[-1]:
            assert np.all(np.abs(_z(s, target)) < 4.5), (act, _z(s, target))
    slope = np.polyfit(np.log(WIDTHS), np.log(errs), 1)[0]
    return slope, errs


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("act, depth, kind, w, b", [
    ("relu", 2, "ntk", 1.4, 0.1),
    (sp.Abs(x), 3, "ntk", 1.0, 0.1),
    ("erf", 2, "ntk", 1.5, 0.3),
    (sp.exp(-x**2) * sp.sin(x), 2, "ntk", 1.3, 0.2),
    (sp.Max(x, x / 10), 2, "nngp", 1.2, 0.2),
])
def test_width_rate_one_half(act, depth, kind, w, b, seed):
    """Widths 512..4096, 16 initializations per width (seeds seed + 1000 i), seeds 0 and 1: the
    error of the empirical kernel decays like width^(-1/2).  Each error is a mean over 16 trials of
    a quantity with relative spread ~0.5, so it is known to ~12 %; over 4 widths a factor 8 apart
    the least-squares slope has a standard deviation ~0.08 (accept −1/2 ± 0.2, 2.5 standard
    deviations); at width 4096 every cosine is also within 4.5 standard errors of the kernel."""
    slope, errs = _rate(act, depth, kind, w, b, seed)
    assert -0.7 < slope < -0.3, (slope, errs)


def test_chunked_kernel_is_the_whole_networks_kernel():
    """The chunk kernels average to the kernel of one network of all the neurons: with one
    neuron per chunk, the mean over 6 chunks equals ntk_from_parameters on the 6 neurons together
    (same draws); the proposal factor √ρ_a enters as a per-neuron output scale."""
    from symrmt.simulate.device import derive_seed, make_generator
    from symrmt.simulate.ntk import chunked_one_layer_kernel, hermite_activation, ntk_from_parameters

    b, s, cs = [0.3, 0.5, 0.4], 2.0, [-1.0, 0.25, 1.0]
    got = chunked_one_layer_kernel(cs, hermite=b, chunk=1, chunks=6, seed=3, device="cpu", proposal_std=s)
    phi, dphi = hermite_activation(b)
    W, v = [], []
    for t in range(6):
        gen = make_generator(derive_seed(3, t), "cpu")
        W.append(s * torch.randn(1, 2, generator=gen, dtype=torch.float64))
        v.append(torch.randn(1, generator=gen, dtype=torch.float64))
    W, v = torch.cat(W), torch.cat(v)
    alpha = s * torch.exp(-(W**2).sum(1) * (1 - 1 / s**2) / 4)
    X = math.sqrt(2) * torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    c = torch.tensor(cs, dtype=torch.float64)
    Y = math.sqrt(2) * torch.stack([c, torch.sqrt(1 - c**2)], 1)
    zero = torch.zeros(6, dtype=torch.float64)
    ref = ntk_from_parameters(lambda z: alpha * phi(z), lambda z: alpha * dphi(z), W, zero, v, X, Y)[0].numpy()
    np.testing.assert_allclose(got.values.mean(0), ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("proposal_std", [1.0, 2.5])
def test_chunked_kernel_unbiased_for_a_polynomial(proposal_std):
    """φ = 0.3 h_0 + 0.5 h_1 + 0.4 h_2: the one-hidden-layer NTK is Σ_k (k + 1) b_k² c^k (Mehler's
    formula, written here); 2^12 neurons × 24 chunks, seed 7, both the plain network and the
    importance-sampled one agree to 4.5 standard errors at five cosines, c = ±1 included."""
    from symrmt.simulate.ntk import chunked_one_layer_kernel

    b = np.array([0.3, 0.5, 0.4])
    cs = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    exact = sum((k + 1) * b[k] ** 2 * cs**k for k in range(3))
    s = chunked_one_layer_kernel(cs, hermite=b, chunk=2**12, chunks=24, seed=7, device="cpu",
                                 proposal_std=proposal_std)
    assert s.width == 2**12 and s.trials == 24
    assert np.all(np.abs(_z(s, exact)) < 4.5), _z(s, exact)


def test_chunked_kernel_bad_input():
    from symrmt.simulate.ntk import chunked_one_layer_kernel

    with pytest.raises(ParameterError, match="proposal_std"):
        chunked_one_layer_kernel([0.0], hermite=[1.0], proposal_std=0.5)
    with pytest.raises(ParameterError, match="chunks"):
        chunked_one_layer_kernel([0.0], hermite=[1.0], chunks=1)
    with pytest.raises(ParameterError, match="chunk"):
        chunked_one_layer_kernel([0.0], hermite=[1.0], chunk=0)
    with pytest.raises(ParameterError, match="cosines"):
        chunked_one_layer_kernel([1.5], hermite=[1.0])
    with pytest.raises(ParameterError, match="exactly one"):
        chunked_one_layer_kernel([0.0])
