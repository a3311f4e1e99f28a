"""Test systems for the neural-ODE experiments: vector field, sampling box, reference flow.

* ``pendulum``: ``q' = p, p' = −sin q`` (Hamiltonian, area-preserving: div f = 0);
* ``lotka_volterra``: ``u' = u(v − 2), v' = v(1 − u)`` (invariant ``u − ln u + v − 2 ln v``),
  the system of Zhu, Jin, Zhu & Tang (arXiv 2206.07335, Sec. 5);
* ``linear``: ``y' = M y`` with ``M = [[0, 1], [−1, 0]]`` (harmonic oscillator; exact flow ``exp(hM)``).

Reference flows are torch functions in float64: the matrix exponential for ``linear``, otherwise
classical RK4 with ``substeps`` sub-steps (error ``O((h/substeps)^4)``, ~1e−13 at the defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from ..errors import ParameterError

__all__ = ["ODESystem", "get_system", "SYSTEM_NAMES"]


@dataclass(frozen=True)
class ODESystem:
    """A named autonomous ODE ``y' = f(y)`` with a training box and a reference flow."""

    name: str
    y: tuple[sp.Symbol, ...]
    f: tuple[sp.Expr, ...]
    box: tuple[tuple[float, float], ...]
    invariant: sp.Expr | None = None
    linear_matrix: tuple[tuple[float, ...], ...] | None = None
    substeps: int = 64
    notes: str = field(default="")

    @property
    def dim(self) -> int:
        return len(self.y)

    def torch_field(self) -> Callable:
        """``f`` as a torch function of a ``(..., d)`` tensor."""
        from .compile import compile_field
        return compile_field(list(self.f), list(self.y), backend="torch")

    def flow(self, y0, h: float):
        """Reference flow ``φ_h(y0)`` for a ``(N, d)`` float64 tensor."""
        import torch
        if self.linear_matrix is not None:
            M = torch.tensor(self.linear_matrix, dtype=y0.dtype, device=y0.device)
            return y0 @ torch.linalg.matrix_exp(h * M).T
        f = self.torch_field()
        y, dt = y0, h / self.substeps
        for _ in range(self.substeps):
            k1 = f(y)
            k2 = f(y + dt / 2 * k1)
            k3 = f(y + dt / 2 * k2)
            k4 = f(y + dt * k3)
            y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return y


def _systems() -> dict[str, ODESystem]:
    q, p = sp.symbols("q p")
    u, v = sp.symbols("u v")
    x1, x2 = sp.symbols("x1 x2")
    return {
        "pendulum": ODESystem("pendulum", (q, p), (p, -sp.sin(q)), ((-2.0, 2.0), (-1.6, 1.6)),
                              invariant=p ** 2 / 2 - sp.cos(q)),
        "lotka_volterra": ODESystem("lotka_volterra", (u, v), (u * (v - 2), v * (1 - u)),
                                    ((0.5, 2.0), (1.0, 3.0)),
                                    invariant=u - sp.log(u) + v - 2 * sp.log(v)),
        "linear": ODESystem("linear", (x1, x2), (x2, -x1), ((-1.5, 1.5), (-1.5, 1.5)),
                            invariant=(x1 ** 2 + x2 ** 2) / 2,
                            linear_matrix=((0.0, 1.0), (-1.0, 0.0))),
    }


SYSTEM_NAMES = ("pendulum", "lotka_volterra", "linear")


def get_system(system: str | ODESystem) -> ODESystem:
    """A system by name (see :data:`SYSTEM_NAMES`) or pass-through."""
    if isinstance(system, ODESystem):
        return system
    if not isinstance(system, str) or system not in SYSTEM_NAMES:
        raise ParameterError(f"system: expected one of {SYSTEM_NAMES}, got {system!r}")
    return _systems()[system]
