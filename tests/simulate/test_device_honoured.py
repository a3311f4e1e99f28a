"""Every simulation entry point creates its tensors on the requested device, in the requested dtype.

A CPU-only machine has no second device to catch a tensor left behind on, so each run on
``device="cpu"`` is watched by three probes:

* the *default* device is switched to ``meta`` (and, for a float32 run, the default dtype to
  float64): a tensor created without an explicit ``device=`` / ``dtype=`` comes out on ``meta`` or
  in the other precision, instead of silently where the request happens to point;
* a :class:`~torch.utils._python_dispatch.TorchDispatchMode` records the device and dtype of every
  tensor every aten op returns; all must be on the CPU, and all floating ones in the requested dtype;
* a :class:`~torch.overrides.TorchFunctionMode` records factory calls made from symrmt code without
  ``device=``, and host transfers (``.cpu()``, ``.numpy()``, ``.tolist()``, ``.to(device)``, ``.cuda()``)
  with the symrmt function that asked for them.  A spectral simulation makes none; a learning
  simulation makes them only where the listed functions hand numbers to NumPy (a returned spectrum,
  the theory's input); scalar reads (``float(t)``, ``.item()``) are allowed everywhere.

With CUDA (``pytest -m gpu``) the same checks run once more on ``device="cuda"``, where every
tensor must be on the GPU except the listed host copies.
"""
from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
import pytest
import sympy as sp
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import ensembles as ens
from symrmt.simulate import make_generator, sample_eigenvalues
from symrmt.simulate.models import _HANDLERS

_PKG = os.path.dirname(sr.__file__) + os.sep
_TORCH = os.path.dirname(torch.__file__) + os.sep
_FACTORIES = {torch.tensor, torch.as_tensor, torch.zeros, torch.ones, torch.empty, torch.full, torch.eye,
              torch.arange, torch.linspace, torch.logspace, torch.rand, torch.randn, torch.randint,
              torch.randperm}
_TRANSFERS = {"cpu", "cuda", "numpy", "tolist", "to"}
_IGNORED_OPS = ("aten.lift_fresh",)  # the host data of torch.tensor(...) before its conversion


def _symrmt_caller():
    """``(function, file:line)`` of the innermost symrmt frame on the stack, or None."""
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if fn.startswith(_PKG):
            return f.f_code.co_name, f"{fn[len(_PKG):]}:{f.f_lineno}"
        if not fn.startswith(_TORCH) and fn != __file__:  # only symrmt's own calls are judged
            return None
        f = f.f_back
    return None


class _Ops(TorchDispatchMode):
    """Device and dtype of every tensor an aten op returns, and for those off the expected device
    or dtype the symrmt function that made them."""

    def __init__(self, device, dtype):
        super().__init__()
        self.device, self.dtype, self.seen = device, dtype, []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func)
        if not name.startswith(_IGNORED_OPS):
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    odd = t.device.type != self.device or (t.dtype.is_floating_point and t.dtype != self.dtype)
                    where = _symrmt_caller() if odd else None
                    self.seen.append((name, t.device.type, t.dtype, tuple(t.shape), where and where[0]))
        return out


class _Calls(TorchFunctionMode):
    """Factory calls without ``device=`` and host transfers made by symrmt code."""

    def __init__(self):
        super().__init__()
        self.undeviced, self.transfers = [], []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _FACTORIES and "device" not in kwargs and not (
                func in (torch.tensor, torch.as_tensor) and args and isinstance(args[0], torch.Tensor)):
            where = _symrmt_caller()
            if where is not None:
                self.undeviced.append((func.__name__, *where))
        name = getattr(func, "__name__", "")
        if name in _TRANSFERS and args and isinstance(args[0], torch.Tensor):
            moves = name != "to" or "device" in kwargs or any(
                isinstance(a, (str, torch.device)) or isinstance(a, torch.Tensor) for a in args[1:])
            where = _symrmt_caller()
            if moves and where is not None:
                self.transfers.append((name, *where))
        return func(*args, **kwargs)


#: symrmt functions whose ``.numpy()`` of a CPU tensor is a view for a CPU library, not a transfer
CPU_VIEWS = ("tridiagonal_eigvalsh",)


