"""Resource limits: runs too large to finish are refused at once, with the estimate and the limit."""
import time

import pytest
import sympy as sp

import symrmt as sr
from symrmt import limits
from symrmt.errors import ParameterError


@pytest.fixture(autouse=True)
def _clean_limits(monkeypatch):
    for var in ("SYMRMT_MAX_MEMORY_GB", "SYMRMT_MAX_WORK", "SYMRMT_MAX_MOMENT_ORDER", "SYMRMT_MAX_TREE_ORDER"):
        monkeypatch.delenv(var, raising=False)
    limits.reset()
    yield
    limits.reset()


def refused(fn, *fragments, seconds=2.0):
    """``fn()`` raises ParameterError within ``seconds``, its one-line message naming each fragment."""
    t0 = time.perf_counter()
    with pytest.raises(ParameterError) as info:
        fn()
    elapsed = time.perf_counter() - t0
    msg = str(info.value)
    assert elapsed < seconds, f"took {elapsed:.1f} s to refuse"
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    return msg


# ---------------------------------------------------------------------- the limits themselves
def test_defaults_are_half_the_physical_memory_and_documented_values():
    cur = limits.current()
    total = limits.physical_memory()
    if total:
        assert cur.max_memory == pytest.approx(total / 2, rel=1e-6)
    else:
        assert cur.max_memory == 8 << 30
    assert (cur.max_work, cur.max_moment_order, cur.max_tree_order) == (1e15, 200, 14)


def test_environment_and_set_override_in_that_order(monkeypatch):
    monkeypatch.setenv("SYMRMT_MAX_MEMORY_GB", "3")
    monkeypatch.setenv("SYMRMT_MAX_MOMENT_ORDER", "12")
    assert limits.current().max_memory_gb == 3 and limits.current().max_moment_order == 12
    with limits.set(max_memory_gb=0.5, max_tree_order=5) as cur:
        assert (cur.max_memory_gb, cur.max_tree_order, cur.max_moment_order) == (0.5, 5, 12)
        with limits.set(max_memory_gb=2):
            assert limits.current().max_memory_gb == 2
        assert limits.current().max_memory_gb == 0.5
    assert limits.current().max_memory_gb == 3 and limits.current().max_tree_order == 14
    handle = limits.set(max_work=10.0)  # a plain call stays in force until undone
    assert limits.current().max_work == 10.0
    handle.undo()
    assert limits.current().max_work == 1e15


@pytest.mark.parametrize("kwargs", [{"max_memory_gb": 0}, {"max_work": -1}, {"max_moment_order": 2.5},
                                    {"max_tree_order": True}, {"max_memory_gb": float("inf")}])
def test_set_refuses_non_positive_values(kwargs):
    with pytest.raises(ParameterError):
        limits.set(**kwargs)


def test_bad_environment_value_is_named(monkeypatch):
    monkeypatch.setenv("SYMRMT_MAX_WORK", "lots")
    with pytest.raises(ParameterError, match="SYMRMT_MAX_WORK"):
        limits.current()


def test_rooted_tree_counts_are_oeis_a000081():
    assert [limits.rooted_trees(n) for n in range(1, 13)] == [1, 1, 2, 4, 9, 20, 48, 115, 286, 719, 1842, 4766]
    assert limits.rooted_trees_upto(4) == 8


# ---------------------------------------------------------------------- simulations
def test_sample_eigenvalues_refuses_a_huge_matrix_before_allocating():
    from symrmt.simulate import sample_eigenvalues

    sc = sr.laws.semicircle(variance=1)
    # one 10^5 × 10^5 float64 Wigner matrix alone is 75 GiB
    msg = refused(lambda: sample_eigenvalues(sc, 10**5, device="cpu"), "GiB of memory", "max_memory_gb")
    assert "over the limit" in msg
    refused(lambda: sample_eigenvalues(sc, 100, trials=10**12, device="cpu"), "floating-point operations",
            "max_work = 1e+15")


