"""Eigenvalues of the unitary-invariant ensemble ``exp(-n tr V(H))``, ``V(x) = t x^{2M}``, by MCMC.

The eigenvalue density of that ensemble (β = 2) is

    p(x) ∝ Π_{i<j} |x_i - x_j|² exp(-n Σ_i V(x_i)),

a log-gas with energy ``E(x) = n Σ V(x_i) - 2 Σ_{i<j} log|x_i - x_j|``.  For M > 1 it is not a
Gaussian ensemble and has no direct sampler; :func:`log_gas_eigenvalues` draws it with the
Metropolis-adjusted Langevin algorithm (MALA): proposal ``x' = x - h ∇E(x) + √(2h) ξ``, accepted
with the Metropolis–Hastings ratio, so each chain is exactly invariant for ``p``.  One chain per
trial (chains in parallel along the batch), each started from the quantiles of the limit law
(the equilibrium measure, density ``Q(x)√(a² - x²)/(2π)``, :mod:`symrmt.symbolic.equilibrium`)
spread by a factor 1.2, so that burn-in has to move the whole gas; the trial's sample is the
chain's state after ``burn_in`` steps: trials are independent draws, and the standard error of a
statistic is its spread over trials.

Step size: the Hessian of E has entries up to ``~ n²/a²`` (nearest-neighbour repulsion at
spacing ``a/n``) and global modes of curvature ``~ n V''``, so ``h`` starts at ``0.1 a²/n²`` and
is adapted per chain during the first half of the burn-in (multiplied by
``exp(acceptance - 0.574)`` every 25 steps, the MALA optimum), then frozen (the second half is
plain MALA, which keeps ``p`` invariant).  A global mode relaxes in ``~ 1/(n h V'') ~ n`` steps;
the default burn-in ``max(2000, 40 n)`` steps is checked in the tests against the exact GUE
moments (M = 1), from two different starts, and against the integrated autocorrelation time of
``tr H²`` along a chain.

torch is the simulation library of the project (the chains run on its device, batched); the
pairwise interaction is ``O(n²)`` per chain per step, done as one broadcast difference.  On a CPU
the chains run with one intra-op thread (restored afterwards): the operations are small, and
threads only contend.

References: Deift 1999, "Orthogonal polynomials and random matrices", §5–6 (the ensemble and its
limit); Roberts & Rosenthal 1998, "Optimal scaling of discrete approximations to Langevin
diffusions" (MALA, acceptance 0.574).
"""
from __future__ import annotations

import math
from typing import Any

from ..errors import ParameterError
from .device import one_torch_thread

__all__ = ["log_gas_eigenvalues", "default_burn_in"]


def default_burn_in(n: int) -> int:
    """MALA steps before a chain's state is taken as a sample: ``max(2000, 40 n)``."""
    return max(2000, 40 * int(n))


def _edge(power: int, coupling: float) -> float:
    """``a`` with ``a^{2M} = 4^M/(M t C(2M, M))``: the support of the limit law is ``[-a, a]``."""
    return (4.0**power / (power * coupling * math.comb(2 * power, power))) ** (1.0 / (2 * power))


def _start(power: int, coupling: float, n: int, batch: int, spread: float, dtype, device):
    """Quantiles of the equilibrium measure (from its density on a grid), times ``spread``."""
    import torch

    a = _edge(power, coupling)
    x = torch.linspace(-a, a, 4001, dtype=dtype, device=device)
    b = a * a
    q = sum(math.comb(2 * k, k) / 4.0**k * b**k * x ** (2 * power - 2 - 2 * k) for k in range(power))
    rho = 2 * power * coupling * q * torch.sqrt(torch.clamp(b - x * x, min=0.0)) / (2 * math.pi)
    cdf = torch.cumsum(rho, 0)
    cdf = cdf / cdf[-1]
    levels = (torch.arange(n, dtype=dtype, device=device) + 0.5) / n
    idx = torch.searchsorted(cdf, levels).clamp(max=x.numel() - 1)
    row = x[idx] * spread
    return row.expand(batch, n).clone()


def _energy_and_grad(x, n: int, power: int, coupling: float):
    """``E(x)`` (batch) and ``∇E(x)`` (batch, n) of the log-gas."""
    import torch

    diff = x.unsqueeze(-1) - x.unsqueeze(-2)            # (batch, n, n): x_i - x_j
    eye = torch.eye(x.shape[-1], dtype=torch.bool, device=x.device)
    safe = torch.where(eye, torch.ones_like(diff), diff)
    logs = torch.log(safe.abs())                         # 0 on the diagonal
    energy = n * coupling * (x ** (2 * power)).sum(-1) - logs.sum((-2, -1))   # Σ_{i≠j} log = 2 Σ_{i<j}
    inv = torch.where(eye, torch.zeros_like(diff), 1.0 / safe)
    grad = n * coupling * 2 * power * x ** (2 * power - 1) - 2.0 * inv.sum(-1)
    return energy, grad


