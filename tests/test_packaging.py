"""What a wheel installs: every package of the tree, and the catalogue of named derivations."""
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_installation():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    tree = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "symrmt").rglob("__init__.py")}
    assert tree | {"symrmt_derivations"} == listed


def test_the_catalogue_is_found_as_an_installed_package():
    from symrmt.derivation import discovery

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["symrmt_derivations"] == "derivations"
    # found through the installed package (not through the current directory)
    assert (ROOT / "derivations").resolve() in [p.resolve() for p in discovery._catalogue_dirs()]
