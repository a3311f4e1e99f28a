"""Reverse engineering the NTK: a one-hidden-layer network that mimics a deep ReLU network's NTK
(Simon, Anand & DeWeese, arXiv 2106.03186).

Target: the NTK ``Θ_L(c)`` of a depth-L fully connected ReLU network (arc-cosine recursion, NTK
parameterization, ``w_std = 1``, ``b_std = 0``; conventions in :mod:`symrmt.kernels.dot_product`).
Construction: its Taylor series truncated at order K, ``Σ_{k≤K} a_k c^k``, and the activation
``φ = Σ_k b_k h_k`` with ``b_k = √(a_k/(k+1))`` — whose one-hidden-layer NTK is exactly the truncated
series.  Check: the empirical NTK of wide one-hidden-layer torch networks with activation φ, at
several cosines and initializations, against the *target* kernel; the error must shrink like
``width^{-1/2}`` (the truncation error at the cosines used, reported by ``solve``, is far below the
Monte-Carlo resolution).  Per-trial statistic: the RMS over the cosines of the empirical-minus-target
NTK, in units of the target's ``Θ_L(1)``.

The Taylor series is exact at c = 0 but low near c = 1 (the target has a ``√(1 − c)`` singularity
there: at order 6 the depth-2 mimic is 0.086 below ``Θ_2(1) = 3/4``).  ``fitted=1`` instead uses the
recipe of the paper's code — a non-negative least-squares fit of ``Σ_{k≤K} a_k c^k`` to the target
on ``[−1, 1]``, here Lawson-reweighted to the minimax fit (:func:`symrmt.kernels.activation_from_kernel`
with ``method="nnls"``) — whose error is below 1e-2 on the whole interval at ``fit_order = 16``
(``solve`` reports both mimics at c = 1).  Its error is spread evenly (equi-ripple, ~8e-3; 7e-3
at c = 0), so the ``width^{-1/2}`` verification at the test cosines keeps the Taylor construction
(within 2e-4 there) by default.  On all of [−1, 1], c = ±1 included, the fitted mimic is checked
on one importance-sampled network of 2^19 neurons computed in chunks
(:func:`symrmt.simulate.ntk.chunked_one_layer_kernel`, a ``slow`` test): a plain network cannot
sample its degree-15/16 Hermite terms, whose share of Θ(1) (0.063 from |h| > 5) lies where one
neuron in 10^6 or fewer falls.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from symrmt.derivation import Derivation, Parameter

#: cosines x·x′/d at which the kernels are compared.  For |c| ≤ 1/2 the series truncated at the
#: default order 6 is within 1e-4 of the depth-2 target (about 1 % of the Monte-Carlo error at width
#: 2^12); near c = 1 the tail Σ_{k>K} a_k c^k decays only like K^{-1/2} (see ``solve``).  Higher
#: orders mimic the kernel closer to c = 1 but give a polynomial activation whose large values at
#: rare pre-activations |h| ≳ 4 make the finite-width fluctuations heavy-tailed.
COSINES = (-0.5, -0.25, 0.0, 0.25, 0.5)


@lru_cache(maxsize=16)
def _construction(depth: int, order: int, fitted: int = 0, fit_order: int = 16) -> dict:
    from symrmt.kernels import activation_from_kernel, dot_product_kernel

    target = dot_product_kernel("relu", kind="ntk", depth=depth)
    if fitted:
        act = activation_from_kernel(target, kind="ntk", method="nnls", order=fit_order)
    else:
        act = activation_from_kernel(target.coefficients(order), kind="ntk", atol=1e-30)
    a = np.array([float(v) for v in act.kernel_coefficients], dtype=float)
    return {"target": target, "a": a, "activation": act, "b": act.as_floats()}


class NTKReverse(Derivation):
    """Mimic a depth-L ReLU network's NTK with a one-hidden-layer network (Simon et al. 2021)."""

    name = "ntk-reverse"
    summary = "One-hidden-layer net whose NTK mimics a deep ReLU NTK (activation from the kernel's series)"
    reference = "Simon, Anand & DeWeese, arXiv 2106.03186"
    parameters = (
        Parameter("depth", 2, "hidden layers L of the target ReLU network", low=1, high=8,
                  low_inclusive=True, high_inclusive=True, integer=True),
        Parameter("order", 6, "truncation order K of the target kernel's Taylor series", low=1, high=40,
                  low_inclusive=True, high_inclusive=True, integer=True),
        Parameter("d", 8, "input dimension of the simulated network", low=2, low_inclusive=True, integer=True),
        Parameter("fitted", 0, "1: the NNLS (minimax) fit of the target on [-1, 1] of order fit_order; 0: its "
                  "Taylor series of order order", low=0, high=1, low_inclusive=True, high_inclusive=True,
                  integer=True),
        Parameter("fit_order", 16, "order K of the fitted polynomial kernel (fitted=1)", low=1, high=40,
                  low_inclusive=True, high_inclusive=True, integer=True),
    )
    sizes = (256, 512, 1024, 2048, 4096)
    quick_sizes = (128, 256, 512, 1024, 2048)
    trials = 128
    quick_trials = 48
    trials_exponent = 0.0
    expected_rate = 0.5
    statistic = "ntk_rms_error"

    @staticmethod
    def _ints(p: dict) -> tuple[int, int, int]:
        return int(p["depth"]), int(p["order"]), int(p["d"])

    @classmethod
    def _con(cls, p: dict) -> dict:
        depth, order, _ = cls._ints(p)
        return _construction(depth, order, int(p.get("fitted", 0)), int(p.get("fit_order", 16)))

    def equations(self) -> list[tuple[str, sp.Basic]]:
        k, c, x = sp.Symbol("k", integer=True, nonnegative=True), sp.Symbol("c", real=True), sp.Symbol("x")
        b, a = sp.IndexedBase("b"), sp.IndexedBase("a")
        h = sp.Function("h")
        p = self.bind()
        depth, order, _ = self._ints(p)
        con = self._con(p)
        phi = sp.Add(*[sp.Float(bk, 6) * sp.hermite_prob(i, x) / sp.sqrt(sp.factorial(i))
                       for i, bk in enumerate(con["b"]) if abs(bk) > 0])
        return [
            ("one-hidden-layer NTK of φ = Σ b_k h_k, h_k = He_k/√k!, c = x·x′/d",
             sp.Eq(sp.Function("K_NTK")(c), sp.Sum((k + 1) * b[k] ** 2 * c**k, (k, 0, sp.oo)))),
            ("inverse map: activation coefficients from the kernel's Taylor coefficients a_k ≥ 0",
             sp.Eq(b[k], sp.sqrt(a[k] / (k + 1)))),
            (f"target: NTK of a depth-{depth} ReLU network (arc-cosine recursion)",
             sp.Eq(sp.Function("Θ")(c), con["target"].expression())),
            (f"constructed activation ({'NNLS fit' if p['fitted'] else 'Taylor series'}, order "
             f"{p['fit_order'] if p['fitted'] else order}, all signs +)", sp.Eq(sp.Function("φ")(x), sp.N(sp.expand(phi), 6))),
        ]

    def solve(self, at: Any = None, **params: Any) -> dict:
        """Target kernel, constructed kernel and its error on a grid of cosines; both mimics (Taylor
        series of order ``order``, NNLS fit of order ``fit_order``) at c = 1 and their sup errors on
        ``[−1, 1]`` (2001 equispaced cosines)."""
        p = self.bind(**params)
        depth, order, _ = self._ints(p)
        con = self._con(p)
        cs = np.linspace(-1.0, 1.0, 21) if at is None else np.asarray(at, dtype=float).ravel()
        target = con["target"](cs)
        built = np.polynomial.polynomial.polyval(cs, con["a"])
        taylor = _construction(depth, order, 0, int(p["fit_order"]))
        fit = _construction(depth, order, 1, int(p["fit_order"]))
        grid = np.linspace(-1.0, 1.0, 2001)
        exact = con["target"](grid)
        one = float(con["target"](1.0))
        mimics = {name: {"at_c1": float(np.polynomial.polynomial.polyval(1.0, c["a"])),
                         "error_at_c1": float(np.polynomial.polynomial.polyval(1.0, c["a"])) - one,
                         "max_error_on_interval": float(np.max(np.abs(np.polynomial.polynomial.polyval(grid, c["a"]) - exact)))}
                  for name, c in (("taylor", taylor), ("fitted", fit))}
        return {"depth": depth, "order": order, "fitted": int(p["fitted"]), "c": cs.tolist(), "target": target.tolist(),
                "constructed": built.tolist(), "truncation_error": (target - built).tolist(),
                "max_truncation_error_on_test_cosines": float(np.max(np.abs(
                    con["target"](np.array(COSINES)) - np.polynomial.polynomial.polyval(np.array(COSINES), con["a"])))),
                "target_at_c1": one, "mimics": mimics,
                "fitted_kernel": np.polynomial.polynomial.polyval(cs, fit["a"]).tolist(),
                "kernel_coefficients": con["a"].tolist(), "activation_coefficients": con["b"].tolist()}

    def theory(self, **params: Any) -> dict:
        con = self._con(self.bind(**params))
        cs = np.array(COSINES)
        return {"cosines": cs, "target": con["target"](cs), "scale": float(con["target"](np.array([1.0]))[0]),
                "constructed": np.polynomial.polynomial.polyval(cs, con["a"])}

    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """Per trial the width-n network's weights and activations on the test cosines
        (``n·(d + 3 + 6·(cosines + 1))`` entries, as :func:`symrmt.simulate.ntk.empirical_kernel`
        batches them); trials run in batches within the simulation budget."""
        from symrmt.limits import dense_cost

        _, _, d = self._ints(self.bind(**params))
        return dense_cost([(n, d + 3 + 6 * (len(COSINES) + 1))], trials)

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any):
        """Empirical NTK of ``trials`` one-hidden-layer networks of width ``n`` with the constructed activation."""
        from symrmt.simulate import empirical_kernel

        p = self.bind(**params)
        _, _, d = self._ints(p)
        con = self._con(p)
        return empirical_kernel(hermite=con["b"], cosines=COSINES, width=n, trials=trials, seed=seed,
                                device=device, dtype=dtype, d=d, kind="ntk")

    def figures(self, directory, quick: bool = True, seed: int = 0, device: Any = None) -> dict:
        """Kernel curves: the deep ReLU target, its truncated series (the constructed network's
        infinite-width NTK), a one-hidden-layer ReLU NTK for scale, and empirical NTKs of wide
        networks with the constructed activation (95 % CIs over initializations)."""
        from pathlib import Path

        from symrmt.kernels import dot_product_kernel
        from symrmt.verify import plot_learning_curve

        p = self.bind()
        depth, order, _ = self._ints(p)
        width = (self.quick_sizes if quick else self.sizes)[-1]
        trials = self.quick_trials if quick else self.trials
        sol = self.solve(at=np.linspace(-1, 1, 201))
        sample = self.simulate(width, trials, seed, device, **p)
        cis = sample.ci()
        means = np.array([ci["value"] for ci in cis])
        bounds = np.array([[ci["low"], ci["high"]] for ci in cis])
        path = plot_learning_curve(
            Path(directory) / f"{self.name}-kernels.png", np.array(sol["c"]), np.array(sol["target"]),
            np.array(COSINES), means, bounds, xlabel="cosine c = x·x′/d", ylabel="NTK",
            title=f"{self.name}: depth-{depth} ReLU NTK mimicked by one hidden layer (series order {order})",
            theory_label=f"target: depth-{depth} ReLU NTK",
            sim_label=f"empirical NTK, width {width}, {trials} initializations (95 % CI)", log=False,
            extra_curves={f"constructed activation's NTK (order {order})": np.array(sol["constructed"]),
                          f"NNLS-fitted mimic (order {p['fit_order']})": np.array(sol["fitted_kernel"]),
                          "depth-1 ReLU NTK": dot_product_kernel("relu", kind="ntk", depth=1)(np.array(sol["c"]))})
        return {f"{self.name}: kernel curves": path}

    def measure(self, sample: Any, theory: dict) -> dict:
        diff = sample.values - theory["target"][None, :]
        errors = np.sqrt(np.mean(diff**2, axis=1)) / theory["scale"]
        cis = sample.ci()
        per_c = [{"c": float(c), "target": float(t), "constructed": float(b), "simulated": ci["value"],
                  "ci95": [ci["low"], ci["high"]], "target_in_ci": bool(ci["low"] <= t <= ci["high"])}
                 for c, t, b, ci in zip(theory["cosines"], theory["target"], theory["constructed"], cis)]
        return {"errors": errors, "per_cosine": per_c,
                "max_truncation_error": float(np.max(np.abs(theory["target"] - theory["constructed"])))}


DERIVATION = NTKReverse()
