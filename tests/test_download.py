"""Model downloads against a real HTTP server on 127.0.0.1 serving files we make."""

from __future__ import annotations

import hashlib
import http.server
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from unocr.backends.download import OFFLINE_ENV, fetch_verified
from unocr.errors import BackendUnavailableError

from .http_files import serving_handler

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
GOOD = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = PAYLOAD
        length = len(body)
        if self.path == "/cut":
            body = body[: len(body) // 2]  # announce everything, send half
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.hits = []
    with serving_handler(_Handler) as base:
        yield base


def _fetch(url: str, sha: str, dest: Path) -> Path:
    return fetch_verified(
        url, sha, dest, backend="keras-ocr", fix="run the fetch command", timeout=10
    )


def test_a_good_file_is_downloaded_once(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "cache" / "weights.h5"
    assert _fetch(f"{server}/weights.h5", GOOD, dest) == dest
    assert dest.read_bytes() == PAYLOAD
    _fetch(f"{server}/weights.h5", GOOD, dest)  # intact: no second request
    assert _Handler.hits == ["/weights.h5"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["weights.h5"]


def test_a_wrong_checksum_leaves_nothing(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "weights.h5"
    with pytest.raises(BackendUnavailableError, match="SHA-256") as info:
        _fetch(f"{server}/weights.h5", "0" * 64, dest)
    assert info.value.fix == "run the fetch command"
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_file_on_disk_is_replaced(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "weights.h5"
    dest.write_bytes(b"truncated")
    _fetch(f"{server}/weights.h5", GOOD, dest)
    assert dest.read_bytes() == PAYLOAD


def test_a_cut_off_transfer_leaves_nothing(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "weights.h5"
    with pytest.raises(BackendUnavailableError, match="failed"):
        _fetch(f"{server}/cut", GOOD, dest)
    assert list(tmp_path.iterdir()) == []


def test_no_server_is_a_typed_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendUnavailableError, match="refused"):
        _fetch(f"http://127.0.0.1:{port}/w.h5", GOOD, tmp_path / "w.h5")
    assert list(tmp_path.iterdir()) == []


def test_offline_setting_forbids_downloads(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OFFLINE_ENV, "1")
    with pytest.raises(BackendUnavailableError, match=OFFLINE_ENV):
        _fetch(f"{server}/weights.h5", GOOD, tmp_path / "w.h5")
    assert _Handler.hits == []
