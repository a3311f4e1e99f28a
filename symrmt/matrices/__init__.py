"""Traces of rational expressions of random matrices -> linear pencils -> deterministic equivalents.

Declare matrices (:func:`gaussian`, :func:`wigner`, :func:`deterministic`, :func:`identity`)
with dimensions as ratios to the reference size :data:`N` (``n``), write SymPy matrix
expressions of them, take normalized traces (:func:`tr`), and :func:`deterministic_equivalent`
returns a :class:`~symrmt.symbolic.system.System` whose observable ``value`` is the limit: the
expression is linearized into a checked pencil (:mod:`~symrmt.matrices.pencil`, Helton, Mai &
Speicher, arXiv 1511.05330) and the pencil's block Dyson equation (:mod:`~symrmt.matrices.dyson`)
is solved by the generated solver.  See docs/matrices.md.
"""
from .declarations import N, DeclaredMatrix, deterministic, gaussian, identity, wigner
from .dyson import covariance_map, dyson_equations
from .equivalent import DeterministicEquivalent, deterministic_equivalent, pencils
from .expressions import NormalizedTrace, TraceDerivative, derivative, matrix_diff, parse, tr, trace_terms
from .pencil import Pencil, linearize

__all__ = ["N", "DeclaredMatrix", "gaussian", "wigner", "deterministic", "identity", "tr", "NormalizedTrace",
           "TraceDerivative", "derivative",
           "matrix_diff", "parse", "trace_terms", "Pencil", "linearize", "covariance_map", "dyson_equations",
           "DeterministicEquivalent", "deterministic_equivalent", "pencils"]
