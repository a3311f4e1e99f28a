"""The result of a verification: every number, the verdict with its reasons, and the run's context
(sizes, trials, seed, device, library versions), as JSON, Markdown, HTML and PNG.

A saved report is read back with :meth:`Report.load`; its JSON carries a ``format`` version
(:data:`FORMAT_VERSION`) so that a file written by a newer symrmt is refused rather than misread.
"""
from __future__ import annotations

import html
import json
import math
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError

__all__ = ["Report", "environment", "FORMAT_VERSION", "markdown_to_html", "html_page"]

#: Version of the saved JSON layout; :meth:`Report.load` refuses a newer one.
FORMAT_VERSION = 1

#: Keys every saved report has (a JSON file without them is not a report).
_REQUIRED = ("derivation", "summary", "reference", "params", "theory_params", "statistic", "ladder", "scaling", "meta")

#: Numbers of the scaling fit that JSON stores as null when undefined (NaN), restored on load.
_FIT_NUMBERS = ("expected_rate", "slope", "slope_se", "intercept", "plateau", "plateau_se", "amplitude")


def environment(device: Any = None, dtype: Any = None) -> dict:
    """Versions of the libraries a result depends on, and the device it ran on."""
    import numpy
    import scipy
    import sympy

    from .._version import __version__

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
    plots : dict
        Paths of the figures written by :meth:`plot`.

    Notes
    -----
    ``print(report)`` gives two lines (verdict and the numbers behind it), Jupyter a small table
    (``_repr_markdown_``); :meth:`to_markdown` / :meth:`details` and :meth:`to_html` the full text.
    :meth:`save` writes JSON, Markdown, HTML and PNG; :meth:`load` reads the JSON back into an
    equal report.
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
        """Everything the report holds, JSON-ready (NaN as None), with its ``format`` version."""
        return _jsonable({"format": FORMAT_VERSION, "derivation": self.derivation, "summary": self.summary,
                          "reference": self.reference,
                          "verdict": self.verdict, "reasons": self.reasons, "params": self.params,
                          "theory_params": self.theory_params, "statistic": self.statistic,
                          "ladder": self.ladder, "scaling": self.scaling, "meta": self.meta, "plots": self.plots})

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (:meth:`to_dict`); NaN is written as null."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def __eq__(self, other: object) -> bool:
        """Reports are equal when everything they save is equal (the plotting arrays are not saved)."""
        if not isinstance(other, Report):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # mutable

    # -------------------------------------------------------------- reading back
    @classmethod
    def from_dict(cls, data: Any, source: str = "report") -> "Report":
        """Rebuild a report from the dictionary :meth:`to_json` writes.

        Parameters
        ----------
        data : dict
            Parsed JSON of a saved report.
        source : str, optional
            What ``data`` came from, for error messages.

        Returns
        -------
        Report

        Raises
        ------
        ParameterError
            If ``data`` is not a report, or has a ``format`` newer than :data:`FORMAT_VERSION`.
        """
        if not isinstance(data, dict):
            raise ParameterError(f"{source}: not a symrmt report (expected a JSON object, got {type(data).__name__})")
        missing = [k for k in _REQUIRED if k not in data]
        if missing:
            raise ParameterError(f"{source}: not a symrmt report (missing {', '.join(missing)})")
        version = data.get("format", 1)  # reports saved before the field existed are format 1
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ParameterError(f"{source}: invalid report format {version!r} (expected an integer >= 1)")
        if version > FORMAT_VERSION:
            raise ParameterError(f"{source}: report format {version} is newer than this symrmt reads "
                                 f"(format {FORMAT_VERSION}); upgrade symrmt to read it")
        kinds = {"derivation": str, "summary": str, "reference": str, "statistic": str, "params": dict,
                 "theory_params": dict, "ladder": list, "scaling": dict, "meta": dict, "plots": dict}
        for key, kind in kinds.items():
            if key in data and not isinstance(data[key], kind):
                raise ParameterError(f"{source}: not a symrmt report ({key!r} is a {type(data[key]).__name__}, "
                                     f"expected a {kind.__name__})")
        scaling = dict(data["scaling"])
        if not isinstance(scaling.get("verdict"), str) or not isinstance(scaling.get("reasons"), list):
            raise ParameterError(f"{source}: not a symrmt report (its scaling fit has no verdict and reasons)")
        if data.get("verdict", scaling["verdict"]) != scaling["verdict"]:
            raise ParameterError(f"{source}: inconsistent report (verdict {data['verdict']!r}, "
                                 f"fit verdict {scaling['verdict']!r})")
        for key in _FIT_NUMBERS:  # JSON null stands for NaN (undefined, e.g. a slope from one size)
            if key in scaling and scaling[key] is None:
                scaling[key] = float("nan")
        return cls(derivation=data["derivation"], summary=data["summary"], reference=data["reference"],
                   params=dict(data["params"]), theory_params=dict(data["theory_params"]),
                   statistic=data["statistic"], ladder=list(data["ladder"]), scaling=scaling,
                   meta=dict(data["meta"]), plots=dict(data.get("plots", {})))

    @classmethod
    def load(cls, path: str | Path, stem: str | None = None) -> "Report":
        """Read back a report written by :meth:`save` (or the text of :meth:`to_json`).

        Parameters
        ----------
        path : str or Path
            The ``.json`` file; its ``.md``, ``.html`` or ``.png`` sibling; or the directory
            :meth:`save` wrote into (then ``stem`` names the report, unless it holds only one).
        stem : str, optional
            File stem of the report inside a directory (``save``'s ``stem``, by default the
            derivation's name).

        Returns
        -------
        Report
            Equal (``==``) to the report that was saved; the plotting arrays are not restored
            (:meth:`plot` needs a fresh run), the paths of the saved figures are.

        Raises
        ------
        ParameterError
            For a missing file, a file that is not a report, or a report of a newer format.
        """
        p = Path(path)
        if p.is_dir():
            if stem is not None:
                p = p / f"{stem}.json"
            else:
                stems = sorted(q.stem for q in p.glob("*.json") if q.with_suffix(".md").is_file())
                if len(stems) != 1:
                    raise ParameterError(f"path: {str(p)!r} holds {len(stems) or 'no'} saved report(s)"
                                         + (f" ({', '.join(stems)}); pass stem=" if stems else ""))
                p = p / f"{stems[0]}.json"
        elif p.suffix in (".md", ".html", ".png"):
            p = p.with_suffix(".json")
        if not p.is_file():
            raise ParameterError(f"path: no saved report at {str(p)!r} (expected the .json file written by "
                                 "Report.save, or the directory it wrote into)")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParameterError(f"{p.name}: not a symrmt report (not valid JSON: {exc})") from exc
        return cls.from_dict(data, source=p.name)

    # -------------------------------------------------------------- short forms
    def _key_numbers(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the numbers that decide the verdict."""
        s, out = self.scaling, []
        if s.get("model") == "bias":
            out.append(("extrapolated deviation δ", f"{fmt(s.get('plateau'))} ± {fmt(s.get('plateau_se'))}"))
        else:
            out.append(("log–log slope", f"{fmt(s.get('slope'), '.2f')} ± {fmt(s.get('slope_se'), '.2f')} "
                                          f"(expected ≈ {fmt(-s['expected_rate'], 'g')})"))
            out.append(("plateau δ", f"{fmt(s.get('plateau'))} ± {fmt(s.get('plateau_se'))}"))
        if self.ladder:
            last = self.ladder[-1]
            e = last["error"]
            out.append((f"{self.statistic} at n = {last['n']}", f"{fmt(e.get('value'))} ± {fmt(e.get('stderr'))}"))
        return out

    def __str__(self) -> str:
        """Two lines: the derivation and its verdict, then the numbers behind it (see :meth:`to_markdown`)."""
        sizes = [r["n"] for r in self.ladder]
        head = (f"{self.derivation}: {self.verdict} ({self.statistic}, {len(sizes)} size(s)"
                + (f" up to n = {max(sizes)}" if sizes else "") + ")")
        if self.theory_params != self.params:
            head += " [control: theory at " + ", ".join(f"{k} = {v}" for k, v in self.theory_params.items()
                                                        if self.params.get(k) != v) + "]"
        return head + "\n  " + "; ".join(f"{k}: {v}" for k, v in self._key_numbers())

    def __repr__(self) -> str:
        return f"<Report {self.derivation}: {self.verdict}>"

    def _repr_markdown_(self) -> str:
        """A small Markdown table (Jupyter); the full text is :meth:`to_markdown`."""
        cells = [("derivation", self.derivation), ("verdict", f"**{self.verdict}**"), *self._key_numbers()]
        return ("| " + " | ".join(k for k, _ in cells) + " |\n|" + "---|" * len(cells) + "\n| "
                + " | ".join(v for _, v in cells) + " |\n")

    def details(self) -> str:
        """The full report as Markdown (the same as :meth:`to_markdown`)."""
        return self.to_markdown()

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
        """Write the PNG: histograms under the density at every size (spectral checks), the theory
        against the simulated means with 95 % intervals along the ladder (scalar checks), and the
        error against n with its finite-size fit; the parameters in the title."""
        from .plots import plot_verification

        pd = self.plot_data
        params = ", ".join(f"{k} = {v}" for k, v in self.params.items() if v not in (None, "None"))
        out = plot_verification(path, f"{self.derivation}" + (f" ({params})" if params else ""), self.scaling,
                                self.statistic, eigenvalues=pd.get("eigenvalues"), density=pd.get("density"),
                                support=pd.get("support"), n=pd.get("n"), histograms=pd.get("per_size"),
                                ladder=self.ladder)
        self.plots["verification"] = str(out)
        return out

    def to_html(self, full: bool = True, anchor: str | None = None) -> str:
        """The report as HTML: :meth:`to_markdown` rendered, every text escaped with :func:`html.escape`.

        Parameters
        ----------
        full : bool, optional
            A complete document (default), or only a ``<section>`` to include in a larger page.
        anchor : str, optional
            The section's ``id`` (default: the derivation's name).

        Returns
        -------
        str
            HTML whose figures are ``<img>`` tags referencing the saved PNGs by file name (so the
            page belongs in the directory :meth:`save` writes).
        """
        body = (f'<section id="{html.escape(anchor or self.derivation)}">\n'
                f"{markdown_to_html(self.to_markdown())}</section>\n")
        return html_page(f"{self.derivation}: {self.verdict}", body) if full else body

    def save(self, directory: str | Path, stem: str | None = None) -> dict:
        """Write ``<stem>.json``, ``<stem>.md``, ``<stem>.html`` and ``<stem>.png`` into ``directory``;
        returns the paths (keys ``json``, ``md``, ``html``, ``png``).  :meth:`load` reads it back."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        stem = stem or self.derivation
        png = self.plot(d / f"{stem}.png")
        (d / f"{stem}.json").write_text(self.to_json())
        (d / f"{stem}.md").write_text(self.to_markdown())
        (d / f"{stem}.html").write_text(self.to_html(anchor=stem), encoding="utf-8")
        return {"json": d / f"{stem}.json", "md": d / f"{stem}.md", "html": d / f"{stem}.html", "png": png}


