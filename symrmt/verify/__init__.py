"""Verification of theory against simulation: statistics with uncertainties
(:mod:`~symrmt.verify.stats`), finite-size scaling and verdicts (:mod:`~symrmt.verify.scaling`),
reports (:mod:`~symrmt.verify.report`) and plots (:mod:`~symrmt.verify.plots`, matplotlib lazy)."""
from __future__ import annotations

from .plots import plot_learning_curve, plot_spectrum, plot_verification
from .report import Report, environment
from .scaling import VERDICTS, FiniteSizeFit, bias_scaling, finite_size_scaling
from .stats import Estimate, grid_cdf, ks_distance, mean_ci, moment_statistics, relative_error, wasserstein1

__all__ = ["Report", "environment", "FiniteSizeFit", "finite_size_scaling", "bias_scaling", "VERDICTS", "Estimate", "mean_ci",
           "ks_distance", "wasserstein1", "moment_statistics", "relative_error", "grid_cdf",
           "plot_verification", "plot_learning_curve", "plot_spectrum"]
