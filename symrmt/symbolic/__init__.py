"""The symbolic layer (pure SymPy): laws, transforms, free operations, systems.

Modules, each importing only those above it: :mod:`.symbols`, :mod:`.parsing`, :mod:`.series`,
:mod:`.bivariate` (foundations); :mod:`.transforms` (moments, free cumulants, R and S of a
polynomial); :mod:`.factors` (the physical factor of a polynomial); :mod:`.algebraic_law` (the
:class:`AlgebraicLaw` class); :mod:`.classical_laws` (closed-form laws); :mod:`.free` (free
operations); :mod:`.operations` (A², XXᵀ ↔ XᵀX, block diagonals); :mod:`.gram` (information plus noise,
correlated Wishart); :mod:`.chiral`, :mod:`.meixner`, :mod:`.equilibrium` (further laws);
:mod:`.eta` (the η-transform); :mod:`.laws` (the catalogue); :mod:`.from_transforms` (laws from their R- or
S-transform); :mod:`.system` (:class:`System`); :mod:`.hermite` (Gaussian Hermite coefficients); :mod:`.targets`
(single- and multi-index targets);
:mod:`.compile_memo` (the in-process memo of compiled solvers); :mod:`.decompression` (the polynomial
of a law at another matrix size, for ``AlgebraicLaw.rescale``).
"""
from . import free, laws, transforms
from .algebraic_law import AlgebraicLaw
from .free import compress, free_add, free_multiply, free_power, mobius, sample_covariance
from .from_transforms import from_r_transform, from_s_transform
from .eta import eta_transform
from .gram import correlated_wishart, info_plus_noise
from .operations import block_diagonal, square, transpose
from .targets import STAIRCASES, IndexTarget, index_target

__all__ = ["laws", "transforms", "free", "AlgebraicLaw", "free_add", "free_multiply", "mobius",
           "free_power", "sample_covariance", "compress", "from_r_transform", "from_s_transform",
           "square", "transpose", "block_diagonal", "info_plus_noise", "correlated_wishart", "eta_transform",
           "IndexTarget", "index_target", "STAIRCASES"]
