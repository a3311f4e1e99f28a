"""Device selection, dtype and seeding conventions of the simulations."""
import pytest
import torch

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import derive_seed, make_generator, resolve_device, resolve_dtype, sample_eigenvalues
from symrmt.simulate.device import batch_size, check_size, check_trials


def test_default_device_is_cuda_when_available_else_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None).type == expected
    assert resolve_device("cpu").type == "cpu"


@pytest.mark.parametrize("bad", ["tpu", "gpu0", 3.5])
def test_unknown_device_is_rejected(bad):
    with pytest.raises(ParameterError, match="device"):
        resolve_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without CUDA")
def test_cuda_without_cuda_is_a_clear_error():
    with pytest.raises(ParameterError, match="no CUDA device"):
        resolve_device("cuda")


def test_dtype_default_float64_and_checked():
    assert resolve_dtype(None) is torch.float64
    assert resolve_dtype("float32") is torch.float32
    with pytest.raises(ParameterError, match="dtype"):
        resolve_dtype("int8")


def test_same_seed_same_spectrum_other_seed_differs():
    law = sr.laws.semicircle(1)
    a = sample_eigenvalues(law, 50, trials=3, seed=7, device="cpu")
    b = sample_eigenvalues(law, 50, trials=3, seed=7, device="cpu")
    c = sample_eigenvalues(law, 50, trials=3, seed=8, device="cpu")
    assert a.dtype == torch.float64 and a.shape == (3, 50)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    # trials are independent draws, not copies
    assert not torch.allclose(a[0], a[1])


def test_generator_is_seeded():
    g1, g2 = make_generator(3, "cpu"), make_generator(3, "cpu")
    assert torch.equal(torch.randn(5, generator=g1), torch.randn(5, generator=g2))


def test_derived_seeds_are_distinct_and_stable():
    seeds = {derive_seed(0, n) for n in (100, 200, 400)}
    assert len(seeds) == 3
    assert derive_seed(5, 100) == derive_seed(5, 100)
    assert all(0 <= s < 2**63 for s in seeds)


def test_batched_draws_equal_one_big_batch(monkeypatch):
    """Splitting the trials into memory-sized batches consumes the generator in the same order."""
    law = sr.laws.semicircle(1)
    full = sample_eigenvalues(law, 40, trials=4, seed=1, device="cpu")
    monkeypatch.setenv("SYMRMT_SIM_MEMORY", "60000")  # about one 40x40 trial at a time
    assert batch_size(4, 40 * 40 * 4 * 8, torch.device("cpu")) < 4
    split = sample_eigenvalues(law, 40, trials=4, seed=1, device="cpu")
    assert torch.equal(full, split)


@pytest.mark.parametrize("n", [1, 0, -3, 2.5, True])
def test_sizes_below_two_are_rejected(n):
    with pytest.raises(ParameterError, match="n: expected an integer >= 2"):
        check_size(n)


def test_bad_trials_and_seed():
    with pytest.raises(ParameterError, match="trials"):
        check_trials(0)
    with pytest.raises(ParameterError, match="seed"):
        sample_eigenvalues(sr.laws.semicircle(1), 10, seed=-1)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_run_is_reproducible_and_on_cuda():
    law = sr.laws.marchenko_pastur(0.5)
    a = sample_eigenvalues(law, 300, trials=2, seed=3, device="cuda")
    b = sample_eigenvalues(law, 300, trials=2, seed=3, device="cuda")
    assert a.device.type == "cuda" and torch.equal(a, b)
    # (1/n) tr X^2 = 1 + γ up to O(1/n)
    assert abs((a.double() ** 2).mean().item() - 1.5) < 0.05


def test_import_does_not_load_torch_or_matplotlib():
    import subprocess
    import sys

    code = ("import sys, symrmt, symrmt.simulate, symrmt.verify, symrmt.registry, symrmt.cli; "
            "print('torch' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False False", out.stderr


def test_one_thread_blocks_leave_batched_lu_correct():
    """torch 2.13 (CPU) breaks batched LU after ``torch.set_num_threads(k > 1)``; the blocks that
    run on one thread (here a log-gas draw and a serial sweep's engine) must not restore a count
    above 1. Checked in a fresh process (the breakage lasts for the process): the residual of a
    batched inverse after them is at round-off."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import torch
        from symrmt.simulate.log_gas import log_gas_eigenvalues
        from symrmt.sweep.engine import Engine
        log_gas_eigenvalues(2, 1.0, 8, 2, torch.Generator().manual_seed(0), burn_in=20)
        list(Engine("serial").run(lambda x: x, [(1,)]))
        g = torch.Generator().manual_seed(0)
        a = torch.randn(4, 200, 200, generator=g, dtype=torch.float64)
        print((a @ torch.linalg.inv(a) - torch.eye(200, dtype=torch.float64)).abs().max().item())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1]) < 1e-8
