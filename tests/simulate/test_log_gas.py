"""The log-gas MCMC sampler of the unitary ensembles exp(-n tr t H^{2M}) (symrmt.simulate.log_gas).

Fast: M = 1 is GUE, whose finite-n moments are exact: with ``t = 1/2`` (variance σ² = 1),
``E (1/n) tr H² = 1`` and ``E (1/n) tr H⁴ = 2 + 1/n²`` (Harer–Zagier).  n = 40, 24 independent
chains (one draw each), seed 7; tolerance 4 standard errors over the chains (a 4σ event: the test
fails by chance with probability < 1e-4, while a start that has not relaxed -- ×1.2, ×0.7 of the
equilibrium quantiles, moving (1/n) tr H² by +44 % / -51 % -- or a wrong acceptance rule is
tens of SE off).  Slow: M = 2, 3 against the equilibrium measure's exact moments at n = 100, and
``verify``.
"""
import math

import numpy as np
import pytest
import torch

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate.log_gas import default_burn_in, log_gas_eigenvalues

N, CHAINS = 40, 24


def _moments(eig, k):
    per = (eig**k).mean(-1).numpy()
    return per.mean(), per.std(ddof=1) / math.sqrt(per.size)


@pytest.mark.parametrize("spread", [1.2, 0.7])
def test_gue_moments_are_exact_from_two_starts(spread):
    gen = torch.Generator().manual_seed(7)
    eig = log_gas_eigenvalues(1, 0.5, N, CHAINS, gen, spread=spread)
    assert eig.shape == (CHAINS, N) and bool((eig.diff(dim=-1) > 0).all())
    for k, exact in ((2, 1.0), (4, 2.0 + 1.0 / N**2)):
        mean, se = _moments(eig, k)
        assert abs(mean - exact) <= 4 * se, (spread, k, mean, exact, se)


def test_burn_in_exceeds_the_autocorrelation_time():
    """Along the second half of the burn-in (fixed step size), the integrated autocorrelation time
    of (1/n) tr H² (summed until the autocorrelation, averaged over 8 chains, first drops below
    0) is well below the steps run before a draw is taken, and the acceptance is near MALA's 0.574."""
    gen = torch.Generator().manual_seed(11)
    _, tr, acc = log_gas_eigenvalues(1, 0.5, N, 8, gen, trace=True)
    x = tr.numpy() - tr.numpy().mean(axis=0)
    var = (x**2).mean()
    tau = 1.0
    for lag in range(1, x.shape[0] // 4):
        rho = (x[:-lag] * x[lag:]).mean() / var
        if rho < 0:
            break
        tau += 2 * rho
    assert 5 * tau < default_burn_in(N), tau
    assert 0.4 < float(acc.mean()) < 0.75


def test_bad_input():
    gen = torch.Generator()
    with pytest.raises(ParameterError, match="power"):
        log_gas_eigenvalues(0, 1.0, 10, 1, gen)
    with pytest.raises(ParameterError, match="coupling"):
        log_gas_eigenvalues(2, -1.0, 10, 1, gen)
    with pytest.raises(ParameterError, match="n: expected"):
        log_gas_eigenvalues(2, 1.0, 1, 1, gen)
    with pytest.raises(ParameterError, match="burn_in"):
        log_gas_eigenvalues(2, 1.0, 10, 1, gen, burn_in=1)


@pytest.mark.slow
@pytest.mark.parametrize("power", [2, 3])
def test_equilibrium_measure_model_matches_exact_moments(power):
    """n = 100, 12 chains, seed 3: (1/n) tr H^{2k} (k = 1, 2) against the law's exact moments;
    tolerance 5 SE + 3/n × m_{2k} (the O(1/n) finite-size bias of the unitary ensemble)."""
    law = sr.laws.equilibrium_measure(power, 1)
    eig = sr.simulate.sample_eigenvalues(law, 100, 12, seed=3, device="cpu")
    exact = [float(v) for v in law.moments(4)]
    for k in (2, 4):
        mean, se = _moments(eig, k)
        assert abs(mean - exact[k - 1]) <= 5 * se + 3 / 100 * exact[k - 1], (power, k, mean, exact[k - 1], se)


@pytest.mark.slow
@pytest.mark.parametrize("power", [2, 3])
def test_verify_equilibrium_measure_agrees(power):
    rep = sr.derivation.spectral.from_law(sr.laws.equilibrium_measure(power, 1)).verify(
        sizes=[50, 100, 200], trials=4, seed=0, device="cpu")
    assert rep.verdict == "agrees", rep.reasons
