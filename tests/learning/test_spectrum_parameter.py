"""``spectrum``, the population measure of the learning curves, is a listed parameter of kind
"measure": ``show`` and ``describe`` name it with its default and allowed values; it is passed
like an option (never parsed as a number, never swept), and ``solve``/``simulate`` take it."""
import numpy as np
import pytest
from scipy.optimize import brentq

from symrmt.cli import main
from symrmt.errors import ParameterError
from symrmt.registry import load

MEASURED = ("ridge", "linear-random-features", "powerlaw-ridge")
ATOMS = (np.array([0.5, 2.0]), np.array([0.25, 0.75]))


@pytest.mark.parametrize("name", MEASURED)
def test_show_and_describe_list_the_spectrum(name, capsys):
    assert main(["show", name]) == 0
    out = capsys.readouterr().out
    params = out.split("Parameters:")[1]
    line = next(l for l in params.splitlines() if l.strip().startswith("spectrum"))
    assert "(measure; None:" in line and "symrmt.measures.Measure" in line and "not swept" in line
    der = load(name)
    entry = [p for p in der.describe()["parameters"] if p["name"] == "spectrum"]
    assert entry and entry[0]["kind"] == "measure" and entry[0]["default"] is None
    assert "spectrum" in der.options and der.options["spectrum"] is None
    for p in der.parameters:   # the numeric ones are listed too, with their ranges
        assert f"  {p.name} = " in params and p.allowed in params


def test_spectrum_is_not_a_number(capsys):
    assert main(["solve", "ridge", "--param", "spectrum=2"]) == 2
    assert "spectrum is an option of ridge" in capsys.readouterr().err
    from symrmt.sweep.grid import grid_from

    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['spectrum'\]"):
        grid_from({"spectrum": [1.0, 2.0]}).check(load("ridge"))


def test_ridge_solve_with_a_spectrum_matches_the_formula():
    """λ = κ(1 − q df1(κ)), E = [κ² signal t2 + σ²]/(1 − q df2) with the isotropic target
    (``t2 = E[t/(t+κ)²]``, ``df2 = E[t²/(t+κ)²]``), solved here by brentq on the atoms."""
    q, lam, noise = 0.7, 0.05, 0.2
    pts, wts = ATOMS
    kappa = brentq(lambda k: k * (1 - q * np.sum(wts * pts / (pts + k))) - lam, lam, 100.0, xtol=1e-15)
    t2 = np.sum(wts * pts / (pts + kappa) ** 2)
    df2 = np.sum(wts * pts**2 / (pts + kappa) ** 2)
    want = (kappa**2 * t2 + noise) / (1 - q * df2)
    res = load("ridge").solve(q=q, ridge=lam, noise=noise, signal=1, spectrum=ATOMS)
    assert abs(float(res["kappa"]) - kappa) < 1e-12 * kappa
    assert abs(float(res["test_error"]) - want) < 1e-10 * want


def test_simulate_and_report_take_the_spectrum():
    der = load("linear-random-features")
    sim = der.simulate(40, trials=1, seed=3, spectrum=ATOMS)
    assert np.isfinite(sim.mean("test_error"))
    assert "spectrum" in der.report_params(der.bind(spectrum=ATOMS))
