"""Exception classes of symrmt.

Every error a user can trigger names what was wrong and what is allowed.
"""
from __future__ import annotations


class SymrmtError(Exception):
    """Base class of all symrmt errors."""


class ParameterError(SymrmtError, ValueError):
    """A parameter is outside its allowed range, unknown, or malformed."""


class DerivationError(SymrmtError):
    """A symbolic operation could not be carried out (e.g. no factor matches the physical branch)."""


class ConvergenceError(SymrmtError):
    """A numerical solve did not converge where convergence was required."""


class CodegenError(SymrmtError):
    """Generated code failed its self-check or could not be built/loaded."""
