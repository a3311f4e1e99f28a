"""Populations drawn from measures: the simulation model of a :class:`~symrmt.measures.Measure`.

A population covariance ``Σ`` with the spectrum of a measure has the eigenvalues
``measure.population(d)`` (its quantiles; a measure of ``d`` equal atoms gives its own points).
Only the spectrum matters for the sample covariance (``X`` is orthogonally invariant), so ``Σ`` is
diagonal here.  torch is imported only when a function runs; no theory is computed.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import integer, positive
from ..measures import as_measure
from .device import resolve_dtype, seeded
from .ensembles import covariance_matrix

__all__ = ["population_eigenvalues", "sample_covariance_eigenvalues"]


def population_eigenvalues(population: Any, d: int) -> np.ndarray:
    """The ``d`` eigenvalues of a population covariance with the spectrum of ``population``
    (anything :func:`symrmt.measures.as_measure` accepts, supported on ``[0, ∞)``)."""
    return as_measure(population, "population", nonnegative=True).population(integer("d", d, low=1))


def sample_covariance_eigenvalues(population: Any, d: int, ratio: float, trials: int = 1, seed: int = 0,
                                  device: Any = None, dtype: Any = None, as_tensor: bool = False):
    """Eigenvalues of ``Σ^{1/2} XᵀX Σ^{1/2}/n``, ``X`` of shape ``n × d`` Gaussian, ``n = round(d/ratio)``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Shape ``(trials, d)``, each row sorted; when ``n < d`` the ``d − n`` exact zeros are
        included.  A torch tensor of ``dtype`` (default float64) on the device when ``as_tensor``.
    """
    d = integer("d", d, low=2)
    c = positive("ratio", ratio)
    trials = integer("trials", trials, low=1)
    n = max(1, int(round(d / c)))
    torch, dev, gen = seeded(seed, device)
    dt = resolve_dtype(dtype)
    eig = torch.as_tensor(population_eigenvalues(population, d), dtype=dt, device=dev)
    out = []
    for _ in range(trials):
        mat = covariance_matrix(eig.unsqueeze(0), n, gen)
        ev = torch.linalg.eigvalsh(mat)[0]
        if ev.shape[0] < d:
            ev = torch.cat([torch.zeros(d - ev.shape[0], dtype=dt, device=dev), ev])
        out.append(torch.sort(ev).values)
    res = torch.stack(out)
    return res if as_tensor else res.cpu().numpy()
