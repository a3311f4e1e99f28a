"""Derivations: a theory bound to the simulation of its random object and to :mod:`symrmt.verify`.

One module per idea:

* :mod:`~symrmt.derivation.parameters` — :class:`Parameter` (a checked, exact parameter value);
* :mod:`~symrmt.derivation.base` — :class:`Derivation` and the one verification pipeline;
* :mod:`~symrmt.derivation.spectral` — the spectral kind (:class:`SpectralDerivation`, :func:`from_law`);
* :mod:`~symrmt.derivation.learning` — the learning-curve kind (:class:`LearningCurveDerivation`);
* :mod:`~symrmt.derivation.ode` — the ODE kind (:class:`IMDEDerivation`);
* :mod:`~symrmt.derivation.discovery` — finding derivations by name (:func:`load`, :func:`register`).

Named, paper-level results live in the catalogue (``derivations/*.py``, one file per result, each
exporting ``DERIVATION``) and import only this face and the other package faces.
"""
from __future__ import annotations

from .base import Derivation
from .discovery import available, load, register, registered, search_paths
from .from_model import ModelDerivation, SystemDerivation, from_model, from_system
from .learning import SPECTRUM, LearningCurveDerivation, chain_shapes, system_equations
from .ode import IMDEDerivation, IMDEReport
from .parameters import MeasureParameter, Parameter, checked_array, plain
from .spectral import SpectralDerivation, SpectralTheory, from_law

__all__ = ["Parameter", "MeasureParameter", "SPECTRUM", "Derivation", "SpectralDerivation", "SpectralTheory",
           "LearningCurveDerivation",
           "IMDEDerivation", "IMDEReport", "from_law", "load", "available", "register", "registered", "search_paths",
           "system_equations", "chain_shapes", "checked_array", "plain", "ModelDerivation", "SystemDerivation",
           "from_model", "from_system"]
