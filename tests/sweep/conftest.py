"""Fixtures of the sweep tests: one 2-worker LocalCluster per module that asks for it (start-up
costs seconds), and a planted wrong formula."""
import numpy as np
import pytest

import symrmt as sr


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker LocalCluster (processes, one thread each; one torch/OpenMP/BLAS thread per worker,
    as the embedded cluster of ``client=None``) and its client."""
    from symrmt.sweep.engine import local_cluster

    lc, client = local_cluster(2)
    yield client
    client.close()
    lc.close()


def planted(factor: float = 1.10, q_min: float = 0.6, ridge_min: float = 0.7):
    """``ridge`` whose theory is multiplied by ``factor`` in the corner q >= q_min, ridge >= ridge_min
    (right everywhere else): a formula wrong by (factor - 1) in a corner of the domain."""
    base = type(sr.load("ridge"))

    class Planted(base):
        name = "ridge-planted-corner"

        def solve_arrays(self, q, ridge, noise, signal, spectrum=None):
            res = super().solve_arrays(q, ridge, noise, signal, spectrum=spectrum)
            corner = (np.asarray(q) >= q_min) & (np.asarray(ridge) >= ridge_min)
            res.observables[self.quantity] = np.where(corner, factor, 1.0) * np.asarray(res[self.quantity])
            return res

    return Planted()
