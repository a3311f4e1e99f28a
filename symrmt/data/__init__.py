"""Risk prediction for ridge on real representations (``sr.data``).

Given a representation of a data set (a feature matrix or a kernel matrix) and its labels:

* :mod:`~symrmt.data.features` — representations: standardized pixels of scikit-learn's bundled
  digits, random features, NNGP/NTK kernel matrices (:mod:`symrmt.kernels`), the penultimate layer
  of a network trained in torch, and checks of user-supplied matrices;
* :mod:`~symrmt.data.spectrum` — the measured spectrum (an empirical measure) and source, the
  deterministic-equivalent risk from them (the ridge κ equation, :func:`symrmt.equivalents.solve_discrete`),
  held-out risk and GCV by repeated subsampling, and the table comparing them;
* :mod:`~symrmt.data.power_law` — power-law exponents of spectrum and source with uncertainties,
  and the predicted and measured scaling of the risk with n.

Wei, Hu & Steinhardt, arXiv 2203.06176; Schröder et al., arXiv 2402.13999.  User guide: docs/data.md.
"""
from __future__ import annotations

from .features import (ACTIVATIONS, check_features, check_kernel, check_targets, digits, kernel_matrix, one_hot,
                       random_features, standardize, trained_features)
from .power_law import (PowerLawFit, SpectrumFit, default_fit_range, fit_exponents, fit_power_law, fit_risk_exponent,
                        fit_spectrum, predicted_risk_exponent)
from .spectrum import DataSpectrum, SubsampleRisk, risk_table, spectral_data, subsample_risk

__all__ = ["digits", "one_hot", "standardize", "random_features", "kernel_matrix", "trained_features",
           "check_features", "check_kernel", "check_targets", "ACTIVATIONS",
           "DataSpectrum", "spectral_data", "SubsampleRisk", "subsample_risk", "risk_table",
           "PowerLawFit", "SpectrumFit", "fit_power_law", "default_fit_range", "fit_spectrum", "fit_exponents",
           "predicted_risk_exponent", "fit_risk_exponent"]
