"""Torch simulations of the random matrices behind symrmt's laws (CPU or CUDA, explicit seeds).

:func:`sample_eigenvalues` reads a law's construction and draws the matching random matrices
(:mod:`symrmt.simulate.models`); :mod:`symrmt.simulate.ensembles` holds the batched ensembles;
:mod:`symrmt.simulate.device` the device/dtype/seed conventions (``device=None`` → CUDA if
available else CPU; float64 by default).  torch is imported only when a function runs.
"""
from __future__ import annotations

from .device import derive_seed, make_generator, resolve_device, resolve_dtype
from .models import atom_counts, check_simulable, sample_eigenvalues

__all__ = ["sample_eigenvalues", "check_simulable", "atom_counts", "resolve_device", "resolve_dtype",
           "make_generator", "derive_seed"]
