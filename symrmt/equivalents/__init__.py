"""Deterministic equivalents of learning curves, derived with the symbolic layer, compiled with
``System.compile()`` and checked against trained models (torch simulations).

* :func:`solve_ridge` — ridge regression (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592);
* :func:`solve_linear_random_features` — linear random features with ensembles (same paper);
* :func:`solve_random_features` — Mei & Montanari's random features (arXiv 1908.05355) and its
  Gaussian-equivalent form;
* :func:`solve_powerlaw_ridge`, :func:`solve_discrete` — the Gaussian-equivalent curve for a
  discrete spectrum (power law; kernels as in Wei, Hu & Steinhardt, arXiv 2203.06176);
* :mod:`.simulate` and :mod:`.kernel` — the trained-model simulations (torch, imported lazily).
"""
from .discrete import solve_discrete, solve_powerlaw_ridge
from .linear_rf import linear_random_features_system, solve_linear_random_features
from .random_features import gaussian_equivalent_system, mei_montanari_system, solve_random_features
from .ridge import ridge_system, solve_ridge
from .spectrum import kappa_equation, population_spectrum, wishart_s_transform

__all__ = ["solve_ridge", "ridge_system", "solve_linear_random_features", "linear_random_features_system",
           "solve_random_features", "mei_montanari_system", "gaussian_equivalent_system",
           "solve_powerlaw_ridge", "solve_discrete", "kappa_equation", "population_spectrum",
           "wishart_s_transform"]
