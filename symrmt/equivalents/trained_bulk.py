"""The spectrum of a two-layer network's first layer after one large gradient step, at d → ∞,
beyond the spiked model's ``c²``·Marchenko–Pastur (Cui et al., arXiv 2402.04980; the setting of
:mod:`symrmt.equivalents.spiked`).

Write ``σ′(u) = μ1 + βu + s(u)`` (``β = E σ″``; ``s`` has no constant and no linear Hermite part).
The step ``W1 = W0 + η̃(1/n0) Σ_μ e_μ σ′(W0x_μ) x_μᵀ`` (``e`` the residual, a function of
``z = w*·x``) is then

    W1 = 1m̄ᵀ + W0(I + η̃βM) + η̃(1/n0) (e ⊙ s(W0X))ᵀ X,     M = (1/n0) Xᵀ diag(e) X:

the ``μ1`` part is the spike, the linear part multiplies ``W0`` by the batch's weighted sample
covariance (whose mean ``(μ0* − μ0)I + h2* w*w*ᵀ`` is the bulk's rescaling and the rank-one
Hermite term), and the rest reads the batch through ``s(W0X)``.  Replacing ``s(W0X)`` by
independent Gaussian noise of its variance ``v_s = Var σ′ − β²`` keeps the theory of the trained
layer (relu/tanh: +0.0029 ± 0.0010, a slow test of :mod:`symrmt.equivalents.spiked`), and the bulk

    B = W0(I + η̃βM) + η̃(1/n0) Sᵀ diag(e) X,    S i.i.d. N(0, v_s)  (n0 × p),

is a rational expression of Gaussian matrices and one deterministic diagonal (the law of ``e``,
``x`` minus its rank-one part along ``w*`` being independent of ``e``): its limit spectrum is
derived mechanically by a linear pencil and the block Dyson equation (:mod:`symrmt.matrices`).
The law of ``e`` is ``σ*(z) − μ0`` at Gauss–Hermite nodes (the network's output at
initialization is ``μ0 = E σ``).

Measured (η̃ = α0 = 2, width 1; trained layers at d = 1000, 3 draws): the Stieltjes transform of
``BBᵀ`` (p×p) at ``x + 0.05i``, x = 0.2, 0.5, 1, 2, matches to 0.5–0.6 % (relu/tanh) and 0.4–1.2 %
(relu/relu), where ``c²``·Marchenko–Pastur is off by 13–16 % and 15–21 % (a slow test).  The
generated solver (32 Dyson unknowns) compiles once, ~80 s cold on 2 cores; a solve then takes
milliseconds.  The quadratic forms of the spike and target directions (``F, H, G`` of
:func:`symrmt.equivalents.solve_one_step_given_layer`), which read ``v̂ ∝ Xᵀe`` against ``M``
built from the same batch, are derived from the same expression in
:mod:`symrmt.equivalents.trained_layer`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from .._checks import checked
from ..errors import ParameterError

__all__ = ["trained_bulk_system", "trained_bulk_stieltjes", "TRAINED_BULK_SYMBOLS"]

#: The parameters of :func:`trained_bulk_system`: the batch ratio α0, the width p/d, the linear
#: coefficient ``η̃β``, the noise amplitude ``η̃√v_s`` and the spectral parameter ``z``.
TRAINED_BULK_SYMBOLS = {"alpha0": sp.Symbol("alpha0", positive=True), "width": sp.Symbol("width", positive=True),
                        "kb": sp.Symbol("kb", real=True), "q": sp.Symbol("q", nonnegative=True),
                        "z": sp.Symbol("z")}


def _placeholder_law():
    from ..measures import joint

    return joint(np.array([[-1.0, -1.0], [0.5, 0.0], [1.0, 1.0]]), names=("e", "z"))


def _step_matrices(law: Any) -> dict:
    """The declared matrices of the step's surrogate (module docstring), reference size ``d``:
    the commuting family ``E = diag(e)``, ``Z = diag(z)`` on the joint law of ``(e, z)`` (n0×n0),
    ``W`` (p×d, variance 1/d), ``X`` (n0×d), ``S`` (n0×p), ``M = XᵀEX/n0`` and the bulk
    ``B = W(I + kb·M) + q SᵀEX/n0``."""
    from .. import matrices as mx

    a0, wd, kb, q = (TRAINED_BULK_SYMBOLS[k] for k in ("alpha0", "width", "kb", "q"))
    N = mx.N
    E = mx.deterministic("E", a0, law, coordinate="e")
    W = mx.gaussian("W", wd, 1) / sp.sqrt(N)
    X = mx.gaussian("X", a0, 1)
    S = mx.gaussian("S", a0, wd)
    M = X.T * E * X / (a0 * N)
    B = W + kb * W * M + q * S.T * E * X / (a0 * N)
    return {"E": E, "Z": mx.deterministic("Z", a0, law, coordinate="z"), "W": W, "X": X, "S": S, "M": M, "B": B}


def trained_bulk_system(residual: Any = None):
    """The System of ``m(z) = tr((BBᵀ − z)⁻¹)`` (p×p, observable ``value``) for the trained bulk
    ``B = W0(I + kb·M) + q Sᵀ diag(e) X/n0``, ``M = Xᵀdiag(e)X/n0`` (module docstring), derived
    from the matrix expression.

    Parameters
    ----------
    residual : JointMeasure, optional
        The joint law of the residual ``e`` and of ``z = w*·x`` (:func:`symrmt.measures.joint`,
        coordinates ``("e", "z")``; the spectrum reads ``e`` only); a placeholder by default —
        the generated module reads it as data (:meth:`CompiledSystem.with_measures`).

    Returns
    -------
    System
        Parameters ``alpha0, width, kb, q, z`` (:data:`TRAINED_BULK_SYMBOLS`).
    """
    from .. import matrices as mx

    wd, z = TRAINED_BULK_SYMBOLS["width"], TRAINED_BULK_SYMBOLS["z"]
    B = _step_matrices(_placeholder_law() if residual is None else residual)["B"]
    return mx.deterministic_equivalent(mx.tr((B * B.T - z * mx.identity(wd)) ** -1))


@lru_cache(maxsize=1)
def _compiled():
    return trained_bulk_system().compile()


def _residual_law(activation: Any, target: Any, nodes: int):
    """The joint law of ``(e, z)``, ``e = σ*(z) − μ0`` (the network's output at initialization is
    ``μ0 = E σ``), at ``nodes`` Gauss–Hermite nodes of z."""
    from ..measures import joint
    from ..symbolic.hermite import numpy_function
    from ..symbolic.targets import index_target
    from .spiked import spike_parameters

    tg = index_target(target)
    if tg.k != 1:
        raise ParameterError("target: the trained layer's d → ∞ laws are written for single-index targets")
    mu0 = float(spike_parameters(activation, target).constants["mu0"])
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    e = numpy_function(tg.expr, tg.variables[0])(x) - mu0
    if not np.all(np.isfinite(e)):
        raise ParameterError("target: not finite at the quadrature nodes")
    return joint(np.stack([e, x], axis=1), w / w.sum(), names=("e", "z"))


def trained_bulk_stieltjes(z: Any, eta: float, alpha0: float, width: float = 1.0, activation: Any = "tanh",
                           target: Any = "tanh", nodes: int = 40) -> np.ndarray:
    """``m(z) = lim tr((BBᵀ − z)⁻¹)`` of the trained first layer's bulk after one step (module
    docstring): the spectrum of ``W1 − 1m̄ᵀ`` at d → ∞ with the step's linear Hermite part kept
    exactly and the rest as independent noise.

    Parameters
    ----------
    z : complex array, ``Im z > 0`` (the branch of the Herglotz continuation)
    eta, alpha0 : η̃ >= 0 and α0 > 0 (scalars);  width : p/d > 0
    activation, target : σ and σ* (names or SymPy expressions; single-index target)
    nodes : Gauss–Hermite nodes of the residual's law (8..200)

    Returns
    -------
    numpy.ndarray
        Complex, the shape of ``z``; ``Im m > 0``.  The density is ``Im m(x + i0)/π``.
    """
    from .spiked import spike_parameters

    if not (isinstance(nodes, int) and not isinstance(nodes, bool) and 8 <= nodes <= 200):
        raise ParameterError(f"nodes: expected an integer in [8, 200], got {nodes!r}")
    zz = np.asarray(z, dtype=complex)
    if not np.all(np.isfinite(zz)) or np.any(zz.imag <= 0):
        raise ParameterError("z: expected finite points with Im z > 0")
    vals = {k: float(checked(k, v, r)) for k, v, r in (("eta", eta, "nonnegative"), ("alpha0", alpha0, "positive"),
                                                       ("width", width, "positive"))}
    law = _residual_law(activation, target, nodes)       # checks the target before anything compiles
    k = {n: float(v) for n, v in spike_parameters(activation, target).constants.items()}
    vs = max(k["v_prime"] - k["beta"] ** 2, 0.0)
    cs = _compiled().with_measures(law)
    res = cs.solve(z=zz, alpha0=vals["alpha0"], width=vals["width"], kb=vals["eta"] * k["beta"],
                   q=vals["eta"] * np.sqrt(vs), strict=False)
    m = np.asarray(res["value"], dtype=complex)
    if not np.all(np.asarray(res.converged)):
        from ..errors import ConvergenceError

        raise ConvergenceError(f"trained bulk: {int((~np.asarray(res.converged)).sum())} point(s) did not converge")
    return m
