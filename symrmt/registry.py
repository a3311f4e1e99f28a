"""The registry of named derivations (a face of :mod:`symrmt.derivation`).

``symrmt.registry.load(name)``, :func:`from_law`, :func:`from_model`, :func:`from_system`,
:func:`from_expression`, :func:`register`, :func:`available` and the
base classes keep their names here; they live in :mod:`symrmt.derivation`.
"""
from __future__ import annotations

from .derivation import (Derivation, Parameter, SpectralDerivation, SpectralTheory, available, from_law, from_model,
                         from_system, load, register, registered, search_paths)
from .derivation.from_expression import from_expression

__all__ = ["Parameter", "Derivation", "SpectralDerivation", "SpectralTheory", "from_law", "from_model", "from_system",
           "from_expression", "load", "available", "register", "registered", "search_paths"]
