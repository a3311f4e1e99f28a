"""``symrmt codegen NAME``: every registered derivation with a generated solver exports a module
that imports and evaluates; a learning curve's module runs in a fresh virtual environment that
holds numpy and numba only and matches the derivation's ``solve``."""
import importlib.util
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest

from symrmt.codegen import write_standalone
from symrmt.errors import DerivationError
from symrmt.registry import available, load

#: derivations whose theory is not one generated solver, and why (the rest must export)
NO_STANDALONE = {
    "deep-structured-rf": "theory conditional on each trial's drawn weights",
    "digits-gcv": "risk of a measured data spectrum (a data set), not a model",
    "kernel-gcv": "theory conditional on each trial's population sample",
    "one-step-spiked-rf": "a System per population plus a NumPy linear part",
    "ntk-reverse": "a kernel recursion, no fixed point",
    "imde-linear": "modified equations (B-series), no fixed point",
    "imde-lorenz": "modified equations (B-series), no fixed point",
    "imde-lotka-volterra": "modified equations (B-series), no fixed point",
    "imde-pendulum": "modified equations (B-series), no fixed point",
    "imde-pendulum-bdf2": "modified equations (B-series), no fixed point",
}
EXPORTED = sorted(set(available()) - set(NO_STANDALONE))


def _import(path: Path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_catalogue_is_split_into_exported_and_explained():
    assert set(NO_STANDALONE) <= set(available())
    for name in NO_STANDALONE:
        with pytest.raises(DerivationError, match="no standalone solver"):
            load(name).codegen_target()
    assert {"ridge", "linear-random-features", "deep-linear-rf", "powerlaw-ridge", "random-features",
            "marchenko-pastur", "powerlaw-covariance"} <= set(EXPORTED)


@pytest.mark.parametrize("name", EXPORTED)
def test_every_derivation_with_a_solver_exports_and_imports(name, tmp_path):
    """Writing and importing is fast (numba compiles lazily, at the first call); the module
    names the System's unknowns and every observable, or the law's functions."""
    target = load(name).codegen_target()
    path = write_standalone(target, tmp_path / f"{name.replace('-', '_')}.py")
    src = path.read_text(encoding="utf-8")
    assert "import symrmt" not in src and "from symrmt" not in src and "import sympy" not in src
    mod = _import(path)
    if mod.META["kind"] == "law":
        assert all(callable(getattr(mod, f)) for f in ("stieltjes", "density", "cdf", "support", "atoms"))
    else:
        assert mod.META["unknowns"] == tuple(u.name for u in target.unknowns)
        assert mod.META["observables"] == tuple(target.observables)
        assert len(getattr(mod, "MEASURES", ())) == mod.META["measures"]  # measures travel with the module


def _learning_point(name: str):
    """(derivation parameters, the exported System's parameters) at the same point: the maps
    stated in each derivation's ``codegen_target``."""
    if name == "ridge":
        q, lam = np.array([0.3, 0.5, 1.5]), np.array([0.01, 0.1, 0.05])
        return {"q": q, "ridge": lam}, {"samples": 1 / q, "ridge": lam, "noise": 0.25, "signal": 1.0,
                                        "inv_ensemble": 1.0}
    if name == "linear-random-features":
        return ({"alpha": 0.5, "beta": 0.7, "ridge": 0.05, "ensemble": 3},
                {"samples": 2.0, "ridge": 0.05 / 0.7, "noise": 0.25, "signal": 1.0, "inv_ensemble": 1 / 3,
                 "width1": 1 / 0.7})
    if name == "deep-linear-rf":
        return ({}, {"samples": 1.5, "ridge": 0.05, "noise": 0.1, "signal": 1.0, "inv_ensemble": 1.0,
                     "width1": 2.0, "width2": 0.8, "width3": 1.5})
    if name == "powerlaw-ridge":
        i = np.arange(1, 1001.0)
        return {}, {"samples": 0.2, "ridge": 1e-3, "noise": 0.1, "signal": float(np.sum(i ** -2.0)),
                    "inv_ensemble": 1.0}
    return None


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPORTED)
def test_every_exported_module_evaluates(name, tmp_path):
    """Each module compiles and evaluates (about 4–12 s of numba compilation each, hence slow):
    learning curves against the derivation's ``solve`` through the stated parameter maps, to
    1e-12; laws against the compiled law (Stieltjes transform and CDF) and a total mass of 1;
    a spectral System against its compiled solver."""
    der = load(name)
    target = der.codegen_target()
    mod = _import(write_standalone(target, tmp_path / f"{name.replace('-', '_')}.py"))
    if mod.META["kind"] == "law":
        params = {p.name: float(p.default) for p in der.parameters}
        c = target.compile()
        z = np.array([0.3 + 0.1j, 2.0 + 0.5j, -1.0 + 0.01j])
        np.testing.assert_allclose(mod.stieltjes(z, **params), c.stieltjes(z, **params), rtol=1e-12, atol=0)
        hi = max(b for _, b in mod.support(**params))
        assert abs(mod.cdf(hi + 1.0, **params) - 1.0) < 1e-9
        return
    point = _learning_point(name)
    if point is not None:
        der_params, sys_params = point
        got = mod.solve(**sys_params)
        want = der.solve(**der_params)
        assert np.all(got["converged"])
        for key in ("test_error", "train_error", "gcv", "kappa"):
            np.testing.assert_allclose(np.asarray(got[key]).real, np.asarray(want[key]), rtol=1e-12, atol=0)
        return
    # a System without a learning-curve map (random-features' fixed point, powerlaw-covariance):
    # the generated solver through symrmt at the same complex point
    params = {k: 0.6 + (0.4j if k == "z" else 0.0) for k in mod.META["parameters"]}
    got, want = mod.solve(**params), target.compile().solve(strict=False, **params)
    assert np.all(got["converged"]) and np.all(want.converged)
    for key in mod.META["unknowns"] + mod.META["observables"]:
        np.testing.assert_allclose(got[key], np.asarray(want[key]), rtol=1e-12, atol=1e-14)


