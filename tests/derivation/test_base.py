"""The one verification pipeline: options as values, the per-trial theory hook, solve-only
parameters, and ``measure_size``/``conclude`` (the steps a sweep reuses) equal to ``verify``.

The toy learning curve: theory ``E = mu`` (times the trial's drawn scale ``s ~ U(0.5, 1.5)``
when ``drawn`` is on); each trial measures ``E·(1 + 1/n) + 0.01·N(0, 1)/√n``, so the relative
deviation has a finite-size bias ``1/n`` that extrapolates to 0 (``expected_rate = 1``) with a
per-trial noise of 1 % at n = 1; numpy generator seeded with the trial's seed.
"""
import numpy as np
import pytest

from symrmt.derivation import Derivation, LearningCurveDerivation, Parameter
from symrmt.errors import ParameterError


class Sample:
    def __init__(self, values, scale, option):
        self.values, self.scale, self.option = values, scale, option

    def __getitem__(self, name):
        return self.values[name]

    def ci(self, name):
        v = self.values[name]
        half = 1.96 * v.std(ddof=1) / np.sqrt(v.size)
        return float(v.mean() - half), float(v.mean() + half)


class Toy(LearningCurveDerivation):
    name = "toy-curve"
    summary = "a scalar with a 1/n bias"
    parameters = (Parameter("mu", 2, low=0), Parameter("dim", 10, low=1, integer=True))
    options = {"drawn": False, "label": "plain"}
    solve_only = ("dim",)
    sizes = (50, 100, 200, 400)
    trials = 12

    def __init__(self):
        self.seen = []

    def solve_arrays(self, mu, dim, drawn, label):
        class Res(dict):
            converged = np.ones(np.shape(mu), dtype=bool)
        return Res(test_error=np.asarray(mu, dtype=float))

    def run_simulation(self, n, trials, seed, device, mu, drawn, label):
        self.seen.append((n, drawn, label))
        rng = np.random.default_rng(seed)
        scale = rng.uniform(0.5, 1.5, trials) if drawn else np.ones(trials)
        vals = mu * scale * (1 + 1 / n) + 0.01 * rng.standard_normal(trials) / np.sqrt(n)
        return Sample({"test_error": vals}, scale, label)

    def trial_theory(self, sample, theory):
        return theory * sample.scale if sample.scale.std() > 0 else None  # conditional only when drawn


def test_base_class_requires_the_methods():
    class Bare(Derivation):
        name = "bare"

    with pytest.raises(NotImplementedError):
        Bare().solve()


def test_options_are_values_and_the_derivation_is_not_mutated():
    d = Toy()
    before = dict(d.options)
    rep = d.verify(sizes=(50, 100), trials=4, seed=1, label="chosen")
    assert d.options == before and type(d) is Toy
    assert {label for _, _, label in d.seen} == {"chosen"}
    assert rep.params["label"] == "chosen" and rep.params["mu"] == 2
    assert "dim" not in rep.params  # solve-only: left out of verify
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['colour'\].*'drawn', 'label'"):
        d.verify(sizes=(50, 100), trials=4, colour=1)


def test_trial_theory_makes_the_deviation_per_trial():
    d = Toy()
    rep = d.verify(seed=3, drawn=True)
    last = rep.ladder[-1]
    assert len(last["theory_per_trial"]) == last["trials"] and np.std(last["theory_per_trial"]) > 0.1
    assert max(abs(e) for e in last["per_trial"]) < 0.02  # 1/n bias + 1 % noise/√n, not the ±50 % draw
    assert rep.verdict == "agrees", rep.reasons


def test_without_the_hook_the_drawn_scale_is_not_explained():
    class Blind(Toy):
        def trial_theory(self, sample, theory):
            return None

    rep = Blind().verify(seed=3, drawn=True)
    assert max(abs(e) for e in rep.ladder[-1]["per_trial"]) > 0.1 and rep.verdict != "agrees"


def test_measure_size_and_conclude_are_the_steps_of_verify():
    from symrmt.simulate import derive_seed

    d = Toy()
    rep = d.verify(seed=5, trials=6)
    p = d.bind()
    p.pop("dim")
    th = d.theory(**p)
    rows = [d.measure_size(n, d.trials_for(n, d.sizes, 6), derive_seed(5, n), th, **p) for n in d.sizes]
    assert [r["per_trial"] for r in rows] == [r["per_trial"] for r in rep.ladder]
    fit = d.conclude(d.sizes, rows)
    assert fit["verdict"] == rep.verdict and fit["reasons"] == rep.reasons
