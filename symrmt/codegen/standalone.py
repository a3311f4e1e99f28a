"""Standalone solver modules: the generated source, needing only numpy and numba.

A user drops the file into a project and calls ``stieltjes(z, **params)`` / ``density(x, **params)``
(laws) or ``solve(**params)`` (systems); see the module's docstring for its conventions.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .cache import atomic_write, seal, standalone_text

__all__ = ["standalone_source", "write_standalone"]


def standalone_source(obj: Any) -> str:
    """Source of a standalone solver module for an AlgebraicLaw, a System or their compiled forms."""
    from ..symbolic.laws import AlgebraicLaw
    from ..symbolic.system import System
    from .compile import law_source, system_source
    from .law import CompiledLaw
    from .solved import CompiledSystem

    if isinstance(obj, (CompiledLaw, CompiledSystem)):
        return standalone_text(Path(obj.module.__file__))
    if isinstance(obj, AlgebraicLaw):
        return seal(law_source(obj))
    if isinstance(obj, System):
        return seal(system_source(obj))
    raise ParameterError(f"obj: expected an AlgebraicLaw, a System or a compiled one, got {type(obj).__name__}")


def write_standalone(obj: Any, path: str | os.PathLike) -> Path:
    """Write :func:`standalone_source` of ``obj`` to ``path`` (atomically); returns the path."""
    p = Path(path)
    if p.suffix != ".py":
        raise ParameterError(f"path: must end in .py (an importable module), got {str(p)!r}")
    if not p.parent.is_dir():
        raise ParameterError(f"path: directory {str(p.parent)!r} does not exist")
    atomic_write(p, standalone_source(obj))
    return p
