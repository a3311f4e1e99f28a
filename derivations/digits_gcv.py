"""Ridge on representations of real images (scikit-learn's bundled digits): the deterministic-
equivalent risk from the measured spectrum and source, and GCV, against the held-out risk of
repeated subsamples, as in Wei, Hu & Steinhardt, arXiv 2203.06176.
"""
from functools import lru_cache

import numpy as np
import sympy as sp

from symrmt.data import digits, kernel_matrix, one_hot, risk_table, spectral_data, subsample_risk
from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.errors import ParameterError
from symrmt.simulate import Measurement

REPRESENTATIONS = ("ntk", "pixels")


@lru_cache(maxsize=4)
def digits_representation(name):
    """``(gram, targets, spectrum)`` of the digits in representation ``name``: ``"pixels"``
    (standardized, the linear kernel) or ``"ntk"`` (one-hidden-layer ReLU NTK of the standardized
    pixels); targets are the centred one-hot labels (10 outputs)."""
    if name not in REPRESENTATIONS:
        raise ParameterError(f"representation: must be one of {REPRESENTATIONS}, got {name!r}")
    X, labels = digits()
    Y = one_hot(labels)
    K = X @ X.T if name == "pixels" else kernel_matrix(X, "ntk", "relu")
    return K, Y, spectral_data(Y, kernel=K)


