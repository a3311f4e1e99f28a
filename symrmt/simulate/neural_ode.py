"""Neural ODEs trained on exact-flow data learn the IMDE, not the true field.

Experiment of Zhu, Jin, Zhu & Tang (ICML 2022, arXiv 2206.07335): initial points ``y0`` drawn
uniformly in a box, targets ``φ_h(y0)`` from the exact (or very accurate reference) flow, an MLP
vector field ``f_θ`` trained with the one-step loss

    L(θ) = mean ‖Φ_h[f_θ](y0) − φ_h(y0)‖² / h²

for a Runge--Kutta integrator ``Φ_h`` -- or, for a linear multistep method ``Σ α_j y_{n+j} =
h Σ β_j f(y_{n+j})``, the multistep loss ``mean ‖Σ_j α_j φ_{jh}(y0) − h Σ_j β_j f_θ(φ_{jh}(y0))‖² / h²``
on windows of the exact trajectory (no implicit solve: the data are given).  The theorem: ``f_θ ≈ f_h`` (the IMDE) up to the learning
error, so on held-out points ``‖f_θ − f_h^[k]‖`` (IMDE truncated after ``h^k``) decreases with
``k`` until the training floor, while ``‖f_θ − f‖`` stays at the size of ``h^p f_p``; and a
non-symplectic integrator's learned field carries the IMDE's divergence (no area conservation).

The test systems (SymPy fields, boxes) are :mod:`symrmt.odes.catalogue`; their reference flows
(:func:`reference_flow`) are torch functions in float64: the matrix exponential for ``linear``,
otherwise classical RK4 with ``substeps`` sub-steps (error ``O((h/substeps)^4)``, ~1e−13 at the
defaults).  :func:`evaluate_against_imde` measures a trained field against the truncated IMDE
fields of :mod:`symrmt.odes.fields` (the ODE descriptions; compiled to torch by
:func:`symrmt.odes.compile_field`).

torch is imported inside the functions; ``device=None`` means CUDA when available else CPU;
every random draw uses an explicit seed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._checks import integer
from ..errors import ParameterError
from ..odes.catalogue import ODESystem, get_system
from .device import one_torch_thread
from ..odes.tableaux import MethodLike, as_tableau
from .device import check_seed, resolve_device, resolve_dtype

__all__ = ["rk_step", "make_mlp", "train_neural_ode", "evaluate_against_imde", "run_experiment",
           "NeuralODEResult", "IMDEComparison", "torch_field", "reference_flow"]


def torch_field(system: str | ODESystem):
    """The system's ``f`` as a torch function of a ``(..., d)`` tensor."""
    from ..odes.field_codegen import compile_field

    sysm = get_system(system)
    return compile_field(list(sysm.f), list(sysm.y), backend="torch")


def reference_flow(system: str | ODESystem, y0, h: float):
    """Reference flow ``φ_h(y0)`` for a ``(N, d)`` float64 tensor: ``exp(hM)`` for a linear
    system, else classical RK4 with the system's ``substeps`` sub-steps."""
    import torch

    sysm = get_system(system)
    if sysm.linear_matrix is not None:
        M = torch.tensor(sysm.linear_matrix, dtype=y0.dtype, device=y0.device)
        return y0 @ torch.linalg.matrix_exp(h * M).T
    f = torch_field(sysm)
    y, dt = y0, h / sysm.substeps
    for _ in range(sysm.substeps):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def rk_step(method: MethodLike, f, y, h: float, iterations: int | None = None):
    """One Runge--Kutta step ``Φ_h[f](y)`` in torch (differentiable).

    Explicit methods run their stages in order; implicit ones solve the stage equations by
    ``iterations`` fixed-point sweeps from ``Y_i = y`` (default ``2·stages + 6``; each sweep gains
    one power of ``h``, so the default is far below the training floor for ``h‖f′‖ < 1``).
    """
    tab = as_tableau(method)
    A = [[float(sp.N(tab.A[i, j], 17)) for j in range(tab.stages)] for i in range(tab.stages)]
    b = [float(sp.N(x, 17)) for x in tab.b]
    s = tab.stages
    if tab.is_explicit:
        ks = []
        for i in range(s):
            yi = y
            for j in range(i):
                if A[i][j]:
                    yi = yi + h * A[i][j] * ks[j]
            ks.append(f(yi))
    else:
        n_it = 2 * s + 6 if iterations is None else int(iterations)
        ks = [f(y) for _ in range(s)]
        for _ in range(n_it):
            ks = [f(y + h * sum(A[i][j] * ks[j] for j in range(s) if A[i][j])) for i in range(s)]
    return y + h * sum(b[i] * ks[i] for i in range(s) if b[i])


