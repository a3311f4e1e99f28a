"""Figures: the 1-D curve with CIs per size, the 2-D z-score heatmap, refusals."""
import pytest

from symrmt.errors import ParameterError
from symrmt.sweep import plot_sweep, sweep

KW = dict(sizes=[20, 40], trials=3, seed=2, client="serial", progress=False)


def test_figures(tmp_path):
    one = sweep("ridge", {"q": [0.3, 0.5, 0.7]}, **KW)
    assert plot_sweep(one, tmp_path / "one.png").stat().st_size > 1000
    two = sweep("ridge", {"q": [0.3, 0.5, 0.7], "ridge": [0.1, 0.5, 1.0]}, **KW)
    assert plot_sweep(two, tmp_path / "two.png").stat().st_size > 1000
    with pytest.raises(ParameterError, match="does not exist"):
        plot_sweep(one, tmp_path / "missing" / "x.png")
