"""Simulation overhead: symrmt's sampler against a bare ``torch.linalg.eigvalsh`` on the same matrices.

For each law, three timings, interleaved and repeated (median):

* ``eigvalsh``  — ``torch.linalg.eigvalsh`` alone on the matrices symrmt diagonalizes for this
  seed (built once, outside the timing);
* ``simulate``  — :func:`symrmt.simulate.sample_eigenvalues`: law → model dispatch, seeding,
  memory-aware batching, drawing and building the matrices, eigvalsh;
* ``textbook``  — a hand-written torch program with the textbook dense construction (Wigner
  ``(G + Gᵀ)/√(2n)``, Gram products ``XᵀX/n``, Haar rotations where they are needed), the way
  such simulations are usually written.

``sim/eig`` is the cost of everything but the eigensolver (target <= 1.1).  symrmt draws white
Wishart and lone Wigner matrices by their tridiagonal models (Dumitriu & Edelman 2002), which
need no Gram product and O(n) random numbers; a sample covariance with a non-white population
still needs its Gram product and a free sum of two deterministic spectra its Haar rotation, and
these are part of ``sim/eig`` there.  ``sim/text`` compares with the textbook program.  On a CPU
the tridiagonal models are solved by LAPACK's tridiagonal solver (O(n²)), while ``eigvalsh``
here is the dense solve of the same tridiagonal matrices (O(n³)): for those laws ``sim/eig``
below 1 is the tridiagonal solver's gain.

Two further figures, for a GPU run (``benchmarks/gpu_check.sh``):

* ``--speedup 1000,4000,8000`` — :func:`~symrmt.simulate.sample_eigenvalues` on ``--device``
  against the same call on the CPU, per size and per law of ``--speedup-laws``; a CPU timing
  whose cubic extrapolation from the previous size exceeds ``--cpu-budget`` seconds is skipped
  and reported as extrapolated;
* ``--ladder 60`` — the largest n whose ``verify`` ladder ``(n/8, n/4, n/2, n)`` (as
  ``symrmt verify NAME --n N``) of ``--ladder-derivation`` finishes within that many seconds, n
  growing by √2 (a cubic extrapolation says where the budget would end).

Every timing synchronizes the CUDA device before starting and before stopping the clock.
``--json FILE`` writes the figures (rewritten after every measurement, so a run stopped early
leaves what it measured).

Usage: python benchmarks/bench_simulate.py [--n 1000] [--trials 4] [--repeats 5] [--device cpu]
       [--laws wigner,...] [--json FILE] [--no-table] [--speedup N,...] [--ladder SECONDS]
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time

import sympy as sp
import torch

import symrmt as sr
from symrmt.simulate import ensembles as ens
from symrmt.simulate import make_generator, resolve_device, sample_eigenvalues
from symrmt.simulate.models import _Ctx, _draw

HALF = sp.Rational(1, 2)


def _timed(fn, device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t


def _textbook(kind: str, n: int, trials: int, seed: int, device):
    """The dense textbook construction of each model, then eigvalsh."""
    g = make_generator(seed, device)
    dt = torch.float64

    def gauss(*shape):
        return torch.randn(*shape, generator=g, dtype=dt, device=device)

    def wishart(ratio=0.5, pop=None):
        x = gauss(trials, int(n / ratio), n)
        if pop is not None:
            x = x * pop.sqrt().unsqueeze(-2)
        return x.transpose(-2, -1) @ x / x.shape[-2]

    two = torch.tensor([1.0, 3.0], dtype=dt, device=device).repeat_interleave(n // 2).expand(trials, n)
    if kind == "wigner":
        x = gauss(trials, n, n)
        mat = (x + x.transpose(-2, -1)) / (2 * n) ** 0.5
    elif kind == "wishart":
        mat = wishart()
    elif kind == "sc+mp":
        x = gauss(trials, n, n)
        mat = (x + x.transpose(-2, -1)) / (2 * n) ** 0.5 + wishart()
    elif kind == "mp*mp":
        mat = wishart(pop=torch.linalg.eigvalsh(wishart()).clamp_min(0))
    elif kind == "silverstein":
        mat = wishart(pop=two)
    else:  # free sum of two deterministic spectra: A + Q B Qᵀ
        b = torch.tensor([0.0, 2.0], dtype=dt, device=device).repeat_interleave(n // 2).expand(trials, n)
        q = ens.haar_orthogonal(trials, n, g, dt)
        mat = (q * b.unsqueeze(-2)) @ q.transpose(-2, -1) + torch.diag_embed(two)
    return torch.linalg.eigvalsh(mat)


def _laws() -> dict:
    mp = sr.laws.marchenko_pastur(HALF)
    atoms = sr.laws.atoms([1, 3])
    return {
        "wigner": sr.laws.semicircle(1),
        "wishart": mp,
        "sc+mp": sr.free_add(sr.laws.semicircle(1), mp),
        "mp*mp": sr.free_multiply(mp, mp),
        "silverstein": sr.sample_covariance(atoms, HALF),
        "free-sum": sr.free_add(atoms, sr.laws.atoms([0, 2])),
    }


def _environment(dev) -> dict:
    env = {"device": str(dev), "torch": torch.__version__, "threads": torch.get_num_threads(),
           "python": platform.python_version(), "machine": platform.machine()}
    if dev.type == "cuda":
        env["gpu"] = torch.cuda.get_device_name(dev)
        env["cuda"] = torch.version.cuda
    return env


class _Figures:
    """The benchmark's figures, written to ``path`` (if any) after every update."""

    def __init__(self, path: str | None, **head):
        self.path, self.data = path, dict(head)
        self.save()

    def put(self, section: str, key: str, value) -> None:
        self.data.setdefault(section, {})[key] = value
        self.save()

    def save(self) -> None:
        if self.path:
            with open(self.path, "w") as fh:
                json.dump(_finite(self.data), fh, indent=2, allow_nan=False, default=str)


