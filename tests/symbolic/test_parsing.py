"""The restricted parser: user strings are parsed, never executed (docs/architecture.md, "Rules that hold
everywhere"), and the strings that are legitimately useful give the same objects as SymPy input."""
import pytest
import sympy as sp

import symrmt as sr
from symrmt import ParameterError
from symrmt.symbolic.parsing import check_code_names, parse_expression, safe_sympify
from symrmt.symbolic.symbols import m, u, w, z


def _payload(path):
    return f"__import__('pathlib').Path(r'{path}').touch()"


# ---------------------------------------------------------------------- reproducers
@pytest.mark.parametrize("make", [
    lambda s: sr.AlgebraicLaw(s),
    lambda s: sr.AlgebraicLaw(s, parameters=["gamma"]),
    lambda s: sr.from_r_transform(s),
    lambda s: sr.from_s_transform(s),
])
def test_string_payloads_are_refused_not_run(tmp_path, make):
    marker = tmp_path / "pwned"
    with pytest.raises(ParameterError, match="not allowed|unknown name"):
        make(_payload(marker))
    assert not marker.exists()


@pytest.mark.parametrize("make", [
    lambda v: sr.AlgebraicLaw(v),
    lambda v: sr.from_r_transform(v),
    lambda v: sr.from_s_transform(v),
    lambda v: sr.laws.marchenko_pastur(ratio=sp.Symbol("g", positive=True)).subs(g=v),
    lambda v: sr.System([m**2 + z * m + 1], [m], [z], observables={"o": v}),
    lambda v: sr.System([v], [m], [z]),
])
def test_strings_inside_containers_are_refused_not_run(tmp_path, make):
    # sympify(strict=True) of a tuple or dict sympifies the entries without strict: it would run them
    marker = tmp_path / "pwned"
    for value in [(_payload(marker),), {"k": _payload(marker)}, [_payload(marker)]]:
        with pytest.raises(ParameterError):
            make(value)
    assert not marker.exists()


def test_string_in_construction_args_is_not_run(tmp_path):
    marker = tmp_path / "pwned"
    g = sp.Symbol("g", positive=True)
    law = sr.AlgebraicLaw(g * z * m**2 + (z - 1 + g) * m + 1,
                          construction=sr.laws.Construction("marchenko_pastur", (), {"ratio": _payload(marker),
                                                                                      "variance": 1}))
    with pytest.raises(ParameterError):
        law.subs(g=sp.Rational(1, 2))
    assert not marker.exists()


@pytest.mark.parametrize("text, token", [
    ("x.real", "'.'"), ("x[0]", "'['"), ("'x'", "\"'\""), ("lambda: x", "':'"), ("__class__", "'__class__'"),
    ("os", "'os'"), ("x; y", "';'"), ("x\\N{y}", repr("\\")), ("{x}", "'{'"), ("f'{x}'", "\"'\""),
    ("x @ x", "'@'"), ("x if x else x", "'if'"), ("ｘ", "'ｘ'"),
])
def test_errors_name_argument_token_and_what_is_allowed(text, token):
    with pytest.raises(ParameterError) as exc:
        parse_expression(text, ["x"], what="myarg")
    msg = str(exc.value)
    assert msg.startswith("myarg: ") and "allowed: numbers, the names x" in msg
    assert token in msg


@pytest.mark.parametrize("text", ["", "x +", "(x", "x)", "sqrt", "x(2)", "2x", "exp(1, 2)", "1/0", "1/(x - x)",
                                  "2**10**10", "1e99999", "(" * 200 + "x" + ")" * 200, "x" + "+x" * 6000,
                                  "(x**1000)*(x**1000)"])
def test_malformed_or_unbounded_input_is_a_parameter_error(text):
    with pytest.raises(ParameterError):
        parse_expression(text, ["x"])


