"""The rules composed engines, the registry and model downloads keep.

Cascades split the cores among ``read_many`` workers as pipelines do, stop
at ``below=0``, and match per-engine options by any spelling of an engine's
name; shorthand specs check option types like their full names; a broken
entry point and a name an entry point holds are typed errors; a downloaded
model gets the permissions the umask gives and no unverified file is left.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import socket
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import unocr
from unocr import registry
from unocr.backends import pool
from unocr.backends.base import Backend
from unocr.backends.cascade import CascadeBackend
from unocr.backends.download import OFFLINE_ENV, fetch_verified
from unocr.backends.options import check_options
from unocr.errors import BackendUnavailableError, ConfigError, RegistrationError
from unocr.model import EngineUse

from .entry_points import install_ink_entry_points
from .http_files import serving
from .ink_engine import InkBackend, NoConfidence
from .needs import needs_tesseract

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"


@pytest.fixture(scope="module")
def tesseract() -> Iterator[Backend]:
    with unocr.get_backend("tesseract") as b:
        yield b


# ------------------------------------------------------------------ cascades
@needs_tesseract
@pytest.mark.parametrize(
    ("spec", "position", "call"),
    [
        ("rapidocr/tesseract", 0, "read_loaded"),  # RapidOCR reads the pages
        ("tesseract/rapidocr", 1, "recognize_loaded"),  # RapidOCR re-reads lines
    ],
)
def test_a_cascade_splits_the_cores_among_read_many_workers(
    spec: str,
    position: int,
    call: str,
    snippet: Image.Image,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("rapidocr", reason="pip install 'unocr[rapidocr]'")
    monkeypatch.setattr(pool, "cpu_cores", lambda: 4)
    with unocr.get_backend(spec, below=1.0) as cascade:
        rapid = cascade.engines[position]  # type: ignore[attr-defined]
        real = getattr(rapid, call)
        threads: list[int | None] = []

        def spy(*args: Any, **kwargs: Any) -> Any:
            threads.append(rapid._engines.threads)
            return real(*args, **kwargs)

        monkeypatch.setattr(rapid, call, spy)
        cascade.read_many([snippet, snippet], workers=2)
        assert rapid._engines.threads is None  # the split ends with the batch
    assert threads == [2, 2]  # 4 cores, 2 workers: 2 threads each


@needs_tesseract
def test_below_zero_sends_no_line_even_an_unscored_one(
    tesseract: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = NoConfidence(tesseract)
    lines = len(first.read(SAMPLE).lines)
    assert lines > 0
    sent: list[int] = []
    real = tesseract.recognize_loaded

    def spy(image: Any, regions: Sequence[Any], **kwargs: Any) -> Any:
        sent.append(len(regions))
        return real(image, regions, **kwargs)

    monkeypatch.setattr(tesseract, "recognize_loaded", spy)
    with CascadeBackend(engines=[first, tesseract], below=0) as off:
        page = off.read(SAMPLE)
    assert sent == []
    assert page.engines[1] == EngineUse("tesseract", calls=0, regions=0)
    with CascadeBackend(engines=[first, tesseract], below=0.5) as on:
        on.read(SAMPLE)
    assert sent == [lines]  # above 0, a line without a confidence is unsure


@needs_tesseract
def test_cascade_options_match_any_spelling_and_every_engine_so_named() -> None:
    with unocr.get_backend(
        "cascade",
        engines=["Tesseract", " tesseract"],
        options={"tesseract": {"psm": 7}},
    ) as both:
        assert [e._settings.psm for e in both.engines] == [7, 7]  # type: ignore[attr-defined]
    with unocr.get_backend(
        "tesseract/tesseract/tesseract", options={"TESSERACT": {"psm": 6}}
    ) as three:
        assert [e._settings.psm for e in three.engines] == [6, 6, 6]  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="'tesseract' and 'Tesseract'"):
        unocr.get_backend(
            "tesseract/tesseract",
            options={"tesseract": {"psm": 6}, "Tesseract": {"psm": 7}},
        )
    with pytest.raises(ConfigError, match=r"options for rapidocr, .*not one of"):
        unocr.get_backend("tesseract/tesseract", options={"rapidocr": {}})


@needs_tesseract
def test_cascade_options_reach_an_engine_named_by_its_alias() -> None:
    pytest.importorskip("google.cloud.vision", reason="pip install 'unocr[gcv]'")
    gcv = {"api_key": "test-key", "feature": "text"}
    for spec, key in (("google/tesseract", "gcv"), ("gcv/tesseract", "google")):
        with unocr.get_backend(spec, options={key: gcv}) as cascade:
            assert cascade.engines[0].feature == "text"  # type: ignore[attr-defined]


# --------------------------------------------------------- shorthand options
@needs_tesseract
@pytest.mark.parametrize(
    ("spec", "options", "message"),
    [
        (
            "tesseract/tesseract",
            {"options": {"tesseract": "psm=7"}},
            "the tesseract/tesseract backend's option options must be Mapping",
        ),
        (
            "tesseract/tesseract",
            {"options": "x"},
            "the tesseract/tesseract backend's option options must be Mapping",
        ),
        (
            "tesseract+tesseract",
            {"detect_options": "psm=7"},
            "the tesseract+tesseract backend's option detect_options must be Mapping",
        ),
    ],
)
def test_shorthand_specs_check_option_types(
    spec: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        unocr.get_backend(spec, **options)


def test_the_keywords_a_partial_binds_are_checked_too() -> None:
    def factory(*, engines: list[str], below: float = 0.8) -> None: ...

    bound = functools.partial(factory, engines=["a", "b"])
    check_options("demo", bound, {"below": 0.5})
    with pytest.raises(ConfigError, match="option below must be float, got 'x'"):
        check_options("demo", bound, {"below": "x"})
    with pytest.raises(ConfigError, match="option engines must be list"):
        check_options("demo", functools.partial(factory, engines="a"), {})


# ------------------------------------------------------------------ registry
def test_an_entry_point_naming_a_missing_class_is_a_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = "unocr_ep_renamed"
    install_ink_entry_points(tmp_path, monkeypatch, module, ["kept-ink"])
    listing = tmp_path / f"{module}-1.0.dist-info" / "entry_points.txt"
    listing.write_text(listing.read_text() + f"renamed-ink = {module}:NoSuchClass\n")
    with pytest.raises(BackendUnavailableError) as info:
        unocr.get_backend("renamed-ink")
    message = str(info.value)
    assert f"'{module}:NoSuchClass'" in message and "renamed-ink" in message
    assert "NoSuchClass" in message and info.value.fix
    assert "unocr-ep-renamed" in info.value.fix  # the distribution to upgrade
    assert isinstance(info.value.__cause__, AttributeError)
    monkeypatch.setattr(registry, "_entry_points", None)


def test_a_name_an_entry_point_holds_is_taken_before_any_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = "unocr_ep_taken"
    install_ink_entry_points(tmp_path, monkeypatch, module, ["taken-ink"])
    try:
        with pytest.raises(RegistrationError, match="entry point taken-ink = "):
            registry.register_backend("Taken-Ink", InkBackend)
        assert module not in sys.modules  # only the metadata was read
        registry.register_backend("taken-ink", InkBackend, replace=True)
        assert registry.resolve_backend("taken-ink")[1] is InkBackend
    finally:
        registry.unregister_backend("taken-ink")
        monkeypatch.setattr(registry, "_entry_points", None)


# ----------------------------------------------------------------- downloads
BODY = b"weights" * 4096
GOOD = hashlib.sha256(BODY).hexdigest()


def _fetch(url: str, sha: str, dest: Path) -> Path:
    return fetch_verified(
        url, sha, dest, backend="keras-ocr", fix="fetch it", timeout=10
    )


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002], ids=oct)
def test_a_downloaded_file_gets_the_mode_the_umask_gives(
    umask: int, tmp_path: Path
) -> None:
    before = os.umask(umask)
    try:
        with serving(BODY) as base:
            got = _fetch(f"{base}/w.h5", GOOD, tmp_path / "w.h5")
        plain = tmp_path / "plain"
        plain.write_bytes(b"")
    finally:
        os.umask(before)
    mode = stat.S_IMODE(got.stat().st_mode)
    assert mode == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask


def _closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize("failure", ["checksum", "unreachable", "offline"])
def test_a_corrupt_file_is_not_left_when_its_download_fails(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "w.h5"
    dest.write_bytes(b"truncated")
    with serving(BODY) as base:
        url, sha = f"{base}/w.h5", GOOD
        if failure == "checksum":
            sha = "0" * 64
        elif failure == "unreachable":
            url = f"http://127.0.0.1:{_closed_port()}/w.h5"
        else:
            monkeypatch.setenv(OFFLINE_ENV, "1")
        with pytest.raises(BackendUnavailableError) as info:
            _fetch(url, sha, dest)
    assert info.value.fix == "fetch it"
    assert list(tmp_path.iterdir()) == []