@contextlib.contextmanager
def watched(dtype=torch.float64, meta_default=True, device="cpu"):
    """Run the body under the probes (see the module docstring); yields ``(ops, calls)``."""
    other = torch.float32 if dtype == torch.float64 else torch.float64
    old = torch.get_default_dtype()
    ops, calls = _Ops(device, dtype), _Calls()
    try:
        torch.set_default_dtype(other)
        with (torch.device("meta") if meta_default else contextlib.nullcontext()), calls, ops:
            yield ops, calls
    finally:
        torch.set_default_dtype(old)


def assert_honoured(ops, calls, dtype=torch.float64, transfers_in=(), scalar_counters=False, meta_ok=False,
                    device="cpu", setup_on_cpu=()):
    """All outputs on ``device`` in ``dtype`` (floating ones), no factory without ``device=``, and
    host transfers only from the functions in ``transfers_in`` (their copies are the only CPU
    tensors of a CUDA run).  ``scalar_counters``: allow 0-d float32 CPU tensors (torch.optim keeps
    Adam's step counters so, on every device); ``meta_ok``: allow shape-only meta tensors
    (``torch.nn.utils.skip_init`` builds a layer on meta before materializing it on the device; only
    without the meta default, where they cannot hide a leak); ``setup_on_cpu``: functions that draw
    on the CPU on purpose, in any dtype, before the run (the same start on every device)."""
    assert (ops.device, ops.dtype) == (device, dtype), "watched() and assert_honoured() disagree"

    def expected(func, dev, shape, who):
        return (dev == device or (meta_ok and dev == "meta")
                or (dev == "cpu" and (who in setup_on_cpu or (scalar_counters and shape == ())))
                or (dev == "cpu" and bool(transfers_in) and func.startswith(("aten._to_copy", "aten.copy_"))))

    off_device = {(f, d, w) for f, d, _, s, w in ops.seen if not expected(f, d, s, w)}
    assert not off_device, f"tensors created off the requested device: {sorted(off_device, key=str)}"
    wrong = {(f, str(t), s, w) for f, _, t, s, w in ops.seen
             if (t.is_floating_point or t.is_complex) and t != dtype and w not in setup_on_cpu
             and not (scalar_counters and s == () and t == torch.float32)}
    assert not wrong, f"tensors not in {dtype}: {sorted(wrong)[:10]}"
    assert not calls.undeviced, f"tensors created without device=: {sorted(set(calls.undeviced))}"
    # on a CPU the tridiagonal eigensolver hands its bands to LAPACK as zero-copy NumPy views
    # (on CUDA it stays in torch), which is no host transfer
    cpu_views = CPU_VIEWS if device == "cpu" else ()
    stray = sorted({t for t in calls.transfers if t[1] not in (*transfers_in, *setup_on_cpu, *cpu_views)})
    assert not stray, f"host transfers mid-simulation: {stray}"
    assert ops.seen, "nothing was recorded: the probes are not active"


def test_the_probes_catch_what_they_should():
    with watched() as (ops, calls):
        torch.zeros(3, dtype=torch.float64)
        torch.ones(2, device="cpu")
    assert {(d, t) for _, d, t, _, _ in ops.seen} == {("meta", torch.float64), ("cpu", torch.float32)}
    gen = make_generator(0, "cpu")

    def leaky():  # a simulation step as symrmt could get it wrong
        x = ens.gaussian((3, 3), gen, torch.float64)
        return x.cpu().numpy(), torch.eye(3)

    leaky.__code__ = leaky.__code__.replace(co_filename=_PKG + "simulate/leaky.py")
    with watched() as (ops, calls):
        leaky()
    assert ("aten.eye.default", "meta", torch.float32) in {s[:3] for s in ops.seen}
    assert [u[:2] for u in calls.undeviced] == [("eye", "leaky")]
    assert {t[:2] for t in calls.transfers} == {("cpu", "leaky"), ("numpy", "leaky")}
    with pytest.raises(AssertionError, match="off the requested device"):
        assert_honoured(ops, calls)


