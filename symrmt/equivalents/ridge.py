"""Ridge regression's deterministic equivalent: an instance of :func:`symrmt.learning.model`
(no layers), kept under this name for its users; see :func:`symrmt.learning.classical.solve_ridge`.
"""
from ..learning.classical import solve_ridge

__all__ = ["solve_ridge"]
