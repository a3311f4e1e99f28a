"""The symbolic layer (pure SymPy): laws, transforms, free operations, systems."""
from . import laws, transforms, free
from .laws import AlgebraicLaw
from .free import free_add, free_multiply, mobius, free_power, sample_covariance, compress
from .transforms import from_r_transform, from_s_transform

__all__ = ["laws", "transforms", "free", "AlgebraicLaw", "free_add", "free_multiply", "mobius",
           "free_power", "sample_covariance", "compress", "from_r_transform", "from_s_transform"]