# ---------------------------------------------------------------------- spectral simulations
H = sp.Rational(1, 2)
_SC, _MP, _AT = sr.laws.semicircle(1), sr.laws.marchenko_pastur(H), sr.laws.atoms([1, 3])
LAWS = {
    "semicircle": _SC, "marchenko_pastur": _MP, "marchenko_pastur(2)": sr.laws.marchenko_pastur(2),
    "free_poisson": sr.laws.free_poisson(2), "atoms": _AT,
    "sc+mp": sr.free_add(_SC, _MP), "sc+sc": sr.free_add(_SC, _SC), "at+at": sr.free_add(_AT, sr.laws.atoms([0, 2])),
    "mp*mp": sr.free_multiply(_MP, _MP), "at*at": sr.free_multiply(_AT, sr.laws.atoms([0, 2])),
    "mp*(sc+3)": sr.free_multiply(_MP, sr.free_add(_SC, sr.laws.atoms([3]))),
    "silverstein": sr.sample_covariance(_AT, H), "wachter": sr.laws.wachter(H, sp.Rational(1, 3)),
    "affine": sr.mobius(_SC, 2, 1, 0, 1), "negated mp": sr.mobius(_MP, -1, 0, 0, 1), "mobius": sr.mobius(_MP, 1, 0, 1, 1),
    "power 2": sr.free_power(_SC, 2), "power 2 of atoms": sr.free_power(_AT, 2),
    "power 3/2": sr.free_power(_AT, sp.Rational(3, 2)), "compress": sr.compress(_AT, H),
    "square": sr.square(_SC), "transpose": sr.transpose(sr.laws.marchenko_pastur(2), 2),
    "block diagonal": sr.block_diagonal(_SC, _MP, sp.Rational(1, 3)),
    "information plus noise": sr.info_plus_noise(_AT, H, sp.Rational(1, 2)),
    "correlated wishart": sr.correlated_wishart(_AT, sr.laws.atoms([1, 2]), H),
    "chiral block": sr.laws.chiral_block(1, 2, H), "free meixner": sr.laws.free_meixner(1, sp.Rational(1, 8)),
    "free meixner (b < 0)": sr.laws.free_meixner(H, -H), "free meixner (a² < 4b)": sr.laws.free_meixner(H, 1),
    "equilibrium measure": sr.laws.equilibrium_measure(2, 1),
}


DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs CUDA")])]


def _ops_of(law):
    out, stack = set(), [law]
    while stack:
        node = stack.pop()
        out.add(node.construction.op)
        stack.extend(node.construction.operands)
    return out


def test_every_construction_op_is_covered():
    assert set().union(*(_ops_of(law) for law in LAWS.values())) == set(_HANDLERS)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(LAWS))
@pytest.mark.parametrize("device", DEVICES)
def test_sample_eigenvalues_honours_device_and_dtype(device, name, dtype):
    with watched(dtype, device=device) as (ops, calls):
        ev = sample_eigenvalues(LAWS[name], 20, trials=2, seed=3, device=device, dtype=dtype)
    assert ev.device.type == device and ev.dtype == dtype and ev.shape == (2, 20)
    assert_honoured(ops, calls, dtype, device=device)


def test_batched_run_honours_device_and_dtype(monkeypatch):
    monkeypatch.setenv("SYMRMT_SIM_MEMORY", "20000")  # several memory-sized batches
    with watched(torch.float32) as (ops, calls):
        ev = sample_eigenvalues(LAWS["silverstein"], 24, trials=3, seed=1, device="cpu", dtype="float32")
    assert ev.dtype == torch.float32 and ev.shape == (3, 24)
    assert_honoured(ops, calls, torch.float32)


