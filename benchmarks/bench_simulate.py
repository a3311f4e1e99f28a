"""Simulation overhead: symrmt's sampler against a bare ``torch.linalg.eigvalsh`` on the same matrices.

For each ensemble the same seeded generator draws the same matrices for three timings,
interleaved and repeated (median):

* ``eigvalsh``  — ``torch.linalg.eigvalsh`` alone on the prebuilt matrices;
* ``raw``       — a hand-written torch program: draw, build the matrices, eigvalsh;
* ``simulate``  — :func:`symrmt.simulate.sample_eigenvalues` (law → model dispatch, seeding,
  memory-aware batching, generation, eigvalsh).

``sim/eig`` is the cost relative to the eigensolver alone (target <= 1.1 where building the
matrix is cheap next to the O(n³) eigensolver, as for Wigner matrices); for a sample covariance
the Gram product XᵀX and for a free sum the Haar QR and rotation are part of the model, so
``sim/raw`` — symrmt against the same computation written by hand — isolates its overhead.

Usage: python benchmarks/bench_simulate.py [--n 1000] [--trials 4] [--repeats 5] [--device cpu]
"""
from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp
import torch

import symrmt as sr
from symrmt.simulate import ensembles as ens
from symrmt.simulate import make_generator, resolve_device, sample_eigenvalues


def _median_time(fn, repeats: int, device) -> float:
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _raw(kind: str, n: int, trials: int, seed: int, device):
    return torch.linalg.eigvalsh(_matrices(kind, n, trials, seed, device))


def _matrices(kind: str, n: int, trials: int, seed: int, device):
    """The exact matrices sample_eigenvalues diagonalizes for this seed (same draws, same order)."""
    g = make_generator(seed, device)
    dt = torch.float64
    if kind == "wigner":
        x = ens.gaussian((trials, n, n), g, dt)
        return (x + x.transpose(-2, -1)) / (2 * n) ** 0.5  # the textbook construction
    if kind == "wishart":
        x = ens.gaussian((trials, 2 * n, n), g, dt)
        return x.transpose(-2, -1) @ x / (2 * n)
    a = torch.tensor([1.0, 3.0], dtype=dt, device=device).repeat_interleave(n // 2).expand(trials, n)
    b = torch.tensor([0.0, 2.0], dtype=dt, device=device).repeat_interleave(n // 2).expand(trials, n)
    q = ens.haar_orthogonal(trials, n, g, dt)
    return (q * b.unsqueeze(-2)) @ q.transpose(-2, -1) + torch.diag_embed(a)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default=None)
    args = ap.parse_args()
    dev = resolve_device(args.device)
    laws = {
        "wigner": sr.laws.semicircle(1),
        "wishart": sr.laws.marchenko_pastur(sp.Rational(1, 2)),
        "free-sum": sr.free_add(sr.laws.atoms([1, 3]), sr.laws.atoms([0, 2])),
    }
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"n = {args.n}, trials = {args.trials}, median of {args.repeats}")
    print(f"{'ensemble':<10} {'eigvalsh [s]':>13} {'raw [s]':>9} {'simulate [s]':>13} {'sim/eig':>8} {'sim/raw':>8}")
    for kind, law in laws.items():
        sample_eigenvalues(law, 64, 1, seed=0, device=dev)  # warm-up
        mats = _matrices(kind, args.n, args.trials, 1, dev)
        check = torch.linalg.eigvalsh(mats)
        sim = sample_eigenvalues(law, args.n, args.trials, seed=1, device=dev)
        # Wigner: symrmt stores the same draws as a lower triangle (equal in law, not entrywise),
        # so only the sample covariance is compared entry by entry
        same = torch.allclose(check, sim, atol=1e-8) if kind == "wishart" else None
        fns = {"eig": lambda: torch.linalg.eigvalsh(mats),
               "raw": lambda: _raw(kind, args.n, args.trials, 1, dev),
               "sim": lambda: sample_eigenvalues(law, args.n, args.trials, seed=1, device=dev)}
        times = {k: [] for k in fns}
        for _ in range(args.repeats):  # interleaved, so that load changes hit all three alike
            for k, fn in fns.items():
                times[k].append(_median_time(fn, 1, dev))
        t = {k: statistics.median(v) for k, v in times.items()}
        note = "" if same is None else ("  (same spectra)" if same else "  (SPECTRA DIFFER)")
        print(f"{kind:<10} {t['eig']:13.4f} {t['raw']:9.4f} {t['sim']:13.4f} {t['sim'] / t['eig']:8.2f} "
              f"{t['sim'] / t['raw']:8.2f}{note}")


if __name__ == "__main__":
    main()
