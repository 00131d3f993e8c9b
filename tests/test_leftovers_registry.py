"""An entry point whose target is gone is listed as not usable, with the reason.

``unocr.available_backends()`` (and ``unocr backends``) read entry points
without importing them; one that names a module or a class that does not
exist is reported ``installed=False`` with the reason and fix of the
``BackendUnavailableError`` asking for it raises.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import unocr
from unocr import registry
from unocr.cli import main
from unocr.errors import BackendUnavailableError

from .entry_points import install_ink_entry_points

MODULE = "unocr_ep_leftover"
#: Backend name -> entry point target, added to the distribution's own
#: ``kept-ink = unocr_ep_leftover:InkBackend``.
BROKEN = {
    "renamed-ink": f"{MODULE}:NoSuchClass",
    "gone-ink": "unocr_ep_leftover_gone:InkBackend",
    "nested-ink": f"{MODULE}.inner:InkBackend",  # the module is no package
}


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution with one working and three broken entry points."""
    install_ink_entry_points(tmp_path, monkeypatch, MODULE, ["kept-ink"])
    listing = tmp_path / f"{MODULE}-1.0.dist-info" / "entry_points.txt"
    lines = "".join(f"{name} = {target}\n" for name, target in BROKEN.items())
    listing.write_text(listing.read_text() + lines)
    yield tmp_path
    sys.modules.pop(MODULE, None)
    monkeypatch.setattr(registry, "_entry_points", None)


def _listed() -> dict[str, registry.BackendInfo]:
    return {i.name: i for i in unocr.available_backends() if i.name.endswith("-ink")}


def _requested(name: str) -> BackendUnavailableError:
    with pytest.raises(BackendUnavailableError) as info:
        unocr.get_backend(name)
    return info.value


def test_a_broken_entry_point_is_listed_as_not_usable_with_the_reason(
    plugin: Path,
) -> None:
    before = _listed()  # read from the files alone
    assert MODULE not in sys.modules
    kept = before["kept-ink"]
    assert (kept.installed, kept.reason, kept.fix) == (True, None, None)
    errors = {name: _requested(name) for name in BROKEN}
    assert MODULE in sys.modules  # now imported: the listing asks the module
    after = _listed()
    for name, error in errors.items():
        for info in (before[name], after[name]):
            assert not info.installed, name
            assert info.source == "entry point"
            assert info.fix == error.fix and info.fix
            assert f"{info.reason} Fix: {info.fix}" == str(error)
            assert BROKEN[name] in (info.reason or "")
    assert unocr.get_backend("kept-ink").read(_blank()).text == ""


def test_unocr_backends_shows_why_and_the_fix(
    plugin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backends", "--json"]) == 0
    records = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert records["kept-ink"]["installed"] is True
    error = _requested("renamed-ink")
    record = records["renamed-ink"]
    assert record["installed"] is False
    assert f"{record['reason']} Fix: {record['fix']}" == str(error)
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert f"renamed-ink: not installed: {record['reason']}" in out
    assert f"gone-ink: not installed: {records['gone-ink']['reason']}" in out
    assert "No module named 'unocr_ep_leftover_gone'" in out


def test_a_name_bound_in_a_way_not_read_from_the_file_counts_as_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A star import may bind the class: listed as usable, and it is."""
    module = "unocr_ep_starred"
    install_ink_entry_points(tmp_path, monkeypatch, module, ["starred-ink"])
    source = tmp_path / f"{module}.py"
    source.write_text(
        source.read_text().replace("import InkBackend", "import *")
        + "\nassert InkBackend\n"
    )
    try:
        (info,) = [i for i in unocr.available_backends() if i.name == "starred-ink"]
        assert (info.installed, info.reason) == (True, None)
        assert unocr.get_backend("starred-ink").read(_blank()).text == ""
    finally:
        sys.modules.pop(module, None)
        monkeypatch.setattr(registry, "_entry_points", None)


def _blank() -> object:
    from PIL import Image

    return Image.new("RGB", (20, 20), "white")
