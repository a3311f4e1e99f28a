"""The Wachter (MANOVA) law from free operations, verified against its random-matrix model.

Eigenvalues of ``A (A + B)^{-1}`` for independent Wishart A, B are a Möbius image of the free
product ``MP(γ₁) ⊠ MP(γ₂)^{-1}`` (Wachter 1980; Rao & Edelman 2008, arXiv math/0601389, §6).
``sr.laws.wachter`` builds it from ``free_multiply`` and ``mobius``; the simulation stage reads
that construction and draws the matching sample covariance with an inverse-Wishart population.
"""
import sympy as sp

import symrmt as sr
from symrmt.registry import from_law

law = sr.laws.wachter(ratio1=sp.Rational(1, 2), ratio2=sp.Rational(1, 4))
print("mean:", law.moments(1)[0])   # n₁/(n₁ + n₂) = 1/3 for n₁ = 2d, n₂ = 4d
report = from_law(law, name="wachter").verify(sizes=(50, 100, 200, 400), trials=4, seed=0)
print(f"verdict: {report.verdict}; KS at n = 400: {report.scaling['errors'][-1]:.4f}")
assert report.verdict == "agrees"
report.plot("wachter.png")   # histograms under the density at every size, KS against n