def make_mlp(dim: int, width: int = 64, depth: int = 2, dtype=None, device=None, seed: int = 0):
    """Tanh MLP ``R^dim → R^dim`` with ``depth`` hidden layers (float64 by default), seeded.

    The initial weights are PyTorch's default ``Linear`` initialization drawn from a generator of
    their own (the global RNG is neither reseeded nor advanced), on the CPU in float32 exactly as
    ``torch.manual_seed(seed)`` followed by ``nn.Linear(...)`` draws them, so the same seed gives the
    same initial network on every device; the network is then converted to ``dtype`` and moved to
    ``device`` once, before training.
    """
    import math

    import torch
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    gen = torch.Generator(device="cpu")
    gen.manual_seed(check_seed(seed))
    layers: list = []
    dims = [dim] + [width] * depth + [dim]
    for i, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:])):
        lin = torch.nn.utils.skip_init(torch.nn.Linear, d_in, d_out, device="cpu", dtype=torch.float32)
        with torch.no_grad():  # = Linear.reset_parameters, from ``gen``
            torch.nn.init.kaiming_uniform_(lin.weight, a=math.sqrt(5), generator=gen)
            torch.nn.init.uniform_(lin.bias, -1 / math.sqrt(d_in), 1 / math.sqrt(d_in), generator=gen)
        layers.append(lin)
        if i < depth:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers).to(dtype=dt, device=dev)


def _sample_box(box, n: int, seed: int, device, dtype, shrink: float = 0.0):
    """``n`` points uniform in ``box``, drawn on the CPU (the same points on every device), then
    moved to ``device``."""
    import torch
    gen = torch.Generator(device="cpu")
    gen.manual_seed(seed)
    lo = torch.tensor([a + shrink * (b - a) for a, b in box], dtype=dtype, device="cpu")
    hi = torch.tensor([b - shrink * (b - a) for a, b in box], dtype=dtype, device="cpu")
    x = lo + (hi - lo) * torch.rand(n, len(box), generator=gen, dtype=dtype, device="cpu")
    return x.to(device)


@dataclass
class NeuralODEResult:
    """A trained vector field and its training record."""

    model: Any
    system: ODESystem
    method: Any
    h: float
    losses: list[float]
    final_loss: float
    seconds: float
    device: str


