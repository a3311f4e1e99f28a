"""Code generation: SymPy laws and systems -> cached, self-checked numba solver modules.

Submodules: :mod:`.printer` (numba-safe printer), :mod:`.templates` (solver algorithms),
:mod:`.cache` (on-disk module cache), :mod:`.compile` (entry points), :mod:`.law`
(:class:`CompiledLaw`), :mod:`.solved` (:class:`CompiledSystem`), :mod:`.standalone`.
numba is imported only when a generated module is loaded.
"""
from __future__ import annotations

from .compile import compile_function, compile_law, compile_system
from .standalone import standalone_source, write_standalone

__all__ = ["compile_law", "compile_system", "compile_function", "standalone_source", "write_standalone",
           "CompiledLaw", "CompiledSystem", "SolveResult"]


def __getattr__(name: str):
    if name == "CompiledLaw":
        from .law import CompiledLaw
        return CompiledLaw
    if name in ("CompiledSystem", "SolveResult"):
        from . import solved
        return getattr(solved, name)
    raise AttributeError(f"module 'symrmt.codegen' has no attribute {name!r}")
