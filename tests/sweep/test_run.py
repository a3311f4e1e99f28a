"""``sweep`` in this process: numbers against independent calls of the derivation, the store
(resume, refusal of another sweep), bad input."""
import json

import numpy as np
import pytest

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import derive_seed
from symrmt.sweep import open_sweep, sweep

GRID = {"q": [0.3, 0.6], "ridge": [0.1, 1.0]}
KW = dict(sizes=[20, 40], trials=3, seed=5, client="serial", progress=False)


@pytest.fixture(scope="module")
def ds():
    return sweep("ridge", GRID, **KW)


def test_dataset_layout_and_attrs(ds):
    assert ds["measurement"].dims == ("q", "ridge", "size", "trial")
    assert ds["deviation"].dims == ("q", "ridge")
    for v in ("theory", "measurement", "deviation", "se", "zscore", "verdict", "done", "simulated"):
        assert v in ds
    assert bool(ds["done"].all())
    a = ds.attrs
    assert a["derivation"] == "ridge" and a["seed"] == 5 and len(a["derivation_source_hash"]) == 64
    assert "torch" in json.loads(a["versions"]) and a["device"] == "cpu"
    assert set(np.unique(ds["verdict"].values)) <= {"agrees", "disagrees", "inconclusive"}


def test_numbers_match_the_derivation_called_directly(ds):
    d = sr.load("ridge")
    p = d.bind(q=0.6, ridge=1.0)
    theory = d.theory(**p)
    assert float(ds["theory"].sel(q=0.6, ridge=1.0)) == pytest.approx(theory, rel=1e-9)
    # point (q=0.6, ridge=1.0) is flat index 3; one batch per size
    row = d.measure_size(40, 3, derive_seed(5, 3, 40, 0), theory, device="cpu", **p)
    got = ds["measurement"].sel(q=0.6, ridge=1.0, size=40).values
    np.testing.assert_allclose(got, row["per_trial"], rtol=1e-9, atol=1e-12)
    # deviation and SE: the derivation's own finite-size fit (2 sizes)
    rows = [d.measure_size(n, 3, derive_seed(5, 3, n, 0), theory, device="cpu", **p) for n in (20, 40)]
    fit = d.conclude([20, 40], rows)
    assert float(ds["deviation"].sel(q=0.6, ridge=1.0)) == pytest.approx(fit["plateau"], rel=1e-6)


def test_store_resume_and_refusal(tmp_path):
    store = tmp_path / "s"
    a = sweep("ridge", {"q": [0.3, 0.6]}, store=store, batch=2, **KW)
    assert a.attrs["tasks_run"] == 2 * 2 * 2 and a.attrs["tasks_reused"] == 0
    records = sorted((store / "tasks").glob("*.json"))
    assert len(records) == 8
    records[0].unlink()  # as if killed before that task finished
    b = sweep("ridge", {"q": [0.3, 0.6]}, store=store, batch=2, **KW)
    assert b.attrs["tasks_run"] == 1 and b.attrs["tasks_reused"] == 7
    np.testing.assert_array_equal(a["measurement"].values, b["measurement"].values)
    c = open_sweep(store)
    np.testing.assert_array_equal(c["measurement"].values, a["measurement"].values)
    assert list(c["verdict"].values) == list(a["verdict"].values)
    with pytest.raises(ParameterError, match="different sweep.*grid"):
        sweep("ridge", {"q": [0.3, 0.7]}, store=store, batch=2, **KW)
    with pytest.raises(ParameterError, match="different sweep.*derivation"):
        sweep("marchenko-pastur", {"ratio": [0.3, 0.6]}, store=store, batch=2, **KW)
    manifest = json.loads((store / "sweep.json").read_text())
    manifest["source_hash"] = "0" * 64  # a store written by another version of the derivation
    (store / "sweep.json").write_text(json.dumps(manifest))
    with pytest.raises(ParameterError, match="source_hash"):
        sweep("ridge", {"q": [0.3, 0.6]}, store=store, batch=2, **KW)


def test_store_not_a_sweep(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "other.txt").write_text("data")
    with pytest.raises(ParameterError, match="no sweep manifest"):
        sweep("ridge", {"q": [0.3]}, store=tmp_path / "x", **KW)
    with pytest.raises(ParameterError, match="does not exist"):
        sweep("ridge", {"q": [0.3]}, store=tmp_path / "missing" / "s", **KW)