# ---------------------------------------------------------------------- positives
def test_arithmetic_and_exact_numbers():
    x, y = sp.symbols("x y")
    e = parse_expression("2^-1 + 0.1*x**2 - -y + sqrt(2)*pi - E + 3*I + exp(log(x)) + 1e-3", [x, y])
    assert sp.simplify(e - (sp.Rational(1, 2) + x**2 / 10 + y + sp.sqrt(2) * sp.pi - sp.E + 3 * sp.I + x
                            + sp.Rational(1, 1000))) == 0
    assert parse_expression("-x**2", [x]) == -x**2 and parse_expression("2**3**2") == 2**9
    assert parse_expression("x/2/y", {"x": x, "y": y}) == x / (2 * y)
    assert parse_expression("tanh(x) + erf(x) + Abs(x)", ["x"]) == sp.tanh(x) + sp.erf(x) + sp.Abs(x)
    # the given Symbols are used as they are (assumptions kept)
    g = sp.Symbol("g", positive=True)
    assert parse_expression("g", [g]) is g


def test_algebraic_law_from_string_equals_sympy_built():
    gamma = sp.Symbol("gamma")
    text = "gamma*z*m**2 + (z - 1 + gamma)*m + 1"
    expected = sr.AlgebraicLaw(gamma * z * m**2 + (z - 1 + gamma) * m + 1)
    for params in (["gamma"], [gamma], "gamma"):
        got = sr.AlgebraicLaw(text, parameters=params)
        assert got.polynomial == expected.polynomial and got.parameters == (gamma,)
    # the parameter must be declared: an unknown name is refused, naming it
    with pytest.raises(ParameterError, match="unknown name 'gamma'"):
        sr.AlgebraicLaw(text)
    assert sr.AlgebraicLaw("m^2 + z*m + 1").polynomial == sr.laws.semicircle().polynomial
    with pytest.raises(ParameterError, match="reserved"):
        sr.AlgebraicLaw("m + w", parameters=["w"])


def test_transforms_from_strings_equal_sympy_built():
    sc = sr.from_r_transform("w")
    assert sc.polynomial == sr.from_r_transform(w).polynomial == sr.laws.semicircle().polynomial
    assert sr.from_s_transform("1/(1+u)").polynomial == sr.from_s_transform(1 / (1 + u)).polynomial
    # Marchenko–Pastur with ratio c: R(w) = 1/(1 - c w)
    c = sp.Symbol("c", positive=True)
    assert (sr.from_r_transform("1/(1 - c*w)", parameters=[c]).polynomial
            == sr.from_r_transform(1 / (1 - c * w)).polynomial)
    with pytest.raises(ParameterError, match="unknown name 'z'"):
        sr.from_r_transform("z")


def test_system_observables_and_initial_strings_are_parsed():
    s = sr.System([m**2 + z * m + 1], [m], [z], observables={"g": "-m", "mz": "m*z + 1"},
                  initial={m: "-1/z"})
    assert s.observables == {"g": -m, "mz": m * z + 1} and s.initial[m] == -1 / z
    with pytest.raises(ParameterError, match="unknown name 'q'"):
        sr.System([m**2 + z * m + 1], [m], [z], observables={"g": "q*m"})
    with pytest.raises(ParameterError, match="unknown name 'm'"):  # initial guesses use parameters only
        sr.System([m**2 + z * m + 1], [m], [z], initial={m: "m"})


def test_safe_sympify():
    x = sp.Symbol("x")
    assert safe_sympify(3) == 3 and safe_sympify(x + 1) == x + 1
    assert safe_sympify("x + 1", symbols=[x]) == x + 1
    for bad in ["x", ("x",), ["1"], {"a": 1}, b"1", None, object()]:
        with pytest.raises(ParameterError, match="^v: "):
            safe_sympify(bad, "v")


def test_check_code_names():
    x = sp.Symbol("x")
    assert check_code_names(sp.Sum(x, (sp.Symbol("k"), 0, 3))) is not None
    for bad in [sp.Symbol("x); 1 #"), sp.Sum(x, (sp.Symbol("k in ()) or 1 or sum(1 for k"), 0, 3)),
                sp.Function("f)")(x), sp.MatrixSymbol("M]", 1, 1)[0, 0], sp.Symbol("lambda")]:
        with pytest.raises(ParameterError, match="cannot be compiled"):
            check_code_names(bad)
