"""symrmt: derive, generate, verify — a symbolic-numeric assistant for random matrix theory
and the theory of high-dimensional learning.

Nothing heavy (numba, torch, matplotlib) is imported at module load.
"""
from __future__ import annotations

from .errors import (CodegenError, ConvergenceError, DerivationError, ParameterError,
                     SymrmtError)
from .symbolic import laws, transforms
from .symbolic.free import compress, free_add, free_multiply, free_power, mobius
from .symbolic.laws import AlgebraicLaw
from .symbolic.operations import block_diagonal, square, transpose
from .symbolic.gram import correlated_wishart, info_plus_noise
from .symbolic.eta import eta_transform
from .symbolic.from_transforms import from_r_transform, from_s_transform

from ._version import __version__

__all__ = [
    "laws", "transforms", "AlgebraicLaw", "free_add", "free_multiply", "mobius", "free_power",
    "sample_covariance", "expect", "compress", "from_r_transform", "from_s_transform",
    "square", "transpose", "block_diagonal", "info_plus_noise", "correlated_wishart", "eta_transform",
    "SymrmtError", "ParameterError", "DerivationError", "ConvergenceError", "CodegenError",
    "fit_law", "check_law", "estimators",
]


def __getattr__(name: str):
    # lazy access to the heavier layers
    if name == "System":
        from .symbolic.system import System
        return System
    if name in ("load", "Derivation", "available"):
        from . import registry
        return getattr(registry, name)
    if name in ("fit_law", "check_law", "estimators"):  # laws from data and estimators from laws
        from . import measures
        return getattr(measures, name)
    if name in ("expect", "sample_covariance"):  # any population: a law, an empirical or power-law measure
        from . import measures
        return getattr(measures, name)
    if name == "deterministic_equivalent":  # a trace of a rational matrix expression -> a System
        from .matrices import deterministic_equivalent
        return deterministic_equivalent
    if name == "learning":
        import importlib
        importlib.import_module(".derivation.from_model", __name__)  # binds model.simulate / model.verify
        return importlib.import_module(".learning", __name__)
    if name in ("odes", "equivalents", "codegen", "simulate", "verify", "registry", "derivation", "kernels",
                "limits", "sweep", "measures", "learning", "matrices", "data"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'symrmt' has no attribute {name!r}")
