"""Source templates of the generated solver modules (numpy + numba only).

A generated module is self-contained: it imports only ``math``, ``cmath``, ``numpy`` and
``numba``, so the same text is what :func:`symrmt.codegen.standalone_source` hands out.

Algorithms
----------
*Laws* (one polynomial equation ``P(m, z) = 0``, Stieltjes convention ``m(z) = ∫ρ(x)/(x - z)dx``):
the physical root is followed by predictor-corrector continuation.  A cold start solves at
``z* = x + iY`` with ``Y`` large (grown until ``|z* m + 1| < 0.05``, i.e. ``m ≈ -1/z``), then walks
down to the requested ``Im z``.  Each step has length at most ``ρ/(1+ρ) Im z`` (the physical branch is
analytic in ℂ⁺, so its radius of convergence there is at least ``Im z``), uses the Euler predictor
``dm/dz = -P_z/P_m`` and Newton's corrector, and is accepted only if Newton converges in a few
iterations, the correction is at most half the predicted move, and ``Im m > 0`` (Herglotz).  A
rejected step divides ``ρ`` by 4; accepted easy steps double it (up to 2).  Consecutive points
with equal parameters and close ``z`` (``|Δz| ≤ Im z / 2``) are joined by the same tracking along
the segment (warm start).  For real ``z = x`` the root is tracked down to ``x + iη₀S`` (``η₀``
tiny, ``S`` the law's standard deviation) and polished by Newton on the real axis, giving the limit
from above ``m(x + i0)`` (the height is lowered further near a hard edge or an atom); a pole of the
physical branch (an atom) is reported as ``complex(0, +inf)``.  No tolerance is absolute: lengths
are relative to ``S``, Newton stops on a relative step or at the rounding floor of ``P`` (a multiple
of ``eps Σ |terms|``, the generated ``_pabs``), so a law scaled by ``s`` is solved by the same
steps.  A root whose attainable error in double precision (rounding floor over ``|P_m|``, or its
square root over ``|P_mm|`` at a double root) exceeds ``1e-3 |m|`` is reported as not converged.

*Systems* ``F(u; p) = 0``: damped Newton with the analytic Jacobian and per-unknown domain rules
(a step is halved until it keeps every rule and decreases the weighted residual
``max_a w_a |F_a|``; trial points evaluate the residual alone, ``_f``, not the Jacobian).  The
weights ``w_a = 1/(1 + Σ_b |∂F_a/∂u_b| |u_b|)`` (from the Jacobian at the current iterate) make
the residual test relative to the scale of each equation's terms: a point has converged when the
relative residual is at most ``ftol`` and the last step at most ``tol · max(1, max |u|)``.  Warm
starts along the flattened grid, from the secant prediction ``u[i-1] + t (u[i-1] - u[i-2])`` when
the parameter step is (nearly) ``t`` times the previous one -- kept only if Newton's correction
is at most half the predicted move, else the plain warm start from ``u[i-1]``; with a spectral
parameter ``z`` the cold start is the same vertical continuation from ``Im z = Y`` down, every
stage a damped Newton solve, and a real ``z = x`` is reached as the limit from above: the path
ends at ``x + iη₀(1 + |x|)`` (``η₀ = 1e-10``) and Newton on the real axis (with ``Im u ≥ 0`` for
``"upper"`` unknowns) polishes from there.  Points that did not converge, or where an
observable is NaN, are flagged and NaN in every unknown and observable.

*Expectations* (``sr.expect``, :mod:`symrmt.symbolic.expect`): the residual, Jacobian and
observables of a System with expectations call loops over run-time measure arrays
``ms = (points, weights, offsets)`` (one loop per measure, see
:func:`symrmt.codegen.printer.emit_expect_function`); the line search then evaluates residual and
Jacobian together (``_TRIAL_FJ``: both come from one loop), and consecutive real spectral points
strictly inside the support are warm-started along the real axis (``_REAL_WARM``).  For laws,
consecutive real points strictly inside the support are likewise joined by an Euler predictor
and a Newton corrector along the axis (kept only if the correction is at most half the
predicted move), instead of a cold start each.

Compile cost
------------
Only the entry points (``stieltjes_kernel``, ``solve_kernel``, which also evaluates the
observables) are ``cache=True``; the functions they call are compiled once, as part of them, without CPython or
cfunc wrappers (template helpers and the generated functions of a System) and with one
specialization each (iteration limits are int64 values, not literals; no ``min``/``max``/
``np.empty`` overloads inside the kernels: work arrays come from the Python wrappers; ``_rnorm``
gets a second one, for ``_f``'s shorter tuple, only in a System without expectations).  With
expectations, the line search reuses ``_fj``, so ``_f`` is never compiled.  The domain rules
(``_admissible``) are straight-line code generated from the unknowns' domains
(:func:`admissible_source`).  A System without a spectral parameter whose unknowns are all of a
real domain and whose equations are rational with real coefficients gets the *real variant*
(``_REAL = 1``): the same kernels on float64 arrays, the generated functions in real arithmetic,
so that no complex operation is compiled at all; complex parameter values go to the complex
variant, a second module generated only when they occur.
"""
from __future__ import annotations

from string import Template

__all__ = ["HEADER", "INNER", "EXPR", "LOOP", "LAW_KERNELS", "LAW_WRAPPERS", "SYSTEM_KERNELS", "SYSTEM_WRAPPERS",
           "admissible_source", "render"]

