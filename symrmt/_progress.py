"""Progress reporting: one bar for a whole verification ladder, advancing trial by trial.

A run (``Derivation.verify``, ``symrmt verify``, ``symrmt demo``) opens a :class:`Ladder` whose
total is the summed cost of every trial at every size; while a size runs, the simulation reports
the trials it finishes with :func:`advance` (batched simulations report a batch at a time), and
whatever a simulation does not report is counted when its size ends.  The bar is a tqdm bar
(tqdm imported only when a bar is shown; without tqdm there is no bar), written to stderr unless
another text stream is given.

Default (``progress=None``): a bar only when stderr is a terminal and the environment variable
``CI`` is not set (an empty value, ``0`` or ``false`` count as not set).
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from typing import Any, Callable, Iterator

__all__ = ["default_enabled", "wanted", "Ladder", "advance", "reporting"]

#: the callback of the size now running (None: nobody listens)
_SINK: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar("symrmt_progress", default=None)


def default_enabled(stream: Any = None) -> bool:
    """Whether a bar is shown by default: ``stream`` (default stderr) is a terminal and ``CI`` is
    not set."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def wanted(progress: Any) -> bool:
    """Resolve a ``progress`` argument: True/False as given, a text stream (an object with
    ``write``) means yes, None means :func:`default_enabled`."""
    if progress is None:
        return default_enabled()
    if hasattr(progress, "write"):
        return True
    return bool(progress)


def advance(trials: int = 1) -> None:
    """Report ``trials`` finished trials to the bar of the size now running (no-op without one)."""
    sink = _SINK.get()
    if sink is not None and trials > 0:
        sink(int(trials))


def reporting() -> bool:
    """True while a :class:`Ladder` listens (a simulation may then skip its own bar)."""
    return _SINK.get() is not None


class Ladder:
    """One progress bar over the sizes of a run.

    Parameters
    ----------
    steps : sequence of (label, trials, weight)
        One entry per size, in run order: a label (e.g. ``"n=400"``), its number of trials and its
        total weight (e.g. estimated work; trials of a size share it equally).  Non-positive or
        non-finite weights fall back to one unit per trial.
    desc : str
        The bar's description (e.g. the derivation's name).
    progress : bool, None or a text stream
        See :func:`wanted`; a stream receives the bar instead of stderr.

    Notes
    -----
    Use as a context manager; inside it, ``with ladder.size(i):`` runs size ``i``.  The bar shows
    the percentage of the total weight, elapsed time and ETA, and the size and trial now running.
    When no bar is wanted the object does nothing (and imports nothing).
    """

    def __init__(self, steps, desc: str = "", progress: Any = None):
        import math

        self.steps = []
        for label, trials, weight in steps:
            trials = max(int(trials), 1)
            try:
                weight = float(weight)
            except (TypeError, ValueError):
                weight = float("nan")
            if not math.isfinite(weight) or weight <= 0:
                weight = float(trials)
            self.steps.append((str(label), trials, weight))
        self.desc = desc
        self.bar = None
        if wanted(progress) and self.steps:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # tqdm is optional: no bar then
                tqdm = None
            if tqdm is not None:
                scale = sum(w for _, _, w in self.steps)
                self._unit = 1000.0 / scale  # the bar counts in thousandths of the total
                file = progress if hasattr(progress, "write") else None
                self.bar = tqdm(total=1000, desc=desc, file=file, leave=False, dynamic_ncols=True,
                                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}")
        self.trials_done = 0

    def __enter__(self) -> "Ladder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    @contextlib.contextmanager
    def size(self, index: int) -> Iterator[None]:
        """Run step ``index``: :func:`advance` calls move the bar meanwhile; trials not reported
        by the end of the block are counted then."""
        label, trials, weight = self.steps[index]
        done = 0

        def sink(k: int) -> None:
            nonlocal done
            k = min(k, trials - done)  # never past this size (a nested simulation may report too)
            if k <= 0:
                return
            done += k
            self._move(k, k * weight / trials, f"{label}, trial {done}/{trials}")

        token = _SINK.set(sink if self.bar is not None else None)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{label}, trial 0/{trials}", refresh=True)
        try:
            yield
        finally:
            _SINK.reset(token)
            if done < trials:
                sink(trials - done)

    def _move(self, trials: int, weight: float, postfix: str) -> None:
        self.trials_done += trials
        bar = self.bar
        if bar is None:
            return
        target = min(1000.0, bar.n + weight * self._unit)
        bar.set_postfix_str(postfix, refresh=False)
        bar.update(target - bar.n)