def train_neural_ode(system: str | ODESystem, method: MethodLike, h: float, *, n_train: int = 1024,
                     width: int = 64, depth: int = 2, adam_steps: int = 2000, lbfgs_steps: int = 300,
                     lr: float = 1e-2, seed: int = 0, device: Any = None) -> NeuralODEResult:
    """Train ``f_θ`` with the one-step loss on exact-flow data (see module docstring).

    Adam (learning rate ``lr`` decayed 100× geometrically) then L-BFGS polishing, full batch, float64.
    """
    import torch
    from ..odes.multistep import MULTISTEP_NAMES, LinearMultistep, multistep

    sysm = get_system(system)
    lmm = isinstance(method, LinearMultistep) or (isinstance(method, str) and method.lower() in MULTISTEP_NAMES)
    tab = multistep(method) if lmm else as_tableau(method)
    if not (isinstance(h, (int, float)) and 0 < h <= 1):
        raise ParameterError(f"h: expected a step size in (0, 1], got {h!r}")
    n_train, width, depth = integer("n_train", n_train, low=8), integer("width", width, low=1), integer("depth", depth, low=1)
    adam_steps, lbfgs_steps = integer("adam_steps", adam_steps, low=0), integer("lbfgs_steps", lbfgs_steps, low=0)
    seed = check_seed(seed)
    dev = resolve_device(device)
    dtype = torch.float64
    y0 = _sample_box(sysm.box, n_train, seed, dev, dtype)
    with torch.no_grad():
        window = [y0]   # φ_{jh}(y0), j = 0..k (one step for a Runge--Kutta method)
        for _ in range(tab.steps if lmm else 1):
            window.append(reference_flow(sysm, window[-1], h))
    net = make_mlp(sysm.dim, width, depth, dtype, dev, seed + 1)

    if lmm:
        alpha = [float(a) for a in tab.alpha]
        beta = [(j, float(b)) for j, b in enumerate(tab.beta) if b != 0]
        lhs = sum(a * w for a, w in zip(alpha, window))

        def loss_fn():
            rhs = h * sum(b * net(window[j]) for j, b in beta)
            return ((lhs - rhs) ** 2).sum(-1).mean() / h ** 2
    else:
        def loss_fn():
            pred = rk_step(tab, net, y0, h)
            return ((pred - window[1]) ** 2).sum(-1).mean() / h ** 2

    # tiny full-batch problems run fastest on one CPU thread (and do not fight over shared cores)
    # (the process stays on one thread afterwards: see symrmt.simulate.device.one_torch_thread)
    if dev.type == "cpu":
        one_torch_thread()
    losses, final, seconds = _fit(net, loss_fn, adam_steps, lbfgs_steps, lr)
    return NeuralODEResult(net, sysm, tab, float(h), losses, final, seconds, str(dev))


def _fit(net, loss_fn, adam_steps: int, lbfgs_steps: int, lr: float):
    import torch
    t0 = time.perf_counter()
    losses: list[float] = []
    if adam_steps:
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1.0 / adam_steps))
        for _ in range(adam_steps):
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
    if lbfgs_steps:
        opt2 = torch.optim.LBFGS(net.parameters(), lr=1.0, max_iter=lbfgs_steps,
                                 tolerance_grad=1e-14, tolerance_change=1e-16,
                                 history_size=50, line_search_fn="strong_wolfe")

        def closure():
            opt2.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss
        opt2.step(closure)
    with torch.no_grad():
        final = float(loss_fn())
    losses.append(final)
    return losses, final, time.perf_counter() - t0


@dataclass
class IMDEComparison:
    """Distances on held-out points between the learned field and truncated IMDEs.

    ``rms_to_imde[k]`` is the RMS of ``‖f_θ − f_h^[k]‖`` with ``f_h^[0] = f``; ``rms_true_gap[k]``
    the RMS of ``‖f_h^[k] − f‖`` (the size of the signal); ``divergence_*`` are RMS divergences of the
    learned field and of the IMDE, and ``divergence_corr`` their correlation over the test points.
    """

    orders: list[int]
    rms_to_imde: list[float]
    rms_true_gap: list[float]
    loss_floor: float
    divergence_learned: float
    divergence_imde: float
    divergence_corr: float
    divergence_err_imde: float
    divergence_err_true: float
    n_test: int
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        rows = [f"  k={k}: |f_theta - f_h^[{k}]| = {e:.3e}   (|f_h^[{k}] - f| = {g:.3e})"
                for k, e, g in zip(self.orders, self.rms_to_imde, self.rms_true_gap)]
        return "\n".join([f"held-out points: {self.n_test}; training loss floor sqrt(L) = "
                          f"{self.loss_floor ** 0.5:.3e}", *rows,
                          f"  divergence: learned {self.divergence_learned:.3e}, IMDE {self.divergence_imde:.3e},"
                          f" correlation {self.divergence_corr:.3f}",
                          f"  |div f_theta - div f_h| = {self.divergence_err_imde:.3e},"
                          f" |div f_theta - div f| = {self.divergence_err_true:.3e}"])


