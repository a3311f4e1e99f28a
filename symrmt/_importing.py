"""Import a Python file as a module (generated solver modules, derivation files)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["import_file"]


def import_file(name: str, path: Path) -> ModuleType:
    """Import ``path`` as module ``name`` and register it in ``sys.modules``.

    Raises :class:`ImportError` if no loader exists for the path; an exception raised while
    executing the module propagates unchanged, and ``name`` is then removed from ``sys.modules``.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no loader for {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        sys.modules.pop(name, None)
        raise
    return module
