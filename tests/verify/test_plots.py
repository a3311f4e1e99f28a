"""Learning-curve figure: the file is a PNG and the hook used by `symrmt demo` draws one."""
import numpy as np

import symrmt as sr
from symrmt.verify.plots import plot_learning_curve


def test_plot_learning_curve_writes_png(tmp_path):
    x = np.geomspace(0.1, 10, 50)
    out = plot_learning_curve(tmp_path / "c.png", x, 1 / x, [0.5, 2.0], [2.1, 0.49], [[1.9, 2.3], [0.45, 0.53]],
                              xlabel="x", ylabel="y", title="a long title " * 10)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_random_features_learning_curve_points_match_theory(tmp_path):
    # d = 60, 2 seeds per point (seeds 0 and 1): the theory at the simulated points must be that of the
    # curve, and the simulated means within a factor 1.6 of it — the trial-to-trial spread of the risk at
    # d = 60 is about 20 % (it shrinks like d^-1/2), so a mean of 2 trials lies within ±30 % at 2 s.e.
    rf = sr.load("random-features")
    res = rf.learning_curve(tmp_path / "rf.png", "psi1", np.geomspace(0.2, 5, 30), [0.5, 3.0], n=60, trials=2,
                            seed=0, psi2=1.0, ridge=1e-2)
    direct = rf.solve(psi1=np.array([0.5, 3.0]), psi2=1.0, ridge=1e-2)["risk"]
    np.testing.assert_allclose(res["theory"], direct, rtol=1e-12)
    ratio = res["simulated"] / res["theory"]
    assert np.all((ratio > 1 / 1.6) & (ratio < 1.6)), ratio
    assert res["png"].exists()


def test_plot_spectrum_writes_png(tmp_path):
    from symrmt.verify.plots import plot_spectrum

    ev = np.concatenate([np.random.default_rng(0).uniform(0.01, 2.0, 200), [60.0]])
    out = plot_spectrum(tmp_path / "s.png", ev, {"outlier": 60.0}, title="t")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _axes_of(monkeypatch):
    """Capture the axes of the next saved figure (labels and titles) without reading pixels."""
    import matplotlib.figure

    seen = []
    original = matplotlib.figure.Figure.savefig

    def spy(self, *args, **kwargs):
        seen.append([(ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) for ax in self.axes])
        seen.append(self._suptitle.get_text() if self._suptitle is not None else "")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    return seen


def test_spectral_report_draws_a_histogram_per_size(tmp_path, monkeypatch):
    rep = sr.load("marchenko-pastur").verify(sizes=(50, 100, 200), trials=2, seed=0, ratio=0.5)
    seen = _axes_of(monkeypatch)
    rep.plot(tmp_path / "mp.png")
    axes, title = seen
    assert [a[2] for a in axes[:3]] == ["n = 50", "n = 100", "n = 200"]
    assert all(x and y for x, y, _ in axes)  # every axis labelled
    assert "ratio = 0.5" in title and rep.verdict in title


def test_scalar_report_shows_theory_against_simulated_means(tmp_path, monkeypatch):
    rep = sr.load("ridge").verify(sizes=(50, 100), trials=4, seed=0)
    seen = _axes_of(monkeypatch)
    rep.plot(tmp_path / "ridge.png")
    axes, title = seen
    assert len(axes) == 2 and axes[0][2] == "theory vs simulation along the ladder"
    assert all(x and y for x, y, _ in axes) and "q = 0.5" in title
