"""Deterministic equivalents of learning curves (theory only: SymPy, NumPy, generated solvers),
derived with the symbolic layer and compiled with ``System.compile()``; the trained models they
are checked against are simulated in :mod:`symrmt.simulate`.

* :func:`solve_ridge` — ridge regression (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592);
* :func:`solve_linear_random_features` — linear random features with ensembles (same paper);
  these two, :func:`solve_deep_linear_rf` and :func:`solve_powerlaw_ridge` are instances of
  :func:`symrmt.learning.model` (:mod:`symrmt.learning.classical`), re-exported here;
* :func:`solve_random_features` — Mei & Montanari's random features (arXiv 1908.05355) and its
  Gaussian-equivalent form;
* :func:`solve_powerlaw_ridge`, :func:`solve_discrete` — the Gaussian-equivalent curve for a
  discrete spectrum (power law; kernels as in Wei, Hu & Steinhardt, arXiv 2203.06176; the
  latter a numba kernel over given eigenvalues and target weights), and
  :func:`omniscient_risk`, the kernel-ridge risk from a population sample's kernel spectrum;
* :func:`solve_deep_structured_rf` — deep structured random features, Ω_L by the closed-form
  recursion (Schröder, Dmitriev, Cui & Loureiro, arXiv 2402.13999), conditional on drawn weights
  (:func:`draw_test_error` for a given draw);
  :func:`solve_deep_linear_rf` — depth-L linear random features by products of S-transforms;
* :func:`solve_one_step` — two-layer networks after one large gradient step (spiked random
  features, Cui et al. arXiv 2402.04980), with :func:`spiked_feature_density` /
  :func:`spiked_feature_cdf`, the bulk of the learned feature spectrum (Dandi et al. 2410.18938);
  :func:`solve_one_step_conditional`, the same at finite d given the drawn first-layer weights;
  :func:`trained_bulk_stieltjes`, the d → ∞ spectrum of the trained first layer's bulk, and
  :func:`solve_one_step_trained`, the trained network's test error at d → ∞ (that bulk's spectrum
  and the quadratic forms of the spike and target directions from the step's matrix expression).
"""
from .deep import (architecture, conditional_test_error, deep_equations, draw_test_error, draw_weights,
                   feature_covariance, feature_means, linearization_coefficients, solve_deep_structured_rf,
                   spectral_data)
from .deep_linear import input_space_law, linear_feature_law, solve_deep_linear_rf
from .discrete import powerlaw_equations, solve_discrete
from .kernel import KERNELS, draw_population, kernel_spectrum, omniscient_risk
from ..learning.classical import solve_powerlaw_ridge
from .linear_rf import solve_linear_random_features
from .random_features import gaussian_equivalent_system, mei_montanari_system, mm_polynomials, solve_random_features
from .ridge import solve_ridge
from .spectrum import kappa_equation, population_spectrum, wishart_s_transform
from .spiked import (node_values, solve_one_step, spike_parameters, spike_values, spiked_feature_cdf, spiked_feature_density,
                     spiked_feature_spectrum, spiked_rf_system)
from .spiked import (conditional_spectrum, draw_one_step_weights, next_spike, solve_one_step_conditional,
                     solve_one_step_given_layer)
from .spiked import ACTIVATION_NAMES
from .trained_bulk import trained_bulk_stieltjes, trained_bulk_system
from .trained_layer import solve_one_step_trained, trained_forms_system

__all__ = ["solve_one_step", "spike_parameters", "spike_values", "spiked_feature_spectrum", "spiked_feature_density",
           "spiked_feature_cdf", "spiked_rf_system", "node_values", "solve_one_step_conditional",
           "conditional_spectrum", "draw_one_step_weights", "solve_one_step_given_layer", "next_spike",
           "trained_bulk_stieltjes", "trained_bulk_system",
           "solve_one_step_trained", "trained_forms_system", "ACTIVATION_NAMES"]

__all__ += ["solve_ridge", "solve_linear_random_features",
           "solve_random_features", "mei_montanari_system", "gaussian_equivalent_system", "mm_polynomials",
           "solve_powerlaw_ridge", "solve_discrete", "powerlaw_equations", "kappa_equation", "population_spectrum",
           "wishart_s_transform", "solve_deep_structured_rf", "linearization_coefficients", "architecture",
           "feature_covariance", "spectral_data", "conditional_test_error", "draw_weights", "draw_test_error",
           "feature_means", "deep_equations", "solve_deep_linear_rf", "linear_feature_law", "input_space_law", "omniscient_risk",
           "draw_population", "kernel_spectrum", "KERNELS"]