def log_gas_eigenvalues(power: int, coupling: float, n: int, batch: int, gen: Any, dtype: Any = None,
                        burn_in: int | None = None, spread: float = 1.2, trace: bool = False):
    """``batch`` independent draws of the n eigenvalues of the ensemble ``exp(-n tr t H^{2M})``.

    Parameters
    ----------
    power : int, >= 1
        M.
    coupling : float, > 0
        t.
    n : int, >= 2
        Matrix size (number of eigenvalues).
    batch : int, >= 1
        Independent chains; each gives one draw.
    gen : torch.Generator
        The random stream (its device is where the chains run).
    dtype : torch dtype, default float64
    burn_in : int, optional
        MALA steps per chain (default :func:`default_burn_in`); the step size is adapted during
        the first half only.
    spread : float, default 1.2
        The chains start at the limit law's quantiles times ``spread``.
    trace : bool, default False
        Also return ``(1/n) tr H²`` of every chain after every step of the second half
        (``(steps, batch)``: the diagnostics of burn-in and autocorrelation).

    Returns
    -------
    torch.Tensor
        Ascending eigenvalues, ``(batch, n)``; with ``trace``, ``(eigenvalues, trace, acceptance)``
        (acceptance: the fraction of accepted proposals in the second half, per chain).

    Raises
    ------
    ParameterError
        ``power``, ``coupling``, ``n``, ``batch`` or ``burn_in`` out of range.
    """
    import torch

    if isinstance(power, bool) or not isinstance(power, int) or power < 1:
        raise ParameterError(f"power: expected an integer M >= 1, got {power!r}")
    if not (isinstance(coupling, (int, float)) and math.isfinite(coupling) and coupling > 0):
        raise ParameterError(f"coupling: expected a finite number t > 0, got {coupling!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ParameterError(f"n: expected an integer >= 2, got {n!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ParameterError(f"batch: expected an integer >= 1, got {batch!r}")
    steps = default_burn_in(n) if burn_in is None else burn_in
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ParameterError(f"burn_in: expected an integer >= 2, got {burn_in!r}")
    dtype = torch.float64 if dtype is None else dtype
    if gen.device.type != "cpu":
        return _run(power, float(coupling), n, batch, gen, dtype, steps, spread, trace)
    # on a CPU the steps are many small (batch, n, n) operations: intra-op threads only contend
    # (90 s with 2 threads against 0.9 s with 1 for n = 40, 24 chains on a loaded 2-core machine);
    # the process stays on one thread afterwards (see one_torch_thread for why)
    one_torch_thread()
    return _run(power, float(coupling), n, batch, gen, dtype, steps, spread, trace)


def _run(power, coupling, n, batch, gen, dtype, steps, spread, trace):
    import torch

    dev = gen.device
    a = _edge(power, coupling)
    x = _start(power, coupling, n, batch, spread, dtype, dev)
    e, g = _energy_and_grad(x, n, power, coupling)
    h = torch.full((batch, 1), 0.1 * a * a / n**2, dtype=dtype, device=dev)
    adapt = steps // 2
    acc_window = torch.zeros(batch, dtype=dtype, device=dev)
    accepted = torch.zeros(batch, dtype=dtype, device=dev)
    traces = []
    for step in range(steps):
        noise = torch.randn(x.shape, generator=gen, dtype=dtype, device=dev)
        y = x - h * g + torch.sqrt(2 * h) * noise
        ey, gy = _energy_and_grad(y, n, power, coupling)
        fwd = ((y - x + h * g) ** 2).sum(-1)
        bwd = ((x - y + h * gy) ** 2).sum(-1)
        log_ratio = e - ey + (fwd - bwd) / (4 * h.squeeze(-1))
        u = torch.rand(batch, generator=gen, dtype=dtype, device=dev)
        ok = torch.log(u) < log_ratio
        x = torch.where(ok.unsqueeze(-1), y, x)
        e = torch.where(ok, ey, e)
        g = torch.where(ok.unsqueeze(-1), gy, g)
        if step < adapt:
            acc_window += ok.to(dtype)
            if (step + 1) % 25 == 0:
                h = h * torch.exp(acc_window / 25 - 0.574).unsqueeze(-1)
                acc_window.zero_()
        else:
            accepted += ok.to(dtype)
            if trace:
                traces.append((x * x).mean(-1))
    eig = x.sort(dim=-1).values
    if trace:
        return eig, torch.stack(traces), accepted / (steps - adapt)
    return eig
