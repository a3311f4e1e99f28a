"""The ``symrmt`` command line: list, show, solve, verify, codegen, demo (see docs/architecture.md).

Every command takes ``--json`` for machine-readable output.  Bad input (an unknown derivation, a
malformed ``--param``, a size below 2, a value outside a parameter's range or not representable as a
float64, an empty ``--at``/``--sizes``, a run over the resource limits of :mod:`symrmt.limits`, an
output path in a missing directory or one that cannot be written, ...) prints one line
``symrmt: error: ...`` on stderr and exits with status 2; exceptions of other kinds are failures and
keep their traceback.  Output directories are never created silently (``demo --out`` creates the
report directory itself, inside an existing one).  ``--param k=v`` values are parsed as plain
numbers only (integers, decimals, fractions like ``1/2``) — never evaluated as code.
``--option k=v`` sets a derivation's non-numeric option (``solve``, ``verify``, ``codegen``) to one of
the values it declares (:attr:`symrmt.derivation.Derivation.option_choices`, listed by
``symrmt verify NAME --help``): ``--option form=finite-d``; a value outside them is bad input whose
message lists the allowed ones, and the text is parsed as a number only for a numeric option.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, Sequence

from ._numbers import exact_number, float_list, int_list
from ._version import __version__
from .errors import SymrmtError

__all__ = ["main", "parse_param", "parse_number"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class UsageError(SymrmtError, ValueError):
    """Malformed command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line on stderr, exit 2
        raise UsageError(message)


class _DerivationHelp(argparse.Action):
    """``-h/--help`` that, after a derivation ``NAME``, also lists NAME's parameters with their
    defaults, descriptions and allowed ranges (an unknown NAME is bad input, as everywhere)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        text = parser.format_help()
        name = getattr(namespace, "name", None)
        if name:
            from .registry import load

            der = load(name)
            params = [q for q in der.describe()["parameters"] if q.get("kind") != "measure"]
            text += f"\nparameters of {name} (--param K=V):\n" + ("\n".join(
                f"  {q['name']}={q['default']}  {q['description'] + '; ' if q['description'] else ''}"
                f"allowed: {q['allowed']}" for q in params) or "  none") + "\n"
            measures = [q["name"] for q in der.describe()["parameters"] if q.get("kind") == "measure"]
            if measures:
                text += f"\nset from Python only (measures): {', '.join(measures)}\n"
            if der.option_choices:
                text += f"\noptions of {name} (--option K=V):\n" + "\n".join(
                    f"  {k}={der.options.get(k)}  allowed: {', '.join(str(c) for c in v)}"
                    for k, v in der.option_choices.items()) + "\n"
        print(text, end="")
        parser.exit()


def parse_number(text: str, what: str = "value") -> Fraction:
    """Parse ``text`` as an exact number: ``3``, ``-0.25``, ``1e-3``, ``1/2``; anything else raises
    (so does a decimal exponent beyond 400, which would build an enormous integer)."""
    return exact_number(text, what)


def parse_param(item: str) -> tuple[str, Fraction]:
    """``"k=v"`` → ``(k, Fraction(v))``."""
    key, sep, val = item.partition("=")
    key = key.strip()
    if not sep or not _NAME.match(key):
        raise UsageError(f"--param: expected NAME=NUMBER, got {item!r}")
    return key, parse_number(val, f"--param {key}")


def _params(items: Sequence[str] | None, der: Any = None) -> dict[str, Fraction]:
    """``--param`` items as exact numbers; naming an option of ``der`` points to ``--option``."""
    out: dict[str, Fraction] = {}
    for item in items or ():
        key = item.partition("=")[0].strip()
        if der is not None and key in der.options:
            allowed = der.option_choices.get(key)
            hint = (f"use --option {key}=VALUE (allowed: {', '.join(str(c) for c in allowed)})" if allowed
                    else "it cannot be set from the command line")
            raise UsageError(f"--param: {key} is an option of {der.name}, not a numeric parameter; {hint}")
        k, v = parse_param(item)
        if k in out:
            raise UsageError(f"--param: {k} given twice")
        out[k] = v
    return out


def _options(items: Sequence[str] | None, der: Any) -> dict[str, Any]:
    """``--option K=V`` items: each value one of the option's declared choices (never evaluated)."""
    from .derivation.parameters import option_items

    return option_items(items, der)


