"""Modified equations and the IMDE of Runge--Kutta methods (SymPy, generated numba fields).

* :func:`tableau` / :class:`Tableau` -- exact Butcher tableaux;
* :mod:`~symrmt.odes.trees`, :mod:`~symrmt.odes.bseries` -- rooted trees, elementary weights,
  composition and substitution laws (Chartier, Hairer & Vilmart 2010);
* :func:`imde`, :func:`modified_equation` -- the fields as polynomials in the step ``h`` for a
  concrete ODE; :func:`imde_coefficients`, :func:`modified_equation_coefficients` -- tree level;
* :func:`is_symplectic`, :func:`correction_divergence` -- structure checks;
* :func:`order_conditions`, :func:`solve_order_conditions`, :func:`adjoint`, :func:`is_symmetric`,
  :func:`run` -- designing a method from symbolic coefficients, its adjoint, its numerical flow;
* :func:`multistep`, :func:`lmm_imde` -- linear multistep methods (Adams, BDF) and their IMDE
  (:func:`imde` accepts them too);
* :func:`compile_field` -- numba (project code generator) or a torch callable (printed by
  :mod:`symrmt.codegen.torch_printer`);
* :mod:`~symrmt.odes.catalogue` -- the test systems (SymPy fields and sampling boxes).

The simulation side -- neural ODEs that learn the IMDE (Zhu, Jin, Zhu & Tang, arXiv 2206.07335) --
lives in :mod:`symrmt.simulate.neural_ode`.  Conventions are stated in :mod:`symrmt.odes.bseries`.
"""
from __future__ import annotations

from . import bseries, trees
from .bseries import (composition, exact_weights, imde_coefficients, is_symplectic, method_order,
                      modified_equation_coefficients, rk_weights, substitution)
from .field_codegen import CompiledField, compile_field
from .fields import (correction_divergence, divergence, elementary_differentials,
                     field_from_coefficients, h_coefficients, imde, imde_terms, modified_equation,
                     modified_equation_terms)
from .catalogue import SYSTEM_NAMES, ODESystem, get_system
from .multistep import MULTISTEP_NAMES, LinearMultistep, lmm_imde, lmm_imde_terms, multistep
from .methods import adjoint, is_symmetric, order_conditions, run, solve_order_conditions, symmetry_order
from .tableaux import TABLEAU_NAMES, Tableau, as_tableau, ees25, ees27, tableau
from .taylor import imde_by_taylor, modified_equation_by_taylor

__all__ = [
    "Tableau", "tableau", "as_tableau", "TABLEAU_NAMES", "trees", "bseries", "rk_weights", "exact_weights",
    "composition", "substitution", "imde_coefficients", "modified_equation_coefficients",
    "method_order", "is_symplectic", "elementary_differentials", "imde", "modified_equation",
    "imde_terms", "modified_equation_terms", "field_from_coefficients", "h_coefficients",
    "divergence", "correction_divergence", "compile_field", "CompiledField", "imde_by_taylor",
    "modified_equation_by_taylor", "ODESystem", "get_system", "SYSTEM_NAMES", "order_conditions",
    "solve_order_conditions", "adjoint", "is_symmetric", "symmetry_order", "run", "ees25", "ees27",
    "LinearMultistep", "multistep", "MULTISTEP_NAMES", "lmm_imde", "lmm_imde_terms",
]
