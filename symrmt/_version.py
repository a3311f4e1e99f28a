"""The version of symrmt (one place; the package root and generated module headers read it)."""
from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