def _numpy_numba_only_env(root: Path) -> Path:
    """A fresh virtual environment (no pip, no system site-packages) whose site-packages holds
    links to numpy, numba and llvmlite (numba's code generator) of this interpreter and nothing
    else; returns its python."""
    import llvmlite
    import numba

    venv.EnvBuilder(with_pip=False, system_site_packages=False, symlinks=True).create(root)
    py = root / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    for mod in (np, numba, llvmlite):
        pkg = Path(mod.__file__).parent
        for entry in pkg.parent.iterdir():
            if entry.name == pkg.name or entry.name.startswith((f"{pkg.name}-", f"{pkg.name}.libs")):
                (site / entry.name).symlink_to(entry)
    return py


def test_ridge_module_runs_in_a_numpy_numba_only_environment(tmp_path):
    """The exported ridge System in a virtual environment where symrmt, sympy and torch cannot be
    imported (checked in the run), isolated mode (``python -I``): test/train error, GCV and κ
    equal ``load("ridge").solve`` to 1e-12 (relative) at three points.  About 9 s (numba compiles
    the module in the fresh process), so not in the slow suite."""
    out = tmp_path / "ridge_solver.py"
    write_standalone(load("ridge").codegen_target(), out)
    py = _numpy_numba_only_env(tmp_path / "env")
    der_params, sys_params = _learning_point("ridge")
    code = ("import importlib.util, json, sys\n"
            "for name in ('symrmt', 'sympy', 'torch', 'scipy'):\n"
            "    assert importlib.util.find_spec(name) is None, name\n"
            f"sys.path.insert(0, {str(tmp_path)!r})\n"
            "import numpy as np, ridge_solver as s\n"
            f"r = s.solve(samples=np.array({sys_params['samples'].tolist()}),\n"
            f"            ridge=np.array({sys_params['ridge'].tolist()}), noise=0.25, signal=1.0, inv_ensemble=1.0)\n"
            "print(json.dumps({k: np.asarray(r[k]).real.tolist() for k in "
            "('test_error', 'train_error', 'gcv', 'kappa', 'converged')}))\n")
    env = {"PATH": os.environ.get("PATH", ""), "NUMBA_CACHE_DIR": str(tmp_path / "nb"), "HOME": str(tmp_path)}
    proc = subprocess.run([str(py), "-I", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    want = load("ridge").solve(**der_params)
    assert all(got["converged"])
    for key in ("test_error", "train_error", "gcv", "kappa"):
        np.testing.assert_allclose(got[key], np.asarray(want[key]), rtol=1e-12, atol=0)


def test_cli_codegen_exports_a_learning_curve(tmp_path, capsys):
    """``symrmt codegen ridge -o FILE --json``: the System with its identity data measure."""
    from symrmt.cli import main

    out = tmp_path / "ridge_cli.py"
    assert main(["codegen", "ridge", "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"name": "ridge", "path": str(out)}
    mod = _import(out)
    assert mod.META["parameters"] == ("samples", "ridge", "noise", "signal", "inv_ensemble")
    np.testing.assert_array_equal(mod.MEASURES[0][0], [1.0])   # Σ = I: one atom at 1 of mass 1
    np.testing.assert_array_equal(mod.MEASURES[0][1], [1.0])
