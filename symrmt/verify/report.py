"""The result of a verification: every number, the verdict with its reasons, and the run's context
(sizes, trials, seed, device, library versions), as JSON, Markdown and PNG."""
from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Report", "environment"]


def environment(device: Any = None, dtype: Any = None) -> dict:
    """Versions of the libraries a result depends on, and the device it ran on."""
    import numpy
    import scipy
    import sympy

    from .. import __version__

    env = {"symrmt": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
           "scipy": scipy.__version__, "sympy": sympy.__version__, "platform": platform.platform()}
    try:
        import numba

        env["numba"] = numba.__version__
    except ImportError:  # pragma: no cover
        env["numba"] = None
    import torch

    env["torch"] = torch.__version__
    if device is not None:
        env["device"] = str(device)
        if getattr(device, "type", None) == "cuda":
            env["device_name"] = torch.cuda.get_device_name(device)
    if dtype is not None:
        env["dtype"] = str(dtype).replace("torch.", "")
    return env


def fmt(x: Any, spec: str = ".3g") -> str:
    """Format a number, or "n/a" for None/NaN (a quantity undefined for this run)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return format(x, spec)


def _jsonable(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None  # JSON has no NaN: an undefined number (e.g. a slope from one size) is null
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


@dataclass
class Report:
    """Outcome of :meth:`symrmt.registry.Derivation.verify`.

    Attributes
    ----------
    derivation, summary, reference : str
    params : dict
        Parameters of the simulated object; ``theory_params`` those the theory was solved at
        (different only in deliberate controls such as a wrong-formula check).
    statistic : str
        Name of the error measured at each size (e.g. ``"ks"``).
    ladder : list of dict
        Per size: ``n``, ``trials``, ``seed``, the error estimate and further statistics.
    scaling : dict
        :class:`~symrmt.verify.scaling.FiniteSizeFit` as a dict (slope, plateau, verdict, reasons).
    meta : dict
        Seed, device, dtype, versions, wall time, quick mode.
    """

    derivation: str
    summary: str
    reference: str
    params: dict
    theory_params: dict
    statistic: str
    ladder: list
    scaling: dict
    meta: dict
    plots: dict = field(default_factory=dict)
    plot_data: dict = field(default_factory=dict, repr=False)

    @property
    def verdict(self) -> str:
        return self.scaling["verdict"]

    @property
    def reasons(self) -> list:
        return list(self.scaling["reasons"])

    def to_dict(self) -> dict:
        return _jsonable({"derivation": self.derivation, "summary": self.summary, "reference": self.reference,
                          "verdict": self.verdict, "reasons": self.reasons, "params": self.params,
                          "theory_params": self.theory_params, "statistic": self.statistic,
                          "ladder": self.ladder, "scaling": self.scaling, "meta": self.meta, "plots": self.plots})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def header_lines(self) -> list[str]:
        """Markdown title (with the verdict), summary, reference and parameters."""
        lines = [f"## {self.derivation}: **{self.verdict}**", "", self.summary, "",
                 f"Reference: {self.reference}", "",
                 f"Parameters: {', '.join(f'{k} = {v}' for k, v in self.params.items()) or 'none'}"]
        if self.theory_params != self.params:
            lines.append(f"Theory evaluated at (control): "
                         f"{', '.join(f'{k} = {v}' for k, v in self.theory_params.items())}")
        return lines

    def to_markdown(self) -> str:
        """A self-contained Markdown section (plots linked by file name)."""
        s = self.scaling
        lines = self.header_lines()
        w1 = all("wasserstein1" in row for row in self.ladder)
        lines += ["", f"| n | trials | {self.statistic} (mean) | s.e. | 95% CI | n·{self.statistic} |"
                  + (" W1 (mean) |" if w1 else ""), "|---:|---:|---:|---:|---:|---:|" + ("---:|" if w1 else "")]
        for row in self.ladder:
            e = row["error"]
            lines.append(f"| {row['n']} | {row['trials']} | {e['value']:.4g} | {e['stderr']:.2g} | "
                         f"[{e['low']:.4g}, {e['high']:.4g}] | {row['n'] * e['value']:.3g} |"
                         + (f" {row['wasserstein1']['value']:.3g} |" if w1 else ""))
        if s.get("model") == "bias":
            lines += ["", f"Signed relative deviation extrapolated with d(n) = δ + C n^-{s['expected_rate']:g}: "
                      f"δ = {fmt(s['plateau'])} ± {fmt(s['plateau_se'])} (0 when the theory is right); standard "
                      "errors pooled over sizes assuming a trial-to-trial spread ∝ n^-1/2.", "", "Reasons:"]
        else:
            lines += ["", f"Log–log slope {fmt(s['slope'], '.3f')} ± {fmt(s['slope_se'], '.3f')} (expected about "
                      f"{-s['expected_rate']:g} when the theory is right); plateau δ = {fmt(s['plateau'])} ± "
                      f"{fmt(s['plateau_se'])}.", "", "Reasons:"]
        lines += [f"- {r}" for r in s["reasons"]]
        extra = self.ladder[-1].get("moments") if self.ladder else None
        if extra:
            lines += ["", f"Moments at n = {self.ladder[-1]['n']} (mean over trials, 95% CI):", "",
                      "| k | exact | simulated | CI |", "|---:|---:|---:|---:|"]
            for mo in extra:
                est = mo["estimate"]
                lines.append(f"| {mo['k']} | {mo['exact']:.6g} | {est['value']:.6g} | "
                             f"[{est['low']:.6g}, {est['high']:.6g}] |")
        m = self.meta
        lines += ["", f"Run: seed {m.get('seed')}, device {m.get('device')}, dtype {m.get('dtype')}, "
                  f"{m.get('seconds', 0):.1f} s" + (" (quick mode)" if m.get("quick") else "") + "."]
        for name, p in self.plots.items():
            lines += ["", f"![{self.derivation} {name}]({Path(p).name})"]
        return "\n".join(lines) + "\n"

    def plot(self, path: str | Path) -> Path:
        """Write the PNG (histogram under the density at the largest size; error vs n)."""
        from .plots import plot_verification

        pd = self.plot_data
        out = plot_verification(path, f"{self.derivation}", self.scaling, self.statistic,
                                eigenvalues=pd.get("eigenvalues"), density=pd.get("density"),
                                support=pd.get("support"), n=pd.get("n"))
        self.plots["verification"] = str(out)
        return out

    def save(self, directory: str | Path, stem: str | None = None) -> dict:
        """Write ``<stem>.json``, ``<stem>.md`` and ``<stem>.png`` into ``directory``; returns the paths."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        stem = stem or self.derivation
        png = self.plot(d / f"{stem}.png")
        (d / f"{stem}.json").write_text(self.to_json())
        (d / f"{stem}.md").write_text(self.to_markdown())
        return {"json": d / f"{stem}.json", "md": d / f"{stem}.md", "png": png}
