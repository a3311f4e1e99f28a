"""Device, dtype, seeding and batch-size helpers for the torch simulations.

Conventions: ``device=None`` means CUDA when available, otherwise CPU; ``dtype=None`` means
float64; every random draw takes an explicit :class:`torch.Generator`, so that a run with the
same seed on the same device is reproducible.  torch is imported lazily.
"""
from __future__ import annotations

import os
from typing import Any

from .._checks import integer, python_scalar
from ..errors import ParameterError

__all__ = ["one_torch_thread", "resolve_device", "resolve_dtype", "make_generator", "derive_seed", "batch_size",
           "check_size", "check_trials", "check_seed", "seeded"]

_DTYPES = ("float64", "float32")


def resolve_device(device: Any = None):
    """Return a :class:`torch.device`: CUDA if ``device`` is None and CUDA is available, else CPU.

    Raises
    ------
    ParameterError
        If ``device`` is not ``None``, ``"cpu"``, ``"cuda"`` / ``"cuda:K"`` (or a torch.device),
        or names CUDA while none is available.
    """
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ParameterError(f"device: expected None, 'cpu' or 'cuda', got {device!r}") from exc
    if dev.type not in ("cpu", "cuda"):
        raise ParameterError(f"device: expected None, 'cpu' or 'cuda', got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ParameterError("device: 'cuda' was requested but no CUDA device is available; use 'cpu' or None")
    return dev


def resolve_dtype(dtype: Any = None):
    """Return the torch floating dtype (default float64; ``"float32"`` allowed)."""
    import torch

    if dtype is None:
        return torch.float64
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ParameterError(f"dtype: expected one of {_DTYPES}, got {dtype!r}")
        return getattr(torch, dtype)
    if dtype in (torch.float64, torch.float32):
        return dtype
    raise ParameterError(f"dtype: expected torch.float64 or torch.float32, got {dtype!r}")


def check_seed(seed: Any) -> int:
    """A seed is a non-negative integer below 2**63."""
    seed = python_scalar(seed)  # a NumPy integer is an integer
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ParameterError(f"seed: expected an integer in [0, 2**63), got {seed!r}")
    return seed


def check_size(n: Any, name: str = "n") -> int:
    """A matrix size is an integer >= 2 (Python or NumPy integer, or an integral float)."""
    return integer(name, n, low=2)


def check_trials(trials: Any) -> int:
    """A number of trials is an integer >= 1 (Python or NumPy integer, or an integral float)."""
    return integer("trials", trials, low=1)


def derive_seed(seed: int, *keys: int) -> int:
    """A child seed for ``(seed, *keys)`` (e.g. one per matrix size), independent of run order."""
    import numpy as np

    ss = np.random.SeedSequence([check_seed(seed), *[int(k) for k in keys]])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> 1)


def make_generator(seed: int, device: Any = None):
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``."""
    import torch

    dev = resolve_device(device)
    gen = torch.Generator(device=dev)
    gen.manual_seed(check_seed(seed))
    return gen


def memory_budget(device) -> int:
    """Bytes the simulation may use at once: a quarter of free GPU memory on CUDA; on CPU
    ``SYMRMT_SIM_MEMORY`` bytes if set, else 1 GiB."""
    if device.type == "cuda":
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return max(free // 4, 1 << 26)
    env = os.environ.get("SYMRMT_SIM_MEMORY")
    if env:
        try:
            return max(int(env), 1 << 12)
        except ValueError as exc:
            raise ParameterError(f"SYMRMT_SIM_MEMORY: expected a number of bytes, got {env!r}") from exc
    return 1 << 30


def batch_size(trials: int, bytes_per_trial: int, device) -> int:
    """How many trials fit in the memory budget at once (at least 1, at most ``trials``)."""
    fit = memory_budget(device) // max(int(bytes_per_trial), 1)
    return int(max(1, min(trials, fit)))


def seeded(seed: Any, device: Any = None):
    """``(torch, device, generator)`` for one simulation call: the resolved device and a
    :class:`torch.Generator` on it seeded with ``seed`` (checked)."""
    import torch

    dev = resolve_device(device)
    return torch, dev, make_generator(check_seed(seed), dev)


def one_torch_thread() -> None:
    """Put torch's CPU work in this process on one intra-op thread (where it is not already).

    The count is only ever *lowered*, never raised or restored: in the torch 2.13 CPU build, any
    call ``torch.set_num_threads(k)`` with ``k > 1`` -- even to the current count -- leaves batched
    LU broken for the rest of the process (``torch.linalg.inv`` / ``solve`` of a batch of 300×300
    float64 matrices then has residuals ~1.7e12 or raises "Pivots given to lu_solve must all be
    greater or equal to 1"), while ``torch.set_num_threads(1)`` is harmless.  So the blocks that run
    best on one thread (a log-gas chain, a neural-ODE fit, a serial sweep, a sweep worker) leave the
    process on one thread; ``tests/simulate/test_device.py`` holds the reproducer.
    """
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
