"""Lint and namespace rules of clrlib (issue 14): ruff's F rules, an explicit namespace, no sympy on import,
no private name used across modules."""

from __future__ import annotations

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "clrlib"


def _ruff() -> str | None:
    exe = pathlib.Path(sys.executable).with_name("ruff")
    return str(exe) if exe.exists() else shutil.which("ruff")


def test_ruff_f_rules_pass():
    ruff = _ruff()
    if ruff is None:  # pragma: no cover - ruff is pinned in requirements.txt
        pytest.fail("ruff is not installed (it is pinned in requirements.txt)")
    out = subprocess.run([ruff, "check", "--no-cache", "clrlib", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_init_is_explicit():
    tree = ast.parse((PKG / "__init__.py").read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert all(a.name != "*" for a in node.names), "star import in clrlib/__init__.py"
            imported += [a.asname or a.name for a in node.names]
        if isinstance(node, ast.Attribute) and node.attr == "modules":
            pytest.fail("clrlib/__init__.py reads sys.modules")
    assert len(imported) == len(set(imported)), "a name is imported twice"


def test_all_names_resolve_and_import_loads_no_sympy():
    code = ("import sys, clrlib; assert 'sympy' not in sys.modules, 'sympy loaded'; "
            "missing = [n for n in clrlib.__all__ if n not in dir(clrlib) and n not in clrlib._SYMBOLIC]; "
            "assert not missing, missing; assert len(set(clrlib.__all__)) == len(clrlib.__all__); "
            "assert callable(clrlib.iterations); import clrlib.counts; "
            "clrlib.bimodal_symbols; assert 'sympy' in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_no_private_name_crosses_modules():
    """``from .x import _name`` or ``module._name`` on another clrlib module is not allowed."""
    bad = []
    modules = {p.stem for p in PKG.glob("*.py")}
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text())
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                for a in node.names:
                    if a.name.startswith("_") and a.name not in modules:
                        bad.append(f"{path.name}: from .{node.module} import {a.name}")
                    if node.module is None:
                        aliases[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert not bad, bad


def test_pyproject_declares_runtime_dependencies():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {d.split("=")[0].split(">")[0].split("<")[0].strip().lower() for d in deps}
    imported = set()
    for path in PKG.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third = imported - set(sys.stdlib_module_names) - {"IPython", "matplotlib_inline"}  # optional, inside Jupyter
    dist = {"sklearn": "scikit-learn"}
    assert {dist.get(m, m).lower() for m in third} <= names, (third, names)
