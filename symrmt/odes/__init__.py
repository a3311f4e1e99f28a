"""Modified equations and the IMDE of Runge--Kutta methods (pure SymPy), with a torch check.

* :func:`tableau` / :class:`Tableau` -- exact Butcher tableaux;
* :mod:`~symrmt.odes.trees`, :mod:`~symrmt.odes.bseries` -- rooted trees, elementary weights,
  composition and substitution laws (Chartier, Hairer & Vilmart 2010);
* :func:`imde`, :func:`modified_equation` -- the fields as polynomials in the step ``h`` for a
  concrete ODE; :func:`imde_coefficients`, :func:`modified_equation_coefficients` -- tree level;
* :func:`is_symplectic`, :func:`correction_divergence` -- structure checks;
* :func:`compile_field` -- numba (project code generator) or torch;
* :mod:`~symrmt.odes.neural` -- neural ODEs learn the IMDE (Zhu, Jin, Zhu & Tang, arXiv 2206.07335).

Conventions are stated in :mod:`symrmt.odes.bseries`.  torch is imported only inside functions.
"""
from __future__ import annotations

from . import bseries, trees
from .bseries import (composition, exact_weights, imde_coefficients, is_symplectic, method_order,
                      modified_equation_coefficients, rk_weights, substitution)
from .compile import CompiledField, compile_field
from .fields import (correction_divergence, divergence, elementary_differentials,
                     field_from_coefficients, h_coefficients, imde, imde_terms, modified_equation,
                     modified_equation_terms)
from .systems import SYSTEM_NAMES, ODESystem, get_system
from .tableaux import TABLEAU_NAMES, Tableau, tableau
from .taylor import imde_by_taylor, modified_equation_by_taylor

__all__ = [
    "Tableau", "tableau", "TABLEAU_NAMES", "trees", "bseries", "rk_weights", "exact_weights",
    "composition", "substitution", "imde_coefficients", "modified_equation_coefficients",
    "method_order", "is_symplectic", "elementary_differentials", "imde", "modified_equation",
    "imde_terms", "modified_equation_terms", "field_from_coefficients", "h_coefficients",
    "divergence", "correction_divergence", "compile_field", "CompiledField", "imde_by_taylor",
    "modified_equation_by_taylor", "ODESystem", "get_system", "SYSTEM_NAMES",
]