def test_memory_limit_override_lets_a_small_case_through(monkeypatch):
    from symrmt.simulate import sample_eigenvalues

    sc = sr.laws.semicircle(variance=1)
    monkeypatch.setenv("SYMRMT_MAX_MEMORY_GB", "1e-4")  # ~100 KiB: a 60×60 model does not fit
    refused(lambda: sample_eigenvalues(sc, 60, device="cpu"), "KiB of memory", "max_memory_gb = 0.0001")
    with limits.set(max_memory_gb=1):
        assert tuple(sample_eigenvalues(sc, 60, trials=2, device="cpu").shape) == (2, 60)


def test_verify_refuses_before_theory_or_simulation():
    d = sr.load("marchenko-pastur")
    refused(lambda: d.verify(sizes=[10**9], device="cpu", progress=False), "n=1000000000", "EiB of memory",
            "over the limit")
    refused(lambda: d.verify(trials=10**12, device="cpu", progress=False), "trial(s)",
            "floating-point operations", "max_work")


def test_work_limit_override_by_environment(monkeypatch):
    d = sr.load("semicircle")
    monkeypatch.setenv("SYMRMT_MAX_WORK", "1e6")
    refused(lambda: d.simulate(60, 2, device="cpu"), "floating-point operations", "max_work = 1e+06")
    monkeypatch.setenv("SYMRMT_MAX_WORK", "1e9")
    assert tuple(d.simulate(60, 2, device="cpu").shape) == (2, 60)


@pytest.mark.parametrize("name, kwargs, fragment", [
    ("ridge", {"sizes": [10**6]}, "TiB of memory"),                 # learning curve: P×N data, N×N system
    ("ridge", {"sizes": [200], "q": sp.Rational(1, 10**8)}, "of memory"),   # P = N/q samples
    ("random-features", {"trials": 10**12}, "floating-point operations"),
    ("ntk-reverse", {"trials": 10**12}, "floating-point operations"),
    ("imde-pendulum", {"trials": 10**12}, "floating-point operations"),   # ODE kind
    ("imde-pendulum", {"sizes": [10**10]}, "of memory"),
    ("semicircle-plus-mp", {"sizes": [10**5]}, "TiB of memory"),
])
def test_every_kind_of_derivation_is_bounded(name, kwargs, fragment):
    d = sr.load(name)
    refused(lambda: d.verify(device="cpu", progress=False, **kwargs), fragment, "limit")


def test_direct_simulate_of_a_learning_curve_is_bounded():
    d = sr.load("ridge")
    refused(lambda: d.simulate(10**6, 1, device="cpu"), "of memory", "max_memory_gb")


# ---------------------------------------------------------------------- symbolic orders
def test_moments_order_is_bounded():
    mp = sr.laws.marchenko_pastur(ratio=sp.Rational(1, 2), variance=1)
    msg = refused(lambda: mp.moments(10**9), "order 1000000000", "max_moment_order = 200")
    assert "1e+27" in msg  # the ~k³ estimate
    refused(lambda: mp.moments(201), "max_moment_order = 200")
    refused(lambda: mp.free_cumulants(10**6), "max_moment_order")


def test_moments_limit_override():
    sc = sr.laws.semicircle(variance=1)
    with limits.set(max_moment_order=3):
        refused(lambda: sc.moments(4), "max_moment_order = 3")
    assert sc.moments(4) == [0, 1, 0, 2]


def test_imde_order_is_bounded_by_its_tree_count():
    from symrmt.odes import imde

    x = sp.Symbol("x")
    msg = refused(lambda: imde([x**2], [x], "euler", 10**6), "order: 1000000", "max_tree_order = 14")
    assert "53,272 trees" in msg
    # the IMDE to h^14 needs the trees of orders <= 15: 141,083 of them
    refused(lambda: imde([x**2], [x], "euler", 14), "orders <= 15", "141,083")


def test_tree_limit_override():
    from symrmt.odes import imde, imde_coefficients

    x = sp.Symbol("x")
    with limits.set(max_tree_order=3):
        refused(lambda: imde([x**2], [x], "euler", 3), "orders <= 4")
        refused(lambda: imde_coefficients("euler", 4), "orders <= 4")
        field = imde(x**2, x, "euler", 2, h=sp.Symbol("h"))
    h = sp.Symbol("h")
    # explicit Euler's IMDE is (φ_h(x) − x)/h; for x' = x² the flow is x/(1 − hx): x²/(1 − hx)
    assert sp.expand(field - (x**2 + h * x**3 + h**2 * x**4)) == 0