# Decorators of the functions a kernel calls.  Only the entry points (the kernels) are
# ``cache=True``: numba stores each with its callees linked in, so caching the callees too would
# only add object-code emission and files at generation time.  Functions called from compiled
# code only get no CPython or cfunc wrapper (INNER: template helpers and every generated function
# of a System, whose self-check runs the interpreted twin of the source); EXPR keeps the CPython
# wrapper for the generated law functions that the law runtime calls from Python (_pm, _pmm,
# _moments2).
INNER = "@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)"
EXPR = "@njit(no_cfunc_wrapper=True)"
# the loops over a measure's atoms: sums may be reassociated (vectorized); no assumption that
# values are finite (NaN and inf keep their meaning); a division by zero gives inf or NaN (numpy's
# error model: no exception branch in the loop, which would keep LLVM from vectorizing it)
LOOP = ('@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True, fastmath={"reassoc", "contract", "arcp", "nsz"}, '
        'error_model="numpy")')

HEADER = '''"""Generated by symrmt $version: $title.

Needs only numpy and numba.  $convention
"""
import cmath
import math

import numpy as np
from numba import njit

META = $meta


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _re(x):
    return x.real


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _im(x):
    return x.imag


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _conj(x):
    return x.conjugate()

'''

LAW_KERNELS = '''
_RHO_MAX = 2.0
# iteration limits as int64 values, not literals: numba would compile one specialization of
# _newton per literal argument
_IT_TRACK = np.int64(8)
_IT_COLD = np.int64(40)
_IT_REAL = np.int64(100)
# |P| below _FLOOR * sum |terms| is rounding error: Newton stops there
_FLOOR = 64.0 * 2.220446049250313e-16
# a root whose attainable error (_error_bound) exceeds _EST_MAX |m| is reported as not converged
_EST_MAX = 1e-3
# real axis: Im m > _INSIDE |m| is strictly inside the support (warm starts along the axis)
_INSIDE = 1e-8


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _scale(pv):
    \"\"\"The law's length scale: its standard deviation (else |mean|, else 1), always > 0.\"\"\"
    r = _moments2(pv)
    v = r[0].real
    if v > 0.0 and v < math.inf:
        return math.sqrt(v)
    a = abs(r[1].real)
    if a > 0.0 and a < math.inf:
        return a
    return 1.0


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _newton(m, z, pv, maxit, tol):
    \"\"\"Newton on P(., z) from m: (root, iterations, converged, attainable error).

    Converged when the step is below tol relative to |m|, or when |P(m)| has reached the level
    of its own rounding error (_FLOOR times the sum of the absolute values of its terms, _pabs)
    and the following steps (at most 3) no longer decrease it: the iterate with the smallest
    |P| is returned.  The last value is the size of the last step, or at the rounding floor the
    attainable error |P| / |P_m| of the root.  No absolute tolerance: the same iterations at
    every scale of z and m.
    \"\"\"
    step = 0.0
    best = m
    bestp = math.inf
    besterr = 0.0
    extra = 0
    for it in range(1, maxit + 1):
        p, pm, pz = _pm(m, z, pv)
        ap = abs(p)
        if extra > 0 and not (ap < bestp):
            return best, it, True, besterr
        # the rounding floor costs as much as P: needed only once the steps are small (or late)
        if step <= 1e-3 * abs(m) or it > 8:
            floor = _FLOOR * _pabs(abs(m), abs(z), pv)[0]
        else:
            floor = 0.0
        if ap < bestp:
            best = m
            bestp = ap
            besterr = (floor if floor > ap else ap) / abs(pm) if pm != 0.0 else 0.0
        if ap <= floor or extra > 0:
            extra += 1
            if pm == 0.0 or extra > 3:
                return best, it, True, besterr
        elif pm == 0.0:
            return m, it, False, ap
        d = p / pm
        m = m - d
        step = abs(d)
        if not (step == step):
            if extra > 0:
                return best, it, True, besterr
            return m, it, False, step
        if step <= tol * abs(m):
            return m, it, True, step
    if extra > 0:
        return best, maxit, True, besterr
    return m, maxit, False, step


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _track(m, za, zb, pv, tol):
    \"\"\"Follow the root m(za) to zb along the segment (in C+), keeping Im m > 0 at every step.\"\"\"
    length = abs(zb - za)
    if length == 0.0:
        return m, True, 0
    s = 0.0
    rho = 0.5
    its = 0
    zc = za
    for _ in range(100000):
        if s >= 1.0:
            return m, True, its
        h = rho / (1.0 + rho) * zc.imag / length
        if s + h >= 1.0:
            h = 1.0 - s
            zn = zb
        else:
            zn = za + (s + h) * (zb - za)
        p, pm, pz = _pm(m, zc, pv)
        if pm == 0.0:
            return m, False, its
        mp = m - pz / pm * (zn - zc)
        mn, it, ok, last = _newton(mp, zn, pv, _IT_TRACK, tol)
        its += it
        # the corrector stays within half the predicted move (plus the attainable error), and
        # Im m > 0 (Herglotz) up to that error (in a gap, near the axis, Im m is below it)
        if ok and mn.imag > -8.0 * last and abs(mn - mp) <= 0.5 * abs(mp - m) + 1e3 * tol * abs(m) + 8.0 * last:
            m = mn
            zc = zn
            s = s + h
            if it <= 3:
                rho = 2.0 * rho if 2.0 * rho < _RHO_MAX else _RHO_MAX
        else:
            rho *= 0.25
            if rho < 1e-9:
                return m, False, its
    return m, False, its


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _point(z, pv, tol, eta0):
    \"\"\"Physical root at one point; real z gives the limit from above m(x + i0).

    Lengths are relative to the law's scale S = _scale(pv) (its standard deviation), so that a
    law scaled by s is solved by the same steps.  Cold start: the root at z* = x + iY,
    Y = 32 (S + |x|) (grown until m ~ -1/z*), continued down to z -- or, for real z, to
    x + i eta0 S, then polished by Newton on the real axis.  The polished root is kept only if it
    is the continuation of the tracked one (within 1 %, or 1e-9/S at a cusp); otherwise (x within ~eta0 S of an edge,
    e.g. a hard edge where m ~ (x - a)^(-1/2), or of an atom) the height is divided by 1e4 and
    the tracking continues, down to 1e-38 S.  At a (near-)double root, where Newton on P only
    reaches sqrt(eps), m is refined by Newton on dP/dm and kept only if |P| does not increase.
    An atom (a pole: eta |m(x + i eta)| stays of order its mass) gives complex(0, +inf).
    \"\"\"
    S = _scale(pv)
    if z.imag > 0.0:
        zf = z
    else:
        zf = complex(z.real, eta0 * S)
    # --- cold start at zf
    y = 32.0 * (S + abs(zf.real))
    its = 0
    mf = -1.0 / zf
    ok = False
    for _ in range(40):
        zs = complex(zf.real, y if y > zf.imag else zf.imag)
        mf, it, conv, last = _newton(-1.0 / zs, zs, pv, _IT_COLD, tol)
        its += it
        if conv and mf.imag > 0.0 and abs(zs * mf + 1.0) < 0.05:
            if zs.imag == zf.imag:
                ok = True
            else:
                mf, ok, it2 = _track(mf, zs, zf, pv, tol)
                its += it2
            break
        y *= 4.0
    if z.imag > 0.0 or not ok:
        return mf, ok, its
    # --- real axis: Newton from the point just above (lowered until the root is its limit)
    for attempt in range(8):
        m, it, conv, last = _newton(mf, z, pv, _IT_REAL, tol)
        its += it
        if not conv and abs(mf) * S <= 1e-10:
            # m(x) = 0 at a multiple root (a cusp of a symmetric law): Newton's relative step does
            # not shrink there, and the tracked value itself is within 1e-10/S of the limit
            return mf, True, its
        # the continuation of the tracked root: within 1 %, or within 1e-9/S absolutely (a cusp,
        # where m(x + i eta) -> m(x) = 0 like eta^(1/3))
        if conv and abs(m - mf) <= 1e-2 * abs(mf) + 1e-9 / S:
            pm, pmm = _pmm(m, z, pv)
            if pmm != 0.0 and abs(pm) <= 1e-6 * abs(pmm) * abs(m):
                m2 = m
                good = True
                for _ in range(3):
                    pm, pmm = _pmm(m2, z, pv)
                    if pmm == 0.0:
                        good = False
                        break
                    m2 = m2 - pm / pmm
                if good:
                    p1, a, b = _pm(m, z, pv)
                    p2, a, b = _pm(m2, z, pv)
                    if abs(p2) <= abs(p1) and abs(m2 - m) <= 1e-6 * abs(m):
                        m = m2
            if m.imag < 1e-13 * abs(m):  # a real root (outside the support) or round-off
                m = complex(m.real, 0.0)
            elif m.imag <= 8.0 * last:
                # Im m within the attainable error: a real root there means x is outside the
                # support (Newton in real arithmetic from Re m, kept if it stays that close)
                mr, itr, convr, lastr = _newton(complex(m.real, 0.0), z, pv, _IT_TRACK, tol)
                its += itr
                if convr and mr.imag == 0.0 and abs(mr - m) <= 8.0 * (last + lastr) + 1e-13 * abs(m):
                    m = mr
            return m, True, its
        zn = complex(z.real, zf.imag * 1e-4)
        mn, ok, it2 = _track(mf, zf, zn, pv, tol)
        its += it2
        if not ok:
            break
        mf = mn
        zf = zn
    if abs(mf) * zf.imag > 1e-4:
        return complex(0.0, math.inf), True, its
    return mf, False, its


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _error_bound(m, z, pv, pm):
    \"\"\"Attainable error of the root m of P(., z) in double precision (pessimistic).

    The rounding floor f of P moves a simple root by f/|P_m| and a double one by
    sqrt(2 f/|P_mm|); the smaller of the two.  Large when several branches meet within it
    (e.g. near the pole at 0 of a Silverstein law with c > 1, where the polynomial in m is
    too ill-conditioned for double precision).
    \"\"\"
    floor = _FLOOR * _pabs(abs(m), abs(z), pv)[0]
    e1 = floor / abs(pm) if pm != 0.0 else math.inf
    if e1 <= 1e-8 * abs(m):
        return e1  # a well-separated root: the double-root bound is not needed
    pm2, pmm = _pmm(m, z, pv)
    e2 = math.sqrt(2.0 * floor / abs(pmm)) if pmm != 0.0 else math.inf
    return e1 if e1 < e2 else e2


@njit(cache=True)
def stieltjes_kernel(zs, params, out, conv, resid, errs, iters, tol, eta0):
    \"\"\"Physical branch at every zs[i] (Im zs[i] >= 0) with parameters params[i, :].

    errs[i] is the attainable error of out[i] in double precision (see _error_bound).
    \"\"\"
    n = zs.shape[0]
    for i in range(n):
        z = zs[i]
        pv = $pack  # parameters as a tuple: no array views (reference counting) in the hot loop
        done = False
        m = 0j
        ok = False
        its = 0
        if i > 0 and conv[i - 1] and z.imag > 0.0 and zs[i - 1].imag > 0.0:
            zp = zs[i - 1]
            same = True
            for j in range(params.shape[1]):
                if params[i, j] != params[i - 1, j]:
                    same = False
                    break
            lim = z.imag if z.imag < zp.imag else zp.imag
            if same and abs(z - zp) <= 0.5 * lim:
                m, ok, its = _track(out[i - 1], zp, z, pv, tol)
                done = ok
        elif i > 0 and conv[i - 1] and z.imag == 0.0 and zs[i - 1].imag == 0.0:
            # real axis, strictly inside the support at the previous point: Euler predictor and
            # Newton corrector along the axis, kept only if it stays strictly inside and the
            # correction is at most half the predicted move (else the cold path below)
            zp = zs[i - 1]
            mprev = out[i - 1]
            same = True
            for j in range(params.shape[1]):
                if params[i, j] != params[i - 1, j]:
                    same = False
                    break
            if same and mprev.imag > _INSIDE * abs(mprev) and math.isfinite(mprev.imag):
                p, pm, pz = _pm(mprev, zp, pv)
                if pm != 0.0:
                    mp = mprev - pz / pm * (z - zp)
                    mn, it, okn, last = _newton(mp, z, pv, _IT_TRACK, tol)
                    its += it
                    if (okn and mn.imag > _INSIDE * abs(mn)
                            and abs(mn - mp) <= 0.5 * abs(mp - mprev) + 1e3 * tol * abs(mn) + 8.0 * last):
                        m = mn
                        ok = True
                        done = True
        if not done:
            m, ok, its2 = _point(z, pv, tol, eta0)
            its += its2
        out[i] = m
        iters[i] = its
        if math.isfinite(m.real) and math.isfinite(m.imag):
            p, pm, pz = _pm(m, z, pv)
            resid[i] = abs(p)
            eb = _error_bound(m, z, pv, pm)
            errs[i] = eb
            if ok and eb > _EST_MAX * abs(m):
                ok = False  # the root is too ill-conditioned to be trusted in double precision
        else:
            resid[i] = 0.0
            errs[i] = math.inf
        conv[i] = ok

'''