# ---------------------------------------------------------------------- HTML
_CSS = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.2em .5em}"
        "td.num{text-align:right}img{max-width:100%}section{border-top:1px solid #999;margin-top:2em}")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^()\s]+)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^()\s]+)\)")
_SAFE_HREF = re.compile(r"^(https?:|#|[^:]*$)")  # no javascript:, data: or other schemes


def _inline(text: str, md_links: str | None) -> str:
    """Escape ``text``, then render the inline Markdown symrmt writes: images, links, bold, italics, code."""
    t = html.escape(text)

    def image(m: re.Match) -> str:
        return f'<img src="{m[2]}" alt="{m[1]}">' if _SAFE_HREF.match(m[2]) else m[0]

    def link(m: re.Match) -> str:
        href = m[2]
        if md_links is not None and href.endswith(".md") and ":" not in href:
            href = href[:-3] + md_links
        return f'<a href="{href}">{m[1]}</a>' if _SAFE_HREF.match(href) else m[0]

    t = _LINK.sub(link, _IMAGE.sub(image, t))
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", t)


def markdown_to_html(text: str, md_links: str | None = None) -> str:
    """Render the Markdown subset of symrmt's reports (headings, paragraphs, lists, tables, images).

    Parameters
    ----------
    text : str
        Markdown as written by :meth:`Report.to_markdown` or ``symrmt demo``.
    md_links : str, optional
        Suffix that replaces ``.md`` in links to local Markdown files (``".html"``: link the HTML
        page :meth:`Report.save` writes beside each Markdown report).

    Returns
    -------
    str
        HTML; every piece of text is escaped with :func:`html.escape` before markup is added, and
        links or images with a scheme other than http(s) are left as text.
    """
    out: list[str] = []
    para: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if para:
            out.append("<p>" + " ".join(_inline(x, md_links) for x in para) + "</p>")
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i].strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            k = len(heading[1])
            out.append(f"<h{k}>{_inline(heading[2], md_links)}</h{k}>")
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            align = []
            if len(rows) > 1 and all(re.fullmatch(r":?-+:?", c) for c in rows[1]):
                align = [c.endswith(":") for c in rows[1]]
                rows = [rows[0]] + rows[2:]
            out.append("<table>")
            for r, cells in enumerate(rows):
                tags = ["th" if r == 0 else ('td class="num"' if j < len(align) and align[j] else "td")
                        for j in range(len(cells))]
                out.append("<tr>" + "".join(f"<{t}>{_inline(c, md_links)}</{t.split()[0]}>"
                                            for t, c in zip(tags, cells)) + "</tr>")
            out.append("</table>")
            continue
        elif line.startswith("- "):
            flush()
            items = []
            while i < len(lines) and lines[i].strip().startswith("- "):
                items.append(f"<li>{_inline(lines[i].strip()[2:], md_links)}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif _IMAGE.fullmatch(line):
            flush()
            out.append(f"<figure>{_inline(line, md_links)}</figure>")
        else:
            para.append(line)
        i += 1
    flush()
    return "\n".join(out) + "\n"


def html_page(title: str, body: str) -> str:
    """A complete, self-contained HTML document around ``body`` (``title`` is escaped)."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")
