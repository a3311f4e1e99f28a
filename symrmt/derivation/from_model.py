"""Registered derivations from a composed learning model, or from a user's own System.

:func:`from_model` binds a :class:`~symrmt.learning.LearningModel` — its derived equations and
generated solver — to the torch simulation of the same description
(:func:`symrmt.simulate.learning_model.simulate_learning_model`) and to the common verification
pipeline of :class:`~symrmt.derivation.learning.LearningCurveDerivation`.  :func:`from_system`
does the same for any :class:`~symrmt.symbolic.system.System` with an observable to compare and
a simulation function, so that registering one's own deterministic equivalent takes one call.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..learning import LearningModel, set_derivation_factory
from .learning import LearningCurveDerivation, system_equations
from .parameters import Parameter, plain
from .spectral import SpectralDerivation

__all__ = ["from_model", "from_system", "ModelDerivation", "SystemDerivation", "SpectralSystemDerivation",
           "SpectralSystemTheory"]

_QUANTITIES = ("test_error", "test_error_single", "train_error")


def _name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise ParameterError(f"name: must be a non-empty string of at most 80 characters, got {name!r}")
    return name


class ModelDerivation(LearningCurveDerivation):
    """A learning-curve derivation built from a :class:`~symrmt.learning.LearningModel`.

    Parameters ``samples`` (P/D), ``ridge`` (λ), ``noise``, ``signal`` and ``width1..L`` with the
    model's values as defaults; the compared quantity is the test error of the model's ensemble.
    """

    reference = ("Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592; "
                 "Zavatone-Veth & Pehlevan, arXiv 2303.00564")
    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def __init__(self, model: LearningModel, name: str, simulated: LearningModel | None = None,
                 quantity: str = "test_error", samples: float = 1.5, ridge: float = 0.05) -> None:
        if not isinstance(model, LearningModel):
            raise ParameterError(f"model: expected a symrmt.learning.model(...), got {type(model).__name__}")
        if simulated is not None and not isinstance(simulated, LearningModel):
            raise ParameterError(f"simulated: expected None or a symrmt.learning.model(...), "
                                 f"got {type(simulated).__name__}")
        if quantity not in _QUANTITIES:
            raise ParameterError(f"quantity: one of {_QUANTITIES}, got {quantity!r}")
        self.model = model
        self.simulated = simulated or model
        self.name = _name(name, "name")
        self.quantity = quantity
        self.summary = f"learning model: {model!r}"
        sim = self.simulated
        self.parameters = (
            Parameter("samples", samples, "P/D, samples over the input dimension", low=0),
            Parameter("ridge", ridge, "λ in (1/P)‖y − Φa‖² + λ‖a‖²", low=0),
            Parameter("noise", _exactish(model.noise), "Var ε", low=0, low_inclusive=True),
            Parameter("signal", _exactish(model.signal), "‖w̄‖²", low=0, low_inclusive=True),
            *(Parameter(f"width{i + 1}", _exactish(layer.width), f"N_{i + 1}/D", low=0)
              for i, layer in enumerate(sim.layers)),
        )

    def equations(self):
        return self.model.equations()

    def _theory_widths(self, params: Mapping[str, Any]) -> dict:
        return {f"width{i + 1}": params[f"width{i + 1}"] for i in range(self.model.depth)
                if f"width{i + 1}" in params}

    def solve_arrays(self, samples, ridge, noise, signal, **widths):
        return self.model.solve(samples, ridge, noise, signal, strict=False, **self._theory_widths(widths))

    def shapes(self, n, samples, **params):
        from ..simulate.learning_model import model_shapes

        ws = [params[f"width{i + 1}"] for i in range(self.simulated.depth)]
        return model_shapes(n, samples, ws, n_test=4000 if self.simulated.nonlinear else 0)

    def cost(self, n, trials=1, /, **params):
        from dataclasses import replace

        base = super().cost(n, trials, **params)
        return replace(base, work=base.work * self.simulated.ensemble)

    def run_simulation(self, n, trials, seed, device, samples, ridge, noise, signal, **widths):
        from ..simulate.learning_model import simulate_learning_model

        if math.isinf(self.simulated.ensemble):
            raise ParameterError("ensemble: an infinite ensemble has no simulation; build the model with a "
                                 "finite ensemble to simulate it")
        inputs = self.simulated.simulation_inputs(n, **widths)
        return simulate_learning_model(n, samples, ridge, noise, signal, inputs["eigenvalues"], inputs["target"],
                                       inputs["widths"], inputs["weights"], inputs["ensemble"], trials=trials,
                                       seed=seed, device=device, activations=inputs["activations"],
                                       activation_shifts=inputs["activation_shifts"])


def _exactish(value: float) -> Any:
    """A float parameter default as a short decimal (Parameter checks it exactly)."""
    return float(f"{float(value):.12g}")


def from_model(model: LearningModel, name: str = "learning-model", *, simulated: LearningModel | None = None,
               quantity: str = "test_error", samples: float = 1.5, ridge: float = 0.05) -> ModelDerivation:
    """A registered-style derivation from a composed learning model.

    Parameters
    ----------
    model : LearningModel
        ``symrmt.learning.model(...)``: its equations and generated solver are the theory.
    name : str
        Registry name.
    simulated : LearningModel, optional
        The model whose simulation is run (default: ``model``); a different one is a control
        (a model with an S-transform factor dropped must come out "disagrees").
    quantity : str
        ``"test_error"`` (the ensemble's, default), ``"test_error_single"`` or ``"train_error"``.
    samples, ridge : float
        Defaults of the parameters ``samples`` (P/D) and ``ridge``.

    Returns
    -------
    ModelDerivation
        ``solve`` (arrays in every parameter), ``simulate(n = D, trials, seed, device, ...)``,
        ``verify(...)`` like any learning-curve derivation.

    Raises
    ------
    ParameterError
        A model of the wrong kind, an unknown quantity or a bad name.
    """
    return ModelDerivation(model, name, simulated=simulated, quantity=quantity, samples=samples, ridge=ridge)


set_derivation_factory(lambda model, name: from_model(model, name))


class SystemDerivation(LearningCurveDerivation):
    """A derivation from a user's :class:`~symrmt.symbolic.system.System` and simulation function.

    The theory is the System's observable ``quantity`` (its generated solver); ``simulate`` is the
    user's function ``simulate(n, trials, seed, device, **params)`` returning a
    :class:`~symrmt.simulate.measurement.Measurement` (or ``{name: per-trial values}``) that
    measures ``quantity``; the verdict is the learning-curve kind's (signed relative deviation
    extrapolated in the size).
    """

    sizes = (100, 200, 400, 800)
    quick_sizes = (50, 100, 200, 400)

    def __init__(self, system: Any, name: str, simulate: Callable, quantity: str,
                 defaults: Mapping[str, Any], summary: str = "", reference: str = "",
                 sizes: Sequence[int] | None = None, shapes: Callable | None = None) -> None:
        from ..symbolic.system import System

        if not isinstance(system, System):
            raise ParameterError(f"system: expected a symrmt.System, got {type(system).__name__}")
        if not callable(simulate):
            raise ParameterError(f"simulate: expected a function simulate(n, trials, seed, device, **params), "
                                 f"got {simulate!r}")
        names = [s.name for s in system.parameters]
        if quantity not in system.observables and quantity not in {u.name for u in system.unknowns}:
            raise ParameterError(f"quantity: {quantity!r} is neither an observable nor an unknown of the system "
                                 f"(observables: {sorted(system.observables)})")
        if not isinstance(defaults, Mapping):
            raise ParameterError("defaults: expected a mapping {parameter name: default value}")
        missing = sorted(set(names) - set(defaults))
        extra = sorted(set(defaults) - set(names))
        if missing or extra:
            raise ParameterError(f"defaults: need exactly the system's parameters {names}; "
                                 f"missing {missing}, unknown {extra}")
        self.system, self._simulate, self.quantity = system, simulate, quantity
        self.name = _name(name, "name")
        self.summary = summary or f"the system {system.name}"
        self.reference = reference or "user-supplied System"
        self.parameters = tuple(Parameter(k, defaults[k], k) for k in names)
        if sizes is not None:
            self.sizes = self.quick_sizes = tuple(int(s) for s in sizes)
        self._shapes = shapes

    def equations(self):
        return system_equations(self.system, f"{self.system.name}")

    def solve_arrays(self, **params):
        from .._checks import broadcast

        vals = broadcast({k: np.asarray(v, dtype=float) for k, v in params.items()})
        return self.system.compile().solve(strict=False, **vals)

    def shapes(self, n, **params):
        return self._shapes(n, **params) if self._shapes is not None else super().shapes(n, **params)

    def run_simulation(self, n, trials, seed, device, **params):
        from ..simulate.measurement import Measurement

        out = self._simulate(n, trials, seed, device, **params)
        if isinstance(out, Measurement):
            return out
        if isinstance(out, Mapping):
            return Measurement({k: np.asarray(v, dtype=float) for k, v in out.items()})
        raise ParameterError(f"simulate: must return a Measurement or {{name: per-trial values}}, "
                             f"got {type(out).__name__}")


class SpectralSystemTheory:
    """A spectral System solved at bound parameters: density ``ρ(x) = Im m(x + i0)/π``, support,
    tabulated CDF and moments (the interface of :class:`~symrmt.derivation.spectral.SpectralTheory`).

    The support is found on a window ``[μ1 − 12σ, μ1 + 12σ]`` (``μ1``, ``σ²`` read off
    ``m(iY) = −1/z − μ1/z² − μ2/z³ + …`` at large Y) or the user's ``window``: the density is
    scanned on 3000 points, its intervals above ``threshold · max ρ`` are refined by bisection, and
    the CDF is the cumulative trapezoid rule of ``ρ(x(θ)) dx/dθ`` on ``x = a + (b − a)(1 − cos θ)/2``
    (smooth at square-root edges).  Atoms are not detected (absolutely continuous spectra only).
    """

    def __init__(self, system: Any, unknown: str, params: Mapping[str, Any], window: Sequence[float] | None = None,
                 points: int = 4001, threshold: float = 1e-7, n_moments: int = 4) -> None:
        from ..errors import DerivationError

        self.compiled = system.compile(spectral="z")
        self.unknown, self.params = unknown, {k: float(v) for k, v in params.items()}
        if window is None:
            window = self._window()
        lo, hi = (float(v) for v in window)
        grid = np.linspace(lo, hi, 3000)
        rho = self.density(grid)
        top = float(np.max(rho)) if rho.size else 0.0
        if not top > 0:
            raise DerivationError(f"{system.name}: no density Im m(x + i0)/π > 0 on the window [{lo:g}, {hi:g}]")
        above = rho > threshold * top
        edges = np.flatnonzero(np.diff(above.astype(int)))
        intervals, cur = [], (grid[0] if above[0] else None)
        for i in edges:
            if above[i + 1]:   # entering the support between grid[i] and grid[i+1]
                cur = self._edge(grid[i], grid[i + 1], threshold * top, rising=True)
            else:
                intervals.append((cur, self._edge(grid[i], grid[i + 1], threshold * top, rising=False)))
                cur = None
        if cur is not None:
            intervals.append((cur, grid[-1]))
        self.support = [(float(a), float(b)) for a, b in intervals if b > a]
        theta = np.linspace(0.0, math.pi, points)
        xs, fs, mom, total = [], [], np.zeros(n_moments), 0.0
        for a, b in self.support:
            x = a + (b - a) * 0.5 * (1.0 - np.cos(theta))
            w = self.density(x) * (b - a) * 0.5 * np.sin(theta)
            cum = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(theta))])
            xs.append(x)
            fs.append(total + cum)
            for k in range(n_moments):
                wk = w * x ** (k + 1)
                mom[k] += float(np.sum(0.5 * (wk[1:] + wk[:-1]) * np.diff(theta)))
            total += cum[-1]
        self.mass = float(total)
        self._x, self._f = np.concatenate(xs), np.concatenate(fs)
        self.moments = [float(v) for v in mom]

    def _solve(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=complex)
        res = self.compiled.solve(strict=False, z=z, **{k: np.full(z.shape, v) for k, v in self.params.items()})
        return np.asarray(res[self.unknown], dtype=complex)

    def density(self, x: Any) -> np.ndarray:
        """``max(Im m(x + i0), 0)/π`` (NaN where the solver did not converge becomes 0)."""
        m = self._solve(np.asarray(x, dtype=float) + 0j)
        out = np.where(np.isfinite(m.imag), m.imag, 0.0) / math.pi
        return np.maximum(out, 0.0)

    def cdf(self, x: Any) -> np.ndarray:
        return np.interp(np.asarray(x, dtype=float), self._x, self._f, left=0.0, right=self.mass)

    def _window(self) -> tuple[float, float]:
        from ..errors import DerivationError

        Y = 1e3
        for _ in range(3):
            z = np.array([1j * Y])
            w = -(z * self._solve(z) + 1) * z          # μ1 + μ2/z + O(z⁻²)
            mu1, mu2 = float(w.real[0]), float(-Y * w.imag[0])
            scale = abs(mu1) + math.sqrt(max(mu2 - mu1**2, 0.0))
            if not math.isfinite(scale):
                raise DerivationError("the spectral System has no finite m(iY) at large Y; pass window=(lo, hi)")
            if scale < Y / 1e3:
                break
            Y = 1e4 * scale
        sigma = math.sqrt(max(mu2 - mu1**2, 1e-12))
        return mu1 - 12 * sigma, mu1 + 12 * sigma

    def _edge(self, a: float, b: float, level: float, rising: bool, steps: int = 40) -> float:
        for _ in range(steps):
            mid = 0.5 * (a + b)
            inside = self.density(np.array([mid]))[0] > level
            if inside == rising:
                b = mid
            else:
                a = mid
        return 0.5 * (a + b)


class SpectralSystemDerivation(SpectralDerivation):
    """A spectral derivation from a user's System for a Stieltjes transform ``m(z)`` and a
    simulation returning eigenvalues ``(trials, n)``: KS distance to the density's CDF, the
    Wasserstein-1 distance and moments as extras, and the histogram panel of the spectral kind."""

    transforms = ()

    def __init__(self, system: Any, name: str, simulate: Callable, unknown: str, defaults: Mapping[str, Any],
                 summary: str = "", reference: str = "", sizes: Sequence[int] | None = None,
                 shapes: Callable | None = None, window: Sequence[float] | None = None) -> None:
        self.system, self._simulate, self.unknown = system, simulate, unknown
        self.name = _name(name, "name")
        self.summary = summary or f"the spectral system {system.name}"
        self.reference = reference or "user-supplied System"
        names = [p.name for p in system.parameters if p.name != "z"]
        self.parameters = tuple(Parameter(k, defaults[k], k) for k in names)
        if sizes is not None:
            self.sizes = self.quick_sizes = tuple(int(v) for v in sizes)
        if window is not None:
            w = tuple(float(v) for v in window)
            if len(w) != 2 or not (math.isfinite(w[0]) and math.isfinite(w[1]) and w[0] < w[1]):
                raise ParameterError(f"window: expected (lo, hi) with lo < hi, got {window!r}")
            window = w
        self._shapes, self.window = shapes, window

    def equations(self):
        return system_equations(self.system, f"{self.system.name}: Stieltjes transform {self.unknown}(z)")

    def theory(self, **params: Any) -> SpectralSystemTheory:
        bound = self.bind(**params)
        return SpectralSystemTheory(self.system, self.unknown, {k: float(v) for k, v in bound.items()},
                                    window=self.window)

    def solve(self, at: Sequence[float] | None = None, **params: Any) -> dict:
        """Support, moments, mass and (at points ``at``) density and CDF of the System's spectrum."""
        th = self.theory(**params)
        out = {"params": {k: plain(v) for k, v in self.bind(**params).items()},
               "support": [list(iv) for iv in th.support], "moments": th.moments, "mass": th.mass}
        if at is not None:
            x = np.asarray(at, dtype=float)
            out.update(at=x.tolist(), density=th.density(x).tolist(), cdf=th.cdf(x).tolist())
        return out

    def cost(self, n, trials=1, /, **params):
        from ..limits import dense_cost

        shapes = self._shapes(n, **params) if self._shapes is not None else [(n, n), (n, n)]
        return dense_cost(shapes, trials)

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any):
        """The user's ``simulate(n, trials, seed, device, **params)`` as a ``(trials, n)`` tensor."""
        import torch

        out = self._simulate(n, trials, seed, device, **self.bind(**params))
        arr = out if isinstance(out, torch.Tensor) else torch.as_tensor(np.asarray(out, dtype=float))
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != n:
            raise ParameterError(f"simulate: must return eigenvalues of shape (trials, {n}), got {tuple(arr.shape)}")
        return arr.to(torch.float64)

    def codegen_target(self, **params: Any):
        return self.system


