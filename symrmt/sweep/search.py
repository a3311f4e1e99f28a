"""``falsify``: an adaptive search for where a theory and its simulation disagree.

1. **Explore** — a coarse grid over the ranges (log-spaced where asked), each point run on the
   size ladder as in :func:`~symrmt.sweep.sweep`, giving the extrapolated deviation δ, its
   standard error and ``z = δ / SE(δ)``;
2. **refine** — while the exploration budget lasts, denser points (half the local spacing, along
   every axis) around the points of largest ``|z|``;
3. **confirm** — the ``K`` explored points of largest ``|z|`` are run again with fresh,
   independent seeds, twice the trials and one more, larger size; each gives a two-sided p-value
   ``2(1 − Φ(|z|))``, and the Holm–Bonferroni procedure over the ``K`` tests at level ``α``
   decides which disagreements are significant.

Multiple testing: the exploration only chooses where to test (its z-scores, maximized over many
points, are not significances); the confirmation's data are independent of that choice, so Holm's
procedure controls the family-wise error rate — with a correct theory, the probability of
reporting any region is at most ``α`` (to the accuracy of the normal approximation of δ/SE).
Confirmed points that are neighbours on the explored design form a region, reported as a box
(each point ± half its local spacing, clipped to the ranges) with its smallest adjusted p-value.

The budget counts tasks (one point × size × trial batch); about 60 % goes to exploration.

Resumable: with ``store=DIR`` every finished task is recorded there as in a sweep
(:mod:`symrmt.sweep.store`, keys ``e<round>-…`` for the exploration, ``c-…`` for the
confirmation) and the outcome is written to ``DIR/falsify.json``.  The search is deterministic
given its seeds — which points a round adds depends only on the statistics of the tasks before
it — so rerunning the same search after an interruption reads the finished tasks back, makes the
same choices and runs only what is missing: the outcome is that of an uninterrupted run.  A
store written by another search (derivation or its source, ranges, budget, sizes, trials, seed,
alpha, ...) is refused.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from .grid import parse_range

__all__ = ["falsify", "Falsification", "holm"]

_COARSE = {1: 7, 2: 5, 3: 3}


def holm(pvalues: Sequence[float], alpha: float) -> tuple[list[bool], list[float]]:
    """Holm–Bonferroni: which hypotheses are rejected at family-wise level ``alpha``, and the
    adjusted p-values (``min(1, max_{j≤i} (m − j + 1) p_(j))`` in sorted order).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03], 0.05)
    ([True, False, False], [0.03, 0.06, 0.06])
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    adj = np.round(adj, 15)
    return [bool(a <= alpha) for a in adj], [float(a) for a in adj]


