"""One Page per Cloud Vision read, also where the API saw a downscaled copy
or answered with ``textAnnotations`` only (real gRPC server on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("google.cloud.vision_v1")

from google.cloud import vision_v1

from unocr.model import Page
from unocr.model import page as page_module

from .gcv_server import (
    IMAGE,
    VisionServer,
    backend_for,
    document_response,
    fixed_reply,
    png,
)

_TEXT_ONLY = vision_v1.AnnotateImageResponse.from_json(
    '{"textAnnotations": ['
    '{"locale": "en", "description": "Hello world", "boundingPoly": {"vertices": '
    '[{"x":10,"y":10},{"x":150,"y":10},{"x":150,"y":40},{"x":10,"y":40}]}},'
    '{"description": "Hello", "boundingPoly": {"vertices": '
    '[{"x":10,"y":10},{"x":70,"y":10},{"x":70,"y":40},{"x":10,"y":40}]}},'
    '{"description": "world", "boundingPoly": {"vertices": '
    '[{"x":80,"y":10},{"x":150,"y":10},{"x":150,"y":40},{"x":80,"y":40}]}}]}'
)


def _pages_built(monkeypatch: pytest.MonkeyPatch, engine, image) -> list[Page]:
    engine.read(image)  # connect first
    built: list[Page] = []
    real = Page.__post_init__

    def counting(self: Page) -> None:
        built.append(self)
        real(self)

    monkeypatch.setattr(page_module.Page, "__post_init__", counting)
    page = engine.read(image)
    monkeypatch.undo()
    assert built == [page]
    return built


def test_a_downscaled_read_builds_one_page(monkeypatch, tmp_path: Path) -> None:
    big = tmp_path / "document_2x.png"
    with Image.open(IMAGE) as im:
        small = im.width * im.height
        im.resize((im.width * 2, im.height * 2)).save(big)
    with (
        VisionServer(reply=fixed_reply(document_response())) as server,
        backend_for(server, oversize="downscale", max_image_pixels=small) as gcv,
    ):
        (page,) = _pages_built(monkeypatch, gcv, big)
    assert (page.width, page.height) == (2558, 1864)
    assert len(page.words) == 332
    # the API's coordinates are carried back to the caller's image: x 2
    assert max(w.geometry.bounds.x1 for w in page.words) > 1279


def test_a_text_annotations_answer_builds_one_page(monkeypatch) -> None:
    with (
        VisionServer(reply=fixed_reply(_TEXT_ONLY)) as server,
        backend_for(server, feature="text") as gcv,
    ):
        (page,) = _pages_built(monkeypatch, gcv, png(200, 60, 255))
    assert page.text == "Hello world"
    assert [w.text for w in page.words] == ["Hello", "world"]
