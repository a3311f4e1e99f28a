"""Populations as data: empirical, power-law and law-backed measures (arrays at run time).

A :class:`Measure` is a probability measure on the real line held as arrays of points and
weights -- the eigenvalues of a data covariance (:func:`empirical`), the spectrum
``scale·k^-exponent`` (:func:`power_law`), or an AlgebraicLaw's density by quadrature
(:func:`from_law`).  It enters a :class:`~symrmt.symbolic.system.System` through
:func:`expect`, which the code generator compiles as a loop over the atoms with the arrays as
run-time inputs: the measure's size enters neither the symbolic work nor the compile time.
:func:`sample_covariance` is Silverstein's equation for any population measure, as a compiled
System law (Stieltjes transform, density on the real axis, support, cdf).  A
:func:`joint` measure holds atoms in ``R^k`` (e.g. an eigenvalue with the target's weight on its
eigenvector) for expectations of several coupled coordinates, ``expect(expr, (x, y), mu)``.
:func:`fit_law` fits an AlgebraicLaw to eigenvalues (:mod:`.fit`, with :func:`check_law`), and
:mod:`.estimators` estimates a large matrix's trace functionals, log-determinant, edges and
condition number from its law.

Conventions: docs/architecture.md (``m(z) = ∫ ρ(x)/(x − z) dx``, Herglotz).
"""
from . import estimators
from .convert import as_measure, expect
from .fit import LawCheck, LawFit, check_law, fit_law
from .law_measure import from_law
from .joint import JointMeasure, joint
from .measure import Measure, empirical, power_law
from .silverstein import CompiledSampleCovariance, SampleCovariance, sample_covariance

__all__ = ["Measure", "JointMeasure", "empirical", "power_law", "joint", "from_law", "as_measure", "expect", "sample_covariance",
           "SampleCovariance", "CompiledSampleCovariance", "fit_law", "check_law", "LawFit", "LawCheck",
           "estimators"]
