"""``sweep``: theory against simulation at every point of a parameter grid, on Dask, resumable.

For every grid point the theory is solved (one vectorized solve of the whole grid for derivations
whose ``solve`` takes arrays, else point by point), the simulations run as one task per point ×
size × trial batch (:mod:`symrmt.sweep.tasks`) on the engine of :mod:`symrmt.sweep.engine`, and
each point's finite-size ladder is fitted as ``verify`` fits it (``bias_scaling`` for a signed
relative deviation, ``finite_size_scaling`` for a distance): the extrapolated deviation δ, its
standard error and the verdict.  Finished tasks are recorded in the store as they finish
(:mod:`symrmt.sweep.store`); the result is an :class:`xarray.Dataset` (:mod:`symrmt.sweep.dataset`).
"""
from __future__ import annotations

import hashlib
import inspect
import json
import math
import numbers
import time
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from .grid import Grid, grid_from

__all__ = ["sweep", "run_points", "source_hash", "conclude_point", "conclude_own_ladder", "prepare"]


def source_hash(derivation: Any) -> str:
    """sha256 of the source file of the derivation's class and of its parameters (name, defaults,
    ranges): a store written by another version of the derivation is told apart by it."""
    h = hashlib.sha256()
    try:
        path = inspect.getsourcefile(type(derivation))
        with open(path, "rb") as fh:
            h.update(fh.read())
    except (OSError, TypeError):
        h.update(type(derivation).__qualname__.encode())
    h.update(json.dumps(derivation.describe(), sort_keys=True, default=str).encode())
    return h.hexdigest()


def _load(derivation: Any) -> Any:
    if isinstance(derivation, str):
        from ..registry import load

        return load(derivation)
    if not (hasattr(derivation, "simulate") and hasattr(derivation, "measure") and hasattr(derivation, "bind")):
        raise ParameterError(f"derivation: expected a derivation or its name, got {type(derivation).__name__}")
    return derivation


def _plain_map(name: str, mapping: Mapping[str, Any] | None) -> dict[str, float]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise ParameterError(f"{name}: expected a mapping of parameter names to numbers, got {type(mapping).__name__}")
    from .._checks import finite_real

    return {str(k): finite_real(f"{name}[{k!r}]", v) for k, v in mapping.items()}


