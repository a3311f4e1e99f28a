"""A small fully connected network trained in torch; its penultimate layer as a representation.

Schröder et al. (arXiv 2402.13999) apply the deterministic equivalents of deep features to the
representation of a trained network through its empirical feature covariance; this module trains
such a network (two ReLU hidden layers of equal width, full-batch Adam on the squared loss,
float64, explicit seed) and returns the hidden features of *other* points, on which ridge is then
fitted (:func:`symrmt.data.trained_features`).  It computes no theory.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import finite_array, integer, positive
from ..errors import ParameterError
from .device import seeded

__all__ = ["train_penultimate"]


def train_penultimate(train_inputs: Any, train_targets: Any, inputs: Any, hidden: int = 128, epochs: int = 200,
                      learning_rate: float = 1e-2, seed: int = 0, device: Any = None) -> np.ndarray:
    """Train ``x → W3 relu(W2 relu(W1 x))`` on ``(train_inputs, train_targets)`` and return
    ``relu(W2 relu(W1 x))/√hidden`` for the rows of ``inputs``.

    Parameters
    ----------
    train_inputs : array (m, d);  train_targets : array (m,) or (m, k);  inputs : array (M, d)
    hidden : int >= 1
        Width of both hidden layers.
    epochs : int >= 1
        Full-batch Adam steps.
    learning_rate : float > 0
    seed, device
        torch seed of the initialisation; None/"cpu"/"cuda".

    Returns
    -------
    numpy.ndarray (M, hidden)

    Raises
    ------
    ParameterError
        Non-finite or mis-shaped arrays, or bad sizes (naming the argument).
    """
    Xtr = finite_array("train_inputs", train_inputs, ndim=2)
    Ytr = finite_array("train_targets", train_targets)
    Ytr = Ytr[:, None] if Ytr.ndim == 1 else Ytr
    X = finite_array("inputs", inputs, ndim=2)
    if Ytr.ndim != 2 or Ytr.shape[0] != Xtr.shape[0]:
        raise ParameterError(f"train_targets: expected {Xtr.shape[0]} rows (one per training input), "
                             f"got shape {Ytr.shape}")
    if X.shape[1] != Xtr.shape[1]:
        raise ParameterError(f"inputs: expected {Xtr.shape[1]} columns (the training inputs'), got {X.shape[1]}")
    hidden, epochs = integer("hidden", hidden, low=1), integer("epochs", epochs, low=1)
    lr = positive("learning_rate", learning_rate)
    torch, dev, gen = seeded(seed, device)
    dt = torch.float64
    d, k = Xtr.shape[1], Ytr.shape[1]

    def init(fan_in, fan_out):
        w = torch.randn(fan_in, fan_out, generator=gen, device=dev, dtype=dt) * (2.0 / fan_in) ** 0.5
        return w.requires_grad_()

    W1, W2, W3 = init(d, hidden), init(hidden, hidden), init(hidden, k)
    b1 = torch.zeros(hidden, device=dev, dtype=dt, requires_grad=True)
    b2 = torch.zeros(hidden, device=dev, dtype=dt, requires_grad=True)
    xt = torch.as_tensor(Xtr, device=dev, dtype=dt)
    yt = torch.as_tensor(Ytr, device=dev, dtype=dt)

    def body(x):
        return torch.relu(torch.relu(x @ W1 + b1) @ W2 + b2)

    opt = torch.optim.Adam([W1, W2, W3, b1, b2], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        loss = ((body(xt) @ W3 - yt) ** 2).mean()
        loss.backward()
        opt.step()
    with torch.no_grad():
        phi = body(torch.as_tensor(X, device=dev, dtype=dt)) / hidden**0.5
    return phi.cpu().numpy()
