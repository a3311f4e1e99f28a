"""Registered derivations from a composed learning model, or from a user's own System.

:func:`from_model` binds a :class:`~symrmt.learning.LearningModel` — its derived equations and
generated solver — to the torch simulation of the same description
(:func:`symrmt.simulate.learning_model.simulate_learning_model`) and to the common verification
pipeline of :class:`~symrmt.derivation.learning.LearningCurveDerivation`.  :func:`from_system`
does the same for any :class:`~symrmt.symbolic.system.System` with an observable to compare and
a simulation function, so that registering one's own deterministic equivalent takes one call.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..learning import LearningModel, set_derivation_factory
from .learning import LearningCurveDerivation, system_equations
from .parameters import Parameter

__all__ = ["from_model", "from_system", "ModelDerivation", "SystemDerivation"]

_QUANTITIES = ("test_error", "test_error_single", "train_error")


def _name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise ParameterError(f"name: must be a non-empty string of at most 80 characters, got {name!r}")
    return name


class ModelDerivation(LearningCurveDerivation):
    """A learning-curve derivation built from a :class:`~symrmt.learning.LearningModel`.

    Parameters ``samples`` (P/D), ``ridge`` (λ), ``noise``, ``signal`` and ``width1..L`` with the
    model's values as defaults; the compared quantity is the test error of the model's ensemble.
    """

    reference = ("Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592; "
                 "Zavatone-Veth & Pehlevan, arXiv 2303.00564")
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def __init__(self, model: LearningModel, name: str, simulated: LearningModel | None = None,
                 quantity: str = "test_error", samples: float = 1.5, ridge: float = 0.05) -> None:
        if not isinstance(model, LearningModel):
            raise ParameterError(f"model: expected a symrmt.learning.model(...), got {type(model).__name__}")
        if simulated is not None and not isinstance(simulated, LearningModel):
            raise ParameterError(f"simulated: expected None or a symrmt.learning.model(...), "
                                 f"got {type(simulated).__name__}")
        if quantity not in _QUANTITIES:
            raise ParameterError(f"quantity: one of {_QUANTITIES}, got {quantity!r}")
        self.model = model
        self.simulated = simulated or model
        self.name = _name(name, "name")
        self.quantity = quantity
        self.summary = f"learning model: {model!r}"
        sim = self.simulated
        self.parameters = (
            Parameter("samples", samples, "P/D, samples over the input dimension", low=0),
            Parameter("ridge", ridge, "λ in (1/P)‖y − Φa‖² + λ‖a‖²", low=0),
            Parameter("noise", _exactish(model.noise), "Var ε", low=0, low_inclusive=True),
            Parameter("signal", _exactish(model.signal), "‖w̄‖²", low=0, low_inclusive=True),
            *(Parameter(f"width{i + 1}", _exactish(layer.width), f"N_{i + 1}/D", low=0)
              for i, layer in enumerate(sim.layers)),
        )

    def equations(self):
        return self.model.equations()

    def _theory_widths(self, params: Mapping[str, Any]) -> dict:
        return {f"width{i + 1}": params[f"width{i + 1}"] for i in range(self.model.depth)
                if f"width{i + 1}" in params}

    def solve_arrays(self, samples, ridge, noise, signal, **widths):
        return self.model.solve(samples, ridge, noise, signal, strict=False, **self._theory_widths(widths))

    def shapes(self, n, samples, **params):
        from ..simulate.learning_model import model_shapes

        ws = [params[f"width{i + 1}"] for i in range(self.simulated.depth)]
        return model_shapes(n, samples, ws)

    def cost(self, n, trials=1, /, **params):
        from dataclasses import replace

        base = super().cost(n, trials, **params)
        return replace(base, work=base.work * self.simulated.ensemble)

    def run_simulation(self, n, trials, seed, device, samples, ridge, noise, signal, **widths):
        from ..simulate.learning_model import simulate_learning_model

        if math.isinf(self.simulated.ensemble):
            raise ParameterError("ensemble: an infinite ensemble has no simulation; build the model with a "
                                 "finite ensemble to simulate it")
        inputs = self.simulated.simulation_inputs(n, **widths)
        return simulate_learning_model(n, samples, ridge, noise, signal, inputs["eigenvalues"], inputs["target"],
                                       inputs["widths"], inputs["weights"], inputs["ensemble"], trials=trials,
                                       seed=seed, device=device)


def _exactish(value: float) -> Any:
    """A float parameter default as a short decimal (Parameter checks it exactly)."""
    return float(f"{float(value):.12g}")


def from_model(model: LearningModel, name: str = "learning-model", *, simulated: LearningModel | None = None,
               quantity: str = "test_error", samples: float = 1.5, ridge: float = 0.05) -> ModelDerivation:
    """A registered-style derivation from a composed learning model.

    Parameters
    ----------
    model : LearningModel
        ``symrmt.learning.model(...)``: its equations and generated solver are the theory.
    name : str
        Registry name.
    simulated : LearningModel, optional
        The model whose simulation is run (default: ``model``); a different one is a control
        (a model with an S-transform factor dropped must come out "disagrees").
    quantity : str
        ``"test_error"`` (the ensemble's, default), ``"test_error_single"`` or ``"train_error"``.
    samples, ridge : float
        Defaults of the parameters ``samples`` (P/D) and ``ridge``.

    Returns
    -------
    ModelDerivation
        ``solve`` (arrays in every parameter), ``simulate(n = D, trials, seed, device, ...)``,
        ``verify(...)`` like any learning-curve derivation.

    Raises
    ------
    ParameterError
        A model of the wrong kind, an unknown quantity or a bad name.
    """
    return ModelDerivation(model, name, simulated=simulated, quantity=quantity, samples=samples, ridge=ridge)


set_derivation_factory(lambda model, name: from_model(model, name))


class SystemDerivation(LearningCurveDerivation):
    """A derivation from a user's :class:`~symrmt.symbolic.system.System` and simulation function.

    The theory is the System's observable ``quantity`` (its generated solver); ``simulate`` is the
    user's function ``simulate(n, trials, seed, device, **params)`` returning a
    :class:`~symrmt.simulate.measurement.Measurement` (or ``{name: per-trial values}``) that
    measures ``quantity``; the verdict is the learning-curve kind's (signed relative deviation
    extrapolated in the size).
    """

    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def __init__(self, system: Any, name: str, simulate: Callable, quantity: str,
                 defaults: Mapping[str, Any], summary: str = "", reference: str = "",
                 sizes: Sequence[int] | None = None, shapes: Callable | None = None) -> None:
        from ..symbolic.system import System

        if not isinstance(system, System):
            raise ParameterError(f"system: expected a symrmt.System, got {type(system).__name__}")
        if not callable(simulate):
            raise ParameterError(f"simulate: expected a function simulate(n, trials, seed, device, **params), "
                                 f"got {simulate!r}")
        names = [s.name for s in system.parameters]
        if quantity not in system.observables and quantity not in {u.name for u in system.unknowns}:
            raise ParameterError(f"quantity: {quantity!r} is neither an observable nor an unknown of the system "
                                 f"(observables: {sorted(system.observables)})")
        if not isinstance(defaults, Mapping):
            raise ParameterError("defaults: expected a mapping {parameter name: default value}")
        missing = sorted(set(names) - set(defaults))
        extra = sorted(set(defaults) - set(names))
        if missing or extra:
            raise ParameterError(f"defaults: need exactly the system's parameters {names}; "
                                 f"missing {missing}, unknown {extra}")
        self.system, self._simulate, self.quantity = system, simulate, quantity
        self.name = _name(name, "name")
        self.summary = summary or f"the system {system.name}"
        self.reference = reference or "user-supplied System"
        self.parameters = tuple(Parameter(k, defaults[k], k) for k in names)
        if sizes is not None:
            self.sizes = self.quick_sizes = tuple(int(s) for s in sizes)
        self._shapes = shapes

    def equations(self):
        return system_equations(self.system, f"{self.system.name}")

    def solve_arrays(self, **params):
        from .._checks import broadcast

        vals = broadcast({k: np.asarray(v, dtype=float) for k, v in params.items()})
        return self.system.compile().solve(strict=False, **vals)

    def shapes(self, n, **params):
        return self._shapes(n, **params) if self._shapes is not None else super().shapes(n, **params)

    def run_simulation(self, n, trials, seed, device, **params):
        from ..simulate.measurement import Measurement

        out = self._simulate(n, trials, seed, device, **params)
        if isinstance(out, Measurement):
            return out
        if isinstance(out, Mapping):
            return Measurement({k: np.asarray(v, dtype=float) for k, v in out.items()})
        raise ParameterError(f"simulate: must return a Measurement or {{name: per-trial values}}, "
                             f"got {type(out).__name__}")


def from_system(system: Any, name: str, simulate: Callable, quantity: str, defaults: Mapping[str, Any], *,
                summary: str = "", reference: str = "", sizes: Sequence[int] | None = None,
                shapes: Callable | None = None) -> SystemDerivation:
    """A registered-style derivation from a user's System and a simulation function.

    Parameters
    ----------
    system : System
        The deterministic equivalent (``symrmt.System(...)``).
    name : str
        Registry name.
    simulate : callable
        ``simulate(n, trials, seed, device, **params)`` -> Measurement or ``{name: values}``.
    quantity : str
        The observable (or unknown) compared with the simulation's measurement of the same name.
    defaults : mapping
        Default value of every parameter of the system.
    summary, reference : str
        One line each.
    sizes : sequence of int, optional
        The ladder of sizes ``verify`` runs (default 100..800).
    shapes : callable, optional
        ``shapes(n, **params)`` -> matrices one trial holds, for the cost estimate.

    Returns
    -------
    SystemDerivation

    Raises
    ------
    ParameterError
        Arguments of the wrong kind, an unknown quantity, defaults that do not match the system.
    """
    return SystemDerivation(system, name, simulate, quantity, defaults, summary=summary, reference=reference,
                            sizes=sizes, shapes=shapes)
