"""The ``symrmt sweep`` and ``symrmt falsify`` commands (wired into :mod:`symrmt.cli` by
:func:`add_parsers`).

``symrmt sweep NAME --param k=lo:hi:num[:log] ... --out STORE [--export FILE.nc]`` sweeps the
parameters given as ranges (``--param k=v`` fixes one), ``symrmt falsify NAME --range
k=lo:hi[:log] ... [--budget N] [--out STORE]`` searches the ranges for a disagreement; rerunning
either command with the same ``--out`` resumes it.  Both run on an embedded Dask LocalCluster unless
``--scheduler tcp://host:port`` names an existing one (or ``--serial`` asks for this process), and
take ``--json``; ``--option K=V`` fixes a non-numeric option (one of its declared choices, as for
``symrmt verify``).  Values are parsed as plain numbers only, never evaluated; bad input raises
:class:`~symrmt.errors.ParameterError`, which the ``symrmt`` entry point prints as one line
(exit status 2).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .._numbers import int_list
from ..errors import ParameterError
from .grid import parse_axis, parse_number

__all__ = ["add_parsers", "cmd_sweep", "cmd_falsify"]


def _sizes(text: str | None) -> list[int] | None:
    return None if text is None else int_list(text, "--sizes")


def _split_params(items: list[str] | None, what: str = "--param") -> tuple[list, dict]:
    """``--param`` items: ranges (``k=lo:hi:num[:log]``) become axes, ``k=v`` fixed values."""
    axes, fixed, seen = [], {}, set()
    for item in items or ():
        key = item.partition("=")[0].strip()
        if key in seen:
            raise ParameterError(f"{what}: {key} given twice")
        seen.add(key)
        if ":" in item.partition("=")[2]:
            axes.append(parse_axis(item, what))
        else:
            if "=" not in item:
                raise ParameterError(f"{what}: expected NAME=NUMBER or NAME=LO:HI:NUM[:log], got {item!r}")
            fixed[key] = parse_number(item.partition("=")[2], f"{what} {key}")
    return axes, fixed


def _cli_options(args, der: Any) -> dict[str, Any] | None:
    """``--option K=V`` items: each value one of the option's declared choices (never evaluated)."""
    from ..derivation.parameters import option_items

    return option_items(args.option, der) or None


def _client(args) -> Any:
    if args.serial and args.scheduler:
        raise ParameterError("--serial and --scheduler: give one of them")
    return "serial" if args.serial else args.scheduler


def _progress(args) -> bool | None:
    if args.progress is not None:
        return args.progress
    return False if args.json else None


def _plot_path(path: str | None, what: str = "--plot") -> Path | None:
    if path is None:
        return None
    out = Path(path)
    if not out.parent.is_dir():
        raise ParameterError(f"{what}: directory {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise ParameterError(f"{what}: {path!r} is a directory, expected a file name")
    return out


def _emit(args, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, allow_nan=True, default=str) if args.json else text)


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def cmd_sweep(args) -> int:
    """``symrmt sweep``: run (or resume) a sweep, print its summary; exit status 0."""
    from ..registry import load
    from .plots import plot_sweep
    from .run import sweep

    der = load(args.name)
    axes, fixed = _split_params(args.param)
    if not axes:
        raise ParameterError("--param: give at least one range NAME=LO:HI:NUM[:log] to sweep")
    plot = _plot_path(args.plot)
    ds = sweep(der, axes, sizes=_sizes(args.sizes), trials=args.trials, seed=args.seed, client=_client(args),
               store=args.out, params=fixed, options=_cli_options(args, der), batch=args.batch,
               workers=args.workers, device=args.device, progress=_progress(args), chunk=args.chunk,
               export=args.export)
    if plot is not None:
        if len(axes) > 2:
            raise ParameterError("--plot: a figure needs a 1-D or 2-D sweep")
        plot_sweep(ds, plot)
    names = [a.name for a in axes]
    verdicts = {str(k): int(v) for k, v in zip(*np.unique(ds["verdict"].values, return_counts=True))}
    z = np.abs(ds["zscore"].values)
    worst = None
    if np.isfinite(z).any():
        idx = np.unravel_index(int(np.nanargmax(z)), z.shape)
        worst = {"point": {n: float(ds[n].values[i]) for n, i in zip(names, idx)},
                 "zscore": float(ds["zscore"].values[idx]), "deviation": float(ds["deviation"].values[idx])}
    points = []
    for idx in np.ndindex(*ds["verdict"].shape):
        points.append({**{n: float(ds[n].values[i]) for n, i in zip(names, idx)},
                       "theory": _clean(float(ds["theory"].values[idx])),
                       "deviation": _clean(float(ds["deviation"].values[idx])),
                       "se": _clean(float(ds["se"].values[idx])), "zscore": _clean(float(ds["zscore"].values[idx])),
                       "verdict": str(ds["verdict"].values[idx])})
    store = str(Path(args.out) / "dataset.zarr")
    data = {"derivation": der.name, "store": store, "dims": {n: len(ds[n]) for n in names},
            "sizes": [int(s) for s in ds["size"].values], "tasks_run": ds.attrs["tasks_run"],
            "tasks_reused": ds.attrs["tasks_reused"], "engine": ds.attrs["engine"],
            "seconds": ds.attrs["wall_seconds"], "verdicts": verdicts, "largest_deviation": worst, "points": points,
            "plot": str(plot) if plot else None, "export": str(args.export) if args.export else None}
    text = [f"{der.name}: {' × '.join(f'{len(ds[n])} {n}' for n in names)} at sizes {data['sizes']}; "
            f"{data['tasks_run']} task(s) run, {data['tasks_reused']} reused, on {data['engine']} in "
            f"{data['seconds']:.1f} s",
            "verdicts: " + ", ".join(f"{k} {v}" for k, v in verdicts.items())]
    if worst:
        at = ", ".join(f"{k}={v:.4g}" for k, v in worst["point"].items())
        text.append(f"largest |z|: {abs(worst['zscore']):.2f} at {at} (deviation {worst['deviation']:+.3g})")
    text.append(f"dataset: {store}" + (f"; netCDF: {args.export}" if args.export else "")
                + (f"; figure: {plot}" if plot else ""))
    _emit(args, data, "\n".join(text))
    return 0


