"""The on-disk store of a sweep: a directory that survives a killed run and refuses to be mixed.

Layout of ``PATH``::

    PATH/sweep.json        the manifest: what was swept (derivation, its source hash, versions,
                           grid, sizes, trials, batch, seed, device, ...), written first
    PATH/tasks/<key>.json  one small record per finished task (its per-trial numbers)
    PATH/dataset.zarr/     the consolidated xarray Dataset (Zarr), written when the sweep ends
    PATH/falsify.json      for a falsification (``falsify(..., store=PATH)``): its outcome

Every file is written to a temporary name in the same directory and renamed into place
(``os.replace``, atomic on POSIX), so a run killed at any moment (SIGKILL included) leaves
finished records whole and no half-written file under a final name; the Dataset is written
beside its final name and swapped in.  Rerunning the same sweep reads the records back and runs
only the missing tasks; a store whose manifest differs (another derivation or version of it,
another grid, sizes, trials or seed) is refused with a message naming what differs.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

from ..errors import ParameterError

__all__ = ["SweepStore", "FORMAT"]

#: Version of the store layout.
FORMAT = 1
_MANIFEST = "sweep.json"
_TASKS = "tasks"
_DATASET = "dataset.zarr"


def _dump(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=True, default=str)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with _quiet():
            os.unlink(tmp)
        raise


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


class SweepStore:
    """A sweep's directory (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The directory; created if missing (its parent must exist).
    manifest : mapping
        What this run sweeps; compared with the one already in the store, if any.
    """

    def __init__(self, path: str | Path, manifest: Mapping[str, Any]):
        self.path = Path(path)
        parent = self.path.parent
        if not parent.is_dir():
            raise ParameterError(f"store: directory {str(parent)!r} does not exist")
        if self.path.exists() and not self.path.is_dir():
            raise ParameterError(f"store: {str(self.path)!r} exists and is not a directory")
        self.manifest = json.loads(_dump({"format": FORMAT, **manifest}))
        if self.path.is_dir() and any(self.path.iterdir()):
            self._check_existing()
        try:
            (self.path / _TASKS).mkdir(parents=True, exist_ok=True)
            if not (self.path / _MANIFEST).exists():
                _atomic_write(self.path / _MANIFEST, json.dumps(self.manifest, indent=1, sort_keys=True))
        except OSError as exc:
            raise ParameterError(f"store: cannot write {str(self.path)!r}: {exc.strerror or exc}") from exc
        self._clean_temporaries()

    # ------------------------------------------------------------------ checks
    def _check_existing(self) -> None:
        mpath = self.path / _MANIFEST
        if not mpath.is_file():
            raise ParameterError(f"store: {str(self.path)!r} is not empty and holds no sweep manifest "
                                 f"({_MANIFEST}); choose a new directory")
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ParameterError(f"store: the manifest {str(mpath)!r} cannot be read ({exc})") from exc
        if not isinstance(old, dict):
            raise ParameterError(f"store: the manifest {str(mpath)!r} is not a sweep manifest")
        diffs = [k for k in sorted(set(old) | set(self.manifest)) if k not in _INFORMATIVE
                 and old.get(k) != self.manifest.get(k)]
        if diffs:
            shown = "; ".join(f"{k}: store has {_brief(old.get(k))}, this run {_brief(self.manifest.get(k))}"
                              for k in diffs[:3])
            raise ParameterError(f"store: {str(self.path)!r} holds a different sweep ({shown}); refusing to mix "
                                 f"results — use another store or delete this one")

    def _clean_temporaries(self) -> None:
        for d in (self.path, self.path / _TASKS):
            for tmp in d.glob(".tmp-*"):
                with _quiet():
                    shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()

    # ------------------------------------------------------------------ records
    def done(self) -> dict[str, dict]:
        """The finished tasks' records, by key."""
        out = {}
        for f in (self.path / _TASKS).glob("*.json"):
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # cannot happen with atomic writes; such a task is simply run again
            if isinstance(rec, dict) and rec.get("key") == f.stem:
                out[f.stem] = rec
        return out

    def record(self, key: str, data: Mapping[str, Any]) -> None:
        """Write one finished task's record (atomically)."""
        _atomic_write(self.path / _TASKS / f"{key}.json", _dump({"key": key, **data}))

    def write_json(self, name: str, data: Any) -> Path:
        """Write ``data`` as JSON to ``PATH/name`` (atomically), e.g. a falsification's outcome."""
        path = self.path / name
        _atomic_write(path, json.dumps(data, indent=1, sort_keys=True, allow_nan=True, default=str))
        return path

    # ------------------------------------------------------------------ dataset
    @property
    def dataset_path(self) -> Path:
        return self.path / _DATASET

    def write_dataset(self, ds: Any) -> Path:
        """Write the consolidated Dataset next to its final name, then swap it in."""
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.path))
        try:
            ds.to_zarr(tmp / "data.zarr", mode="w", consolidated=True, zarr_format=2)
            old = self.path / f".tmp-old-{os.getpid()}"
            if self.dataset_path.exists():
                os.replace(self.dataset_path, old)
            os.replace(tmp / "data.zarr", self.dataset_path)
            with _quiet():
                shutil.rmtree(old) if old.exists() else None
        finally:
            with _quiet():
                shutil.rmtree(tmp)
        return self.dataset_path


#: manifest fields that only inform (they may differ between a run and its resumption)
_INFORMATIVE = frozenset({"created", "engine", "workers", "versions_detail"})


def _brief(v: Any) -> str:
    text = json.dumps(v, sort_keys=True, default=str) if not isinstance(v, str) else repr(v)
    if isinstance(v, float) and not math.isfinite(v):
        text = str(v)
    return text if len(text) <= 60 else text[:57] + "..."
