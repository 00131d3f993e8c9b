"""``unocr read`` on a folder with Google Cloud Vision: batches survive streaming.

A real ``ImageAnnotator`` gRPC server on 127.0.0.1 (tests/gcv_server.py)
answers; the command line reads a folder of distinct images with the gcv
engine and writes one file per image as batches come back.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("google.cloud.vision_v1")

from PIL import Image

from unocr.cli import main
from unocr.model import Page

from .gcv_server import VisionServer, by_content, word_response


def _png(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 32), (shade, shade, shade)).save(buf, format="PNG")
    return buf.getvalue()


def test_folder_through_gcv_keeps_its_batches_and_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    images = [_png(k) for k in range(40)]
    for k, data in enumerate(images):
        (folder / f"img{k:02d}.png").write_bytes(data)
    table = {
        data: word_response([(f"w{k}", (2, 2, 40, 20))], width=64, height=32)
        for k, data in enumerate(images)
    }
    out = tmp_path / "out"
    with VisionServer(reply=by_content(table)) as server:
        code = main(
            ["read", str(folder), "-b", "gcv", "-o", f"{out}/", "-f", "json", "-q",
             "-O", f"endpoint={server.address}", "-O", "insecure=true",
             "-O", "concurrency=2", "--workers", "2"]
        )  # fmt: skip
    assert code == 0
    # 16 images per request, as read_many sends them
    assert sorted(server.batch_sizes) == [8, 16, 16]
    for k in range(40):
        page = Page.from_json((out / f"img{k:02d}.json").read_text("utf-8"))
        assert page.text == f"w{k}"
