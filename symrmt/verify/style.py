"""One figure style for every plot symrmt draws (verification panels, learning curves, spectra,
sweeps): colours with one meaning each, font sizes, resolution and the Agg backend.

:func:`pyplot` returns ``matplotlib.pyplot`` with the style applied (matplotlib imported lazily).
"""
from __future__ import annotations

import textwrap

__all__ = ["THEORY", "SIMULATION", "FIT", "REFERENCE", "DPI", "pyplot", "wrap_title"]

#: colour of a theory curve (generated solver)
THEORY = "C3"
#: colour of simulated data (histograms, means with intervals)
SIMULATION = "C0"
#: colour of a fitted finite-size model
FIT = "C0"
#: colour of reference lines (expected rates, zero)
REFERENCE = "k"
#: resolution of saved PNGs
DPI = 110

_RC = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "legend.fontsize": 7.5,
       "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.grid": True, "grid.alpha": 0.25,
       "savefig.dpi": DPI, "figure.dpi": DPI}


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed) with symrmt's style."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(_RC)
    return plt


def wrap_title(title: str, width: int = 70) -> str:
    """A long title wrapped onto several lines."""
    return "\n".join(textwrap.wrap(title, width))
