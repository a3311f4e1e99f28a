"""The reserved SymPy symbols of symrmt's transforms.

Conventions (docs/architecture.md):

* ``m`` -- Stieltjes transform value, m(z) = ∫ ρ(x) / (x - z) dx;
* ``z`` -- spectral variable (Im z > 0 on the physical sheet);
* ``w`` -- argument of the R-transform, G(R(w) + 1/w) = w with G = -m;
* ``u`` -- argument of the S-transform (Voiculescu), S(u) = χ(u)(1 + u)/u;
* ``R``, ``S`` -- values of the R- and S-transforms in implicit polynomials.

User parameters must not reuse these names.
"""
from __future__ import annotations

import sympy as sp

m, z, w, u = sp.symbols("m z w u")
R, S = sp.symbols("R S")

RESERVED = frozenset({"m", "z", "w", "u", "R", "S"})
