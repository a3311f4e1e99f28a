"""Linear random features with ensembles: an instance of :func:`symrmt.learning.model` (one
isotropic layer), kept under this name for its users; see
:func:`symrmt.learning.classical.solve_linear_random_features`.
"""
from ..learning.classical import solve_linear_random_features

__all__ = ["solve_linear_random_features"]