LAW_WRAPPERS = '''

def _broadcast_law(z, params):
    names = META["parameters"]
    missing = [k for k in names if k not in params]
    extra = [k for k in params if k not in names]
    if missing or extra:
        raise ValueError("parameters: expected exactly %s; missing %s, unknown %s" % (names, missing, extra))
    arrs = np.broadcast_arrays(np.asarray(z, dtype=np.complex128),
                               *[np.asarray(params[k], dtype=np.float64) for k in names])
    shape = arrs[0].shape
    zf = np.ascontiguousarray(arrs[0].ravel())
    pv = np.empty((zf.shape[0], len(names)), dtype=np.float64)
    for j, a in enumerate(arrs[1:]):
        pv[:, j] = a.ravel()
    return shape, zf, pv


def stieltjes_full(z, tol_=1e-14, eta0_=1e-10, **params):
    """Physical Stieltjes transform m(z) and per-point report (converged, residual, iterations).

    Convention m(z) = int rho(x) / (x - z) dx; Im z >= 0 (real z: the limit from above).
    """
    shape, zf, pv = _broadcast_law(z, params)
    if np.any(zf.imag < 0):
        raise ValueError("z: need Im z >= 0 (the upper half-plane or the real axis)")
    n = zf.shape[0]
    out = np.empty(n, np.complex128)
    conv = np.zeros(n, np.bool_)
    res = np.empty(n, np.float64)
    errs = np.empty(n, np.float64)
    its = np.zeros(n, np.int64)
    stieltjes_kernel(zf, pv, out, conv, res, errs, its, tol_, eta0_)
    return out.reshape(shape), conv.reshape(shape), res.reshape(shape), its.reshape(shape)


def stieltjes(z, **params):
    """Physical Stieltjes transform; NaN where the solver did not converge."""
    m, conv, res, its = stieltjes_full(z, **params)
    return np.where(conv, m, np.nan + 0j)


def density(x, **params):
    """Density Im m(x + i0) / pi on real points x (+inf at an atom)."""
    return stieltjes(np.asarray(x, dtype=np.float64) + 0j, **params).imag / np.pi
'''

