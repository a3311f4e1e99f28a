"""Test systems for the neural-ODE experiments: vector field, sampling box, invariant (SymPy).

* ``pendulum``: ``q' = p, p' = −sin q`` (Hamiltonian, area-preserving: div f = 0);
* ``lotka_volterra``: ``u' = u(v − 2), v' = v(1 − u)`` (invariant ``u − ln u + v − 2 ln v``),
  the system of Zhu, Jin, Zhu & Tang (arXiv 2206.07335, Sec. 5);
* ``linear``: ``y' = M y`` with ``M = [[0, 1], [−1, 0]]`` (harmonic oscillator; exact flow ``exp(hM)``);
* ``lorenz``: the Lorenz system ``ξ' = 10(η − ξ), η' = ξ(28 − ζ) − η, ζ' = ξη − 8ζ/3`` in the
  coordinates ``(x, y, z) = (ξ, η, ζ)/10`` of Zhu, Jin, Zhu & Tang (their ``LS`` example):
  ``x' = 10(y − x), y' = x(28 − 10z) − y, z' = 10xy − 8z/3``, on the attractor's bounding box
  ``[−2, 2] × [−2.7, 2.7] × [0.5, 4.8]`` (chaotic; no invariant; volume-contracting, ``div f = −41/3``).

Their reference flows (torch: the matrix exponential for ``linear``, otherwise classical RK4 with
``substeps`` sub-steps) are :func:`symrmt.simulate.neural_ode.reference_flow`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import sympy as sp

from ..errors import ParameterError

__all__ = ["ODESystem", "get_system", "SYSTEM_NAMES"]


@dataclass(frozen=True)
class ODESystem:
    """A named autonomous ODE ``y' = f(y)`` with a training box (and what its reference flow needs:
    ``linear_matrix`` for an exact exponential, ``substeps`` for RK4)."""

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


def _systems() -> dict[str, ODESystem]:
    q, p = sp.symbols("q p")
    u, v = sp.symbols("u v")
    x1, x2 = sp.symbols("x1 x2")
    x, y, z = sp.symbols("x y z")
    return {
        "pendulum": ODESystem("pendulum", (q, p), (p, -sp.sin(q)), ((-2.0, 2.0), (-1.6, 1.6)),
                              invariant=p ** 2 / 2 - sp.cos(q)),
        "lotka_volterra": ODESystem("lotka_volterra", (u, v), (u * (v - 2), v * (1 - u)),
                                    ((0.5, 2.0), (1.0, 3.0)),
                                    invariant=u - sp.log(u) + v - 2 * sp.log(v)),
        "linear": ODESystem("linear", (x1, x2), (x2, -x1), ((-1.5, 1.5), (-1.5, 1.5)),
                            invariant=(x1 ** 2 + x2 ** 2) / 2,
                            linear_matrix=((0.0, 1.0), (-1.0, 0.0))),
        "lorenz": ODESystem("lorenz", (x, y, z),
                            (10 * (y - x), x * (28 - 10 * z) - y, 10 * x * y - sp.Rational(8, 3) * z),
                            ((-2.0, 2.0), (-2.7, 2.7), (0.5, 4.8)),
                            notes="Lorenz (sigma, rho, beta) = (10, 28, 8/3), state scaled by 1/10"),
    }


SYSTEM_NAMES = ("pendulum", "lotka_volterra", "linear", "lorenz")


def get_system(system: str | ODESystem) -> ODESystem:
    """A system by name (see :data:`SYSTEM_NAMES`) or pass-through."""
    if isinstance(system, ODESystem):
        return system
    if not isinstance(system, str) or system not in SYSTEM_NAMES:
        raise ParameterError(f"system: expected one of {SYSTEM_NAMES}, got {system!r}")
    return _systems()[system]
