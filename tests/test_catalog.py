"""The backend catalog: built-in engines as data, looked up by the registry."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import unocr
from unocr import registry
from unocr.backends import catalog
from unocr.backends.catalog import BUILTINS, DataProbe, EngineSpec
from unocr.errors import RegistrationError

from .entry_points import install_ink_entry_points
from .fresh_imports import imported_after
from .ink_engine import InkBackend

SRC = Path(unocr.__file__).resolve().parent


def test_names_and_aliases_are_unique_and_canonical():
    keys = [k for s in BUILTINS for k in (s.name, *s.aliases)]
    assert len(keys) == len(set(keys))
    assert all(k == k.strip().lower() for k in keys)
    for s in BUILTINS:
        for key in (s.name, *s.aliases):
            assert catalog.spec(key) is s
            assert catalog.capabilities(key) is s.capabilities


@pytest.mark.parametrize("entry", BUILTINS, ids=lambda s: s.name)
def test_every_dotted_path_points_at_a_real_module_and_function(entry):
    module, _, attr = entry.target.partition(":")
    assert importlib.util.find_spec(module) is not None, entry.target
    assert attr
    if entry.probe is not None:
        probe = catalog.load_dotted(entry.probe)
        assert callable(probe)


@pytest.mark.parametrize(
    "entry", [s for s in BUILTINS if s.probe], ids=lambda s: s.name
)
def test_probes_import_no_engine(entry):
    code = (
        "from unocr.backends import catalog\n"
        f"found = catalog.run_probe(catalog.spec({entry.name!r}))\n"
        "assert isinstance(found, catalog.DataProbe), found"
    )
    assert imported_after(code) == []


def test_a_spec_without_probe_reports_nothing_missing():
    assert catalog.run_probe(catalog.spec("rapidocr")) == DataProbe()


def test_the_fix_names_the_extra_and_the_apt_packages():
    spec = EngineSpec(
        name="x",
        target="m:X",
        extra="x",
        modules=(),
        programs=(("a", "pkg-a"), ("b", "pkg-b")),
        capabilities=catalog.capabilities("tesseract"),
    )
    assert spec.fix == "pip install 'unocr[x]' and apt-get install pkg-a pkg-b"


def test_the_registry_reports_exactly_the_catalog():
    infos = [i for i in unocr.available_backends() if i.source == "builtin"]
    assert [i.name for i in infos] == [s.name for s in BUILTINS]
    for info, spec in zip(infos, BUILTINS, strict=True):
        assert info.aliases == spec.aliases
        assert info.description == spec.description
        assert info.capabilities.geometry == spec.capabilities.geometry
    assert registry.builtin_capabilities("gcv") is catalog.capabilities("gcv")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_backend_imports_the_registry():
    files = sorted((SRC / "backends").rglob("*.py"))
    assert len(files) > 10
    offenders = [
        str(f.relative_to(SRC))
        for f in files
        if any(m.startswith("unocr.registry") for m in _imports(f))
    ]
    assert offenders == []


def test_the_registry_imports_no_engine_internals():
    # an engine's package (unocr.backends.tesseract), or its module where the
    # engine is one module of unocr.backends (the pipeline)
    modules = [s.target.partition(":")[0] for s in BUILTINS]
    engines = {
        m if m.rsplit(".", 1)[0] == "unocr.backends" else m.rsplit(".", 1)[0]
        for m in modules
    }
    imported = _imports(SRC / "registry.py")
    assert not {m for m in imported for e in engines if m.startswith(e)}


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("acme/ocr", "'/' joins the engines of a cascade"),
        ("acme+ocr", "'+' joins the stages of a pipeline"),
        ("acme:ocr", "':' starts an engine's options"),
        ("acme=ocr", "'=' ends a label"),
        ("acme,ocr", "',' separates options"),
    ],
)
def test_a_name_using_the_spec_syntax_is_refused(name, why):
    with pytest.raises(RegistrationError) as info:
        registry.register_backend(name, InkBackend)
    message = str(info.value)
    assert repr(name) in message and why in message
    assert "e.g. 'acme-ocr'" in message  # what to use instead
    assert name not in registry.backend_names()


def test_an_entry_point_named_with_the_spec_syntax_is_ignored(tmp_path, monkeypatch):
    install_ink_entry_points(
        tmp_path, monkeypatch, "unocr_ep_slash", ["acme/ocr", "acme-ocr"]
    )
    with pytest.warns(UserWarning, match="'/' joins the engines of a cascade"):
        names = registry.backend_names()
    assert "acme-ocr" in names and "acme/ocr" not in names
    monkeypatch.setattr(registry, "_entry_points", None)


def test_easyocrs_fix_installs_cpu_torch_and_torchvision_before_the_extra():
    # A torchvision newer than the installed one brings a newer torch, from
    # PyPI a CUDA build: both come from PyTorch's CPU index first.
    fix = catalog.spec("easyocr").fix
    first, then = fix.split(", then ")
    assert first == (
        f"pip install torch torchvision --index-url {catalog.PYTORCH_CPU_INDEX}"
    )
    assert then == "pip install 'unocr[easyocr]'"