SYSTEM_KERNELS = '''
_NU = $nu
_DOMAINS = np.array($domains, dtype=np.int64)
_SPECTRAL = $spectral
_IT_STAGE = np.int64(12)  # an int64 value, not a literal (one compiled specialization of _newton)
_ETA0 = 1e-10  # real spectral z = x: the continuation ends at x + i _ETA0 (1 + |x|)
# 1: a real spectral point is warm-started from the previous real one when both lie strictly
# inside the support (every "upper" unknown has Im u > _IM_INSIDE (1 + |u|) there and here)
_REAL_WARM = $real_warm
# 1: the line search evaluates residual and Jacobian together at trial points (a System with
# expectations, where both come from one loop over the atoms); 0: the residual alone
_TRIAL_FJ = $real_warm
_IM_INSIDE = 1e-8
# 1: the real variant (real unknowns, parameters and equations): every array is float64
_REAL = $real


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _rnorm(r, w):
    \"\"\"max_a w[a] |r[a]| over the residual part of r (the first _NU entries); inf if one is NaN.\"\"\"
    s = 0.0
    for a in range(_NU):
        v = w[a] * abs(r[a])
        if not (v <= s):
            if v != v:
                return math.inf
            s = v
    return s


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _fnorm(u, pv, ms, w):
    \"\"\"max_a w[a] |F_a(u)| (the residual only, weighted); inf if a residual is NaN.\"\"\"
    return _rnorm(_f(u, pv, ms), w)


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _weights(r, u, w):
    \"\"\"Residual weights w[a] = 1 / (1 + sum_b |dF_a/du_b| |u_b|) from the Jacobian in r (in place).

    The denominator is the size of F_a's round-off at u: weighting by it makes the residual test
    relative to the scale of each equation's terms (a residual of 1e-10 at unknowns of size 1e6
    is round-off, not a failure).
    \"\"\"
    n = _NU
    for a in range(n):
        s = 0.0
        for b in range(n):
            s += abs(r[n + a * n + b]) * abs(u[b])
        w[a] = 1.0 / (1.0 + s) if math.isfinite(s) else 1.0


$admissible

@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, w, closed):
    \"\"\"Damped Newton in place: (converged, iterations, relative residual).

    The relative residual is max_a w[a] |F_a(u)| with w[a] = 1 / (1 + sum_b |dF_a/du_b| |u_b|)
    (see _weights; recomputed at every iterate); converged means relative residual <= ftol and
    a last step <= tol max(1, max |u|).  f, jac (flat, row-major), du, un, w: work arrays.  The
    linear system is solved by Gaussian elimination with partial pivoting; the line search
    evaluates the residual only.  closed: see _admissible.
    \"\"\"
    n = _NU
    if not _admissible(u, closed):
        return False, 0, math.inf
    if maxit < 1:
        r = _fj(u, pv, ms)
        _weights(r, u, w)
        norm = _rnorm(r, w)  # from the residual part of _fj: _f is compiled only if _TRIAL_FJ is 0
        if not math.isfinite(norm):
            return False, 0, math.inf
        return norm <= ftol, maxit, norm
    norm = math.inf
    r = _fj(u, pv, ms)
    for it in range(1, maxit + 1):
        if it > 1 and not _TRIAL_FJ:
            r = _fj(u, pv, ms)
        _weights(r, u, w)
        # weighted max |F(u)| from the residual part of _fj (no separate evaluation)
        norm = _rnorm(r, w)
        if not math.isfinite(norm):
            return False, it - 1, math.inf
        for a in range(n):
            f[a] = -r[a]
        for a in range(n * n):
            jac[a] = r[n + a]
        # --- solve jac du = f (jac and f are overwritten); one unknown: a division (_NU is a
        # constant: numba compiles the branch taken only)
        if _NU == 1:
            if not (abs(jac[0]) > 0.0):
                return norm <= ftol, it, norm
            du[0] = f[0] / jac[0]
        else:
            singular = False
            for k in range(n):
                piv = k
                best = abs(jac[k * n + k])
                for q in range(k + 1, n):
                    if abs(jac[q * n + k]) > best:
                        best = abs(jac[q * n + k])
                        piv = q
                if not (best > 0.0):
                    singular = True
                    break
                if piv != k:
                    for c in range(n):
                        t = jac[k * n + c]
                        jac[k * n + c] = jac[piv * n + c]
                        jac[piv * n + c] = t
                    t = f[k]
                    f[k] = f[piv]
                    f[piv] = t
                for q in range(k + 1, n):
                    fac = jac[q * n + k] / jac[k * n + k]
                    for c in range(k, n):
                        jac[q * n + c] -= fac * jac[k * n + c]
                    f[q] -= fac * f[k]
            if singular:
                return norm <= ftol, it, norm
            for k in range(n - 1, -1, -1):
                s = f[k]
                for c in range(k + 1, n):
                    s -= jac[k * n + c] * du[c]
                du[k] = s / jac[k * n + k]
        # --- backtracking line search on max |F|
        lam = 1.0
        accepted = False
        nn = norm
        while lam > 1e-12:
            for a in range(n):
                un[a] = u[a] + lam * du[a]
            if _admissible(un, closed):
                if _TRIAL_FJ:
                    # the residual and Jacobian together at the trial point (one loop over the
                    # measures' atoms), kept for the next iteration when the step is accepted
                    r = _fj(un, pv, ms)
                    nn = _rnorm(r, w)
                else:
                    nn = _fnorm(un, pv, ms, w)
                if nn <= (1.0 - 1e-4 * lam) * norm or nn <= ftol:
                    accepted = True
                    break
            lam *= 0.5
        if not accepted:
            return norm <= ftol, it, norm
        size = 0.0
        scale = 1.0
        for a in range(n):
            v = abs(un[a] - u[a])
            if v > size:
                size = v
            v = abs(un[a])
            if v > scale:
                scale = v
            u[a] = un[a]
        norm = nn
        if norm <= ftol and size <= tol * scale:
            return True, it, norm
        if norm == 0.0:
            return True, it, norm
    return norm <= ftol, maxit, norm


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _spectral_cold(u, pv, ms, q, keep, maxit, tol, ftol, f, jac, du, un, w):
    \"\"\"Vertical continuation in the spectral parameter from Im z = Y down to its value.

    For a real z = x the path ends at x + i _ETA0 (1 + |x|); Newton on the real axis from there
    (rule Im u >= 0 for "upper" unknowns) gives the limit from above u(x + i0), kept only if it
    converges within 1e-2 (1 + |u|) of the point above; an imaginary part of an "upper" unknown
    below 1e-13 (1 + |u|) is then round-off (a point outside the support) and set to 0.
    \"\"\"
    k = _SPECTRAL
    z = pv[k]
    target = z.imag if z.imag > 0.0 else _ETA0 * (1.0 + abs(z.real))
    for j in range(pv.shape[0]):
        q[j] = pv[j]
    y = 32.0 * (1.0 + abs(z.real))
    its = 0
    ok = False
    nrm = math.inf
    for _ in range(30):
        q[k] = complex(z.real, y if y > target else target)
        r = _init(q)
        for a in range(_NU):
            u[a] = r[a]
        ok, it, nrm = _newton(u, q, ms, maxit, tol, ftol, f, jac, du, un, w, False)
        its += it
        if ok:
            break
        y *= 4.0
    if not ok:
        return False, its, math.inf
    eta = q[k].imag
    rho = 0.5
    while eta > target:
        eta_new = eta * (1.0 - rho)
        if not (eta_new > target):
            eta_new = target
        q[k] = complex(z.real, eta_new)
        for a in range(_NU):
            keep[a] = u[a]
        ok, it, nrm = _newton(u, q, ms, _IT_STAGE, tol, ftol, f, jac, du, un, w, False)
        its += it
        if ok:
            eta = eta_new
            if it <= 4:
                rho = 2.0 * rho if 2.0 * rho < 0.7 else 0.7
        else:
            for a in range(_NU):
                u[a] = keep[a]
            rho *= 0.25
            if rho < 1e-9:
                return False, its, nrm
    if z.imag > 0.0:
        return True, its, nrm
    # --- real axis: Newton at z itself from the point just above
    for a in range(_NU):
        keep[a] = u[a]
    ok, it, nrm = _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, w, True)
    its += it
    dev = 0.0
    mag = 1.0
    for a in range(_NU):
        v = abs(u[a] - keep[a])
        if not (v <= dev):
            dev = v
        v = abs(keep[a])
        if v > mag:
            mag = v
    if not (ok and dev <= 1e-2 * mag):
        return False, its, nrm
    for a in range(_NU):
        if _DOMAINS[a] == 1 and u[a].imag < 1e-13 * (1.0 + abs(u[a])):
            u[a] = complex(u[a].real, 0.0)
    return True, its, nrm


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _inside(u):
    """Whether every "upper" unknown is strictly inside C+ (Im u > _IM_INSIDE (1 + |u|))."""
    for a in range(_NU):
        if _DOMAINS[a] == 1 and not (u[a].imag > _IM_INSIDE * (1.0 + abs(u[a]))):
            return False
    return True


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _real_warm(u, pv, ms, out, i, maxit, tol, ftol, f, jac, du, un, w, keep, params, conv):
    """Newton at the real spectral point i from the solution at the real point i - 1.

    Used only when the previous solution is strictly inside the support (_inside) and kept only
    if the new one is too, within half the size of the previous one: on the real axis inside the
    support the solution with Im u > 0 is the unique limit from above (a measure-defined
    Stieltjes equation), so no continuation in Im z is needed there.  The start is the secant
    prediction from the points i - 2 and i - 1 when both are real and inside, else u[i - 1].
    """
    for a in range(_NU):
        keep[a] = out[i - 1, a]
        u[a] = keep[a]
    if not _inside(u):
        return False, 0, math.inf
    if i > 1 and conv[i - 2] and params[i - 2, _SPECTRAL].imag == 0.0:
        same = True
        for j in range(params.shape[1]):
            if j != _SPECTRAL and params[i - 2, j] != params[i - 1, j]:
                same = False
        d0 = params[i - 1, _SPECTRAL].real - params[i - 2, _SPECTRAL].real
        d1 = pv[_SPECTRAL].real - params[i - 1, _SPECTRAL].real
        if same and d0 != 0.0 and d1 / d0 > 0.0 and d1 / d0 <= 4.0:
            t = d1 / d0
            for a in range(_NU):
                un[a] = keep[a] + t * (keep[a] - out[i - 2, a])
            if _inside(un):
                for a in range(_NU):
                    u[a] = un[a]
    ok, its, nrm = _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, w, True)
    if not (ok and _inside(u)):
        return False, its, math.inf
    dev = 0.0
    mag = 0.0
    for a in range(_NU):
        v = abs(u[a] - keep[a])
        if v > dev:
            dev = v
        v = abs(keep[a])
        if v > mag:
            mag = v
    return dev <= 0.5 * mag, its, nrm


@njit(cache=True)
def solve_kernel(params, out, conv, resid, iters, maxit, tol, ftol, work, wts, ms, obs):
    \"\"\"Solve at every params[i, :]; warm start from the previous converged point.

    The observables of a converged point are written to obs[i, :] (the others are left as they
    are: NaN from the wrapper), in the same kernel (no second entry point to compile).
    work: scratch of length 5 _NU + _NU**2 + params.shape[1] (complex, float in the real
    variant), wts: float scratch of length _NU (no allocation here).
    \"\"\"
    n = params.shape[0]
    nu = _NU
    u = work[0:nu]
    f = work[nu:2 * nu]
    du = work[2 * nu:3 * nu]
    un = work[3 * nu:4 * nu]
    keep = work[4 * nu:5 * nu]
    jac = work[5 * nu:5 * nu + nu * nu]
    q = work[5 * nu + nu * nu:]
    for i in range(n):
        pv = params[i]
        ok = False
        its = 0
        nrm = math.inf
        if i > 0 and conv[i - 1]:
            warm = True
            if _SPECTRAL >= 0:
                z = pv[_SPECTRAL]
                zp = params[i - 1, _SPECTRAL]
                for j in range(pv.shape[0]):
                    if j != _SPECTRAL and pv[j] != params[i - 1, j]:
                        warm = False
                if _REAL_WARM and warm and z.imag == 0.0 and zp.imag == 0.0:
                    ok, its, nrm = _real_warm(u, pv, ms, out, i, maxit, tol, ftol, f, jac, du, un, wts, keep,
                                              params, conv)
                lim = z.imag if z.imag < zp.imag else zp.imag
                if not (lim > 0.0 and abs(z - zp) <= 0.5 * lim):  # real z: the cold path (or the above)
                    warm = False
            if warm and not ok:
                # secant predictor: when this parameter step is (nearly) t times the previous one,
                # start from u[i-1] + t (u[i-1] - u[i-2]) and keep the result only if Newton's
                # correction is at most half the predicted move; otherwise (or when it fails)
                # the plain warm start from u[i-1]
                t = 0.0
                if i > 1 and conv[i - 2]:
                    num = 0.0
                    den = 0.0
                    d1sq = 0.0
                    for j in range(pv.shape[0]):
                        d1 = pv[j] - params[i - 1, j]
                        d0 = params[i - 1, j] - params[i - 2, j]
                        num += d1.real * d0.real + d1.imag * d0.imag
                        den += d0.real * d0.real + d0.imag * d0.imag
                        d1sq += d1.real * d1.real + d1.imag * d1.imag
                    if den > 0.0 and num > 0.0:
                        t = num / den
                        mis = 0.0
                        for j in range(pv.shape[0]):
                            e = (pv[j] - params[i - 1, j]) - t * (params[i - 1, j] - params[i - 2, j])
                            mis += e.real * e.real + e.imag * e.imag
                        if not (t <= 4.0 and mis <= 1e-2 * d1sq):
                            t = 0.0
                if t > 0.0:
                    move = 0.0
                    for a in range(nu):
                        keep[a] = out[i - 1, a] + t * (out[i - 1, a] - out[i - 2, a])
                        u[a] = keep[a]
                        v = abs(keep[a] - out[i - 1, a])
                        if v > move:
                            move = v
                    ok, its, nrm = _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, wts, False)
                    if ok:
                        dev = 0.0
                        mag = 1.0
                        for a in range(nu):
                            v = abs(u[a] - keep[a])
                            if v > dev:
                                dev = v
                            v = abs(out[i - 1, a])
                            if v > mag:
                                mag = v
                        ok = dev <= 0.5 * move + 1e3 * tol * mag
                if not ok:
                    for a in range(nu):
                        u[a] = out[i - 1, a]
                    ok, it1, nrm = _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, wts, False)
                    its += it1
        if not ok:
            if _SPECTRAL >= 0 and pv[_SPECTRAL].imag >= 0.0:
                ok, it2, nrm = _spectral_cold(u, pv, ms, q, keep, maxit, tol, ftol, f, jac, du, un, wts)
            else:
                r = _init(pv)
                for a in range(nu):
                    u[a] = r[a]
                ok, it2, nrm = _newton(u, pv, ms, maxit, tol, ftol, f, jac, du, un, wts, False)
            its += it2
        for a in range(nu):
            out[i, a] = u[a]
        conv[i] = ok
        resid[i] = nrm
        iters[i] = its
        if ok:
            ro = _obs(u, pv, ms)
            for a in range(obs.shape[1]):
                obs[i, a] = ro[a]

'''

