"""The package's module structure: geometry imports form no cycle, names have one home."""

from __future__ import annotations

import ast
import builtins
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "unocr"


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """Runtime top-level imports of ``unocr.*`` modules, and function-level ones."""
    tree = ast.parse(path.read_text("utf-8"))
    top: set[str] = set()
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("unocr")
        ):
            top.add(node.module)
            top.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            top.update(a.name for a in node.names if a.name.startswith("unocr"))
    local = [
        n.module
        for f in ast.walk(tree)
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        for n in ast.walk(f)
        if isinstance(n, ast.ImportFrom)
        and n.module
        and n.module.startswith("unocr.geometry")
    ]
    return top, local


def test_geometry_modules_import_downwards_only():
    """Law: the runtime imports among geometry modules form a DAG, and no
    geometry function imports a sibling module (TYPE_CHECKING imports, for
    annotations only, do not count)."""
    modules = {
        f"unocr.geometry.{p.stem}": p
        for p in (SRC / "geometry").glob("*.py")
        if p.stem not in ("__init__", "dispatch")
    }
    graph = {}
    for name, path in modules.items():
        top, local = _imports(path)
        assert local == [], f"{name} imports {local} inside functions"
        graph[name] = {m for m in top if m in modules and m != name}
    # Kahn's algorithm: every module can be ordered.
    order, ready = [], [m for m, deps in graph.items() if not deps]
    remaining = {m: set(d) for m, d in graph.items()}
    while ready:
        m = ready.pop()
        order.append(m)
        for other, deps in remaining.items():
            if m in deps:
                deps.discard(m)
                if not deps and other not in order and other not in ready:
                    ready.append(other)
    assert sorted(order) == sorted(graph), f"cycle among {set(graph) - set(order)}"


@pytest.mark.parametrize(
    "module", ["box", "quad", "polygon", "rotated_box", "mask", "iou", "vertices"]
)
def test_each_shape_module_works_when_imported_first(module):
    code = (
        f"from unocr.geometry.{module} import *\n"
        "from unocr.geometry._shape import shape_class\n"
        "print(shape_class('box')(0, 0, 2, 1).to_quad().to_polygon().to_mask().area)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2.0"


def test_dispatch_is_deprecated_but_works():
    dispatch = importlib.import_module("unocr.geometry.dispatch")
    with pytest.warns(
        DeprecationWarning, match=r"use unocr\.geometry\.geometry_from_dict"
    ):
        geometry_from_dict = dispatch.geometry_from_dict
    from unocr.geometry import Box
    from unocr.geometry import geometry_from_dict as home

    assert geometry_from_dict is home
    assert home(Box(0, 0, 1, 1).to_dict()) == Box(0, 0, 1, 1)


def test_page_xml_is_the_format_name_and_page_is_deprecated():
    from unocr import formats
    from unocr.model import Page

    page = Page(width=10, height=10)
    assert "page-xml" in formats.WRITE_FORMATS and "page" not in formats.WRITE_FORMATS
    assert formats.infer_format("a.page.xml") == "page-xml"
    assert formats.sniff_format(formats.dumps(page, "page-xml")) == "page-xml"
    with pytest.warns(DeprecationWarning, match="use 'page-xml'"):
        text = formats.dumps(page, "page")
    assert text == formats.dumps(page, "PAGE-XML")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert formats.canonical_format("pagexml") == "page-xml"


def test_formats_helpers_have_their_own_homes():
    """No grab-bag module: formats/_common.py is gone."""
    assert not (SRC / "formats" / "_common.py").exists()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("unocr.formats._common")


def _private_crossings(path: Path) -> list[str]:
    """``from unocr.m import _name`` (not a module) and ``m._name`` on an import."""
    tree = ast.parse(path.read_text("utf-8"))
    imported: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if not node.module.startswith("unocr"):
            continue
        for a in node.names:
            imported.add(a.asname or a.name)
            private = a.name.startswith("_") and not a.name.startswith("__")
            if (
                private
                and not (SRC.parent / node.module.replace(".", "/"))
                .joinpath(a.name)
                .with_suffix(".py")
                .exists()
            ):
                found.append(f"{path.name}:{node.lineno} {node.module}.{a.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    """What two modules share has a public name in the module of its concept."""
    crossings = [c for p in sorted(SRC.rglob("*.py")) for c in _private_crossings(p)]
    assert crossings == []


def test_dont_care_has_one_definition():
    from unocr.datasets import icdar2015, truth

    assert icdar2015.DONT_CARE is truth.DONT_CARE == "###"


def _private_module_crossings(path: Path) -> list[str]:
    """Imports of a private module (``pkg._mod``) from outside its package."""
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            for k, part in enumerate(parts[1:], start=1):
                owner = ".".join(parts[:k])
                if (
                    part.startswith("_")
                    and not part.startswith("__")
                    and (SRC.parent / owner.replace(".", "/") / f"{part}.py").exists()
                    and not (package == owner or package.startswith(owner + "."))
                ):
                    found.append(f"{module}:{node.lineno} {target}")
    return found


def test_a_private_module_is_imported_only_within_its_package():
    """A module named ``_x`` is its package's own: others use the package's names."""
    crossings = [
        c for p in sorted(SRC.rglob("*.py")) for c in _private_module_crossings(p)
    ]
    assert crossings == []


def _exception_classes(paths: list[Path]) -> list[tuple[Path, str]]:
    """``class X(...)`` statements whose bases are exceptions, by name.

    A base counts as an exception when it is a built-in one, its name ends in
    ``Error``/``Exception``/``Warning``, or it is a class found here to be one.
    """
    known = {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    classes: list[tuple[Path, str, list[str]]] = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, (ast.Name, ast.Attribute))
                ]
                classes.append((path, node.name, bases))
    found: list[tuple[Path, str]] = []
    grown = True
    while grown:  # a subclass of a class found only later
        grown = False
        for path, name, bases in classes:
            if (path, name) in found:
                continue
            if any(
                b in known or b.endswith(("Error", "Exception", "Warning"))
                for b in bases
            ):
                found.append((path, name))
                known.add(name)
                grown = True
    return found


def test_every_exception_is_defined_in_errors_py():
    """One home for every exception: unocr/errors.py (internal signals too)."""
    homes = _exception_classes(sorted(SRC.rglob("*.py")))
    elsewhere = [
        f"{path.relative_to(SRC)}: {name}"
        for path, name in homes
        if path != SRC / "errors.py"
    ]
    assert elsewhere == []
    assert {name for path, name in homes} >= {"UnocrError", "ProcessTimeout"}