def _finite(x):
    """``x`` with every non-finite float replaced by None (valid JSON)."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _failed(figs: _Figures, section: str, key: str, exc: BaseException) -> None:
    """Record a measurement that raised (out of memory, refused by the resource limits, ...)."""
    print(f"{key}: failed: {type(exc).__name__}: {exc}", flush=True)
    figs.put(section, key, {"error": f"{type(exc).__name__}: {exc}"})
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _table(args, dev, laws, figs: _Figures) -> None:
    """simulate vs eigvalsh vs textbook, per law (the module docstring)."""
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"n = {args.n}, trials = {args.trials}, median of {args.repeats}")
    print(f"{'law':<12} {'eigvalsh [s]':>13} {'simulate [s]':>13} {'textbook [s]':>13} {'sim/eig':>8} {'sim/text':>9}")
    for kind, law in laws.items():
        try:
            _table_row(args, dev, kind, law, figs)
        except Exception as exc:  # noqa: BLE001 - keep measuring the other laws
            _failed(figs, "table", kind, exc)


def _table_row(args, dev, kind, law, figs: _Figures) -> None:
    """One row of the table: eigvalsh, simulate and textbook timings of ``law``."""
    sample_eigenvalues(law, 64, 1, seed=0, device=dev)  # warm-up
    mats = _draw(law, args.n, args.trials, _Ctx(make_generator(1, dev), torch.float64)).lower()
    sim = sample_eigenvalues(law, args.n, args.trials, seed=1, device=dev)
    ev = torch.linalg.eigvalsh(mats)
    same = ev.shape == sim.shape and torch.allclose(ev, sim, atol=1e-8)
    fns = {"eig": lambda: torch.linalg.eigvalsh(mats),
           "sim": lambda: sample_eigenvalues(law, args.n, args.trials, seed=1, device=dev),
           "text": lambda: _textbook(kind, args.n, args.trials, 1, dev)}
    times = {k: [] for k in fns}
    for _ in range(args.repeats):  # interleaved, so that load changes hit all three alike
        for k, fn in fns.items():
            times[k].append(_timed(fn, dev))
    t = {k: statistics.median(v) for k, v in times.items()}
    note = "" if same else "  (matrices differ from the simulated spectra!)"
    print(f"{kind:<12} {t['eig']:13.4f} {t['sim']:13.4f} {t['text']:13.4f} {t['sim'] / t['eig']:8.2f} "
          f"{t['sim'] / t['text']:9.2f}{note}", flush=True)
    figs.put("table", kind, {"n": args.n, "trials": args.trials, "repeats": args.repeats,
                             "eigvalsh_s": t["eig"], "simulate_s": t["sim"], "textbook_s": t["text"],
                             "sim_over_eig": t["sim"] / t["eig"], "sim_over_text": t["sim"] / t["text"],
                             "target_sim_over_eig": 1.1, "target_met": t["sim"] / t["eig"] <= 1.1,
                             "same_matrices": bool(same)})
    del mats, sim, ev
    if dev.type == "cuda":
        torch.cuda.empty_cache()


def _speedup(args, dev, laws, figs: _Figures) -> None:
    """sample_eigenvalues on ``dev`` vs on the CPU at each size."""
    cpu = torch.device("cpu")
    sizes = [int(v) for v in args.speedup.split(",") if v.strip()]
    names = [v.strip() for v in args.speedup_laws.split(",") if v.strip()]
    print(f"\nspeed-up of {dev} over the CPU ({torch.get_num_threads()} threads), trials = {args.speedup_trials}, "
          f"CPU budget {args.cpu_budget:g} s per timing")
    print(f"{'law':<12} {'n':>6} {str(dev) + ' [s]':>12} {'cpu [s]':>12} {'speed-up':>9}")
    for kind in names:
        law = laws[kind]
        for d in (dev, cpu):
            sample_eigenvalues(law, 64, 1, seed=0, device=d)  # warm-up
        last = None  # (n, cpu seconds) of the previous size
        for n in sizes:
            run = lambda d: sample_eigenvalues(law, n, args.speedup_trials, seed=2, device=d)  # noqa: E731
            try:
                t_dev = statistics.median(_timed(lambda: run(dev), dev) for _ in range(args.speedup_repeats))
            except Exception as exc:  # noqa: BLE001
                _failed(figs, "speedup", f"{kind}@{n}", exc)
                continue
            guess = None if last is None else last[1] * (n / last[0]) ** 3
            if dev.type == "cpu":
                t_cpu, how = t_dev, "same device"
            elif guess is not None and guess > args.cpu_budget:
                t_cpu, how = guess, "extrapolated (n^3 from the previous size)"
            else:
                t_cpu, how = _timed(lambda: run(cpu), cpu), "measured"
            if how == "measured":
                last = (n, t_cpu)
            mark = "" if how in ("measured", "same device") else " *"
            print(f"{kind:<12} {n:>6} {t_dev:12.4f} {t_cpu:12.4f}{mark:<2} {t_cpu / t_dev:7.1f}x", flush=True)
            figs.put("speedup", f"{kind}@{n}", {"law": kind, "n": n, "trials": args.speedup_trials,
                                                 "device_s": t_dev, "cpu_s": t_cpu, "cpu_timing": how,
                                                 "speedup": t_cpu / t_dev})
            if dev.type == "cuda":
                torch.cuda.empty_cache()


def _ladder_sizes(start: int):
    n = start
    while True:
        yield n
        n = max(n + 1, int(float(f"{n * math.sqrt(2):.2g}")))  # ×√2, two significant digits


def _ladder(args, dev, figs: _Figures) -> None:
    """The largest n whose verify ladder (n/8, n/4, n/2, n) fits in ``args.ladder`` seconds."""
    from symrmt.registry import load

    der = load(args.ladder_derivation)
    budget = float(args.ladder)
    der.verify(sizes=(32, 64), device=dev)  # warm-up: codegen / compile caches, CUDA context
    print(f"\nverify ladder of {der.name} on {dev}: largest n with (n/8, n/4, n/2, n) in {budget:g} s")
    best, last, total = None, None, 0.0
    for n in _ladder_sizes(args.ladder_start):
        if last is not None and last[1] * (n / last[0]) ** 3 > min(2 * budget, args.ladder_total - total):
            break  # the next rung would run far past the budget (or the total): stop here
        sizes = tuple(sorted({max(n // k, 2) for k in (8, 4, 2, 1)}))
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        try:
            rep = der.verify(sizes=sizes, device=dev)
        except Exception as exc:  # noqa: BLE001 - out of memory, refused by the limits, ...
            _failed(figs, "ladder", str(n), exc)
            break
        if dev.type == "cuda":
            torch.cuda.synchronize()
        sec = time.perf_counter() - t0
        total += sec
        last = (n, sec)
        ok = sec <= budget
        if ok:
            best = n
        print(f"  n = {n:>6}: {sec:8.2f} s  (simulation {sum(r['seconds'] for r in rep.ladder):.2f} s, "
              f"verdict {rep.verdict}){'' if ok else '  over budget'}", flush=True)
        figs.put("ladder", str(n), {"sizes": list(sizes), "seconds": sec, "verdict": rep.verdict,
                                    "simulation_s": sum(r["seconds"] for r in rep.ladder),
                                    "trials": [r["trials"] for r in rep.ladder]})
        if not ok:
            break
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    est = None if last is None else last[0] * (budget / last[1]) ** (1 / 3)
    reached = last is not None and last[1] > budget  # a rung ran past the budget: best is the answer
    figs.put("ladder_summary", "result", {"derivation": der.name, "budget_s": budget, "largest_n": best,
                                          "budget_reached": reached, "extrapolated_n_at_budget": est})
    note = "" if reached else " (a lower bound: the ladder stopped before a rung took the whole budget)"
    print(f"  largest n within {budget:g} s: {best}{note}" + (f"; cubic extrapolation: n ≈ {est:.0f}" if est else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--laws", default=None, help="comma-separated subset of the table's laws")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    ap.add_argument("--no-table", action="store_true", help="skip the simulate/eigvalsh/textbook table")
    ap.add_argument("--speedup", metavar="N,...", help="sizes for the device-vs-CPU speed-up")
    ap.add_argument("--speedup-laws", default="wigner,sc+mp")
    ap.add_argument("--speedup-trials", type=int, default=1)
    ap.add_argument("--speedup-repeats", type=int, default=3)
    ap.add_argument("--cpu-budget", type=float, default=60.0,
                    help="skip (and extrapolate) a CPU timing predicted to take longer [s]")
    ap.add_argument("--ladder", type=float, metavar="SECONDS", help="time budget of the verify ladder")
    ap.add_argument("--ladder-derivation", default="semicircle")
    ap.add_argument("--ladder-start", type=int, default=1000)
    ap.add_argument("--ladder-total", type=float, default=240.0, help="stop growing n past this total [s]")
    args = ap.parse_args()
    dev = resolve_device(args.device)
    laws = _laws()
    if args.laws:
        unknown = set(args.laws.split(",")) - set(laws)
        if unknown:
            ap.error(f"unknown law(s) {sorted(unknown)}; choose from {sorted(laws)}")
        laws = {k: v for k, v in laws.items() if k in args.laws.split(",")}
    figs = _Figures(args.json, environment=_environment(dev))
    if not args.no_table:
        _table(args, dev, laws, figs)
    if args.speedup:
        _speedup(args, dev, _laws(), figs)
    if args.ladder:
        _ladder(args, dev, figs)


if __name__ == "__main__":
    main()