def evaluate_against_imde(result: NeuralODEResult, orders: int = 3, n_test: int = 2000,
                          seed: int = 12345) -> IMDEComparison:
    """Compare a trained field with the IMDE truncated at ``h^0 … h^orders`` on held-out points.

    Test points are uniform in the training box shrunk by 10 % on each side (the network is not
    judged on the boundary it saw least).
    """
    import torch
    from ..odes.field_codegen import compile_field
    from ..odes.fields import imde_terms
    sysm, tab, h = result.system, result.method, result.h
    orders = integer("orders", orders, low=0)
    net = result.model
    p = next(net.parameters())
    x = _sample_box(sysm.box, n_test, check_seed(seed), p.device, p.dtype, shrink=0.1)
    terms = imde_terms(list(sysm.f), list(sysm.y), tab, orders)
    fields = []
    acc = [sp.S.Zero] * sysm.dim
    for k in range(orders + 1):
        acc = [a + sp.Float(h) ** k * t for a, t in zip(acc, terms[k])]
        fields.append(compile_field(list(acc), list(sysm.y), backend="torch"))
    xg = x.clone().requires_grad_(True)
    learned = net(xg)
    div_l = sum(torch.autograd.grad(learned[:, i].sum(), xg, retain_graph=True)[0][:, i]
                for i in range(sysm.dim)).detach()
    learned = learned.detach()
    f0 = fields[0](x)
    rms = lambda a: float(torch.sqrt((a ** 2).sum(-1).mean()))  # noqa: E731
    to_imde = [rms(learned - F(x)) for F in fields]
    gaps = [rms(F(x) - f0) for F in fields]
    def div(F):
        xg2 = x.clone().requires_grad_(True)
        out = F(xg2)
        return sum(torch.autograd.grad(out[:, i].sum(), xg2, retain_graph=True)[0][:, i]
                   for i in range(sysm.dim)).detach()

    div_i, div_f = div(fields[-1]), div(fields[0])
    dl, di = div_l - div_l.mean(), div_i - div_i.mean()
    denom = float(torch.sqrt((dl ** 2).sum() * (di ** 2).sum()))
    corr = float((dl * di).sum()) / denom if denom > 0 else float("nan")
    rms1 = lambda a: float(torch.sqrt((a ** 2).mean()))  # noqa: E731
    return IMDEComparison(list(range(orders + 1)), to_imde, gaps, result.final_loss, rms1(div_l), rms1(div_i),
                          corr, rms1(div_l - div_i), rms1(div_l - div_f), n_test)


def run_experiment(system: str | ODESystem = "pendulum", method: MethodLike = "euler", h: float = 0.1,
                   orders: int = 3, quick: bool = True, seed: int = 0, device: Any = None,
                   plot: str | None = None) -> tuple[NeuralODEResult, IMDEComparison]:
    """Train and evaluate; ``quick`` sizes the run for a few seconds on a CPU.

    ``plot``: optional file path for a two-panel figure (error vs truncation order; learned vs
    IMDE divergence).
    """
    size = dict(n_train=512, width=48, adam_steps=1500, lbfgs_steps=300) if quick else \
        dict(n_train=4096, width=128, adam_steps=6000, lbfgs_steps=2000)
    res = train_neural_ode(system, method, h, seed=seed, device=device, **size)
    cmp_ = evaluate_against_imde(res, orders=orders, n_test=1000 if quick else 4000)
    if plot:
        plot_comparison(res, cmp_, plot)
    return res, cmp_


def plot_comparison(result: NeuralODEResult, comparison: IMDEComparison, path: str) -> None:
    """Figure: RMS distance of ``f_θ`` to the truncated IMDE vs order, with the loss floor."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.semilogy(comparison.orders, comparison.rms_to_imde, "o-", label=r"$\|f_\theta - f_h^{[k]}\|$")
    ax.semilogy(comparison.orders[1:], comparison.rms_true_gap[1:], "s--",
                label=r"$\|f_h^{[k]} - f\|$")
    ax.axhline(comparison.loss_floor ** 0.5, color="gray", ls=":", label=r"$\sqrt{\mathrm{loss}}$")
    ax.set_xlabel("IMDE truncation order k")
    ax.set_title(f"{result.system.name}, {getattr(result.method, 'name', 'custom')}, h={result.h}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