def _settings(args, der) -> dict[str, Any]:
    """``--param`` and ``--option`` of a command, together (the keywords of solve/verify/codegen)."""
    return {**_params(args.param, der), **_options(args.option, der)}


@contextlib.contextmanager
def _writing(what: str):
    """Turn an OSError while writing the output the user named into one line of bad input (other
    OSErrors are not caught anywhere: they are failures, with their traceback)."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise UsageError(f"{what}: cannot write{where}: {exc.strerror or exc}") from exc


def _output_file(path: str, what: str) -> Path:
    """An output file whose directory must already exist (never created silently)."""
    out = Path(path)
    parent = out.parent
    if not parent.is_dir():
        raise UsageError(f"{what}: directory {str(parent)!r} does not exist" if not parent.exists()
                         else f"{what}: {str(parent)!r} is not a directory")
    if out.is_dir():
        raise UsageError(f"{what}: {path!r} is a directory, expected a file name")
    return out


def _emit(args, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, allow_nan=False, default=str) if args.json else text)


# ---------------------------------------------------------------------- commands
def _cmd_list(args) -> int:
    from .registry import available, load

    items = [load(n).describe() for n in available()]
    width = max((len(d["name"]) for d in items), default=0)
    _emit(args, items, "\n".join(f"{d['name']:<{width}}  {d['summary']}" for d in items))
    return 0


def _cmd_show(args) -> int:
    import sympy as sp

    from .registry import load

    der = load(args.name)
    opts = _options(args.option, der)
    if opts:  # the equations of that variant (a copy: the catalogue's entry keeps its defaults)
        import copy

        der = copy.copy(der)
        der.options = {**der.options, **opts}
    eqs = der.equations()
    data = {**der.describe(), "equations": [{"label": lab, "text": sp.sstr(eq), "latex": sp.latex(eq)} for lab, eq in eqs]}
    _emit(args, data, der.show(latex=args.latex))
    return 0


def _cmd_solve(args) -> int:
    from .registry import load

    der = load(args.name)
    params = _settings(args, der)
    at = float_list(args.at, "--at") if args.at is not None else None
    res = der.solve(at=at, **params) if at is not None else der.solve(**params)
    if hasattr(res, "observables") and hasattr(res, "unknowns"):  # a SolveResult: its values, by name
        res = {k: _plain_value(v) for k, v in {**res.unknowns, **res.observables,
                                                "converged": res.converged}.items()}
    if not isinstance(res, dict):
        res = {"result": res}
    lines = [f"{k}: {v}" for k, v in res.items()]
    _emit(args, res, "\n".join(lines))
    return 0


def _plain_value(value: Any) -> Any:
    """An array of a solve result as JSON-ready numbers (a scalar for a single point)."""
    import numpy as np

    arr = np.asarray(value)
    if np.iscomplexobj(arr):
        return str(arr.tolist()) if arr.ndim else str(complex(arr))
    return arr.tolist()


def _sizes(args) -> list[int] | None:
    if args.sizes is not None:
        return int_list(args.sizes, "--sizes")
    if args.n is not None:
        from .simulate.device import check_size

        top = check_size(args.n, "--n")
        return sorted({max(2, top // 8), max(2, top // 4), max(2, top // 2), top})
    return None


def _summary_line(rep) -> str:
    from .verify.report import fmt

    s = rep.scaling
    return (f"{rep.derivation}: {rep.verdict} (slope {fmt(s['slope'], '.2f')} ± {fmt(s['slope_se'], '.2f')}, "
            f"{rep.statistic} at n={s['sizes'][-1]}: {fmt(s['errors'][-1])})")


def _cmd_verify(args) -> int:
    from .registry import load

    der = load(args.name)
    if args.plot is not None:
        _output_file(args.plot, "--plot")  # before the run, not after it
    rep = der.verify(sizes=_sizes(args), trials=args.trials, seed=args.seed, device=args.device,
                     quick=args.quick, progress=_progress(args), **_settings(args, der))
    if args.plot is not None:
        with _writing("--plot"):
            rep.plot(args.plot)
    text = rep.to_markdown() if args.markdown else _summary_line(rep) + "\n" + "\n".join(f"  - {r}" for r in rep.reasons)
    _emit(args, rep.to_dict(), text)
    return 0


def _cmd_codegen(args) -> int:
    from .codegen.standalone import write_standalone
    from .registry import load

    _output_file(args.output, "-o/--output")
    der = load(args.name)
    target = der.codegen_target(**_settings(args, der))
    with _writing("-o/--output"):
        path = write_standalone(target, args.output)
    _emit(args, {"name": der.name, "path": str(path)}, f"wrote {path}")
    return 0


#: Wrong-formula controls of ``symrmt demo``: report stem -> (derivation, theory parameters, why).
DEMO_CONTROLS = {
    "marchenko-pastur-wrong-ratio": ("marchenko-pastur", {"ratio": Fraction(11, 20)},
                                     "Marchenko–Pastur simulated at ratio 1/2, theory at ratio 0.55 (10 % off)"),
    "ridge-wrong-noise": ("ridge", {"noise": Fraction(2, 5)},
                          "ridge simulated with label-noise variance 0.25, theory at 0.4"),
}


def _progress(args) -> bool | None:
    """``--progress``/``--no-progress`` as given; unset: None (a bar when stderr is a terminal and
    ``CI`` is not set), except with ``--json``, where no bar is drawn unless asked for."""
    if args.progress is not None:
        return args.progress
    return False if args.json else None


def _demo_line(args, stem: str, width: int, verdict: str, seconds: float, expected: str, ok: bool) -> None:
    """One line on stderr per demo run: name, verdict and wall time (and what was expected, when
    the verdict differs from it); none with ``--json``."""
    if args.json:
        return
    note = "" if ok else f"  (expected {expected})"
    print(f"{stem:<{width}}  {verdict:<12} {seconds:7.1f} s{note}", file=sys.stderr, flush=True)


def _jobs(value: int | None, runs: int) -> int:
    """Worker processes of the demo: ``--jobs`` or the number of CPUs this process may use."""
    import os

    if value is not None:
        if value < 1:
            raise UsageError(f"--jobs: must be a positive integer, got {value}")
        return min(value, runs)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, runs))


def _demo_weight(der) -> float:
    """Estimated work of a derivation's quick ladder (orders the demo's runs, longest first)."""
    try:
        sizes = tuple(der.quick_sizes)
        p = der.bind()
        return float(sum(der.cost(n, der.trials_for(n, sizes, der.quick_trials), **p).work for n in sizes))
    except Exception:  # noqa: BLE001 - only an ordering hint
        return 0.0


def _demo_outcomes(runs, jobs: int, settings: dict):
    """``(stem, outcome)`` of every run as it finishes: in this process with one job, else in a pool
    of ``jobs`` processes (spawned; torch threads shared out; registered derivations, which a fresh
    process cannot load by name, stay in this process)."""
    from .registry import registered

    local = [r for r in runs if jobs == 1 or r[1] in registered()]
    remote = [r for r in runs if r not in local]
    if remote:
        import concurrent.futures
        import multiprocessing
        import os

        threads = max(1, (os.cpu_count() or 1) // jobs)
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                                    initializer=_demo_worker_init, initargs=(threads,)) as pool:
            futures = {pool.submit(_demo_run, *r, settings): r[0] for r in remote}
            for r in local:
                yield r[0], _demo_run(*r, settings)
            for fut in concurrent.futures.as_completed(futures):
                yield futures[fut], fut.result()
    else:
        for r in local:
            yield r[0], _demo_run(*r, settings)


def _demo_worker_init(threads: int) -> None:
    from .simulate.device import one_torch_thread

    if threads == 1:  # more threads are torch's default; setting them would break batched LU
        one_torch_thread()


def _demo_run(stem: str, name: str, theory_params: dict, expected: str, settings: dict) -> dict:
    """Verify one derivation of the demo (quick mode), save its report and figures; returns the
    index row, the result record and the figures (a failure is recorded, not raised)."""
    from .registry import load
    from .verify.report import fmt

    out, seed, device = Path(settings["out"]), settings["seed"], settings["device"]
    t1 = time.perf_counter()
    try:
        rep = load(name).verify(quick=True, seed=seed, device=device, theory_params=theory_params,
                                progress=settings["progress"])
    except Exception as exc:  # keep the report going; the failure is recorded and the exit status is 1
        msg = (str(exc).splitlines() or [type(exc).__name__])[0]
        return {"result": {"name": stem, "expected": expected, "verdict": "error", "ok": False, "error": msg,
                           "seconds": time.perf_counter() - t1},
                "row": f"| {stem} | — | {expected} | **error**: {msg} | | | | NO |", "figures": {}}
    with _writing("--out"):
        paths = rep.save(out, stem)
    ok = rep.verdict == expected
    figures = {}
    if not theory_params:  # the derivation's own figures (learning curves, kernels, ...)
        try:
            figures = {k: (str(v) if v is not None else None)
                       for k, v in load(name).figures(out, quick=True, seed=seed, device=device).items()}
        except Exception as exc:  # a figure failing is reported, the verdict stands
            figures = {f"{name}: figure failed ({(str(exc).splitlines() or [type(exc).__name__])[0]})": None}
    s = rep.scaling
    row = (f"| [{stem}]({paths['md'].name}) | {rep.statistic} | {expected} | **{rep.verdict}** | "
           f"{fmt(s['slope'], '.2f')} ± {fmt(s['slope_se'], '.2f')} | {fmt(s['plateau'], '.2g')} | "
           f"{fmt(s['errors'][-1])} | {'yes' if ok else 'NO'} |")
    return {"result": {"name": stem, "expected": expected, "verdict": rep.verdict, "ok": ok,
                       "json": paths["json"].name, "png": paths["png"].name, "seconds": time.perf_counter() - t1},
            "row": row, "figures": figures}


def _cmd_demo(args) -> int:
    from .registry import available, load
    from .verify.report import html_page, markdown_to_html

    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"--out: directory {str(out.parent)!r} does not exist")
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create the report directory {str(out)!r}: "
                         f"{exc.strerror or type(exc).__name__}") from exc
    if not out.is_dir():
        raise UsageError(f"--out: {str(out)!r} is not a directory")
    t0 = time.perf_counter()
    names = available()
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        for n in names:
            load(n)  # unknown names fail here, before any work
    runs = [(name, name, {}, "agrees") for name in names if getattr(load(name), "in_demo", True)]
    runs += [(stem, name, tp, "disagrees") for stem, (name, tp, _) in DEMO_CONTROLS.items()]
    rows, results, figures = [], [], {}
    progress = _progress(args)
    width = max(len(r[0]) for r in runs)
    jobs = _jobs(args.jobs, len(runs))
    settings = {"out": str(out), "seed": args.seed, "device": args.device,
                "progress": progress if jobs == 1 else False}
    done = {}
    schedule = sorted(runs, key=lambda r: -_demo_weight(load(r[1])))  # the longest first: the pool ends together
    for stem, outcome in _demo_outcomes(schedule, jobs, settings):
        done[stem] = outcome
        r = outcome["result"]
        _demo_line(args, stem, width, r["verdict"], r["seconds"], r["expected"], r["ok"])
    for stem, *_ in runs:  # the index keeps the order of the runs, whatever order they finished in
        outcome = done[stem]
        results.append(outcome["result"])
        rows.append(outcome["row"])
        figures.update(outcome["figures"])
    seconds = time.perf_counter() - t0
    index = ["# symrmt verification report", "",
             "Each derivation's solution is compared with a torch simulation of the random object it describes, "
             "on a ladder of sizes (quick mode). For spectral laws the statistic is the Kolmogorov–Smirnov "
             "distance between each simulated spectrum and the solver's CDF: a correct law shows a decay close "
             "to log(n)/n (eigenvalue rigidity), a wrong one a plateau; other derivations name their statistic "
             "and expected rate in their own reports. The verdict fits the error against n on log–log axes "
             "and tests for a non-vanishing plateau (see each report's reasons). Learning curves compare the "
             "signed relative deviation of the simulated mean from the theory, extrapolated to n → ∞ with its "
             "uncertainty. The rows marked *control* evaluate the theory at deliberately wrong parameters and "
             "must be reported as disagreeing:", "",
             *[f"- {stem}: {why}" for stem, (_, _, why) in DEMO_CONTROLS.items()], "",
             "| derivation | statistic | expected | verdict | log-log slope | plateau δ | error at largest n "
             "| as expected |",
             "|---|---|---|---|---:|---:|---:|---|", *rows, "",
             f"Total time {seconds:.1f} s, seed {args.seed}.", ""]
    index += [f"![{r['name']}]({r['png']})" for r in results if "png" in r]
    if figures:
        index += ["", "## Figures", ""]
        index += [f"### {title}\n\n![{title}]({Path(path).name})\n" if path else f"- {title}"
                  for title, path in figures.items()]
    with _writing("--out"):
        (out / "index.md").write_text("\n".join(index) + "\n")
        (out / "index.html").write_text(html_page("symrmt verification report", markdown_to_html(
            "\n".join(index), md_links=".html")), encoding="utf-8")  # rows link each report's own page
        (out / "summary.json").write_text(json.dumps({"results": results, "seconds": seconds}, indent=2))
    all_ok = all(r["ok"] for r in results)
    _emit(args, {"results": results, "seconds": seconds, "out": str(out)},
          "\n".join(f"{r['name']:<32} expected {r['expected']:<10} got {r['verdict']:<12} "
                    f"{'ok' if r['ok'] else 'UNEXPECTED'}" for r in results) + f"\nreport written to {out}/index.md")
    return 0 if all_ok else 1


# ---------------------------------------------------------------------- parser
_OPTION_HELP = ("a non-numeric option of the derivation set to one of its allowed values, e.g. form=finite-d "
                "('symrmt verify NAME --help' lists them)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="symrmt", description="Derive, solve and verify random-matrix laws.")
    p.add_argument("--version", action="version", version=f"symrmt {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name, help_, fn, **kw):
        sp_ = sub.add_parser(name, help=help_, description=help_, **kw)
        sp_.add_argument("--json", action="store_true", help="machine-readable output")
        sp_.set_defaults(fn=fn)
        return sp_

    add("list", "list the derivations", _cmd_list)
    s = add("show", "show a derivation's equations", _cmd_show)
    s.add_argument("name")
    s.add_argument("--latex", action="store_true")
    s.add_argument("--option", action="append", metavar="K=V", help=_OPTION_HELP)
    s = add("solve", "solve a derivation numerically", _cmd_solve)
    s.add_argument("name")
    s.add_argument("--param", action="append", metavar="K=V")
    s.add_argument("--option", action="append", metavar="K=V", help=_OPTION_HELP)
    s.add_argument("--at", metavar="X1,X2,...", help="points at which to evaluate density and CDF")
    s = add("verify", "verify a derivation against simulation", _cmd_verify, add_help=False,
            epilog="'symrmt verify NAME --help' also lists NAME's parameters (set with --param K=V) with "
                   "their defaults and allowed ranges, and its options (set with --option K=V) with "
                   "their allowed values; 'symrmt list' lists the derivations.")
    s.add_argument("-h", "--help", action=_DerivationHelp,
                   help="show this help; after NAME, also NAME's parameters, defaults and ranges")
    s.add_argument("name")
    s.add_argument("--param", action="append", metavar="K=V")
    s.add_argument("--option", action="append", metavar="K=V", help=_OPTION_HELP)
    s.add_argument("--n", type=int, help="largest size (ladder n/8, n/4, n/2, n)")
    s.add_argument("--sizes", help="explicit ladder, e.g. 250,500,1000,2000")
    s.add_argument("--trials", type=int, help="trials at the smallest size")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--device", choices=["cpu", "cuda"])
    s.add_argument("--quick", action="store_true", help="small sizes (as in the demo)")
    s.add_argument("--plot", metavar="FILE.png")
    s.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar over the ladder's trials, with ETA (default: on when stderr is a "
                        "terminal and CI is not set)")
    s.add_argument("--markdown", action="store_true", help="print the Markdown report")
    s = add("codegen", "write a standalone solver module (numpy + numba only)", _cmd_codegen)
    s.add_argument("name")
    s.add_argument("-o", "--output", required=True, metavar="FILE.py")
    s.add_argument("--param", action="append", metavar="K=V")
    s.add_argument("--option", action="append", metavar="K=V", help=_OPTION_HELP)
    s = add("demo", "verify every derivation in quick mode and write a report", _cmd_demo)
    s.add_argument("--out", default="report")
    s.add_argument("--only", metavar="NAME,...", help="verify only these derivations (the control always runs)")
    s.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar per derivation over its trials, with ETA (default: on when stderr "
                        "is a terminal and CI is not set)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--device", choices=["cpu", "cuda"])
    s.add_argument("--jobs", type=int, metavar="N",
                   help="derivations verified in parallel, one process each (default: the number of CPUs; "
                        "1: in this process, with progress bars)")
    from .sweep.cli import add_parsers as add_sweep_parsers

    add_sweep_parsers(sub)  # "sweep" and "falsify"
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 a demo verdict differed, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.fn(args))
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (SymrmtError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"symrmt: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