def fixed_settings(d: Any, params: Mapping[str, Any] | None,
                   options: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings every point of a sweep or search shares, and their record.

    ``params`` are numbers (:func:`_plain_map`); ``options`` are the derivation's non-numeric
    options (``{"model": "network"}``): a text value must be one of the option's declared
    choices (``option_choices``; never evaluated), any other value is passed as given (a
    population as an array, a SymPy activation) and checked by the derivation.  Returns
    ``(settings, record)``: the keywords of every point, and the options as text for the
    manifest (a store written with other options is refused on resume) and the Dataset's attrs.
    """
    fixed = _plain_map("params", params)
    if options is None:
        return fixed, {}
    if not isinstance(options, Mapping):
        raise ParameterError(f"options: expected a mapping of option names to values, got {type(options).__name__}")
    opts: dict[str, Any] = {}
    for k, v in options.items():
        k = str(k)
        if k not in d.options:
            hint = "; it is a numeric parameter: give it in params" if k in {p.name for p in d.parameters} else ""
            raise ParameterError(f"options: unknown option {k!r} for {d.name}{hint}; its options are "
                                 f"{sorted(d.options) or 'none'}")
        opts[k] = d.option_from_text(k, v) if isinstance(v, str) else v
    text = d.report_params(opts)
    return {**fixed, **opts}, {k: text[k] for k in opts}


def prepare(d: Any, sizes: Sequence[int] | None, trials: int | None, seed: int, batch: int | None) -> tuple:
    """Checked ``(sizes, trials per size, seed, batch)``; defaults: the derivation's quick ladder.

    A derivation with a ladder of its own (:func:`~symrmt.sweep.tasks.own_ladder`, e.g. the ODE
    kind, whose ladder runs over IMDE truncation orders at one training-set size) takes exactly
    one size (default: its quick size) and all the trials of a point in one task (its verdict
    compares them with one learning floor)."""
    from .._checks import integer
    from ..simulate.device import check_seed, check_size, check_trials
    from .tasks import own_ladder

    if own_ladder(d):
        return _prepare_own_ladder(d, sizes, trials, seed, batch)
    if sizes is None:
        sizes = d.quick_sizes
    if isinstance(sizes, (int, np.integer)):
        sizes = [sizes]
    try:
        sizes = list(sizes)
    except TypeError as exc:
        raise ParameterError(f"sizes: expected a sequence of sizes, got {sizes!r}") from exc
    if not sizes:
        raise ParameterError("sizes: need at least one size")
    sizes = sorted({check_size(n, "sizes") for n in sizes})
    trials = check_trials(trials if trials is not None else d.quick_trials)
    per = {n: int(d.trials_for(n, sizes, trials)) for n in sizes}
    batch = max(per.values()) if batch is None else integer("batch", batch, low=1)
    return sizes, per, check_seed(seed), batch


def _prepare_own_ladder(d: Any, sizes: Any, trials: int | None, seed: int, batch: int | None) -> tuple:
    from .._checks import integer
    from ..simulate.device import check_seed, check_size, check_trials

    if sizes is None:
        sizes = list(d.ladder_sizes(None, True))
    if isinstance(sizes, (int, np.integer)):
        sizes = [sizes]
    try:
        sizes = sorted({int(check_size(n, "sizes")) for n in sizes})
    except TypeError as exc:
        raise ParameterError(f"sizes: expected a sequence of sizes, got {sizes!r}") from exc
    if len(sizes) != 1:
        raise ParameterError(f"sizes: {d.name} runs its ladder over its own axis (IMDE truncation orders) at one "
                             f"size, not over sizes; give one size, e.g. sizes=[{d.ladder_sizes(None, True)[0]}], "
                             f"got {sizes}")
    sizes = list(d.ladder_sizes(sizes, True))
    trials = check_trials(trials if trials is not None else d.quick_trials)
    if batch is not None and integer("batch", batch, low=1) < trials:
        raise ParameterError(f"batch: {d.name} judges all the trials of a point together (one learning floor), so "
                             f"they run in one task; omit batch or give batch >= trials ({trials}), got {batch}")
    return sizes, {sizes[0]: int(trials)}, check_seed(seed), int(trials)


def _theories(d: Any, points: list[dict], fixed: dict, theory_params: dict, grid: Grid | None,
              keep_objects: bool) -> tuple[list, np.ndarray, list[str | None]]:
    """The theory at each point: (objects sent to tasks, scalar values or NaN, failure messages).

    One vectorized ``solve(strict=False, **arrays)`` for learning-curve derivations (checked
    against ``theory`` at one point, which a derivation may override), else ``theory`` point by
    point."""
    n = len(points)
    values = np.full(n, np.nan)
    failed: list[str | None] = [None] * n
    if isinstance(getattr(d, "quantity", None), str) and hasattr(d, "solve_arrays"):
        try:  # one vectorized solve of the whole grid
            if grid is not None:
                arrays = grid.arrays()
            else:
                arrays = {k: np.array([p[k] for p in points]) for k in points[0]}
            res = d.solve(strict=False, **{**fixed, **arrays, **theory_params})
            vals = np.broadcast_to(np.asarray(res[d.quantity]).real, next(iter(arrays.values())).shape).ravel()
            conv = np.broadcast_to(np.asarray(getattr(res, "converged", True)), vals.shape).ravel()
            for i in range(n):
                if conv[i] and np.isfinite(vals[i]):
                    values[i] = float(vals[i])
                else:
                    failed[i] = "the theory's fixed point did not converge"
            first = next((i for i in range(n) if failed[i] is None), None)
            if first is not None:  # the vectorized solve must be what ``theory`` gives (it may be overridden)
                ref = d.theory(**d.bind(**{**fixed, **points[first], **theory_params}))
                if not (isinstance(ref, numbers.Real) and math.isclose(float(ref), values[first], rel_tol=1e-8,
                                                                        abs_tol=1e-12)):
                    raise ValueError("the vectorized solve differs from theory()")
            return [None if f else float(v) for v, f in zip(values, failed)], values, failed
        except (ParameterError, TypeError, ValueError, KeyError):
            pass  # point by point below (which reports a bad point clearly)
    objs: list = []
    for i, p in enumerate(points):
        try:
            th = d.theory(**d.bind(**{**fixed, **p, **theory_params}))
        except ParameterError as exc:
            if "converge" not in str(exc):
                raise
            failed[i] = str(exc).splitlines()[0]
            objs.append(None)
            continue
        scalar = isinstance(th, numbers.Real) and not isinstance(th, bool)
        if scalar:
            values[i] = float(th)
        objs.append(th if (scalar or keep_objects) else None)
    return objs, values, failed


def conclude_point(d: Any, sizes: Sequence[int], errors: Sequence[np.ndarray]) -> dict:
    """Fit one point's ladder with the derivation's own ``conclude`` (the fit ``verify`` makes):
    ``{"deviation", "se", "verdict", "reasons"}``.

    ``errors``: the per-trial statistic at each size (NaN entries are trials not run).  The
    deviation is the fit's extrapolation to n → ∞ (``plateau``) with its standard error; with a
    single size, the mean at that size and its standard error (verdict "inconclusive").
    """
    from ..verify import mean_ci

    rows = []
    for n, e in zip(sizes, errors):
        x = np.asarray(e, dtype=float)
        x = x[np.isfinite(x)]
        if x.size:
            rows.append({"n": int(n), "trials": int(x.size), "error": mean_ci(x).to_dict(), "per_trial": x.tolist()})
    if not rows:
        return {"deviation": math.nan, "se": math.nan, "verdict": "not run", "reasons": ["no finished trials"]}
    last = rows[-1]["error"]
    try:
        fit = d.conclude([r["n"] for r in rows], rows)
    except ParameterError as exc:  # e.g. a single trial per size: no spread to estimate
        return {"deviation": last["value"], "se": last["stderr"], "verdict": "inconclusive",
                "reasons": [str(exc).splitlines()[0]]}
    dev, se = float(fit.get("plateau", math.nan)), float(fit.get("plateau_se", math.nan))
    if not math.isfinite(dev):
        dev, se = last["value"], last["stderr"]
    return {"deviation": dev, "se": se, "verdict": str(fit.get("verdict", "inconclusive")),
            "reasons": [str(r) for r in fit.get("reasons", [])]}


def conclude_own_ladder(d: Any, n: int, rows: list[dict]) -> dict:
    """Decide one point of a derivation with a ladder of its own (the ODE kind): its ``conclude``
    on the rows its ``run_ladder`` gave at size ``n`` — the verdict ``verify`` gives.

    ``deviation`` and ``se`` are the mean and standard error of the per-trial statistic of the
    theory's row (for the ODE kind: the held-out RMS distance of the learned field to the order-K
    IMDE); it is a distance judged against the learning floor, not a signed deviation
    extrapolated in n, so ``zscore`` is NaN (``reasons`` say how the verdict was reached)."""
    fit = d.conclude([n], rows)
    row = next((r for r in rows if r.get("theory") is True), rows[-1])
    return {"deviation": float(row["error"]["value"]), "se": float(row["error"]["stderr"]),
            "verdict": str(fit.get("verdict", "inconclusive")), "reasons": [str(r) for r in fit.get("reasons", [])],
            "zscore": math.nan}


def run_points(d: Any, points: list[dict], sizes: list[int], trials: Mapping[int, int], batch: int, seed: int, *,
               fixed: dict, theory_params: dict, engine: Any, store: Any = None, stream: Sequence[int] = (),
               device: Any = None, dtype: Any = None, grid: Grid | None = None, bar: Any = None,
               chunk: int | None = None, prefix: str = "") -> dict:
    """Run (or read back from ``store``) every task of ``points`` and fit each point.

    ``chunk`` tasks go to the engine per call (default :meth:`Engine.chunk_size`); each task's
    record is written to ``store`` under ``prefix + task.key`` as soon as its chunk returns.

    Returns
    -------
    dict
        ``"theory"`` (P,), ``"errors"`` (P, S, T) per-trial statistic (NaN: no trial there),
        ``"seeds"`` (P, S, B), ``"fits"`` (list of :func:`conclude_point` dicts), ``"seconds"``
        and ``"cpu_seconds"`` (summed wall and CPU time of the tasks), ``"ran"`` / ``"reused"``
        (task counts).
    """
    from .tasks import chunked, derivation_spec, own_ladder, plan, run_tasks, warm

    objs, values, failed = _theories(d, points, fixed, theory_params, grid, engine.local)
    tasks = [t for t in plan(len(points), sizes, trials, batch, seed, stream) if failed[t.point] is None]
    done = store.done() if store is not None else {}
    todo = [t for t in tasks if prefix + t.key not in done]
    if bar is not None:
        bar.start(len(tasks), len(tasks) - len(todo))
    spec = d if engine.local else derivation_spec(d)
    dev = str(device) if device is not None else None
    dt = str(dtype).replace("torch.", "") if dtype is not None else None
    if todo:
        engine.warm(warm, spec, engine.threads)
    if chunk is None:
        chunk = engine.chunk_size(len(todo))
    groups = chunked(todo, chunk)
    calls = [(spec, [({**fixed, **points[t.point]}, {**fixed, **points[t.point], **theory_params}, objs[t.point],
                      t.n, t.trials, t.seed) for t in g], dev, dt, engine.threads) for g in groups]
    results = {k[len(prefix):]: rec for k, rec in done.items() if k.startswith(prefix)}
    for i, chunk_results in engine.run(run_tasks, calls):
        for t, res in zip(groups[i], chunk_results):
            rec = {"point": t.point, "params": dict(points[t.point]), "n": t.n, "batch": t.batch, "first": t.first,
                   "trials": t.trials, "seed": t.seed, **res}
            if store is not None:
                store.record(prefix + t.key, rec)
            results[t.key] = rec
            if bar is not None:
                bar.advance()
    tmax = max(trials.values())
    errors = np.full((len(points), len(sizes), tmax), np.nan)
    nb = max(math.ceil(trials[n] / batch) for n in sizes)
    seeds = np.zeros((len(points), len(sizes), nb), dtype=np.uint64)
    seconds = cpu = 0.0
    index = {n: j for j, n in enumerate(sizes)}
    ladders: dict[int, list] = {}
    for t in tasks:
        rec = results[t.key]
        kept = rec.get("params")
        if rec.get("seed") != t.seed or len(rec.get("errors", ())) != t.trials or (
                kept is not None and kept != json.loads(json.dumps(points[t.point]))):
            raise ParameterError(f"store: the record of task {prefix + t.key} does not match this run; refusing to mix")
        errors[t.point, index[t.n], t.first:t.first + t.trials] = rec["errors"]
        seeds[t.point, index[t.n], t.batch] = t.seed
        seconds += float(rec.get("seconds", 0.0))
        cpu += float(rec.get("cpu_seconds", 0.0))
        if "rows" in rec:
            ladders[t.point] = rec["rows"]
    fits = []
    for p in range(len(points)):
        if failed[p] is not None:
            fits.append({"deviation": math.nan, "se": math.nan, "verdict": "no theory", "reasons": [failed[p]]})
        elif own_ladder(d):
            fits.append(conclude_own_ladder(d, sizes[0], ladders[p]))
        else:
            fits.append(conclude_point(d, sizes, [errors[p, j] for j in range(len(sizes))]))
    return {"theory": values, "errors": errors, "seeds": seeds, "fits": fits, "seconds": seconds, "cpu_seconds": cpu,
            "ran": len(todo), "reused": len(tasks) - len(todo)}


class _Bar:
    """One progress bar for the whole sweep: tasks done / total, with ETA (tqdm, when wanted)."""

    def __init__(self, progress: Any, desc: str):
        from .._progress import wanted

        self.bar = None
        self.progress = progress
        self.desc = desc
        self.show = wanted(progress)

    def start(self, total: int, done: int) -> None:
        if not self.show:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:  # tqdm is optional
            return
        if self.bar is None:
            file = self.progress if hasattr(self.progress, "write") else None
            self.bar = tqdm(total=total, initial=done, desc=self.desc, unit="task", file=file, leave=False,
                            dynamic_ncols=True)
        else:  # a later round of a falsification: the bar grows
            self.bar.total += total
            self.bar.update(done)
            self.bar.refresh()

    def advance(self, k: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(k)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()  # the final count is drawn once
            self.bar.close()
            self.bar = None


def sweep(derivation: Any, grid: Any, sizes: Sequence[int] | None = None, trials: int | None = None, seed: int = 0,
          client: Any = None, store: Any = None, *, params: Mapping[str, Any] | None = None,
          theory_params: Mapping[str, Any] | None = None, batch: int | None = None, workers: int | None = None,
          device: Any = None, dtype: Any = None, progress: Any = None, chunk: int | None = None,
          export: Any = None, options: Mapping[str, Any] | None = None):
    """Theory against simulation at every point of ``grid``: an :class:`xarray.Dataset`.

    Parameters
    ----------
    derivation : Derivation or str
        The derivation (or its registry name).
    grid : mapping, Grid or sequence of str
        The swept parameters: ``{"q": [0.2, 0.5], "ridge": "0.01:1:5:log"}``, axis strings
        ``["q=0.2:2:10", "ridge=0.01:1:5:log"]`` or a :class:`~symrmt.sweep.grid.Grid`.
    sizes : sequence of int, optional
        The finite-size ladder at every point (default: the derivation's ``quick_sizes``).
    trials : int, optional
        Trials at the smallest size (default ``quick_trials``; larger sizes as ``trials_for``).
    seed : int
        Base seed; task (point, size, batch) uses ``derive_seed(seed, point, size, batch)``, so the
        numbers do not depend on the engine, the number of workers or the order of completion.
    client : None, "serial", str or dask.distributed.Client
        None: an embedded LocalCluster sized to the machine; "serial": this process; an address
        ``tcp://host:port``: an existing scheduler; a Client: used as is (see
        :mod:`symrmt.sweep.engine`).
    store : path, optional
        A directory where each finished task is recorded and the Dataset written
        (``STORE/dataset.zarr``); rerunning the same sweep resumes it (see :mod:`symrmt.sweep.store`).
        For a netCDF file of the results, give ``export``.
    params : mapping, optional
        Fixed (not swept) parameters; the others keep their defaults.
    theory_params : mapping, optional
        Parameters at which the *theory* is evaluated instead (a wrong-formula control).
    options : mapping, optional
        The derivation's non-numeric options, fixed for the whole sweep (``{"model": "network"}``;
        text values must be declared choices, :func:`fixed_settings`); recorded in the manifest and
        in ``attrs["options"]``.
    batch : int, optional
        Trials per task (default: all the trials of a point and size in one task).
    workers : int, optional
        Workers of the embedded LocalCluster (default: the machine's cores).
    device, dtype
        As for ``Derivation.simulate`` (default: CUDA when available, float64).
    progress : bool, None or a text stream
        One bar for the whole sweep (tasks done / total, ETA); None: when stderr is a terminal.
    chunk : int, optional
        Tasks per engine call (default: 1 in this process, else about four chunks per worker,
        :meth:`~symrmt.sweep.engine.Engine.chunk_size`).  Several tasks per call amortize the
        per-call overhead; each task keeps its seed and record, so no number depends on it.
    export : path, optional
        A netCDF file (``.nc``) the Dataset is also written to, atomically
        (:func:`~symrmt.sweep.dataset.to_netcdf`; read it back with :func:`open_sweep`).

    Returns
    -------
    xarray.Dataset
        Dimensions: the swept parameters, ``size``, ``trial``.  Variables: ``theory``,
        ``measurement`` (the per-trial statistic), ``mean`` and ``stderr`` per size,
        ``deviation`` (extrapolated to n → ∞), ``se``, ``zscore``, ``verdict``, ``done``; attrs:
        derivation, its source hash, versions, seeds, device, ...  (:mod:`symrmt.sweep.dataset`).

    Examples
    --------
    >>> import symrmt as sr                                         # doctest: +SKIP
    >>> ds = sr.sweep("ridge", {"q": "0.2:2:10"}, sizes=[50, 100, 200], trials=4,
    ...               store="ridge-q.sweep")                        # doctest: +SKIP
    >>> ds.deviation.sel(q=0.4, method="nearest")                  # doctest: +SKIP
    """
    from .._version import __version__
    from ..simulate.device import resolve_device, resolve_dtype
    from .dataset import grid_dataset
    from .engine import open_engine
    from .store import SweepStore

    t0 = time.perf_counter()
    d = _load(derivation)
    g = grid_from(grid)
    fixed, opt_record = fixed_settings(d, params, options)
    tparams = _plain_map("theory_params", theory_params)
    chunk = _chunk(chunk)
    export = _export_path(export)
    if store is not None and str(store).endswith(".nc"):
        raise ParameterError(f"store: {str(store)!r}: a store is a directory (task records and dataset.zarr); "
                             f"for a netCDF file of the results give export={str(store)!r} (with a store "
                             f"directory to resume from, if wanted)")
    g.check(d, fixed)
    if tparams:
        d.bind(**tparams)
    d.bind(**fixed)
    sizes, per, seed, batch = prepare(d, sizes, trials, seed, batch)
    points = list(g.points())
    for corner in _corners(g):  # every size's memory and each point's work, before anything runs
        d.check_ladder(sizes, per[sizes[0]], **d.bind(**{**fixed, **corner}))
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    manifest = {"kind": "sweep", "derivation": d.name, "source_hash": source_hash(d), "symrmt": __version__,
                "grid": g.to_dict(), "params": {k: v for k, v in fixed.items() if k not in opt_record},
                **({"options": opt_record} if opt_record else {}), "theory_params": tparams, "sizes": sizes,
                "trials": {str(n): per[n] for n in sizes}, "batch": batch, "seed": seed, "device": dev.type,
                "dtype": str(dt).replace("torch.", "")}
    st = SweepStore(store, manifest) if store is not None else None
    bar = _Bar(progress, f"sweep {d.name}")
    try:
        ntasks = len(points) * sum(math.ceil(per[n] / batch) for n in sizes)
        with open_engine(client, workers, ntasks) as engine:
            out = run_points(d, points, sizes, per, batch, seed, fixed=fixed, theory_params=tparams, engine=engine,
                             store=st, device=dev.type, dtype=dt, grid=g, bar=bar, chunk=chunk)
            engine_text = engine.describe()
    finally:
        bar.close()
    ds = grid_dataset(d, g, sizes, per, batch, out, manifest={**manifest, "engine": engine_text}, device=dev, dtype=dt,
                      seconds=time.perf_counter() - t0)
    if st is not None:
        st.write_dataset(ds)
    if export is not None:
        from .dataset import to_netcdf

        to_netcdf(ds, export)
    return ds


def _chunk(chunk: Any) -> int | None:
    if chunk is None:
        return None
    from .._checks import integer

    return integer("chunk", chunk, low=1)


def _export_path(path: Any):
    """A checked netCDF path (``.nc``, in an existing directory) or None."""
    if path is None:
        return None
    from pathlib import Path

    out = Path(path)
    if out.suffix != ".nc":
        raise ParameterError(f"export: expected a netCDF file name ending in .nc, got {str(path)!r}")
    if not out.parent.is_dir():
        raise ParameterError(f"export: directory {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise ParameterError(f"export: {str(path)!r} is a directory, expected a file name")
    return out


def _corners(g: Grid):
    """The grid's corners (a cost grows monotonically along each parameter in every model here)."""
    import itertools

    for combo in itertools.product(*((a.values[0], a.values[-1]) for a in g.axes)):
        yield dict(zip(g.names, combo))
