"""User text never becomes code in generated modules (docs/architecture.md, "Rules that hold everywhere"):
names are escaped in the module docstring and kept in ``repr`` literals; symbol names are never
pasted (arguments are renamed; any other name is refused)."""
import ast

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt import CodegenError, ParameterError
from symrmt._importing import import_file
from symrmt.codegen.compile import docstring_text, law_source, system_source
from symrmt.codegen.printer import emit_function
from symrmt.codegen.standalone import write_standalone
from symrmt.symbolic.symbols import m, z


def _names(marker):
    p = str(marker)
    return [
        f'a"""\nimport pathlib; pathlib.Path(r"{p}").touch()\nx = """',
        f"a'''\nimport pathlib; pathlib.Path(r'{p}').touch()\nx = '''",
        "p\\N{x",
        "p\\",
        f'x\r__import__("pathlib").Path(r"{p}").touch()\r',
        f'x\u2028__import__("pathlib").Path(r"{p}").touch()',
        "\x00\x0c{}$title${meta}%s",
        "μ ⊞ semicircle \ud800",
    ]


def _import(src, tmp_path, stem):
    """Import generated source from a file (numba's cache needs one); returns the module."""
    path = tmp_path / f"{stem}.py"
    path.write_text(src, encoding="utf-8")
    return import_file(f"injection_{stem}_{abs(hash(src))}", path)


def _docstring_and_meta(src):
    tree = ast.parse(src)
    meta = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "META")
    return ast.get_docstring(tree, clean=False), ast.literal_eval(meta.value)


def test_docstring_text_roundtrips():
    for text in _names("/nowhere") + ["", '"""', "\\", 'ends with a quote"']:
        src = '"""' + docstring_text(text) + '"""\n'
        assert ast.get_docstring(ast.parse(src), clean=False) == text


@pytest.mark.parametrize("kind", ["law", "system"])
def test_hostile_names_stay_text_in_generated_source(tmp_path, kind):
    marker = tmp_path / "pwned"
    for i, name in enumerate(_names(marker)):
        if kind == "law":
            src = law_source(sr.AlgebraicLaw(m**2 + z * m + 1, name=name))
        else:
            src = system_source(sr.System([m**2 + z * m + 1], [m], [z], name=name, domains={m: "upper"}))
        doc, meta = _docstring_and_meta(src)
        assert meta["name"] == name and name in doc
        # the only top-level statements are the imports, META, constants and function definitions
        for node in ast.parse(src).body[1:]:
            assert isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign, ast.FunctionDef)), ast.dump(node)[:80]
        mod = _import(src, tmp_path, f"{kind}{i}")  # importing the module runs no user text
        assert mod.META["name"] == name and mod.__doc__ == doc
    assert not marker.exists()


# the compiled cases use a fixed name (a relative marker, in tmp_path as the working directory),
# so that a second run finds the module in the cache
_FIXED = 'a"""\nimport os; os.system("touch pwned")\nx = """'


def test_system_with_hostile_name_compiles_and_solves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    name = _FIXED
    solver = sr.System([m**2 + z * m + 1], [m], [z], name=name, domains={m: "upper"}).compile()
    res = solver.solve(z=np.array([2j]))
    assert np.allclose(res["m"], (-2j + np.sqrt(-4 - 4 + 0j)) / 2)
    assert not marker.exists()


def test_law_with_hostile_names_compiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    for name in [_FIXED, "p\\N{x"]:
        law = sr.AlgebraicLaw(m**2 + z * m + 1, name=name)
        got = law.compile().stieltjes(np.array([1j]))
        assert np.allclose(got, 1j * (np.sqrt(5) - 1) / 2)
    assert not marker.exists()


def test_standalone_export_with_hostile_name(tmp_path):
    marker = tmp_path / "pwned"
    law = sr.AlgebraicLaw(m**2 + z * m + 1, name=f'a"""\nimport os; os.system("touch {marker}")\nx = """')
    path = write_standalone(law, tmp_path / "solver.py")
    src = path.read_text(encoding="utf-8")
    _doc, meta = _docstring_and_meta(src)
    assert meta["name"] == law.name
    assert import_file("injection_standalone", path).META["name"] == law.name
    assert not marker.exists()


def test_hostile_symbol_names_are_renamed(tmp_path):
    marker = tmp_path / "pwned"
    evil = f'x); __import__("pathlib").Path(r"{marker}").touch() #'
    p = sp.Symbol(evil, positive=True)
    law = sr.AlgebraicLaw(p * z * m**2 + (z - 1 + p) * m + 1)
    src = law_source(law)
    assert evil not in src.replace(repr(evil), "").replace(repr(sp.sstr(law.expr)), "")
    _doc, meta = _docstring_and_meta(src)
    assert meta["parameters"] == (evil,)
    _import(src, tmp_path, "law")
    u = sp.Symbol('u"); import os #')
    s = sr.System([u - z], [u], [z], observables={"twice": 2 * u})
    assert _import(system_source(s), tmp_path, "system").META["unknowns"] == (u.name,)
    assert not marker.exists()


def test_bound_symbols_and_unknown_functions_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    a = sp.Symbol("a")
    k = sp.Symbol(f'k in ()) or __import__("pathlib").Path(r"{marker}").touch() or sum(1 for k')
    with pytest.raises(CodegenError, match="cannot be compiled"):
        emit_function("g", [a], [sp.Sum(a * k, (k, 0, 3))])
    with pytest.raises(CodegenError, match="cannot generate code"):
        emit_function("g", [a], [sp.Function("f); import os #")(a)])
    with pytest.raises(CodegenError):
        sr.System([m + sp.Sum(k * m, (k, 0, 3)) - z], [m], [z]).compile()
    assert not marker.exists()


def test_compile_function_name_and_exprs_are_checked(tmp_path):
    from symrmt.codegen.compile import compile_function

    marker = tmp_path / "pwned"
    x = sp.Symbol("x")
    for name in ["import", "f(x):\n    pass\nimport os\ndef g", "ﬁ", "_f"]:
        with pytest.raises(ParameterError, match="name"):
            compile_function([x], [x], name=name)
    with pytest.raises(ParameterError):
        compile_function([f"__import__('pathlib').Path(r'{marker}').touch()"], [x])
    assert not marker.exists()


def test_torch_field_refuses_bound_symbol_names(tmp_path):
    pytest.importorskip("torch")
    from symrmt.odes.field_codegen import compile_field

    marker = tmp_path / "pwned"
    y = sp.Symbol("y")
    k = sp.Symbol(f'k in ()) or __import__("pathlib").Path(r"{marker}").touch() or sum(1 for k')
    with pytest.raises(CodegenError, match="cannot be compiled"):
        compile_field(y + sp.Sum(y * k, (k, 0, 3)), y, backend="torch")
    with pytest.raises(CodegenError):
        compile_field(sp.Function("f); import os #")(y), y, backend="torch")
    f = compile_field(-sp.Symbol('q"); import os #') * y, y, backend="torch",
                      parameters=[sp.Symbol('q"); import os #')])
    assert 'import os' not in f.source
    assert not marker.exists()
