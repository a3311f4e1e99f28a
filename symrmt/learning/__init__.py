"""Learning problems composed like laws: one description gives the equations (by S-transforms),
the generated solver and the simulation.

>>> import symrmt.learning as sl
>>> m = sl.model(data=([0.5, 1.0, 2.0], [0.3, 0.4, 0.3]),
...              layers=[sl.linear(width=2.0), sl.linear(width=1.5, weights=([0.5, 1.5], [0.5, 0.5]))],
...              noise=0.1, ensemble=4)
>>> res = m.solve(samples=[0.5, 2.0], ridge=0.01)
>>> res["test_error"].shape
(2,)

* :mod:`~symrmt.learning.description` — :func:`model`'s fields, :func:`linear`, :func:`source`,
  :class:`Activation` (Gaussian-equivalent linearization of a layer's nonlinearity);
* :mod:`~symrmt.learning.algebra` — the S-transform algebra that derives the equations;
* :mod:`~symrmt.learning.model` — :class:`LearningModel`: equations, solve, simulation inputs.

Conventions: docs/architecture.md and :mod:`symrmt.learning.description`; user guide:
docs/learning.md.
"""
from __future__ import annotations

from .description import Activation, Layer, Source, check_ensemble, linear, linearize_activation, source
from .model import LearningModel, SimulationInputs, model, set_derivation_factory

__all__ = ["model", "linear", "source", "LearningModel", "Layer", "Source", "Activation", "SimulationInputs",
           "check_ensemble", "linearize_activation", "set_derivation_factory"]