@pytest.mark.parametrize("kwargs, match", [
    ({"grid": {"gamma": [1]}}, "unknown parameter"),
    ({"grid": "q=0.5:0.1:3"}, "LO < HI"),
    ({"grid": {"q": [0.5]}, "sizes": [1]}, "sizes"),
    ({"grid": {"q": [0.5]}, "trials": 0}, "trials"),
    ({"grid": {"q": [0.5]}, "seed": -1}, "seed"),
    ({"grid": {"q": [0.5]}, "client": 3}, "client"),
    ({"grid": {"q": [0.5]}, "client": "not-an-address"}, "scheduler"),
    ({"grid": {"q": [0.5]}, "params": {"noise": -1}}, "noise"),
    ({"grid": {"q": [0.5]}, "params": {"q": 0.2}}, "both swept and fixed"),
])
def test_bad_input(kwargs, match):
    args = {**KW, **kwargs}
    grid = args.pop("grid")
    with pytest.raises(ParameterError, match=match):
        sweep("ridge", grid, **args)


def test_unknown_derivation():
    with pytest.raises(ParameterError, match="unknown derivation"):
        sweep("no-such-thing", {"q": [0.5]}, **KW)


def test_progress_bar_counts_tasks(tmp_path):
    import io

    stream = io.StringIO()
    sweep("ridge", {"q": [0.3]}, sizes=[20], trials=2, client="serial", progress=stream)
    assert "sweep ridge" in stream.getvalue() and "1/1" in stream.getvalue()


def test_an_overridden_theory_is_honoured():
    base = type(sr.load("ridge"))

    class Scaled(base):
        name = "ridge-scaled-theory"

        def theory(self, **p):
            return 1.5 * super().theory(**p)

    ds = sweep(Scaled(), {"q": [0.3, 0.6]}, sizes=[20], trials=2, client="serial", progress=False)
    d = sr.load("ridge")
    expected = [1.5 * d.theory(**d.bind(q=q)) for q in (0.3, 0.6)]
    np.testing.assert_allclose(ds["theory"].values, expected, rtol=1e-9)


def test_options_reach_theory_and_simulation_and_are_recorded(tmp_path):
    """An option fixed for the whole sweep changes both sides: the theory is Mei–Montanari's with
    the tanh Hermite coefficients and each trial is a tanh random-features model (the same numbers
    as the derivation called directly with activation='tanh'; relu's differ)."""
    d = sr.load("random-features")
    kw = dict(sizes=[20, 40], trials=3, seed=2, client="serial", progress=False)
    store = tmp_path / "rf"
    ds = sweep(d, {"psi1": [0.5, 2.0]}, options={"activation": "tanh"}, store=store, **kw)
    assert json.loads(ds.attrs["options"]) == {"activation": "tanh"}
    assert "activation" not in json.loads(ds.attrs["params"])
    p = d.bind(psi1=2.0, activation="tanh")
    theory = d.theory(**p)
    assert theory != pytest.approx(d.theory(**d.bind(psi1=2.0)), rel=1e-3)  # the option matters here
    assert float(ds["theory"].sel(psi1=2.0)) == pytest.approx(theory, rel=1e-9)
    row = d.measure_size(40, 3, derive_seed(2, 1, 40, 0), theory, device="cpu", **p)
    np.testing.assert_allclose(ds["measurement"].sel(psi1=2.0, size=40).values, row["per_trial"], rtol=1e-9)
    # resuming needs the same options; the default (relu) is another sweep
    again = sweep(d, {"psi1": [0.5, 2.0]}, options={"activation": "tanh"}, store=store, **kw)
    assert again.attrs["tasks_reused"] == 4 and again.attrs["tasks_run"] == 0
    with pytest.raises(ParameterError, match="different sweep.*options"):
        sweep(d, {"psi1": [0.5, 2.0]}, store=store, **kw)


@pytest.mark.parametrize("options, match", [
    ({"activation": "softsign"}, "activation"),          # not a declared choice
    ({"psi2": 1.0}, "numeric parameter"),                # a parameter given as an option
    ({"colour": "red"}, "unknown option 'colour'"),
    (["activation"], "mapping"),
])
def test_bad_options(options, match):
    with pytest.raises(ParameterError, match=match):
        sweep("random-features", {"psi1": [0.5]}, options=options, **KW)