def _spectral_derivations():
    from symrmt.registry import SpectralDerivation, available, load

    return [n for n in available() if isinstance(load(n), SpectralDerivation)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", _spectral_derivations())
def test_catalogue_derivations_simulate_on_request(name, dtype):
    from symrmt.registry import load

    der = load(name)
    dt = getattr(torch, dtype)
    with watched(dt) as (ops, calls):
        ev = der.simulate(24, 2, seed=0, device="cpu", dtype=dtype)
    assert ev.dtype == dt and ev.device.type == "cpu"
    assert_honoured(ops, calls, dt)


def _ensemble_calls(gen, dt):
    a = torch.linspace(0.5, 2.0, 6, dtype=dt, device=gen.device).expand(2, 6).contiguous()
    return {
        "gaussian": lambda: ens.gaussian((3, 5), gen, dt),
        "chi": lambda: ens.chi(torch.arange(4, dtype=dt, device=gen.device), gen),
        "haar_frame": lambda: ens.haar_frame(2, 6, 3, gen, dt),
        "haar_orthogonal": lambda: ens.haar_orthogonal(2, 4, gen, dt),
        "wigner_matrix": lambda: ens.wigner_matrix(2, 5, gen, dt, 2.0),
        "wigner_tridiagonal": lambda: ens.wigner_tridiagonal(2, 5, gen, dt),
        "wigner_bands": lambda: ens.wigner_bands(2, 5, gen, dt),
        "tridiagonal_eigvalsh": lambda: ens.tridiagonal_eigvalsh(a, a[:, 1:]),
        "bidiagonal_gram_bands": lambda: ens.bidiagonal_gram_bands(*ens.laguerre_bidiagonal(2, 5, 3, gen, dt)),
        "laguerre_bidiagonal": lambda: ens.laguerre_bidiagonal(2, 5, 8, gen, dt),
        "bidiagonal_gram": lambda: ens.bidiagonal_gram(*ens.laguerre_bidiagonal(2, 5, 3, gen, dt)),
        "tridiagonal": lambda: ens.tridiagonal(a, a[:, 1:]),
        "wishart_matrix": lambda: ens.wishart_matrix(2, 5, 9, gen, dt),
        "covariance_matrix": lambda: (ens.covariance_matrix(a, 4, gen), ens.covariance_matrix(a, 9, gen),
                                      ens.covariance_matrix(("bidiagonal", a, a), 9, gen)),
        "symmetrized": lambda: ens.symmetrized(ens.wigner_matrix(2, 4, gen, dt)),
        "free_sum_matrix": lambda: (ens.free_sum_matrix(a, a, gen),
                                    ens.free_sum_matrix(torch.diag_embed(a), a, gen)),
        "free_product_matrix": lambda: ens.free_product_matrix(a, a, gen),
        "compression_matrix": lambda: ens.compression_matrix(a, 3, gen),
    }


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("device", DEVICES)
def test_every_ensemble_honours_device_and_dtype(device, dtype):
    gen = make_generator(0, device)
    assert set(_ensemble_calls(gen, dtype)) == set(ens.__all__)
    for name, call in _ensemble_calls(gen, dtype).items():
        with watched(dtype, device=device) as (ops, calls):
            out = call()
        for t in tree_flatten(out)[0]:
            assert t.dtype == dtype and t.device.type == device, name
        assert_honoured(ops, calls, dtype, device=device)


# ---------------------------------------------------------------------- learning simulations
X = sp.Symbol("x")


def _learning_calls(dev="cpu"):
    from symrmt.simulate import learning as es
    from symrmt.simulate.deep_features import (sample_feature_covariance, sample_gaussian_covariance,
                                               simulate_deep_features, simulate_deep_linear_rf)
    from symrmt.simulate.kernel_ridge import simulate_kernel_ridge
    from symrmt.simulate.ntk import empirical_kernel
    from symrmt.simulate.one_step import simulate_one_step

    # (call, dtype, functions allowed to hand arrays to NumPy: why)
    return {
        "ridge": (lambda: es.simulate_ridge(16, 0.5, 0.1, 0.1, spectrum=([1, 2], [0.5, 0.5]), trials=2,
                                            device=dev), torch.float64, ()),
        "linear_random_features": (lambda: es.simulate_linear_random_features(16, 0.5, 0.7, 0.1, 0.1, ensemble=2,
                                                                              trials=2, device=dev), torch.float64, ()),
        "random_features": (lambda: es.simulate_random_features(8, 1.5, 2.0, 0.1, "relu", Fstar=0.5, tau=0.1,
                                                                trials=2, device=dev, n_test=40), torch.float64, ()),
        "random_features(sympy)": (lambda: es.simulate_random_features(8, 1.5, 2.0, 0.1, sp.tanh(X) + X**2 / 3,
                                                                       trials=1, device=dev, n_test=40),
                                   torch.float64, ()),
        "powerlaw_ridge": (lambda: es.simulate_powerlaw_ridge(16, 24, 1.5, 1.0, 0.1, 0.01, trials=2, device=dev),
                           torch.float64, ()),
        "kernel_ridge(exp)": (lambda: simulate_kernel_ridge(16, 4, population=48, n_test=40, trials=2, device=dev),
                              torch.float64, ("simulate_kernel_ridge",)),  # the returned population sample
        "kernel_ridge(relu)": (lambda: simulate_kernel_ridge(16, 4, kernel="relu", population=48, n_test=40, trials=1,
                                                             device=dev), torch.float64, ("simulate_kernel_ridge",)),
        "deep_features": (lambda: simulate_deep_features(8, 2.0, 0.1, 0.1, trials=2, device=dev, n_test=40),
                          torch.float64, ("simulate_deep_features", "_numpy")),  # the returned draw
        "deep_features(centred)": (lambda: simulate_deep_features(8, 2.0, 0.1, 0.1, activations="relu", trials=1,
                                                                  device=dev, n_test=40, centring=lambda W: [0.3, 0.1]),
                                   torch.float64, ("simulate_deep_features", "_numpy")),
        "deep_features(linear)": (lambda: simulate_deep_features(8, 2.0, 0.1, 0.1, activations="linear",
                                                                 target="linear", trials=1, device=dev),
                                  torch.float64, ("simulate_deep_features", "_numpy")),
        "deep_linear_rf": (lambda: simulate_deep_linear_rf(8, 2.0, 0.1, 0.1, trials=2, device=dev), torch.float64, ()),
        "sample_feature_covariance": (lambda: sample_feature_covariance(8, n_samples=64, device=dev, batch=40),
                                      torch.float64, ("sample_feature_covariance", "_numpy")),  # returned arrays
        "sample_gaussian_covariance": (lambda: sample_gaussian_covariance(np.eye(6) + 0.1, 64, device=dev, batch=40),
                                       torch.float64, ("sample_gaussian_covariance",)),
        "one_step": (lambda: simulate_one_step(8, 2.0, 2.0, 1.0, 0.1, trials=2, device=dev, n_test=40,
                                               spectrum=True), torch.float64, ("simulate_one_step",)),  # returned spectrum
        "one_step(spiked)": (lambda: simulate_one_step(8, 2.0, 2.0, 1.0, 0.1, trials=1, device=dev, n_test=40,
                                                       model="spiked", spike=(0.5, 0.9, 0.7)), torch.float64, ()),
        "ntk(relu, nngp)": (lambda: empirical_kernel("relu", width=16, trials=2, device=dev, kind="nngp"),
                            torch.float64, ("empirical_kernel",)),  # the returned kernel values
        "ntk(tanh)": (lambda: empirical_kernel("tanh", width=16, trials=2, device=dev), torch.float64,
                      ("empirical_kernel",)),
        "ntk(sympy)": (lambda: empirical_kernel(X * sp.exp(-X**2 / 2), width=16, trials=1, device=dev),
                       torch.float64, ("empirical_kernel",)),
        "ntk(sympy relu, nngp)": (lambda: empirical_kernel(sp.Max(0, X), width=16, trials=1, device=dev, kind="nngp"),
                                  torch.float64, ("empirical_kernel",)),
        "random_features(sqrt(2) tanh)": (lambda: es.simulate_random_features(8, 1.5, 2.0, 0.1, sp.sqrt(2) * sp.tanh(X),
                                                                              trials=1, device=dev, n_test=40),
                                          torch.float64, ()),
        "ntk(hermite, float32)": (lambda: empirical_kernel(hermite=[0, 1, 0.5], width=16, trials=2, device=dev,
                                                           dtype="float32"), torch.float32, ("empirical_kernel",)),
        "ntk(erf, float32)": (lambda: empirical_kernel("erf", width=16, trials=1, device=dev, dtype="float32"),
                              torch.float32, ("empirical_kernel",)),
    }


@pytest.mark.parametrize("name", list(_learning_calls()))
@pytest.mark.parametrize("device", DEVICES)
def test_learning_simulations_honour_device_and_dtype(device, name):
    call, dtype, allowed = _learning_calls(device)[name]
    with watched(dtype, device=device) as (ops, calls):
        call()
    assert_honoured(ops, calls, dtype, transfers_in=allowed, device=device)


ACTIVATIONS = {"relu": (sp.Max(0, X), torch.relu), "min": (sp.Min(X, 1), lambda t: t.clamp(max=1)),
               "3-way max": (sp.Max(X, X**2, sp.Rational(1, 3)), lambda t: torch.maximum(torch.maximum(t, t * t),
                                                                                        torch.full_like(t, 1 / 3))),
               "step": (sp.Heaviside(X), lambda t: torch.heaviside(t, torch.full_like(t, 0.5))),
               "sqrt(2) gauss": (sp.sqrt(2) * sp.exp(-X**2 / 2), lambda t: 2**0.5 * torch.exp(-t * t / 2)),
               "pi x + e": (sp.pi * X + sp.E, lambda t: 3.141592653589793 * t + 2.718281828459045),
               "x erf(x/sqrt 2)": (X * sp.erf(X / sp.sqrt(2)), lambda t: t * torch.erf(t / 2**0.5)),
               "piecewise": (sp.Piecewise((X**2, X > 1), (sp.Rational(1, 2), True)),
                             lambda t: torch.where(t > 1, t * t, torch.full_like(t, 0.5)))}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("device", DEVICES)
def test_sympy_activations_run_on_the_input_device_and_dtype(device, name, dtype):
    """Constants (``sqrt(2)``), ``Max``/``Min`` with a number and ``Heaviside`` used to be printed as
    torch calls on Python numbers and failed; they now follow the input tensor."""
    from symrmt.simulate.activations import torch_activation

    expr, ref = ACTIVATIONS[name]
    t = torch.linspace(-2.5, 2.5, 11, dtype=dtype, device=device)
    with watched(dtype, device=device) as (ops, calls):
        out = torch_activation(expr)(t)
    assert out.dtype == dtype and out.device.type == device and out.shape == t.shape
    torch.testing.assert_close(out, ref(t))
    assert_honoured(ops, calls, dtype, device=device)


def test_ntk_reports_the_requested_dtype():
    from symrmt.simulate.ntk import empirical_kernel

    s = empirical_kernel("tanh", width=8, trials=1, device="cpu", dtype="float32")
    assert (s.device, s.dtype) == ("cpu", "float32")


@pytest.mark.parametrize("system,method", [("pendulum", "midpoint"), ("linear", "implicit_midpoint")])
@pytest.mark.parametrize("device", DEVICES)
def test_neural_ode_training_honours_device_and_dtype(device, system, method):
    """No meta default here: torch.optim creates its own step counters without a device."""
    from symrmt.simulate.neural_ode import evaluate_against_imde, train_neural_ode

    with watched(torch.float64, meta_default=False, device=device) as (ops, calls):
        res = train_neural_ode(system, method, 0.1, n_train=16, width=8, adam_steps=3, lbfgs_steps=2, device=device)
        evaluate_against_imde(res, orders=1, n_test=16)
    assert res.device.startswith(device)
    assert all(p.dtype == torch.float64 and p.device.type == device for p in res.model.parameters())
    assert_honoured(ops, calls, torch.float64, scalar_counters=True, meta_ok=True, device=device,
                    setup_on_cpu=("make_mlp", "_sample_box"))


def test_make_mlp_is_seeded_on_its_own_and_converted_once():
    """The initial draw is torch's default Linear initialization after ``manual_seed(seed)`` (the
    same network on every device), from a private generator: the global RNG is left alone."""
    from symrmt.simulate.neural_ode import make_mlp

    state = torch.random.get_rng_state()
    with watched(torch.float64, meta_default=False) as (ops, calls):
        net = make_mlp(2, width=6, depth=2, device="cpu", seed=4)
    assert torch.equal(state, torch.random.get_rng_state())
    assert_honoured(ops, calls, torch.float64, meta_ok=True, setup_on_cpu=("make_mlp",))
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(4)
        ref = [torch.nn.Linear(2, 6), torch.nn.Linear(6, 6), torch.nn.Linear(6, 2)]
    ref_params = [p for layer in ref for p in layer.parameters()]
    for p, q in zip(net.parameters(), ref_params):
        assert p.dtype == torch.float64 and torch.equal(p, q.double())
    assert all(p.dtype == torch.float32 for p in make_mlp(2, 6, 2, dtype="float32", device="cpu").parameters())


@pytest.mark.parametrize("name", ["ridge", "imde-linear"])
def test_float64_only_simulations_refuse_another_dtype(name):
    from symrmt.registry import load

    with pytest.raises(ParameterError, match="float64 only"):
        load(name).simulate(16, 1, seed=0, device="cpu", dtype="float32")