def from_system(system: Any, name: str, simulate: Callable, quantity: str | None = None,
                defaults: Mapping[str, Any] | None = None, *, kind: str = "auto", summary: str = "",
                reference: str = "", sizes: Sequence[int] | None = None, shapes: Callable | None = None,
                window: Sequence[float] | None = None) -> SystemDerivation | SpectralSystemDerivation:
    """A registered-style derivation from a user's System and a simulation function.

    Parameters
    ----------
    system : System
        The deterministic equivalent (``symrmt.System(...)``).
    name : str
        Registry name.
    simulate : callable
        ``simulate(n, trials, seed, device, **params)``: for a learning curve a Measurement or
        ``{name: per-trial values}``; for a spectral System the eigenvalues, shape ``(trials, n)``.
    quantity : str, optional
        Learning curve: the observable (or unknown) compared with the simulation's measurement of
        the same name (required).  Spectral: the unknown holding ``m(z)`` (default: the unknown
        of domain ``"upper"``).
    defaults : mapping, optional
        Default value of every parameter of the system (but ``z`` for a spectral one); may be
        omitted when there is none.
    kind : {"auto", "learning", "spectral"}
        ``"spectral"``: the System's unknown is a Stieltjes transform ``m(z) = ∫ρ(x)/(x − z)dx`` in
        the complex parameter ``z``; the theory is the density ``Im m(x + i0)/π`` and its CDF,
        compared with the simulated spectra by the Kolmogorov–Smirnov distance (decaying like
        ``n^{-1}`` up to logs when the System is right), with the Wasserstein-1 distance, moments
        and the histogram panel of the spectral kind (:class:`SpectralSystemTheory`).
        ``"learning"``: a signed relative deviation of ``quantity``.  ``"auto"``: spectral when the
        System has a parameter ``z`` and an unknown of domain ``"upper"``.
    summary, reference : str
        One line each.
    sizes : sequence of int, optional
        The ladder of sizes ``verify`` runs.
    shapes : callable, optional
        ``shapes(n, **params)`` -> matrices one trial holds, for the cost estimate.
    window : (lo, hi), optional
        Spectral: the interval searched for the support (default from the moments of ``m``).

    Returns
    -------
    SystemDerivation or SpectralSystemDerivation

    Raises
    ------
    ParameterError
        Arguments of the wrong kind, an unknown quantity, defaults that do not match the system.

    Examples
    --------
    >>> import numpy as np, sympy as sp, symrmt as sr
    >>> m, z = sp.Symbol("m"), sp.Symbol("z")
    >>> semicircle = sr.System([m**2 + z * m + 1], [m], [z], domains={m: "upper"},
    ...                        initial={m: -1 / z}, name="my_semicircle")
    >>> def wigner(n, trials, seed, device):
    ...     rng = np.random.default_rng(seed)
    ...     g = rng.standard_normal((trials, n, n))
    ...     return np.linalg.eigvalsh((g + g.transpose(0, 2, 1)) / np.sqrt(2 * n))
    >>> d = from_system(semicircle, "my-semicircle", wigner)
    >>> [round(v, 6) for v in d.solve()["support"][0]]
    [-2.0, 2.0]
    """
    from ..symbolic.system import System

    if not isinstance(system, System):
        raise ParameterError(f"system: expected a symrmt.System, got {type(system).__name__}")
    if kind not in ("auto", "learning", "spectral"):
        raise ParameterError(f"kind: one of 'auto', 'learning', 'spectral', got {kind!r}")
    names = [p.name for p in system.parameters]
    upper = [u.name for u in system.unknowns if system.domains[u] == "upper"]
    if kind == "auto":
        kind = "spectral" if ("z" in names and upper) else "learning"
    defaults = {} if defaults is None else defaults
    if not isinstance(defaults, Mapping):
        raise ParameterError("defaults: expected a mapping {parameter name: default value}")
    if kind == "learning":
        if quantity is None:
            raise ParameterError("quantity: a learning-curve System needs the observable to compare "
                                 f"(observables: {sorted(system.observables)})")
        return SystemDerivation(system, name, simulate, quantity, defaults, summary=summary, reference=reference,
                                sizes=sizes, shapes=shapes)
    if "z" not in names:
        raise ParameterError(f"system: a spectral System needs the complex parameter z; its parameters are {names}")
    if not callable(simulate):
        raise ParameterError(f"simulate: expected a function simulate(n, trials, seed, device, **params) "
                             f"returning eigenvalues (trials, n), got {simulate!r}")
    unknown = quantity if quantity is not None else (upper[0] if upper else None)
    if unknown not in {u.name for u in system.unknowns}:
        raise ParameterError(f"quantity: the unknown holding m(z), one of {[u.name for u in system.unknowns]}, "
                             f"got {unknown!r}")
    wanted = [n for n in names if n != "z"]
    missing, extra = sorted(set(wanted) - set(defaults)), sorted(set(defaults) - set(wanted))
    if missing or extra:
        raise ParameterError(f"defaults: need exactly the system's parameters other than z, {wanted}; "
                             f"missing {missing}, unknown {extra}")
    return SpectralSystemDerivation(system, name, simulate, unknown, defaults, summary=summary,
                                    reference=reference, sizes=sizes, shapes=shapes, window=window)