SYSTEM_WRAPPERS = '''

def _measure_arrays(measures_):
    """(points, weights, offsets) of the measures in slot order: flat float64 arrays (a joint
    measure's (atoms, k) points row-major, its weights repeated k times), int64 element offsets."""
    if measures_ is None:
        measures_ = ()
    if len(measures_) != META["measures"]:
        raise ValueError("measures_: expected %d (points, weights) pairs, got %d" % (META["measures"], len(measures_)))
    pts, wts = [], []
    for j, (p, w) in enumerate(measures_):
        k = META["measure_dims"][j]
        p = np.ascontiguousarray(p, dtype=np.float64)
        w = np.ascontiguousarray(w, dtype=np.float64).ravel()
        if (k == 1 and p.ndim != 1) or (k > 1 and (p.ndim != 2 or p.shape[1] != k)):
            raise ValueError("measures_[%d]: expected points of shape %s, got %s"
                             % (j, "(atoms,)" if k == 1 else "(atoms, %d)" % k, p.shape))
        if w.shape[0] != p.shape[0]:
            raise ValueError("measures_[%d]: points and weights differ in length" % j)
        pts.append(p.ravel())
        wts.append(np.repeat(w, k))
    off = np.zeros(len(pts) + 1, np.int64)
    for j, p in enumerate(pts):
        off[j + 1] = off[j] + p.shape[0]
    mx = np.concatenate(pts) if pts else np.zeros(0, np.float64)
    mw = np.concatenate(wts) if wts else np.zeros(0, np.float64)
    return (mx, mw, off)


def solve(maxit_=100, tol_=1e-13, ftol_=1e-10, measures_=None, **params):
    """Solve on the broadcast grid of params; returns a dict of arrays.

    measures_: one (points, weights) pair of arrays per measure of the system (META["measures"]
    of them, in slot order), or an already packed (points, weights, offsets) triple.

    Where a point did not converge, or an observable is NaN there, "converged" is False and
    every unknown and observable is NaN (real and imaginary part).  "residual" is the relative
    residual max_a |F_a| / (1 + sum_b |dF_a/du_b| |u_b|).  A spectral parameter needs Im z >= 0
    (real z: the limit from the upper half-plane).
    """
    names = META["parameters"]
    missing = [k for k in names if k not in params]
    extra = [k for k in params if k not in names]
    if missing or extra:
        raise ValueError("parameters: expected exactly %s; missing %s, unknown %s" % (names, missing, extra))
    arrs = np.broadcast_arrays(*[np.asarray(params[k], dtype=np.complex128) for k in names]) if names else []
    shape = arrs[0].shape if names else ()
    n = int(np.prod(shape))
    pv = np.empty((n, len(names)), np.complex128)
    for j, a in enumerate(arrs):
        pv[:, j] = a.ravel()
    if _SPECTRAL >= 0 and np.any(pv[:, _SPECTRAL].imag < 0):
        raise ValueError("%s: need Im %s >= 0 (the upper half-plane, or the real axis for the limit "
                         "from above)" % (names[_SPECTRAL], names[_SPECTRAL]))
    if _REAL:
        if np.any(pv.imag != 0):
            raise ValueError("parameters: this is the real variant of the solver (real unknowns and equations); "
                             "complex parameter values need the complex variant")
        pv = np.ascontiguousarray(pv.real)
    out = np.empty((n, len(META["unknowns"])), pv.dtype)
    conv = np.zeros(n, np.bool_)
    res = np.empty(n, np.float64)
    its = np.zeros(n, np.int64)
    nu = len(META["unknowns"])
    work = np.empty(5 * nu + nu * nu + len(names), pv.dtype)
    wts = np.empty(nu, np.float64)
    ms = measures_ if (isinstance(measures_, tuple) and len(measures_) == 3
                       and getattr(measures_[2], "dtype", None) == np.int64) else _measure_arrays(measures_)
    # complex: not np.nan, which is nan + 0j (imaginary part 0)
    nan = np.nan if _REAL else complex(np.nan, np.nan)
    obs = np.full((n, len(META["observables"])), nan, pv.dtype)
    solve_kernel(pv, out, conv, res, its, maxit_, tol_, ftol_, work, wts, ms, obs)
    out[~conv] = nan
    bad = np.isnan(obs.real).any(axis=1) | np.isnan(obs.imag).any(axis=1)
    conv &= ~bad
    out[~conv] = nan
    obs[~conv] = nan
    result = {"converged": conv.reshape(shape), "residual": res.reshape(shape),
              "iterations": its.reshape(shape)}
    for j, k in enumerate(META["unknowns"]):
        result[k] = out[:, j].reshape(shape)
    for j, k in enumerate(META["observables"]):
        result[k] = obs[:, j].reshape(shape)
    return result
'''