def cmd_falsify(args) -> int:
    """``symrmt falsify``: search the ranges; exit status 0 whether or not a region was found."""
    from ..registry import load
    from .search import falsify

    der = load(args.name)
    if not args.range:
        raise ParameterError("--range: give at least one range NAME=LO:HI[:log] to search")
    _, fixed = _split_params(args.param)
    for item in args.param or ():
        if ":" in item.partition("=")[2]:
            raise ParameterError(f"--param: {item!r}: falsify takes ranges with --range NAME=LO:HI; "
                                 "--param NAME=VALUE fixes a parameter")
    plot = _plot_path(args.plot)
    res = falsify(der, list(args.range), budget=args.budget, sizes=_sizes(args.sizes), trials=args.trials,
                  seed=args.seed, client=_client(args), alpha=args.alpha, params=fixed,
                  options=_cli_options(args, der), workers=args.workers,
                  device=args.device, progress=_progress(args), figure=plot, store=args.out, chunk=args.chunk)
    _emit(args, res.to_dict(), res.describe())
    return 0


def add_parsers(subparsers: Any) -> None:
    """Add the ``sweep`` and ``falsify`` subcommands to an argparse ``subparsers`` object; each
    sets ``fn`` to its handler (``fn(args) -> exit status``)."""

    def common(s):
        s.add_argument("name")
        s.add_argument("--json", action="store_true", help="machine-readable output")
        s.add_argument("--sizes", help="the size ladder at every point, e.g. 50,100,200")
        s.add_argument("--trials", type=int, help="trials at the smallest size")
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--scheduler", metavar="ADDR", help="an existing Dask scheduler, e.g. tcp://host:8786 "
                                                           "(default: a LocalCluster on this machine)")
        s.add_argument("--serial", action="store_true", help="run in this process, without Dask")
        s.add_argument("--workers", type=int, help="workers of the local cluster (default: the cores)")
        s.add_argument("--device", choices=["cpu", "cuda"])
        s.add_argument("--plot", metavar="FILE.png", help="write the figure there")
        s.add_argument("--option", action="append", metavar="K=V",
                       help="set a non-numeric option of the derivation to one of its declared choices "
                            "(e.g. --option model=network); fixed for the whole run")
        s.add_argument("--chunk", type=int, metavar="TASKS", help="tasks per engine call (default: 1 serial, else "
                                                                  "about four chunks per worker); changes no number")
        s.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="one bar for the whole run (tasks done / total, ETA); default: on when stderr "
                            "is a terminal and CI is not set")

    help_ = "sweep a derivation over a parameter grid (Dask; resumable Zarr store)"
    s = subparsers.add_parser("sweep", help=help_, description=help_,
                              epilog="--param NAME=LO:HI:NUM[:log] sweeps NAME over NUM points; --param NAME=V "
                                     "fixes it. Rerunning the same command resumes the store.")
    common(s)
    s.add_argument("--param", action="append", metavar="K=LO:HI:NUM[:log]")
    s.add_argument("--out", required=True, metavar="STORE", help="the store directory (resumed if it exists)")
    s.add_argument("--batch", type=int, help="trials per task (default: all trials of a point and size)")
    s.add_argument("--export", metavar="FILE.nc", help="also write the Dataset to this netCDF file")
    s.set_defaults(fn=cmd_sweep)
    help_ = "search parameter ranges for a disagreement between theory and simulation"
    s = subparsers.add_parser("falsify", help=help_, description=help_,
                              epilog="Holm–Bonferroni over the confirmed points controls the family-wise error "
                                     "rate at --alpha.")
    common(s)
    s.add_argument("--range", action="append", metavar="K=LO:HI[:log]")
    s.add_argument("--param", action="append", metavar="K=V", help="fix a parameter")
    s.add_argument("--budget", type=int, default=200, metavar="TASKS", help="most tasks to run (default 200)")
    s.add_argument("--alpha", type=float, default=0.05, help="family-wise error rate (default 0.05)")
    s.add_argument("--out", metavar="STORE", help="a store directory: finished tasks are kept there and a rerun "
                                                  "of the same command resumes the search")
    s.set_defaults(fn=cmd_falsify)


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - for running this module alone
    """Run ``sweep``/``falsify`` alone (the ``symrmt`` entry point wires them in itself)."""
    parser = argparse.ArgumentParser(prog="symrmt")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.fn(args))
    except (ParameterError, ValueError) as exc:
        print(f"symrmt: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
