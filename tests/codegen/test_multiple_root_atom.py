"""An atom whose position is a multiple root of the leading coefficient is counted once."""
import numpy as np
import sympy as sp

from symrmt.symbolic.laws import AlgebraicLaw

m, z, w = sp.symbols("m z w")
# law of a depth-3 linear feature covariance (widths 2, 0.8, 1.5): leading coefficient 135 z^3
P = 135 * m**4 * z**3 + 63 * m**3 * z**2 - 15 * m**2 * z + 64 * m * z - 7 * m + 64


def test_triple_root_of_the_leading_coefficient_is_one_atom():
    law = AlgebraicLaw(P, name="deep-linear-3")
    sol = law.compile()
    # independent route: with m = -w/z, the mass w = lim_{z->0} -z m(z) solves P(-w/z, z) z = 0 at z = 0
    candidates = [float(r) for r in sp.Poly(sp.expand(P.subs(m, -w / z) * z).subs(z, 0), w).real_roots()
                  if 0 < r <= 1]
    atoms = sol.atoms()
    assert len(atoms) == 1 and atoms[0][0] == 0.0
    assert min(abs(atoms[0][1] - c) for c in candidates) < 1e-8
    assert abs(atoms[0][1] - 7 / 15) < 1e-8
    cdf = sol.cdf(np.array([-1e-9, 0.0, 1e3]))
    np.testing.assert_allclose(cdf, [0.0, 7 / 15, 1.0], atol=1e-6)