class DigitsGCV(LearningCurveDerivation):
    """The 1797 digits (8×8 pixels, standardized) are the population; ridge with per-sample λ̃ on n
    of them drawn without replacement (predictor k(x)ᵀ(K_n + nλ̃ I)⁻¹y, centred one-hot targets).

    Theory: the deterministic equivalent from the eigenvalues of K/M and the targets' squared
    coefficients on its eigenvectors (the ridge κ equation), converted to the risk on the M − n
    held-out points.  Trials are subsamples (each a training set of n points and its held-out
    complement); the per-trial statistic is (held-out risk − DE)/DE.  On a finite data set the
    deviation need not vanish as n grows (there is no n → ∞), so the verdict is a statement about
    the sizes of the ladder; ``run_meta`` adds the λ̃ × n table with GCV."""

    name = "digits-gcv"
    summary = "Digits: deterministic-equivalent risk from the measured spectrum, and GCV, vs held-out risk"
    reference = "Wei, Hu & Steinhardt, arXiv 2203.06176"
    quantity = "test_error"
    parameters = (
        Parameter("n", 200, "training points (solve); the verification ladder sets it", low=2, low_inclusive=True,
                  integer=True),
        Parameter("ridge", 1e-2, "per-sample λ̃ (predictor k(x)ᵀ(K + nλ̃)⁻¹y)", low=0),
    )
    solve_only = ("n",)
    options = {"representation": "ntk"}
    option_choices = {"representation": REPRESENTATIONS}
    sizes = (50, 100, 200, 400)
    quick_sizes = (50, 100, 200)
    trials = 40
    quick_trials = 20
    trials_exponent = 0.0
    resolution = 0.05
    quick_resolution = 0.1
    #: the λ̃ grid of the table in run_meta
    table_ridges = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    in_demo = False

    def equations(self):
        i = sp.Symbol("i", integer=True, positive=True)
        n, M, lam, k, r = sp.symbols("n M ridge kappa rest", positive=True)
        om, c = sp.IndexedBase("omega"), sp.IndexedBase("c")
        df1 = sp.Sum(om[i] / (om[i] + k), (i, 1, M))
        df2 = sp.Sum(om[i] ** 2 / (om[i] + k) ** 2, (i, 1, M))
        E, Et, Eh = sp.symbols("E E_train E_held")
        return [("kappa equation (ω_i: eigenvalues of K/M)", sp.Eq(lam, k * (1 - df1 / n))),
                ("risk on a fresh draw from the M points (c_i²: measured source)",
                 sp.Eq(E, (r + k**2 * sp.Sum(c[i] ** 2 / (om[i] + k) ** 2, (i, 1, M))) / (1 - df2 / n))),
                ("training error", sp.Eq(Et, (lam / k) ** 2 * E)),
                ("held-out risk", sp.Eq(Eh, (E - n / M * Et) / (1 - n / M))),
                ("GCV", sp.Eq(sp.Symbol("GCV"), sp.Symbol("n^-1‖(I−S)y‖²") / sp.Symbol("(n^-1 tr(I−S))²")))]

    def solve_arrays(self, n, ridge, representation="ntk"):
        """The held-out deterministic-equivalent risk (arrays in ``n`` and ``ridge`` broadcast)."""
        res = dict(representation_spectrum(representation).risk(n, ridge))
        out = RiskResult(res)
        out.converged = out.pop("converged")
        return out

    def theory(self, **params):
        return dict(params)   # depends on the ladder's n: see trial_theory

    def trial_theory(self, sample, theory):
        t = dict(theory)
        de = float(representation_spectrum(t["representation"]).risk(sample.sizes["n"], float(t["ridge"]))["test_error"])
        return np.full(len(sample["test_error"]), de)

    def measure(self, sample, theory):
        out = super().measure(sample, theory)
        out.update({"deterministic_equivalent": out["theory"], "heldout": out["simulated"],
                    "gcv": float(np.mean(sample["gcv"])), "heldout_ci95": out["ci95"]})
        return out

    def shapes(self, n, **params):
        return [(1797, n), (n, n), (n, n)]

    def run_simulation(self, n, trials, seed, device, ridge, representation="ntk"):
        K, Y, _ = digits_representation(representation)
        m = subsample_risk(Y, [n], [ridge], kernel=K, subsamples=max(int(trials), 2), seed=seed)
        rows = [{"test_error": float(m.heldout[0, 0, r]), "gcv": float(m.gcv[0, 0, r]),
                 "train_error": float(m.train[0, 0, r])} for r in range(m.subsamples)][:trials]
        return Measurement.from_rows(rows, sizes={"n": int(n), "points": int(K.shape[0])})

    def figures(self, directory, quick=True, seed=0, device=None):
        """Held-out risk (20 subsamples, 95 % CI) and the deterministic equivalent against λ̃ at the
        ladder's second-largest size (quick) or largest size."""
        from pathlib import Path

        from symrmt.verify import plot_learning_curve

        sizes = self.quick_sizes if quick else self.sizes
        n = sizes[-2] if quick else sizes[-1]
        rep = self.options["representation"]
        K, Y, spec = digits_representation(rep)
        m = subsample_risk(Y, [n], list(self.table_ridges), kernel=K, subsamples=20, seed=seed)
        grid = np.geomspace(min(self.table_ridges), max(self.table_ridges), 41)
        png = plot_learning_curve(Path(directory) / f"{self.name}-curve.png", grid, spec.risk(n, grid)["test_error"],
                                  np.array(self.table_ridges), m.mean()[0], m.interval()[0],
                                  xlabel="per-sample ridge λ̃", ylabel="held-out MSE per output",
                                  title=f"{self.name} ({rep}, n = {n})",
                                  theory_label="deterministic equivalent (measured spectrum)",
                                  sim_label=f"held-out risk, 20 subsamples, seed {seed} (95 % CI)", log=True,
                                  extra_curves={})
        return {f"{self.name}: risk against the ridge": png}

    def run_meta(self, sizes, rows, **params):
        """The λ̃ × n table: held-out mean and 95 % interval, GCV and DE (20 subsamples, seed 0)."""
        rep = params.get("representation", self.options["representation"])
        K, Y, spec = digits_representation(rep)
        m = subsample_risk(Y, list(sizes), list(self.table_ridges), kernel=K, subsamples=20, seed=0)
        return {"table": risk_table(spec, m), "table_subsamples": 20, "table_seed": 0}


def representation_spectrum(name):
    """The :class:`~symrmt.data.DataSpectrum` of the digits in representation ``name``."""
    return digits_representation(name)[2]


class RiskResult(dict):
    """The deterministic-equivalent arrays with a ``converged`` flag array."""

    converged: np.ndarray


DERIVATION = DigitsGCV()
