"""Hostile but valid inputs every engine answers alike: thin regions, strips
EasyOCR's detector cannot scale, and arguments of the wrong kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

import unocr
from unocr.errors import ConfigError, GeometryError, RecognitionError
from unocr.geometry import Box
from unocr.geometry.crop import MAX_CROP_RATIO, pad_to_ratio

from .needs import engine_or_skip, needs_tesseract


@pytest.fixture(scope="module")
def rapidocr() -> Iterator[Any]:
    yield from engine_or_skip("rapidocr", "rapidocr")


@pytest.fixture(scope="module")
def easyocr() -> Iterator[Any]:
    # the models package: importing easyocr itself needs unocr's torchvision stand-in
    yield from engine_or_skip("easyocr", "easyocr_en_models")


def _strip(width: int) -> np.ndarray:
    img = np.full((50, width), 255, np.uint8)
    img[20:30, ::7] = 0
    return img


def test_a_thin_crop_is_padded_before_rapidocr_scales_it(rapidocr, monkeypatch) -> None:
    seen: list[tuple[int, ...]] = []
    real = type(rapidocr)._read_crops

    def spy(self: Any, bgr: list[np.ndarray]) -> Any:
        seen.extend(a.shape for a in bgr)
        return real(self, bgr)

    monkeypatch.setattr(type(rapidocr), "_read_crops", spy)
    (out,) = rapidocr.recognize(_strip(1500), [Box(0, 24, 1500, 25)])
    assert seen == [(15, 1500, 3)]  # 1500 x 1, padded to 1500 / 100 rows
    assert isinstance(out.text, str)


def test_a_thin_crop_is_padded_before_easyocr_scales_it(easyocr, monkeypatch) -> None:
    seen: list[tuple[int, ...]] = []
    real = type(easyocr)._stage

    def spy(self: Any, method: str, data: Any, options: dict[str, Any]) -> Any:
        if method == "recognize":
            seen.extend(a.shape for a in data)
        return real(self, method, data, options)

    monkeypatch.setattr(type(easyocr), "_stage", spy)
    easyocr.recognize(_strip(1500), [Box(0, 24, 1500, 25), Box(0, 10, 300, 40)])
    assert seen == [(15, 1500, 3), (30, 300, 3)]  # a line within the ratio as cut


def test_pad_to_ratio_keeps_the_content_centred_on_its_background() -> None:
    crop = Image.new("RGB", (400, 2), (20, 30, 40))  # light text on a dark ground
    crop.paste((250, 250, 250), (100, 0, 300, 2))
    out = np.asarray(pad_to_ratio(crop, 100))
    assert out.shape == (4, 400, 3)
    assert (out[1:3] == np.asarray(crop)).all()
    assert (out[0] == out[3]).all() and (out[0] == (20, 30, 40)).all()
    assert pad_to_ratio(crop, MAX_CROP_RATIO).size == (400, 4)
    assert pad_to_ratio(crop.convert("L"), 100).size == (400, 4)


@pytest.mark.parametrize(("shape", "piece"), [((1, 2600), 2560), ((3, 30000), 7680)])
def test_a_strip_easyocr_cannot_scale_is_a_typed_error_saying_what_to_do(
    easyocr, shape: tuple[int, int], piece: int
) -> None:
    with pytest.raises(RecognitionError, match=f"at most {piece} px long"):
        unocr.read(np.full(shape, 255, np.uint8), backend=easyocr)
    with pytest.raises(RecognitionError, match="canvas_size"):
        easyocr.detect(np.full(shape[::-1], 255, np.uint8))


@pytest.mark.parametrize("name", [None, 5, ["tesseract"]])
def test_a_backend_that_is_no_name_is_a_config_error(name: object) -> None:
    image = np.full((20, 20), 255, np.uint8)
    with pytest.raises(ConfigError, match="engine name"):
        unocr.get_backend(name)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="engine name"):
        unocr.read(image, backend=name)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="engine name"):
        unocr.read_many([image], backend=name, errors="return")  # type: ignore[arg-type]


@needs_tesseract
@pytest.mark.parametrize("regions", [None, 5, "abc", Box(0, 0, 5, 5)])
def test_regions_that_are_no_list_of_shapes_are_a_geometry_error(regions) -> None:
    with (
        unocr.get_backend("tesseract") as engine,
        pytest.raises(GeometryError, match="regions must be a list of shapes"),
    ):
        engine.recognize(np.full((20, 20), 255, np.uint8), regions)


@needs_tesseract
def test_regions_may_come_from_a_generator() -> None:
    with unocr.get_backend("tesseract") as engine:
        out = engine.recognize(
            np.full((20, 20), 255, np.uint8), (Box(0, 0, 10, 10) for _ in range(2))
        )
    assert len(out) == 2