@dataclass
class Falsification:
    """The outcome of :func:`falsify` (plain Python values, JSON-ready with :meth:`to_dict`).

    Attributes
    ----------
    derivation : str
    ranges : dict name -> (low, high)
    log : dict name -> bool
    points : list of dict
        Every explored point.
    zscores, deviations, ses : list of float
        Their exploration statistics.
    confirmations : list of dict
        ``{"point", "deviation", "se", "z", "p", "p_adjusted", "significant"}`` per confirmed point.
    regions : list of dict
        ``{"bounds": {name: (lo, hi)}, "points", "max_abs_z", "p_adjusted"}``.
    alpha : float
    correction : str
        The multiple-testing correction, stated.
    tasks, budget : int
        Tasks of the search (run now or read back from its store), and the budget.
    reused : int
        Of the tasks, those read back from the store (a resumed search).
    """

    derivation: str
    ranges: dict
    log: dict
    points: list
    zscores: list
    deviations: list
    ses: list
    confirmations: list
    regions: list
    alpha: float
    correction: str
    threshold: float
    tasks: int
    budget: int
    sizes: list
    confirm_sizes: list
    trials: int
    seed: int
    seconds: float = 0.0
    figure: str | None = None
    notes: list = field(default_factory=list)
    reused: int = 0

    @property
    def found(self) -> bool:
        """Whether a significant region of disagreement was found."""
        return bool(self.regions)

    def summary_line(self) -> str:
        if not self.regions:
            return f"no disagreement found within budget ({self.tasks} of {self.budget} tasks)"
        return f"{len(self.regions)} region(s) of disagreement (family-wise α = {self.alpha:g})"

    def describe(self) -> str:
        """A few lines for a terminal: the regions with their significance, or that none was found."""
        lines = [f"{self.derivation}: {self.summary_line()}"]
        for r in self.regions:
            box = ", ".join(f"{k} in [{lo:.4g}, {hi:.4g}]" for k, (lo, hi) in r["bounds"].items())
            lines.append(f"  region {box}: max |z| = {r['max_abs_z']:.2f}, adjusted p = {r['p_adjusted']:.2g}, "
                         f"deviation {r['deviation']:+.3g} ± {r['se']:.2g}")
        lines.append(f"  {self.correction}")
        if self.figure:
            lines.append(f"  figure: {self.figure}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["found"] = self.found
        out["summary"] = self.summary_line()
        return out


def _ranges(ranges: Any) -> tuple[dict, dict]:
    out, log = {}, {}
    if isinstance(ranges, str):
        ranges = [ranges]
    if isinstance(ranges, Mapping):
        items = []
        for k, v in ranges.items():
            if isinstance(v, str):
                items.append(parse_range(f"{k}={v}", "ranges"))
            else:
                try:
                    lo, hi, *rest = v
                except (TypeError, ValueError) as exc:
                    raise ParameterError(f"ranges: {k}: expected (low, high) or 'low:high', got {v!r}") from exc
                from .._checks import finite_real

                lo, hi = finite_real(f"ranges[{k!r}] low", lo), finite_real(f"ranges[{k!r}] high", hi)
                lg = bool(rest[0]) if rest else False
                if not lo < hi:
                    raise ParameterError(f"ranges: {k}: needs low < high, got {lo:g}:{hi:g}")
                if lg and lo <= 0:
                    raise ParameterError(f"ranges: {k}: a log range needs low > 0, got {lo:g}")
                items.append((str(k), lo, hi, lg))
    elif isinstance(ranges, (list, tuple)):
        items = [parse_range(r, "ranges") if isinstance(r, str) else r for r in ranges]
    else:
        raise ParameterError(f"ranges: expected a mapping or 'k=lo:hi' strings, got {type(ranges).__name__}")
    if not items:
        raise ParameterError("ranges: need at least one range")
    for k, lo, hi, lg in items:
        if k in out:
            raise ParameterError(f"ranges: {k} given twice")
        out[k], log[k] = (float(lo), float(hi)), bool(lg)
    return out, log


def _coord(lo: float, hi: float, lg: bool, t: float) -> float:
    """The point at fraction ``t`` of the range (in log space for a log range)."""
    if lg:
        return float(math.exp(math.log(lo) + t * (math.log(hi) - math.log(lo))))
    return float(lo + t * (hi - lo))


def falsify(derivation: Any, ranges: Any, budget: int = 200, sizes: Sequence[int] | None = None,
            trials: int | None = None, seed: int = 0, client: Any = None, *, alpha: float = 0.05,
            params: Mapping[str, Any] | None = None, theory_params: Mapping[str, Any] | None = None,
            confirm: int = 4, workers: int | None = None, device: Any = None, dtype: Any = None,
            progress: Any = None, figure: Any = None, store: Any = None, chunk: int | None = None,
            options: Mapping[str, Any] | None = None) -> Falsification:
    """Search the ``ranges`` for points where theory and simulation disagree (see the module docstring).

    Parameters
    ----------
    derivation : Derivation or str
    ranges : mapping name -> (low, high[, log]) or "low:high[:log]", or "k=lo:hi[:log]" strings
    budget : int
        Most tasks to run (point × size × trial batch), exploration and confirmation together.
    sizes : sequence of int, optional
        The exploration's ladder (default: the three smallest ``quick_sizes``); the confirmation
        adds twice the largest.
    trials : int, optional
        Trials at the smallest size (default ``quick_trials``); the confirmation uses twice as many.
    seed : int
        Base seed (exploration round r uses the stream (0, r), the confirmation (1,)).
    client : as for :func:`~symrmt.sweep.sweep`
    alpha : float
        Family-wise error rate of the Holm–Bonferroni confirmation.
    params, theory_params : mapping, optional
        Fixed parameters; parameters at which the theory is evaluated instead (a control).
    options : mapping, optional
        The derivation's non-numeric options for the whole search, as for
        :func:`~symrmt.sweep.sweep` (``{"model": "network"}``).
    confirm : int
        Most points confirmed (K).
    workers, device, dtype, progress : as for :func:`~symrmt.sweep.sweep`
    figure : path, optional
        Where to draw the figure (PNG).
    store : path, optional
        A directory where every finished task is recorded (and the outcome, ``falsify.json``);
        rerunning the same search resumes it (see the module docstring).
    chunk : int, optional
        Tasks per engine call, as for :func:`~symrmt.sweep.sweep`.

    Returns
    -------
    Falsification

    Raises
    ------
    ParameterError
        Bad ranges or options; a store written by another search; a derivation whose verdict is
        not a z-score of a finite-size extrapolation (the ODE kind: sweep it instead).

    Examples
    --------
    >>> import symrmt as sr                                                        # doctest: +SKIP
    >>> res = sr.sweep.falsify("ridge", {"q": (0.2, 0.8)}, budget=40, sizes=[20, 40, 80],
    ...                        trials=5, client="serial", store="ridge-q.falsify")   # doctest: +SKIP
    >>> print(res.describe())                                                       # doctest: +SKIP
    """
    from .._checks import in_range, integer
    from ..simulate.device import resolve_device, resolve_dtype
    from .engine import open_engine
    from .plots import plot_falsification
    from .._version import __version__
    from .run import _Bar, _chunk, _load, _plain_map, fixed_settings, prepare, run_points, source_hash
    from .store import SweepStore
    from .tasks import own_ladder
    from scipy.stats import norm

    t0 = time.perf_counter()
    d = _load(derivation)
    if own_ladder(d):
        raise ParameterError(f"derivation: {d.name} decides its verdict against a learning floor over its own ladder "
                             f"(IMDE truncation orders at one size), not by a z-score of a deviation extrapolated in "
                             f"n, so there is no |deviation|/SE for falsify to search; sweep it instead "
                             f"(sr.sweep({d.name!r}, grid, sizes=[n]) gives the verdict at every point)")
    chunk = _chunk(chunk)
    rng, log = _ranges(ranges)
    fixed, opt_record = fixed_settings(d, params, options)
    tparams = _plain_map("theory_params", theory_params)
    known = {p.name: p for p in d.parameters}
    unknown = [k for k in rng if k not in known]
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown} for {d.name}; its parameters are {sorted(known)}")
    both = sorted(set(rng) & set(fixed))
    if both:
        raise ParameterError(f"parameter(s) {both} are both searched and fixed")
    for k, (lo, hi) in rng.items():
        known[k].check(lo)
        known[k].check(hi)
    d.bind(**fixed)
    if tparams:
        d.bind(**tparams)
    budget = integer("budget", budget, low=1)
    alpha = in_range("alpha", alpha, 0, 1, low_inclusive=False, high_inclusive=False)
    confirm = integer("confirm", confirm, low=1)
    if figure is not None:
        from pathlib import Path

        if not Path(figure).parent.is_dir():
            raise ParameterError(f"figure: directory {str(Path(figure).parent)!r} does not exist")
    sizes = list(sizes) if sizes is not None else list(d.quick_sizes[:3])
    sizes, per, seed, batch = prepare(d, sizes, trials, seed, None)
    t_base = per[sizes[0]]
    c_sizes = sizes + [2 * sizes[-1]]
    _, c_per, _, c_batch = prepare(d, c_sizes, 2 * t_base, seed, None)
    per_point = len(sizes)
    per_confirm = len(c_sizes)
    names = list(rng)
    k = len(names)
    need = 2 ** k * per_point + per_confirm
    if budget < need:
        raise ParameterError(f"budget: {budget} task(s) cannot hold the coarsest design (2 points per axis × "
                             f"{per_point} sizes) and one confirmation; need at least {need}")
    for corner in itertools.product(*((rng[n][0], rng[n][1]) for n in names)):
        p = d.bind(**{**fixed, **dict(zip(names, corner))})
        d.check_ladder(c_sizes, 2 * t_base, **p)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    st = None
    if store is not None:
        manifest = {"kind": "falsify", "derivation": d.name, "source_hash": source_hash(d), "symrmt": __version__,
                    "ranges": {n: list(rng[n]) for n in rng}, "log": log,
                    "params": {k: v for k, v in fixed.items() if k not in opt_record},
                    **({"options": opt_record} if opt_record else {}), "theory_params": tparams,
                    "budget": budget, "alpha": alpha, "confirm": confirm, "sizes": sizes,
                    "trials": {str(n): per[n] for n in sizes}, "seed": seed, "device": dev.type,
                    "dtype": str(dt).replace("torch.", "")}
        st = SweepStore(store, manifest)
    explore_budget = max(2 ** k * per_point, int(0.6 * budget))
    m = _COARSE.get(k, 2)
    while m > 2 and m ** k * per_point > explore_budget:
        m -= 1
    steps = {n: 1.0 / (m - 1) for n in names}  # spacing in units of the range (log range: log units)
    frac_points = [dict(zip(names, c)) for c in itertools.product(*([i / (m - 1) for i in range(m)] for _ in names))]
    spacing: list[dict] = [dict(steps) for _ in frac_points]

    def real(fp: dict) -> dict:
        return {n: _coord(rng[n][0], rng[n][1], log[n], fp[n]) for n in names}

    explored: list[dict] = []
    explored_frac: list[dict] = []
    explored_h: list[dict] = []
    fits: list[dict] = []
    used = reused = 0
    bar = _Bar(progress, f"falsify {d.name}")
    notes: list[str] = []
    try:
        with open_engine(client, workers, explore_budget) as engine:
            round_ = 0
            batch_frac, batch_h = frac_points, spacing
            while batch_frac:
                pts = [real(fp) for fp in batch_frac]
                out = run_points(d, pts, sizes, per, batch, seed, fixed=fixed, theory_params=tparams, engine=engine,
                                 stream=(0, round_), device=dev.type, dtype=dt, bar=bar, store=st, chunk=chunk,
                                 prefix=f"e{round_}-")
                used += out["ran"] + out["reused"]  # the budget counts tasks, run now or read back
                reused += out["reused"]
                explored += pts
                explored_frac += batch_frac
                explored_h += batch_h
                fits += out["fits"]
                round_ += 1
                # refine around the largest |z| not yet refined
                z = np.array([abs(f["deviation"] / f["se"]) if f["se"] and f["se"] > 0 else 0.0 for f in fits])
                z = np.nan_to_num(z)
                seen = {tuple(round(fp[n], 12) for n in names) for fp in explored_frac}
                new_frac, new_h = [], []
                remaining = explore_budget - used
                for i in np.argsort(-z, kind="stable"):
                    if len(new_frac) * per_point >= remaining or explored_h[i].get("_refined"):
                        continue
                    cand = []
                    for n in names:
                        h = explored_h[i][n] / 2
                        for sgn in (-1, 1):
                            fp = dict(explored_frac[i])
                            fp[n] = fp[n] + sgn * h
                            key = tuple(round(fp[q], 12) for q in names)
                            if 0 <= fp[n] <= 1 and key not in seen:
                                cand.append(fp)
                                seen.add(key)
                    if (len(new_frac) + len(cand)) * per_point > remaining:
                        break
                    explored_h[i]["_refined"] = True
                    hh = {n: explored_h[i][n] / 2 for n in names}
                    for fp in cand:
                        new_frac.append(fp)
                        new_h.append(dict(hh))
                    if len(new_frac) >= 2 * k * 2:  # two candidates per round
                        break
                batch_frac, batch_h = new_frac, new_h
            # confirmation with fresh seeds, more trials and a larger size
            zs = np.array([f["deviation"] / f["se"] if f["se"] and f["se"] > 0 else 0.0 for f in fits])
            zs = np.nan_to_num(zs)
            kk = max(1, min(confirm, (budget - used) // per_confirm, len(explored)))
            chosen = [int(i) for i in np.argsort(-np.abs(zs), kind="stable")[:kk]]
            c_out = run_points(d, [explored[i] for i in chosen], c_sizes, c_per, c_batch, seed, fixed=fixed,
                               theory_params=tparams, engine=engine, stream=(1,), device=dev.type, dtype=dt, bar=bar,
                               store=st, chunk=chunk, prefix="c-")
            used += c_out["ran"] + c_out["reused"]
            reused += c_out["reused"]
    finally:
        bar.close()
    conf = []
    for i, f in zip(chosen, c_out["fits"]):
        se = f["se"]
        zc = f["deviation"] / se if se and se > 0 and math.isfinite(se) else 0.0
        zc = zc if math.isfinite(zc) else 0.0
        conf.append({"point": explored[i], "index": i, "deviation": float(f["deviation"]), "se": float(se),
                     "z": float(zc), "p": float(2 * norm.sf(abs(zc))), "verdict": f["verdict"]})
    rejected, adjusted = holm([c["p"] for c in conf], alpha)
    for c, r, a in zip(conf, rejected, adjusted):
        c["significant"], c["p_adjusted"] = r, a
    threshold = float(norm.isf(alpha / (2 * len(conf))))
    regions = _regions([c for c in conf if c["significant"]], explored_frac, explored_h, rng, log, names)
    correction = (f"Holm–Bonferroni over the {len(conf)} confirmed point(s), family-wise error rate α = {alpha:g}: "
                  f"the exploration ({len(explored)} points) only chose where to test; the confirmation used fresh "
                  f"seeds, {c_per[c_sizes[0]]} trials and sizes {c_sizes}")
    res = Falsification(derivation=d.name, ranges={n: list(rng[n]) for n in names}, log=log, points=explored,
                        zscores=[float(z) for z in zs], deviations=[float(f["deviation"]) for f in fits],
                        ses=[float(f["se"]) for f in fits], confirmations=conf, regions=regions, alpha=alpha,
                        correction=correction, threshold=threshold, tasks=used, budget=budget, sizes=sizes,
                        confirm_sizes=c_sizes, trials=t_base, seed=seed, seconds=time.perf_counter() - t0, notes=notes,
                        reused=reused)
    if figure is not None:
        res.figure = str(plot_falsification(res, figure))
    if st is not None:
        st.write_json("falsify.json", res.to_dict())
    return res


def _regions(sig: list, frac: list, h: list, rng: dict, log: dict, names: list) -> list:
    """Group significant points that are neighbours on the design into boxes."""
    groups: list[list] = []
    for c in sig:
        i = c["index"]
        for g in groups:
            if any(all(abs(frac[i][n] - frac[j["index"]][n]) <= 1.01 * max(h[i][n], h[j["index"]][n]) for n in names)
                   for j in g):
                g.append(c)
                break
        else:
            groups.append([c])
    out = []
    for g in groups:
        bounds = {}
        for n in names:
            lo = min(frac[c["index"]][n] - h[c["index"]][n] / 2 for c in g)
            hi = max(frac[c["index"]][n] + h[c["index"]][n] / 2 for c in g)
            bounds[n] = (_coord(*rng[n], log[n], max(0.0, lo)), _coord(*rng[n], log[n], min(1.0, hi)))
        best = max(g, key=lambda c: abs(c["z"]))
        out.append({"bounds": bounds, "points": [c["point"] for c in g], "max_abs_z": abs(best["z"]),
                    "p_adjusted": min(c["p_adjusted"] for c in g), "deviation": best["deviation"], "se": best["se"]})
    return out
