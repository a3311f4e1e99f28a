"""Shared fixtures: compiled laws are generated once per pytest run (the cache is per-user or
$SYMRMT_CACHE_DIR; tests that need a fresh cache directory make their own)."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr

GAMMA = sp.Symbol("gamma", positive=True)


@pytest.fixture(scope="session")
def mp():
    return sr.laws.marchenko_pastur(ratio=GAMMA).compile()


@pytest.fixture(scope="session")
def sc():
    return sr.laws.semicircle(variance=sp.Symbol("s2", positive=True)).compile()


def mp_closed(z, gamma, s2=1.0):
    """Marchenko–Pastur Stieltjes transform (docs/architecture.md convention), branch by principal square roots.

    m = (s2(1-γ) - z + sqrt(z-λ₋) sqrt(z-λ₊)) / (2 γ s2 z): each principal root has argument in
    [0, π/2] on the closed upper half-plane, so the product ~ z at infinity (m ~ -1/z).
    """
    z = np.asarray(z, dtype=complex)
    lm, lp = s2 * (1 - np.sqrt(gamma)) ** 2, s2 * (1 + np.sqrt(gamma)) ** 2
    return (s2 * (1 - gamma) - z + np.sqrt(z - lm) * np.sqrt(z - lp)) / (2 * gamma * s2 * z)


def sc_closed(z, s2=1.0):
    """Semicircle Stieltjes transform m = (-z + sqrt(z-2σ) sqrt(z+2σ)) / (2σ²)."""
    z = np.asarray(z, dtype=complex)
    s = np.sqrt(s2)
    return (-z + np.sqrt(z - 2 * s) * np.sqrt(z + 2 * s)) / (2 * s2)
