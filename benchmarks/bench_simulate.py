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
these are part of ``sim/eig`` there.  ``sim/text`` compares with the textbook program.

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default=None)
    args = ap.parse_args()
    dev = resolve_device(args.device)
    mp = sr.laws.marchenko_pastur(HALF)
    atoms = sr.laws.atoms([1, 3])
    laws = {
        "wigner": sr.laws.semicircle(1),
        "wishart": mp,
        "sc+mp": sr.free_add(sr.laws.semicircle(1), mp),
        "mp*mp": sr.free_multiply(mp, mp),
        "silverstein": sr.sample_covariance(atoms, HALF),
        "free-sum": sr.free_add(atoms, sr.laws.atoms([0, 2])),
    }
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"n = {args.n}, trials = {args.trials}, median of {args.repeats}")
    print(f"{'law':<12} {'eigvalsh [s]':>13} {'simulate [s]':>13} {'textbook [s]':>13} {'sim/eig':>8} {'sim/text':>9}")
    for kind, law in laws.items():
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
              f"{t['sim'] / t['text']:9.2f}{note}")


if __name__ == "__main__":
    main()