def admissible_source(domains: list[str], real: bool) -> str:
    """Source of ``_admissible(u, closed)`` for the unknowns' domains, as straight-line code.

    It projects the real-domain unknowns onto the real axis (in place; in the real variant they
    are real already), then checks every rule: finite values, ``Im u > 0`` for an ``"upper"``
    unknown (``Im u >= 0`` when ``closed``: the limit onto the real axis, where an imaginary part
    in ``[-1e-12 (1 + |u|), 0)`` is round-off and set to 0), ``Re u > 0`` / ``< 0`` for
    ``"positive"`` / ``"negative"``.
    """
    lines = ["@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)", "def _admissible(u, closed):"]
    checks = []
    for a, d in enumerate(domains):
        if real:
            if d not in ("real", "positive", "negative"):
                raise ValueError(f"unknown {a}: domain {d!r} in the real variant")
            checks.append({"real": f"math.isfinite(u[{a}])", "positive": f"u[{a}] > 0.0 and u[{a}] < math.inf",
                           "negative": f"u[{a}] < 0.0 and u[{a}] > -math.inf"}[d])
            continue
        fin = f"math.isfinite(u[{a}].real) and math.isfinite(u[{a}].imag)"
        if d in ("real", "positive", "negative"):
            lines.append(f"    u[{a}] = complex(u[{a}].real, 0.0)")
            checks.append({"real": fin, "positive": f"u[{a}].real > 0.0 and {fin}",
                           "negative": f"u[{a}].real < 0.0 and {fin}"}[d])
        elif d == "upper":
            lines.append(f"    if closed and u[{a}].imag < 0.0 and u[{a}].imag >= -1e-12 * (1.0 + abs(u[{a}])):")
            lines.append(f"        u[{a}] = complex(u[{a}].real, 0.0)")
            checks.append(f"(u[{a}].imag > 0.0 or (closed and u[{a}].imag == 0.0)) and {fin}")
        else:
            checks.append(fin)
    for c in checks:
        lines.append(f"    if not ({c}):")
        lines.append("        return False")
    lines.append("    return True")
    return "\n".join(lines) + "\n"


def render(template: str, **values: object) -> str:
    """Fill ``$name`` placeholders of a template (``string.Template``; no ``eval``)."""
    return Template(template).substitute(**{k: str(v) for k, v in values.items()})
