"""Model downloads: damaged cache, size bound, left-over parts, retries, proxies.

Every server here runs on 127.0.0.1 (tests/http_files.py); nothing reaches the
network. keras-ocr's weights module needs no keras-ocr installed.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from unocr.backends import download
from unocr.backends.download import fetch_verified
from unocr.backends.keras_ocr import weights
from unocr.errors import BackendUnavailableError

from .http_files import serving_handler

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
GOOD = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/ok``; ``/endless`` (no length, 16 MiB); ``/huge`` (announces 100 GB);
    ``/busy/<code>/<after>`` (that status until the ``n``-th request, then ok)."""

    hits: ClassVar[list[str]] = []
    ok_after: ClassVar[int] = 10**9

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path.startswith("/busy/"):
            _, _, code, after = self.path.split("/")
            if len(type(self).hits) < type(self).ok_after:
                self.send_response(int(code))
                if after != "-":
                    self.send_header("Retry-After", after)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if self.path in ("/endless", "/huge"):
            self.send_response(200)
            if self.path == "/huge":
                self.send_header("Content-Length", str(100 << 30))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(16):
                    self.wfile.write(b"\0" * (1 << 20))
            except OSError:
                pass
            self.close_connection = True
            return
        self.send_response(200 if self.path != "/missing" else 404)
        body = PAYLOAD if self.path != "/missing" else b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    _Handler.hits = []
    _Handler.ok_after = 10**9
    with serving_handler(_Handler) as base:
        yield base


def _fetch(url: str, dest: Path, max_bytes: int | None = None) -> Path:
    return fetch_verified(
        url, GOOD, dest, backend="keras-ocr", fix="FIX", timeout=10, max_bytes=max_bytes
    )


def test_a_damaged_cached_recognizer_is_downloaded_again(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(weights, "RECOGNIZER_URL", f"{server}/ok")
    monkeypatch.setattr(weights, "RECOGNIZER_SHA256", GOOD)
    cached = tmp_path / weights.RECOGNIZER_FILE
    cached.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 1000)  # a cut-off file
    with pytest.raises(BackendUnavailableError, match="SHA-256") as info:
        weights.fetch_recognizer(download=False)
    assert weights.FETCH_COMMAND in (info.value.fix or "")
    assert _Handler.hits == [] and not cached.exists()
    cached.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 1000)
    assert weights.fetch_recognizer() == cached
    assert cached.read_bytes() == PAYLOAD and _Handler.hits == ["/ok"]
    assert weights.fetch_recognizer(download=False) == cached  # intact: kept
    assert _Handler.hits == ["/ok"]


def test_a_download_larger_than_the_file_is_refused(
    server: str, tmp_path: Path
) -> None:
    dest = tmp_path / "weights.h5"
    with pytest.raises(BackendUnavailableError, match=r"announces \d+ bytes"):
        _fetch(f"{server}/huge", dest, max_bytes=len(PAYLOAD))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BackendUnavailableError, match="more than the 1048576 bytes"):
        _fetch(f"{server}/endless", dest, max_bytes=len(PAYLOAD))
    assert list(tmp_path.iterdir()) == []
    assert _fetch(f"{server}/ok", dest, max_bytes=len(PAYLOAD)) == dest
    assert weights.RECOGNIZER_MAX_BYTES >= 35_000_000  # the real file's size


def test_the_recognizer_download_is_bounded(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(weights, "RECOGNIZER_URL", f"{server}/huge")
    with pytest.raises(BackendUnavailableError, match="announces"):
        weights.fetch_recognizer()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_parts_left_by_killed_downloads_are_removed_not_live_ones(
    server: str, tmp_path: Path
) -> None:
    import fcntl

    dest = tmp_path / "weights.h5"
    stale = [tmp_path / f".weights.h5.{i:08x}.part" for i in range(3)]
    for part in stale:
        part.write_bytes(b"half a file")
    live = tmp_path / ".weights.h5.0000abcd.part"
    other = tmp_path / ".other.h5.00000001.part"  # another file's: not ours
    other.write_bytes(b"")
    with live.open("wb") as writing:  # a download in progress holds its lock
        fcntl.flock(writing.fileno(), fcntl.LOCK_EX)
        assert _fetch(f"{server}/ok", dest) == dest
        assert live.exists()
    assert not any(p.exists() for p in stale) and other.exists()
    _fetch(f"{server}/ok", dest)  # intact, no request: the released one goes too
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, dest.name]
    assert _Handler.hits == ["/ok"]


def test_a_busy_server_is_asked_again_after_the_wait_it_asks_for(
    server: str, tmp_path: Path
) -> None:
    _Handler.ok_after = 2  # the second request succeeds
    started = time.monotonic()
    assert _fetch(f"{server}/busy/429/1", tmp_path / "w.h5").read_bytes() == PAYLOAD
    assert time.monotonic() - started >= 0.9  # Retry-After: 1 was honoured
    assert len(_Handler.hits) == 2


def test_a_server_still_busy_says_so_with_its_status(
    server: str, tmp_path: Path
) -> None:
    with pytest.raises(BackendUnavailableError) as info:
        _fetch(f"{server}/busy/503/0", tmp_path / "w.h5")
    assert "HTTP 503" in str(info.value) and "3 attempts" in str(info.value)
    assert (info.value.fix or "").startswith("try again later")
    assert len(_Handler.hits) == 3
    # a wait longer than the cap is not waited for: one request, and it is said
    _Handler.hits = []
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError, match="HTTP 429") as info:
        _fetch(f"{server}/busy/429/3600", tmp_path / "w.h5")
    assert time.monotonic() - started < download._MAX_WAIT
    assert "wait 3600 s" in (info.value.fix or "") and len(_Handler.hits) == 1
    with pytest.raises(BackendUnavailableError, match="HTTP 404 Not Found") as info:
        _fetch(f"{server}/missing", tmp_path / "w.h5")
    assert info.value.fix == "FIX"
    assert list(tmp_path.iterdir()) == []


def test_a_failing_proxy_from_the_environment_is_named(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("http_proxy", proxy)
    with pytest.raises(BackendUnavailableError, match="refused") as info:
        _fetch(f"{server}/ok", tmp_path / "w.h5")
    assert f"through the proxy {proxy}" in str(info.value)
    assert "http_proxy" in str(info.value) and "no_proxy" in (info.value.fix or "")
    assert _Handler.hits == []
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert _fetch(f"{server}/ok", tmp_path / "w.h5").read_bytes() == PAYLOAD


def test_an_unreadable_file_at_the_destination_is_a_typed_error(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "w.h5"
    dest.write_bytes(PAYLOAD)
    os.chmod(dest, 0)
    if os.access(dest, os.R_OK):  # root reads anyway: refuse as the system would

        def refuse(path: object) -> str:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(download, "sha256_of", refuse)
    try:
        with pytest.raises(BackendUnavailableError, match="cannot be read") as info:
            _fetch(f"{server}/ok", dest)
    finally:
        os.chmod(dest, 0o644)
    assert str(dest) in (info.value.fix or "") and _Handler.hits == []
