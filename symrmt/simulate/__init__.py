"""Every torch simulation of symrmt (CPU or CUDA, explicit seeds); none of them computes theory.

* random matrices behind the laws: :func:`sample_eigenvalues` reads a law's construction and
  draws the matching matrices (:mod:`~symrmt.simulate.models`, batched ensembles in
  :mod:`~symrmt.simulate.ensembles`);
* learning models trained exactly (:mod:`~symrmt.simulate.learning`: ridge, linear and nonlinear
  random features, power-law ridge), kernel ridge (:mod:`~symrmt.simulate.kernel_ridge`), deep
  structured random features (:mod:`~symrmt.simulate.deep_features`), two-layer networks after one
  gradient step (:mod:`~symrmt.simulate.one_step`), empirical NTKs (:mod:`~symrmt.simulate.ntk`)
  and neural ODEs (:mod:`~symrmt.simulate.neural_ode`);
* what they return: :class:`Measurement` — per-trial measurements, and the per-trial draws
  (weights, population samples) that a theory conditional on the draw needs.

:mod:`~symrmt.simulate.device` holds the device/dtype/seed conventions (``device=None`` → CUDA if
available else CPU; float64 by default).  torch is imported only when a function runs.
"""
from __future__ import annotations

from .activations import torch_activation, torch_target
from .deep_features import (network, sample_feature_covariance, sample_gaussian_covariance, simulate_deep_features,
                            simulate_deep_linear_rf)
from .device import derive_seed, make_generator, resolve_device, resolve_dtype
from .kernel_ridge import simulate_kernel_ridge
from .learning import (simulate_linear_random_features, simulate_powerlaw_ridge, simulate_random_features,
                       simulate_ridge)
from .measurement import Measurement, student_interval
from .models import atom_counts, check_simulable, sample_eigenvalues, sample_matrix
from . import structured_models  # noqa: F401  (registers its models' handlers)
from .neural_ode import evaluate_against_imde, reference_flow, run_experiment, train_neural_ode
from .ntk import empirical_kernel
from .one_step import simulate_one_step, train_first_layer
from .populations import population_eigenvalues, sample_covariance_eigenvalues

__all__ = ["sample_eigenvalues", "sample_matrix", "check_simulable", "atom_counts", "resolve_device", "resolve_dtype",
           "make_generator", "derive_seed", "Measurement", "student_interval", "torch_activation", "torch_target",
           "simulate_ridge", "simulate_linear_random_features", "simulate_random_features",
           "simulate_powerlaw_ridge", "simulate_kernel_ridge", "simulate_deep_features", "simulate_deep_linear_rf",
           "network", "sample_feature_covariance", "sample_gaussian_covariance", "simulate_one_step", "train_first_layer",
           "train_neural_ode", "evaluate_against_imde", "run_experiment", "reference_flow", "empirical_kernel",
           "population_eigenvalues", "sample_covariance_eigenvalues"]
