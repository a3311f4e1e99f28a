"""Fuzzing every public entry point that takes a string with code-like text: the only outcomes are
success or a clear symrmt error (exit status 2 on the command line) -- never another exception, and
never a file created by the text (docs/architecture.md, "Rules that hold everywhere")."""
import ast
import contextlib
import io

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symrmt as sr
from symrmt import DerivationError, ParameterError
from symrmt.cli import main
from symrmt.codegen.compile import law_source, system_source
from symrmt.symbolic import hermite
from symrmt.symbolic.parsing import parse_expression
from symrmt.symbolic.symbols import m, z

_FRAGMENTS = [
    "__import__('pathlib').Path(r'{marker}').touch()", "__import__(\"os\").system(\"touch {marker}\")",
    "os.system('touch {marker}')", "open(r'{marker}', 'w')", "lambda: 0", "lambda x: x", ";", "\n", "\r",
    "\\N{", "\\N{x}", "\\x00", "{}", "{0}", "{marker}", "%s", "%(x)s", "f'{m}'", '"""', "'''", '"', "'",
    "__class__", "__builtins__", "__globals__", ".__subclasses__()", "exec(", "eval(", "getattr(", "m", "z",
    "w", "u", "x", "gamma", "1", "2.5", "1e3", "1/2", "**", "^", "*", "+", "-", "/", "(", ")", "[", "]", "(1,)",
    ".", ",", "=", "==", ":", "#", "\\", "$title", "$meta", "import os", "ⅈ", "∞", "μ", "\u2028", "\x00",
    "\x0c", "\ud800", "sqrt(", "exp(", "1e999999999", "9" * 50,
]
_settings = settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
payloads = st.lists(st.sampled_from(_FRAGMENTS) | st.text(min_size=1, max_size=4), min_size=1, max_size=6).map("".join)


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "pwned"


def _fill(template, marker):
    return template.replace("{marker}", str(marker))


def _calls(s):
    """Every public call that takes the string ``s``: (label, thunk)."""
    poly = m**2 + z * m + 1
    return [
        ("parse_expression", lambda: parse_expression(s, ["x", m, z])),
        ("AlgebraicLaw", lambda: sr.AlgebraicLaw(s)),
        ("AlgebraicLaw parameters", lambda: sr.AlgebraicLaw(s, parameters=["gamma"])),
        ("from_r_transform", lambda: sr.from_r_transform(s)),
        ("from_s_transform", lambda: sr.from_s_transform(s)),
        ("law.subs", lambda: sr.laws.semicircle(variance=sp.Symbol("v", positive=True)).subs(v=s)),
        ("System observable", lambda: sr.System([poly], [m], [z], observables={"o": s})),
        ("System observable name", lambda: sr.System([poly], [m], [z], observables={s: m})),
        ("System initial", lambda: sr.System([poly], [m], [z], initial={m: s})),
        ("System domains", lambda: sr.System([poly], [m], [z], domains={m: s})),
        ("System equation", lambda: sr.System([s], [m], [z])),
        ("load", lambda: sr.load(s)),
        ("activation_expr", lambda: hermite.activation_expr(s)),
        ("hermite_coefficients", lambda: hermite.hermite_coefficients(s)),
        ("dot_product_kernel", lambda: sr.kernels.dot_product_kernel(s)),
        ("odes.get_system", lambda: sr.odes.get_system(s)),
        ("odes.tableau", lambda: sr.odes.tableau(s)),
    ]


@settings(_settings, max_examples=60)
@given(template=payloads)
def test_public_functions_refuse_or_accept_strings_cleanly(template, marker):
    s = _fill(template, marker)
    for label, call in _calls(s):
        try:
            call()
        except (ParameterError, DerivationError):
            pass
        except Exception as exc:  # pragma: no cover - the failure report
            raise AssertionError(f"{label}({s!r}) raised {type(exc).__name__}: {exc}") from exc
        assert not marker.exists(), f"{label}({s!r}) ran the text"


@_settings
@given(template=payloads)
def test_names_in_generated_source_stay_text(template, marker):
    name = _fill(template, marker)
    law_src = law_source(sr.AlgebraicLaw(m**2 + z * m + 1, name=name))
    sys_src = system_source(sr.System([m**2 + z * m + 1], [m], [z], name=name, domains={m: "upper"}))
    for src in (law_src, sys_src):
        tree = ast.parse(src)
        meta = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "META")
        assert ast.literal_eval(meta.value)["name"] == name
        assert name in ast.get_docstring(tree, clean=False)
        assert all(isinstance(n, (ast.Import, ast.ImportFrom, ast.Assign, ast.FunctionDef)) for n in tree.body[1:])
    assert not marker.exists()


def _cli(*argv):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(list(argv))
    return code, err.getvalue()


@_settings
@given(template=payloads)
def test_cli_exits_cleanly_on_hostile_arguments(template, marker):
    s = _fill(template, marker)
    for argv in (["show", s], ["solve", s], ["solve", "semicircle", "--param", f"k={s}"],
                 ["solve", "semicircle", "--param", s], ["solve", "semicircle", "--at", s],
                 ["codegen", s, "-o", str(marker.parent / "out.py")]):
        code, err = _cli(*argv)
        assert code in (0, 2), (argv, code, err)
        if code == 2:
            assert err.startswith("symrmt: error: ") and err.count("\n") == 1, (argv, err)
        assert not marker.exists(), argv
