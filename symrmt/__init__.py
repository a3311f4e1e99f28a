"""symrmt: derive, generate, verify — a symbolic-numeric assistant for random matrix theory
and the theory of high-dimensional learning.

Nothing heavy (numba, torch, matplotlib) is imported at module load.
"""
from __future__ import annotations

from .errors import (CodegenError, ConvergenceError, DerivationError, ParameterError,
                     SymrmtError)
from .symbolic import laws, transforms
from .symbolic.free import compress, free_add, free_multiply, free_power, mobius, sample_covariance
from .symbolic.laws import AlgebraicLaw
from .symbolic.transforms import from_r_transform, from_s_transform

__version__ = "0.1.0"

__all__ = [
    "laws", "transforms", "AlgebraicLaw", "free_add", "free_multiply", "mobius", "free_power",
    "sample_covariance", "compress", "from_r_transform", "from_s_transform",
    "SymrmtError", "ParameterError", "DerivationError", "ConvergenceError", "CodegenError",
]


def __getattr__(name: str):
    # lazy access to the heavier layers
    if name == "System":
        from .symbolic.system import System
        return System
    if name in ("load", "Derivation", "available"):
        from . import registry
        return getattr(registry, name)
    if name in ("odes", "equivalents", "codegen", "simulate", "verify", "registry", "kernels", "limits"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'symrmt' has no attribute {name!r}")
