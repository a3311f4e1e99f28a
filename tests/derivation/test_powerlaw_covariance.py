"""powerlaw-covariance: Silverstein's law of a measure-valued population, verified by simulation."""
from __future__ import annotations

import pytest

import symrmt as sr
from symrmt.errors import ParameterError


def test_sizes_must_be_multiples_of_the_atom_count():
    d = sr.load("powerlaw-covariance")
    with pytest.raises(ParameterError, match="multiples of atoms = 200"):
        d.verify(sizes=[200, 300], trials=4)


@pytest.mark.slow
def test_verify_agrees_and_a_wrong_ratio_disagrees():
    """d = 200..1600 (each atom repeated d/200 times), c = 1/2, exponent 1.5, seed 0: the KS
    distance of the eigenvalues of Σ^{1/2}XᵀXΣ^{1/2}/n to the solver's cdf decays like 1/d; with the
    simulation drawn at c = 0.6 against the theory at 0.5 it plateaus."""
    d = sr.load("powerlaw-covariance")
    right = d.verify(progress=False)
    assert right.verdict == "agrees", right

    class Wrong(type(d)):
        name = "powerlaw-covariance-wrong-ratio"

        def simulate(self, n, trials=1, seed=0, device=None, dtype=None, progress=None, **params):
            return super().simulate(n, trials, seed, device, dtype, progress, **{**params, "ratio": 0.6})

    wrong = Wrong().verify(quick=True, progress=False)
    assert wrong.verdict == "disagrees", wrong
