"""Deep structured random features: closed-form feature covariance and the ridge test error.

Schröder, Dmitriev, Cui & Loureiro, "Asymptotics of learning with deep structured (random)
features", arXiv 2402.13999 (the "Gaussian rainbow" network; also Schröder et al. 2023,
arXiv 2302.00401).  The network, for an input ``x ~ N(0, Σ)`` in dimension ``d = k_0``:

    φ_0 = x,   φ_ℓ = σ_ℓ(W_ℓ φ_{ℓ−1}) − κ0_ℓ,   ℓ = 1..L,

``W_ℓ`` of shape ``k_ℓ × k_{ℓ−1}`` with independent rows ``N(0, C_ℓ/k_{ℓ−1})`` (``C_ℓ = I`` by
default; a diagonal ``C_ℓ`` with given atoms otherwise), widths ``k_ℓ = γ_ℓ d``.  Activations are
centred by their Gaussian mean ``κ0_ℓ`` (the paper's Ω describes centred features; for odd
activations — tanh, erf, sign, linear — the centring is zero).  Linearization (Gaussian
equivalence) layer by layer, with ``ξ ~ N(0, 1)``:

    r_ℓ = tr(C_ℓ Ω_{ℓ−1})/k_{ℓ−1},  κ0 = Eσ(√r ξ),  κ1 = E[ξσ(√r ξ)]/√r,
    κ*² = Eσ(√r ξ)² − κ0² − r κ1²,
    Ω_ℓ = κ1² W_ℓ Ω_{ℓ−1} W_ℓᵀ + κ*² I,   ψ_ℓ = κ1 W_ℓ ψ_{ℓ−1},   Ω_0 = Σ, ψ_0 = E[x y].

The readout ``w`` minimizes ``(1/n)Σ_μ (y_μ − w·φ_L(x_μ))² + λ‖w‖²`` on ``n = α d`` samples; its
test error on a fresh noisy point is the Gaussian-equivalent deterministic equivalent
(Loureiro et al. 2021, arXiv 2102.08127; REFERENCES §3) with per-sample ridge ``λ̃ = λ``:

    κ − λ = (κ/n) Σ_i ω_i/(ω_i + κ),   df2 = Σ_i ω_i²/(ω_i + κ)²,
    E_test = [σ_y² − Σ_i ψ̃_i² (ω_i + 2κ)/(ω_i + κ)²] / (1 − df2/n),   ψ̃ = Uᵀψ_L,

solved by the generated discrete solver :func:`~symrmt.equivalents.discrete.solve_discrete`.

**Conditional on the weights.**  ``Ω_L``, ``ψ_L``, ``r_ℓ`` and the coefficients are functions of
the drawn weights ``W_1..W_L`` (Ω_L is a d-dependent random matrix); so is the test error computed
from them (:func:`conditional_test_error`, :func:`draw_test_error`).  :func:`solve_deep_structured_rf`
draws the weights at a given ``d`` with a given seed (NumPy: a generator different from the
simulation's torch one, so a solve and a simulated trial with the same seed draw different
weights) and returns the theory *for that draw*; the simulation
(:mod:`symrmt.simulate.deep_features`) returns each trial's drawn weights, and
:func:`draw_test_error` gives the theory for them.  Only the data (train and test points) is
averaged over.
With linear activations the weight-averaged (d → ∞) answer is :mod:`.deep_linear`.

Target: ``y = √signal · f*(βᵀx/√(βᵀΣβ)) + ε`` with ``β`` uniform on the sphere (a single-index
teacher; ``f*(u) = u`` for ``target="linear"``), ``Var ε = noise``.  Then
``ψ_0 = √signal · μ1* · Σβ/√(βᵀΣβ)`` (``μ1* = E[ξ f*(ξ)]``) and ``σ_y² = signal · E f*(ξ)² + noise``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import sympy as sp

from .. import _checks
from ..errors import ParameterError
from ..symbolic.hermite import activation_expr, hermite_coefficients
from .._checks import broadcast, checked
from .discrete import solve_discrete

__all__ = ["LinearizationCoefficients", "linearization_coefficients", "DeepArchitecture", "architecture",
           "feature_covariance", "FeatureCovariance", "draw_weights", "target_moments",
           "SpectralData", "spectral_data", "conditional_test_error", "feature_means", "draw_test_error", "solve_deep_structured_rf", "deep_equations"]

#: Positively homogeneous named activations and their degree p: σ(c x) = c^p σ(x) for c > 0.
_HOMOGENEOUS = {"relu": 1, "linear": 1, "sign": 0}


# ---------------------------------------------------------------------- linearization coefficients
@dataclass(frozen=True)
class LinearizationCoefficients:
    """Coefficients of σ at input variance ``r`` (arXiv 2402.13999, eq. for Ω_ℓ).

    Attributes
    ----------
    variance : float
        ``r``.
    kappa0, kappa1, kappastar : float
        ``Eσ(√r ξ)``, ``E[ξσ(√r ξ)]/√r`` and ``(Eσ(√r ξ)² − κ0² − r κ1²)^½``.
    """

    variance: float
    kappa0: float
    kappa1: float
    kappastar: float


_ACT_OBJECTS: dict = {}


def _activation_key(activation: Any) -> Any:
    """Hashable cache key: a name, or ``("expr", srepr)`` with the object kept in a side table
    (nothing is ever re-parsed from text)."""
    if isinstance(activation, str):
        key = activation.strip().lower()
        activation_expr(key)  # raises the standard error for an unknown name
        return key
    expr, _ = activation_expr(activation)
    key = ("expr", sp.srepr(expr))
    _ACT_OBJECTS.setdefault(key, activation)
    return key


@lru_cache(maxsize=1024)
def _coefficients_cached(key: Any, r: float, exact_r: Any, method: str) -> LinearizationCoefficients:
    if isinstance(key, str) and key in _HOMOGENEOUS and method != "quadrature":
        # σ(√r ξ) = r^{p/2} σ(ξ): exact coefficients at r = 1, scaled (no integral per r)
        p = _HOMOGENEOUS[key]
        mu0, mu1, mus = hermite_coefficients(key, method=method).as_floats()
        s = math.sqrt(r)
        return LinearizationCoefficients(r, mu0 * s**p, mu1 * s ** (p - 1), mus * s**p)
    expr, var = activation_expr(key if isinstance(key, str) else _ACT_OBJECTS[key])
    if exact_r is None and method == "auto":
        mu0, mu1, mus = _scaled_quadrature(key, r)
    else:
        # hermite_coefficients on σ(√r x) itself: exact integrals where SymPy finds them
        scaled = expr.xreplace({var: sp.sqrt(exact_r if exact_r is not None else sp.Float(r, 17)) * var})
        mu0, mu1, mus = hermite_coefficients(scaled, method=method).as_floats()
    return LinearizationCoefficients(r, mu0, mu1 / math.sqrt(r), mus)


@lru_cache(maxsize=64)
def _numeric_activation(key: Any):
    """The activation's tail check (once) and its numeric form, from hermite.py's machinery."""
    from ..symbolic import hermite

    expr, var = activation_expr(key if isinstance(key, str) else _ACT_OBJECTS[key])
    hermite.check_gaussian_tails(expr, var)
    return hermite.numpy_function(expr, var), hermite.is_smooth(expr)


def _scaled_quadrature(key: Any, r: float) -> tuple[float, float, float]:
    """``(μ0, μ1, μ*)`` of ``x ↦ σ(√r x)`` with hermite.py's quadrature rules (Gauss–Hermite of two
    orders that must agree for smooth σ, adaptive half-line quadrature for piecewise σ or when
    Gauss–Hermite converges too slowly); a divergent integral raises ParameterError there."""
    from ..symbolic import hermite

    f, smooth = _numeric_activation(key)
    s = math.sqrt(r)

    def g(x: np.ndarray) -> np.ndarray:
        return f(s * np.asarray(x, dtype=float))

    e0, e1, e2 = hermite.gaussian_moments(g, smooth)
    star2 = e2 - e0**2 - e1**2
    star2 = 0.0 if star2 < 1e-13 * max(1.0, e2) else star2
    return float(e0), float(e1), math.sqrt(star2)


def linearization_coefficients(activation: Any, variance: Any = 1, method: str = "auto") -> LinearizationCoefficients:
    """``κ0, κ1, κ*`` of ``activation`` at input variance ``r = variance`` (arXiv 2402.13999).

    ``κ0 = Eσ(√r ξ)``, ``κ1 = E[ξσ(√r ξ)]/√r``, ``κ*² = Eσ(√r ξ)² − κ0² − r κ1²``, ``ξ ~ N(0, 1)``:
    the Hermite coefficients (:func:`~symrmt.symbolic.hermite.hermite_coefficients`) of the
    rescaled activation ``x ↦ σ(√r x)``, with ``κ1 = μ1/√r`` and ``κ* = μ*``.

    Parameters
    ----------
    activation : str or sympy.Expr
        ``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"`` or a SymPy expression in one
        variable.
    variance : number > 0
        ``r``.  An exact number (int, SymPy Rational) gets exact Gaussian integrals where SymPy
        finds them; a float uses quadrature, except for the positively homogeneous ``relu``,
        ``sign`` and ``linear``, whose coefficients scale exactly from ``r = 1``.
    method : {"auto", "exact", "quadrature"}
        As in :func:`~symrmt.symbolic.hermite.hermite_coefficients`.

    Raises
    ------
    ParameterError
        Unknown activation, ``variance <= 0``, or ``E σ(√r ξ)² = ∞`` (divergent moments).
    """
    if method not in ("auto", "exact", "quadrature"):
        raise ParameterError(f"method: must be 'auto', 'exact' or 'quadrature', got {method!r}")
    exact_r = None
    if isinstance(variance, (int, sp.Rational)) and not isinstance(variance, bool):
        exact_r = sp.Rational(variance)
    r = float(checked("variance", variance, "positive"))
    return _coefficients_cached(_activation_key(activation), r, exact_r, method)


# ---------------------------------------------------------------------- architecture
@dataclass(frozen=True)
class DeepArchitecture:
    """A validated "Gaussian rainbow" network (arXiv 2402.13999) and its target.

    Attributes
    ----------
    widths : tuple of float
        ``γ_ℓ = k_ℓ/d``, ℓ = 1..L.
    activations : tuple
        One activation per layer (names or SymPy expressions).
    row_covariances : tuple
        Per layer ``None`` (``C_ℓ = I``) or ``(points, weights)`` (diagonal ``C_ℓ``).
    data_covariance : None or a ``(points, weights)`` pair
        Σ (diagonal), identity by default.
    target : str or sympy.Expr
        ``f*`` of the single-index teacher (``"linear"``: ``f*(u) = u``).
    """

    widths: tuple
    activations: tuple
    row_covariances: tuple
    data_covariance: Any
    target: Any

    @property
    def depth(self) -> int:
        return len(self.widths)

    def sizes(self, d: int) -> list[int]:
        """``[k_0 = d, k_1, ..., k_L]`` with ``k_ℓ = max(1, round(γ_ℓ d))``."""
        return [int(d)] + [max(1, int(round(g * d))) for g in self.widths]

    def data_diagonal(self, d: int) -> np.ndarray:
        return _checks.atom_diagonal(self.data_covariance, d)

    def row_diagonals(self, d: int) -> list[np.ndarray]:
        k = self.sizes(d)
        return [_checks.atom_diagonal(c, k[i]) for i, c in enumerate(self.row_covariances)]


def architecture(widths: Any = (2.0, 1.5), activations: Any = "tanh", row_covariances: Any = None,
                 data_covariance: Any = None, target: Any = "linear") -> DeepArchitecture:
    """Validate a network description (see :class:`DeepArchitecture`).

    Raises
    ------
    ParameterError
        A width ``<= 0`` (or not finite), no layers, a number of activations or row covariances
        different from the number of widths, an unknown activation, an activation or target with
        divergent Gaussian moments (``E σ(√r ξ)² = ∞``), or a malformed covariance.
    """
    ws = _checks.layer_widths("widths", widths)
    L = len(ws)
    acts = _checks.per_layer("activations", activations, L, lambda v: isinstance(v, (str, sp.Basic)))
    for a in acts:
        linearization_coefficients(a, 1.0)  # unknown name / divergent moments -> ParameterError
    rows = _checks.per_layer("row_covariances", row_covariances, L, lambda v: v is None)
    rows = tuple(_checks.atoms(f"row_covariances[{i}]", c) for i, c in enumerate(rows))
    data = _checks.atoms("data_covariance", data_covariance)
    target_moments(target)
    return DeepArchitecture(ws, acts, rows, data, target)


def target_moments(target: Any = "linear") -> tuple[float, float]:
    """``(μ1*, E f*(ξ)²)`` of the teacher nonlinearity (Hermite coefficients; ParameterError if
    divergent)."""
    mu0, mu1, mus = hermite_coefficients(target).as_floats()
    return mu1, mu0**2 + mu1**2 + mus**2


# ---------------------------------------------------------------------- weights and recursion
def draw_weights(arch: DeepArchitecture, d: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """Weights ``W_ℓ`` (rows ``N(0, C_ℓ/k_{ℓ−1})``) and a teacher direction β (numpy, seeded)."""
    d = _checks.integer("d", d, low=2)
    rng = np.random.default_rng(int(seed))
    k = arch.sizes(int(d))
    Ws = []
    for ell, c in enumerate(arch.row_diagonals(int(d))):
        Ws.append(rng.standard_normal((k[ell + 1], k[ell])) * np.sqrt(c / k[ell])[None, :])
    return Ws, rng.standard_normal(int(d))


@dataclass
class FeatureCovariance:
    """The closed-form feature covariance of one drawn network (conditional on its weights).

    Attributes
    ----------
    omega : array (k_L × k_L)
        ``Ω_L``.
    psi : array (k_L,)
        ``ψ_L = E[φ_L y]``.
    signal_variance : float
        ``E y² − noise`` (= ``signal · E f*²``).
    coefficients : list of LinearizationCoefficients
        Per layer (``r_ℓ`` from the drawn weights).
    omegas : list of arrays
        ``Ω_0 = Σ, Ω_1, ..., Ω_L`` when ``keep=True`` (else empty).
    psi_outer : array (k_L × k_L) or None
        With ``teacher_average``: ``E_β[ψ_L ψ_Lᵀ]`` over the teacher direction β ~ N(0, I)
        (``Ψ_0 = signal μ1*² Σ²/Tr Σ``, ``Ψ_ℓ = κ1² W_ℓ Ψ_{ℓ−1} W_ℓᵀ``), still conditional on the weights.
    """

    omega: Any
    psi: Any
    signal_variance: float
    coefficients: list
    omegas: list
    psi_outer: Any = None


def _add_diagonal(M: np.ndarray, c: float) -> np.ndarray:
    M[np.diag_indices_from(M)] += c
    return M


def feature_covariance(weights: Sequence[Any], arch: DeepArchitecture, beta: Any, signal: float = 1.0,
                       keep: bool = False, teacher_average: bool = False) -> FeatureCovariance:
    """``Ω_L`` and ``ψ_L`` by the closed-form recursion of arXiv 2402.13999, for given weights.

    ``weights`` and ``beta`` are NumPy arrays (float64), e.g. a simulation's draw.
    ``r_ℓ = tr(C_ℓ Ω_{ℓ−1})/k_{ℓ−1}`` uses the drawn ``Ω_{ℓ−1}``: every output is conditional on
    the weights.
    """
    weights = [np.asarray(W, dtype=float) for W in weights]
    beta = np.asarray(beta, dtype=float)
    d = int(weights[0].shape[1])
    sig = arch.data_diagonal(d)
    rows = arch.row_diagonals(d)
    mu1s, f2 = target_moments(arch.target)
    bnorm = float((beta * sig * beta).sum()) ** 0.5
    psi = sig * beta * (math.sqrt(signal) * mu1s / bnorm)
    Psi = None
    omegas = [sig] if keep else []
    coefs = []
    Om = None
    for ell, W in enumerate(weights):
        diag_prev = sig if Om is None else Om.diagonal()
        r = float((rows[ell] * diag_prev).sum()) / int(W.shape[1])
        c = linearization_coefficients(arch.activations[ell], r)
        coefs.append(c)
        WOW = (W * sig[None, :]) @ W.T if Om is None else W @ Om @ W.T
        Om = _add_diagonal(c.kappa1**2 * WOW, c.kappastar**2)
        psi = c.kappa1 * (W @ psi)
        if teacher_average:
            Psi = ((W * (sig * sig * (signal * mu1s**2 / float(sig.sum())))[None, :]) @ W.T if Psi is None
                   else W @ Psi @ W.T) * c.kappa1**2
        if keep:
            omegas.append(Om)
    return FeatureCovariance(Om, psi, signal * f2, coefs, omegas, Psi)


# ---------------------------------------------------------------------- theory for a draw
@dataclass
class SpectralData:
    """``ω_i`` (eigenvalues of Ω_L kept), ``c_i = ψ̃_i²/ω_i`` and the target power they miss."""

    omega: np.ndarray
    coef2: np.ndarray
    rest: float


def spectral_data(fc: FeatureCovariance, rtol: float = 1e-11) -> SpectralData:
    """Eigendecomposition of Ω_L; eigenvalues below ``rtol·max`` (the exact zeros of a linear
    network wider than its input) are dropped — ψ has no component there."""
    Om, psi = fc.omega, fc.psi
    w, U = np.linalg.eigh(Om)
    p2 = (U.T @ psi) ** 2 if fc.psi_outer is None else ((fc.psi_outer @ U) * U).sum(0)
    keep = w > rtol * max(float(w.max()), 1e-300)
    om = w[keep]
    c2 = np.maximum(p2[keep], 0.0) / om   # diag(UᵀΨU) >= 0 up to rounding
    rest = max(fc.signal_variance - float(c2.sum()), 0.0)
    return SpectralData(om, c2, rest)


def conditional_test_error(data: SpectralData, n: Any, ridge: Any, noise: Any = 0.0, signal_scale: Any = 1.0):
    """Deterministic-equivalent test error for one drawn network (REFERENCES §3).

    ``E_test = [σ_y² − Σ ψ̃_i²(ω_i+2κ)/(ω_i+κ)²]/(1 − df2/n)`` written as
    :func:`~symrmt.equivalents.discrete.solve_discrete`'s ``(noise + rest + κ² Σ c_i/(ω_i+κ)²)/(1 − df2/n)``
    with ``c_i = ψ̃_i²/ω_i``, ``rest = σ_y² − noise − Σ c_i``.  ``signal_scale`` multiplies the
    target power (ψ² and σ_y² − noise scale together).  Conditional on the weights.
    """
    s = float(signal_scale)
    return solve_discrete(data.omega, data.coef2 * s, n, ridge, noise, data.rest * s)


_ODD = ("tanh", "erf", "sign", "linear")


def feature_means(arch: DeepArchitecture):
    """The centring of the network's layers as a function of drawn weights, for a simulation:
    ``weights -> [κ0_1, ..., κ0_L]`` (the Gaussian means at each layer's variance ``r_ℓ``), or
    None when every activation is odd (all κ0 vanish)."""
    if all(isinstance(a, str) and a.strip().lower() in _ODD for a in arch.activations):
        return None

    def means(weights: Sequence[Any]) -> list[float]:
        d = int(np.shape(weights[0])[1])
        return [c.kappa0 for c in feature_covariance(weights, arch, np.ones(d)).coefficients]
    return means


def draw_test_error(weights: Sequence[Any], beta: Any, arch: DeepArchitecture, n: Any, ridge: Any,
                    noise: Any = 0.0, signal: Any = 1.0, teacher_average: bool = False):
    """Deterministic-equivalent test error for one drawn network (its weights and teacher
    direction, e.g. a simulated trial's draw) with ``n`` samples: :func:`feature_covariance`, then
    :func:`spectral_data` at unit signal, then :func:`conditional_test_error`."""
    fc = feature_covariance(weights, arch, beta, signal=1.0, teacher_average=bool(teacher_average))
    return conditional_test_error(spectral_data(fc), n, ridge, noise, signal)


class DeepResult(dict):
    """``{"test_error", "kappa", "df1", "df2"}`` arrays, ``converged`` flags, and the draw's
    ``coefficients`` (per layer) and ``spectrum`` (eigenvalues of Ω_L) — all conditional on the
    drawn weights."""

    converged: np.ndarray
    coefficients: list
    spectrum: np.ndarray


def solve_deep_structured_rf(alpha: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0, widths: Any = (2.0, 1.5),
                             activations: Any = "tanh", row_covariances: Any = None, data_covariance: Any = None,
                             target: Any = "linear", d: int = 400, weight_seed: int = 0,
                             teacher_average: bool = False) -> DeepResult:
    """Test error of ridge on deep structured random features, for one drawn network.

    Parameters
    ----------
    alpha : > 0 (n/d);  ridge : > 0 (λ in ``(1/n)Σ(y − w·φ)² + λ‖w‖²``);  noise : >= 0 (Var ε);
    signal : >= 0 (target power ``signal · E f*²``) — all broadcast (learning curves in alpha).
    widths, activations, row_covariances, data_covariance, target
        See :func:`architecture`.
    d : int >= 2
        Input dimension of the drawn network (``k_ℓ = round(γ_ℓ d)``, ``n = α d``).
    weight_seed : int >= 0
        Seed of the numpy draw of the weights and of the teacher direction.
    teacher_average : bool
        Average ``ψ̃_i²`` over the teacher direction β (removes its O(1/√d) draw-to-draw
        fluctuation; the answer stays conditional on the weights).

    Returns
    -------
    DeepResult
        Conditional on the drawn weights (arXiv 2402.13999, Gaussian-equivalent test error on a
        fresh noisy point).  ``converged`` flags each grid point.
    """
    arch = architecture(widths, activations, row_covariances, data_covariance, target)
    weight_seed = _checks.integer("weight_seed", weight_seed, low=0)
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "ridge": checked("ridge", ridge, "positive"),
                      "noise": checked("noise", noise, "nonnegative"),
                      "signal": checked("signal", signal, "nonnegative")})
    Ws, beta = draw_weights(arch, d, weight_seed)
    fc = feature_covariance(Ws, arch, beta, teacher_average=bool(teacher_average))
    data = spectral_data(fc)
    shape = vals["alpha"].shape
    flat = {k: np.ravel(v) for k, v in vals.items()}
    out = {k: np.full(flat["alpha"].size, np.nan) for k in ("test_error", "kappa", "df1", "df2")}
    conv = np.zeros(flat["alpha"].size, dtype=bool)
    for s in np.unique(flat["signal"]):
        idx = flat["signal"] == s
        res = conditional_test_error(data, flat["alpha"][idx] * int(d), flat["ridge"][idx], flat["noise"][idx], s)
        for k in out:
            out[k][idx] = res[k]
        conv[idx] = res.converged
    result = DeepResult({k: v.reshape(shape) for k, v in out.items()})
    result.converged = conv.reshape(shape)
    result.coefficients = fc.coefficients
    result.spectrum = data.omega
    return result


# ---------------------------------------------------------------------- equations (for `show`)
def deep_equations() -> list[tuple[str, sp.Basic]]:
    """The recursion and the test error as SymPy statements (arXiv 2402.13999; REFERENCES §3, §6)."""
    xi = sp.Symbol("xi", real=True)
    r = sp.Symbol("r_l", positive=True)
    sigma = sp.Function("sigma_l")
    gauss = sp.exp(-xi**2 / 2) / sp.sqrt(2 * sp.pi)
    E = lambda f: sp.Integral(f * gauss, (xi, -sp.oo, sp.oo))  # noqa: E731
    k0, k1, ks = sp.symbols("kappa0_l kappa1_l kappastar_l")
    k = sp.Symbol("k_lm1", positive=True)
    Om_prev, C = sp.MatrixSymbol("Omega_lm1", k, k), sp.MatrixSymbol("C_l", k, k)
    kl = sp.Symbol("k_l", positive=True)
    W = sp.MatrixSymbol("W_l", kl, k)
    Om = sp.MatrixSymbol("Omega_l", kl, kl)
    psi_prev, psi = sp.MatrixSymbol("psi_lm1", k, 1), sp.MatrixSymbol("psi_l", kl, 1)
    i = sp.Symbol("i", integer=True, positive=True)
    p, n, lam, kap = sp.symbols("k_L n lambda kappa", positive=True)
    om, pt = sp.IndexedBase("omega"), sp.IndexedBase("psitilde")
    sy = sp.Symbol("sigma_y2", positive=True)
    df2 = sp.Sum(om[i] ** 2 / (om[i] + kap) ** 2, (i, 1, p))
    return [
        ("layer variance", sp.Eq(r, sp.Trace(C * Om_prev) / k)),
        ("kappa0", sp.Eq(k0, E(sigma(sp.sqrt(r) * xi)))),
        ("kappa1", sp.Eq(k1, E(xi * sigma(sp.sqrt(r) * xi)) / sp.sqrt(r))),
        ("kappastar", sp.Eq(ks**2, E(sigma(sp.sqrt(r) * xi) ** 2) - k0**2 - r * k1**2)),
        ("feature covariance", sp.Eq(Om, k1**2 * W * Om_prev * W.T + ks**2 * sp.Identity(kl))),
        ("target covariance", sp.Eq(psi, k1 * W * psi_prev)),
        ("kappa equation", sp.Eq(kap - lam, kap / n * sp.Sum(om[i] / (om[i] + kap), (i, 1, p)))),
        ("test error", sp.Eq(sp.Symbol("E_test"),
                             (sy - sp.Sum(pt[i] ** 2 * (om[i] + 2 * kap) / (om[i] + kap) ** 2, (i, 1, p)))
                             / (1 - df2 / n))),
    ]
