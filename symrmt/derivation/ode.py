"""The ODE kind: the IMDE claim of Zhu, Jin, Zhu & Tang (arXiv 2206.07335) as a Derivation.

Theory: the IMDE of the integrator truncated after ``h^K`` (``K`` = parameter ``order``).
Simulation: ``trials`` neural ODEs, each trained with the one-step loss on ``n`` initial points
drawn from the system's box (:func:`symrmt.simulate.train_neural_ode`, seeded per trial).
Statistic, per trial: the RMS distance on held-out points between the learned field and the
truncated IMDE of every order ``k = 0..K`` (``k = 0`` is the true field ``f``).

This claim is not a finite-size limit — the learned field does not approach the IMDE as a
matrix size grows, it approaches it up to the *learning error*, which the training loss measures
(for explicit Euler ``√loss`` is exactly the training RMS of ``f_θ − f_h``).  So the verification
pipeline's ladder (:meth:`IMDEDerivation.run_ladder`) runs over truncation orders instead of sizes and decides:

* **agrees** — the distance to the order-``K`` IMDE is within 3 learning floors (``√loss``), and
  at most a fifth of the distance to ``f`` when the two differ by more than 3 floors;
* **disagrees** — the distance to the theory exceeds 5 learning floors (e.g. a control that
  uses ``order = 0``, i.e. claims the network learns ``f``); held-out errors of these smooth fits
  stay within ~1.5 floors of the training RMS at the default sizes, so 5 floors is far outside
  the learning error;
* **inconclusive** — anything else.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..verify import Report
from .base import Derivation
from .parameters import Parameter, plain

__all__ = ["IMDEDerivation", "IMDEReport"]


class IMDEReport(Report):
    """A :class:`~symrmt.verify.report.Report` whose ladder runs over IMDE truncation orders."""

    def to_markdown(self) -> str:
        s = self.scaling
        lines = self.header_lines()
        lines += ["", "| IMDE order k | trials | RMS ‖f_θ − f_h^[k]‖ | s.e. | 95% CI "
                  "| RMS ‖f_h^[k] − f‖ |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for row in self.ladder:
            e = row["error"]
            mark = " (theory)" if row["n"] == s.get("theory_order") else ""
            lines.append(f"| {row['n']}{mark} | {row['trials']} | {e['value']:.3e} | {e['stderr']:.1e} | "
                         f"[{e['low']:.3e}, {e['high']:.3e}] | {row['signal']:.3e} |")
        lines += ["", f"Learning floor √loss = {s['plateau']:.3e} ± {s['plateau_se']:.1e}; "
                  f"log-error slope per order {s['slope']:.2f} ± {s['slope_se']:.2f} before the floor.",
                  "", "Reasons:"]
        lines += [f"- {r}" for r in s["reasons"]]
        m = self.meta
        quick = " (quick mode)" if m.get("quick") else ""
        lines += ["", f"Run: seed {m.get('seed')}, device {m.get('device')}, training points "
                  f"{m.get('n_train')}, {m.get('seconds', 0):.1f} s{quick}."]
        for name, p in self.plots.items():
            lines += ["", f"![{self.derivation} {name}]({p.split('/')[-1]})"]
        return "\n".join(lines) + "\n"

    def plot(self, path):
        """PNG: distance to the truncated IMDE vs order, the signal ``‖f_h^[k] − f‖`` and the floor."""
        from ..verify.style import pyplot

        plt = pyplot()
        s = self.scaling
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ks = [r["n"] for r in self.ladder]
        ax.errorbar(ks, [r["error"]["value"] for r in self.ladder],
                    yerr=[r["error"]["stderr"] for r in self.ladder], fmt="o-",
                    label=r"$\|f_\theta - f_h^{[k]}\|$ (held out)")
        sig = [(k, r["signal"]) for k, r in zip(ks, self.ladder) if r["signal"] > 0]
        if sig:
            ax.plot(*zip(*sig), "s--", label=r"$\|f_h^{[k]} - f\|$")
        ax.axhline(s["plateau"], color="gray", ls=":", label=r"learning floor $\sqrt{\mathrm{loss}}$")
        ax.set_yscale("log")
        ax.set_xticks(ks)
        ax.set_xlabel("IMDE truncation order k")
        ax.set_ylabel("held-out RMS distance")
        ax.set_title(self.derivation)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        self.plots["verification"] = str(path)
        return path


class IMDEDerivation(Derivation):
    """Base class: subclasses set ``name``, ``summary``, ``system`` (a name of
    :data:`symrmt.odes.SYSTEM_NAMES`), ``method`` (a tableau name, or a linear multistep method of
    :data:`symrmt.odes.MULTISTEP_NAMES`, trained with the multistep loss) and the default step."""

    reference = "Zhu, Jin, Zhu & Tang, ICML 2022, arXiv 2206.07335"
    system: str = "pendulum"
    method: str = "euler"
    default_h: Any = sp.Rational(1, 10)
    default_order: int = 3
    n_train: int = 1024
    quick_n_train: int = 256
    trials = 3
    quick_trials = 2
    statistic = "rms_to_imde"

    @property
    def parameters(self) -> tuple[Parameter, ...]:  # type: ignore[override]
        return (Parameter("h", self.default_h, "step size of the integrator", low=0, high=1, high_inclusive=True),
                Parameter("order", self.default_order,
                          "the IMDE truncated after h^order is the theory (0: the true field f)",
                          low=0, low_inclusive=True, high=8, high_inclusive=True, integer=True))

    # -------------------------------------------------------------------------- theory
    def _system(self):
        from ..odes import get_system
        return get_system(self.system)

    def equations(self) -> list[tuple[str, sp.Basic]]:
        from ..odes import imde_terms
        sysm = self._system()
        h = sp.Symbol("h")
        terms = imde_terms(list(sysm.f), list(sysm.y), self.method, 3)
        fh = sp.Matrix([sum(h ** k * terms[k][i] for k in range(4)) for i in range(sysm.dim)])
        lhs = sp.Matrix([sp.Symbol(f"{s}'") for s in sysm.y])
        fsym = sp.Matrix([sp.Symbol(f"f_h[{s}]") for s in sysm.y])
        return [(f"{sysm.name}: vector field f", sp.Eq(lhs, sp.Matrix(sysm.f), evaluate=False)),
                (f"IMDE of {self.method} (Φ_h[f_h] = φ_h[f]) to h^3", sp.Eq(fsym, fh, evaluate=False))]

    def solve(self, **params: Any) -> dict:
        """The truncated IMDE terms (as strings) and the integrator's order."""
        from ..odes import method_order
        from ..odes import imde_terms
        p = self.bind(**params)
        sysm = self._system()
        K = int(p["order"])
        terms = imde_terms(list(sysm.f), list(sysm.y), self.method, K)
        return {"system": sysm.name, "method": self.method, "h": plain(p["h"]), "order": K,
                "method_order": method_order(self.method, 8),
                "state": [str(s) for s in sysm.y],
                "terms": [[str(c) for c in t] for t in terms]}

    def theory(self, **params: Any) -> dict:
        p = self.bind(**params)
        return {"h": float(p["h"]), "order": int(p["order"])}

    # -------------------------------------------------------------------------- simulation
    def cost(self, n: int, trials: int = 1, /, **params: Any):
        """Training ``trials`` MLPs (width 32 quick / 64, depth 2) on ``n`` points: each loss
        evaluation runs the integrator's stages through the network and back (about
        ``6·n·width²`` operations per layer and stage), Adam plus L-BFGS (up to 1.25 evaluations per
        step); the autograd graph holds ``n·width`` activations per layer and stage."""
        from ..limits import Cost
        from ..odes import MULTISTEP_NAMES, as_tableau, multistep

        self.bind(**params)
        quick = n <= self.quick_n_train
        width, evals = (32, 800 + 1.25 * 300) if quick else (64, 3000 + 1.25 * 1500)
        if isinstance(self.method, str) and self.method.lower() in MULTISTEP_NAMES:
            stages = multistep(self.method).steps + 1  # the network at every point of a window
        else:
            stages = as_tableau(self.method).stages
        layers = 3
        per_eval = 6.0 * n * width * width * layers * stages
        return Cost(memory=4 * 8.0 * n * width * layers * stages, work=float(trials) * evals * per_eval)

    def simulate(self, n: int, trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None,
                 progress: bool | None = None, **params: Any) -> list:
        """``trials`` neural ODEs trained on ``n`` exact-flow pairs each (seeds derived per trial)."""
        import torch

        from ..simulate.device import check_trials, derive_seed, resolve_dtype
        from ..simulate.neural_ode import train_neural_ode
        if resolve_dtype(dtype) is not torch.float64:
            raise ParameterError(f"dtype: {self.name} trains its networks in float64 only, got {dtype!r}")
        p = self.bind(**params)
        n = _training_points(n)
        quick = n <= self.quick_n_train
        size = dict(width=32, adam_steps=800, lbfgs_steps=300) if quick else \
            dict(width=64, adam_steps=3000, lbfgs_steps=1500)
        from .._progress import advance

        out = []
        for t in range(check_trials(trials)):
            out.append(train_neural_ode(self.system, self.method, float(p["h"]), n_train=n,
                                        seed=derive_seed(seed, t), device=device, **size))
            advance(1)  # one network trained: the verification bar moves
        return out

    def measure(self, sample: list, theory: dict) -> dict:
        from ..simulate.neural_ode import evaluate_against_imde
        K = theory["order"]
        kmax = max(K, 3)
        cmps = [evaluate_against_imde(r, orders=kmax, n_test=2000) for r in sample]
        return {"per_order": [[c.rms_to_imde[k] for c in cmps] for k in range(kmax + 1)],
                "signal": [float(np.mean([c.rms_true_gap[k] for c in cmps])) for k in range(kmax + 1)],
                "floor": [math.sqrt(c.loss_floor) for c in cmps],
                "divergence": {"learned": [c.divergence_learned for c in cmps],
                               "imde": [c.divergence_imde for c in cmps],
                               "err_to_imde": [c.divergence_err_imde for c in cmps],
                               "err_to_true": [c.divergence_err_true for c in cmps],
                               "corr": [c.divergence_corr for c in cmps]},
                "errors": [c.rms_to_imde[K] for c in cmps]}

    # -------------------------------------------------------------------------- the pipeline's hooks
    @property
    def report_class(self):
        return IMDEReport

    def ladder_sizes(self, sizes: Sequence[int] | None, quick: bool) -> tuple[int, ...]:
        """One size: the number of training points (the last of ``sizes``; default
        :attr:`n_train`, quick :attr:`quick_n_train`)."""
        return (_training_points((self.quick_n_train if quick else self.n_train) if not sizes else list(sizes)[-1]),)

    def run_ladder(self, sizes, trials, seed, theory, device, dtype, bar, **params):
        """Train once at the one size (seeds derived per network from ``seed``), then one row per
        IMDE truncation order ``k = 0..max(K, 3)``: the held-out distance of the learned fields to
        the order-k IMDE."""
        from ..verify import mean_ci

        n = sizes[0]
        with bar.size(0):
            sample = self.simulate(n, trials, seed, device, dtype=dtype, progress=False, **params)
        meas = self.measure(sample, theory)
        rows = [{"n": k, "trials": trials, "seed": seed, "error": mean_ci(errs).to_dict(),
                 "per_trial": list(errs), "signal": meas["signal"][k], "theory": k == theory["order"]}
                for k, errs in enumerate(meas["per_order"])]
        rows[0].update(learning_floor=meas["floor"], divergence=meas["divergence"])  # per trial, all orders
        return rows, []

    def conclude(self, sizes, rows, quick=False) -> dict:
        """The decision of the module docstring: distance to the order-K IMDE vs the learning floor."""
        from ..verify import mean_ci

        K = next(r["n"] for r in rows if r["theory"])
        div = rows[0]["divergence"]
        floor = mean_ci(rows[0]["learning_floor"])
        kmax = len(rows) - 1
        e_theory, e_true = rows[K]["error"]["value"], rows[0]["error"]["value"]
        means = [r["error"]["value"] for r in rows]
        pre = [k for k in range(kmax + 1) if means[k] > 1.5 * floor.value] or [0]
        upto = max(pre) + 1
        slope, slope_se = 0.0, 0.0
        if upto >= 2:
            A = np.vstack([np.ones(upto), np.arange(upto)]).T
            coef, *_ = np.linalg.lstsq(A, np.log(means[:upto]), rcond=None)
            slope = float(coef[1])
            if upto > 2:
                resid = np.log(means[:upto]) - A @ coef
                sxx = np.sum((np.arange(upto) - (upto - 1) / 2) ** 2)
                slope_se = float(np.sqrt(resid @ resid / max(upto - 2, 1) / sxx))
        reasons = [f"distance to the order-{K} theory {e_theory:.3e} vs learning floor √loss {floor.value:.3e} "
                   f"(ratio {e_theory / floor.value:.2f})",
                   f"distance to the true field f {e_true:.3e} ({e_true / floor.value:.1f} floors)",
                   f"divergence of the learned field: RMS {np.mean(div['learned']):.3e}; distance to the IMDE's "
                   f"divergence {np.mean(div['err_to_imde']):.3e} vs to f's {np.mean(div['err_to_true']):.3e}"]
        if e_theory <= 3 * floor.value and (e_true <= 3 * floor.value or e_theory <= e_true / 5):
            verdict = "agrees"
            reasons.append("the learned field matches the theory within the learning error")
        elif e_theory > 5 * floor.value:
            verdict = "disagrees"
            reasons.append("the learned field differs from the theory by more than 5 learning floors")
        else:
            verdict = "inconclusive"
            reasons.append("between 3 and 5 learning floors, or not clearly closer to the theory than to f")
        return {"sizes": list(range(kmax + 1)), "theory_order": K, "errors": means,
                "stderrs": [r["error"]["stderr"] for r in rows],
                "expected_rate": 0.0, "slope": slope, "slope_se": slope_se, "intercept": 0.0,
                "plateau": floor.value, "plateau_se": floor.stderr, "verdict": verdict, "reasons": reasons}

    def run_meta(self, sizes, rows, **params) -> dict:
        return {"n_train": sizes[0], "method": self.method, "system": self.system,
                "divergence": rows[0]["divergence"]}


def _training_points(n: Any) -> int:
    """The number of training points: an integer >= 8."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 8:
        raise ParameterError(f"n: number of training points must be an integer >= 8, got {n!r}")
    return n
