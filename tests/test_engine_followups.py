"""Engine follow-ups: a missing custom Tesseract model, the option a refused
Tesseract setting names, and EasyOCR's detection in a language it cannot read.

- A custom model (``eng_custom``, ``qaa``) that is missing is fixed by putting
  its traineddata into the tessdata folder unocr found (or by pointing
  ``TESSDATA_PREFIX``/``--tessdata-dir`` at one), not by another engine.
- Every ``ConfigError`` of the Tesseract backend carries ``.option``, the
  option the user gave, so that ``unocr.toml`` handling names the file.
- ``docs/engines.md`` ("a language the models cannot read is
  ``LanguageUnavailableError``") holds for ``detect`` too.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

import unocr
from unocr.errors import ConfigError, LanguageUnavailableError

from .needs import needs_tesseract

# Not importorskip("easyocr"): a plain import fails beside CPU-only PyTorch.
needs_easyocr = pytest.mark.skipif(
    importlib.util.find_spec("easyocr") is None
    or importlib.util.find_spec("easyocr_en_models") is None,
    reason="EasyOCR or its offline models are not installed: unocr[easyocr]",
)


# ------------------------------------------------ 1. a missing custom model
def _system_tessdata() -> Path:
    """The folder ``tesseract --list-langs`` reads, from its first line."""
    listed = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, check=True
    )
    found = re.search(r'languages in "([^"]*)"', listed.stdout + listed.stderr)
    assert found is not None, listed.stdout
    return Path(found.group(1))


@pytest.fixture
def only_eng(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TESSDATA_PREFIX``: a folder holding eng.traineddata alone."""
    english = _system_tessdata() / "eng.traineddata"
    if not english.is_file():
        pytest.skip("eng.traineddata missing: apt-get install tesseract-ocr-eng")
    folder = tmp_path / "tessdata"
    folder.mkdir()
    shutil.copyfile(english, folder / "eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(folder))
    return folder


def _hello() -> Image.Image:
    image = Image.new("RGB", (160, 48), "white")
    ImageDraw.Draw(image).text((10, 14), "HELLO 42", fill="black")
    return image


@needs_tesseract
@pytest.mark.parametrize(
    ("languages", "model"), [("en-custom", "eng_custom"), ("qaa", "qaa")]
)
def test_a_missing_custom_model_is_put_into_the_tessdata_folder(
    only_eng: Path, languages: str, model: str
) -> None:
    with unocr.get_backend("tesseract") as ocr:  # the folder is Tesseract's own
        assert ocr.read(_hello()).text.strip()
        with pytest.raises(LanguageUnavailableError) as info:
            ocr.read(_hello(), languages=languages)
    error = info.value
    assert error.language == languages
    assert f"{model}.traineddata not found in {only_eng}" in str(error)
    fix = error.fix or ""
    assert fix.startswith(f"put {model}.traineddata") and str(only_eng) in fix
    assert "TESSDATA_PREFIX" in fix
    assert "use an engine" not in fix and "apt-get" not in fix
    assert str(error).endswith(f"Fix: {fix}")


@needs_tesseract
def test_a_custom_model_missing_from_tessdata_dir_names_that_option(
    only_eng: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TESSDATA_PREFIX")
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend(
            "tesseract", languages="en-custom", config=["--tessdata-dir", str(only_eng)]
        )
    fix = info.value.fix or ""
    assert fix.startswith("put eng_custom.traineddata") and str(only_eng) in fix
    # --tessdata-dir wins over TESSDATA_PREFIX: setting it would change nothing
    assert "--tessdata-dir" in fix and "TESSDATA_PREFIX" not in fix


@needs_tesseract
def test_a_language_tesseract_ships_no_model_for_still_names_other_engines(
    only_eng: Path,
) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("tesseract", languages="zu")
    assert "use an engine that reads" in (info.value.fix or "")


# --------------------------------------- 2. the option a ConfigError is about
@needs_tesseract
@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"tesseract_cmd": 5}, "tesseract_cmd"),
        ({"config": "-c a='b"}, "config"),
        ({"config": 5}, "config"),
        ({"config": "--psm x"}, "config"),
        ({"config": "--oem 1.5"}, "config"),
        ({"config": "-c user_defined_dpi=abc"}, "config"),
        ({"config": "-c"}, "config"),
        ({"config": "-c novalue"}, "config"),
        ({"config": "-l deu"}, "config"),
        ({"config": "--dpi 0"}, "config"),
        ({"psm": 14}, "psm"),
        ({"psm": 0}, "psm"),
        ({"config": "--psm 20"}, "config"),
        ({"config": "--psm 2"}, "config"),
        ({"psm": 2, "config": "--psm 6"}, "psm"),
        ({"oem": 9}, "oem"),
        ({"config": "--oem 9"}, "config"),
    ],
)
def test_each_tesseract_config_error_names_its_option(
    kwargs: dict[str, Any], option: str
) -> None:
    from unocr.backends.tesseract.backend import TesseractBackend

    with pytest.raises(ConfigError) as info:
        TesseractBackend(**kwargs)
    assert info.value.option == option, str(info.value)


@needs_tesseract
def test_config_options_tesserocr_cannot_take_name_config() -> None:
    pytest.importorskip("tesserocr")
    from unocr.backends.tesseract.backend import TesseractBackend

    with pytest.raises(ConfigError) as info:
        TesseractBackend(engine="tesserocr", config="--user-words words.txt")
    assert info.value.option == "config"
    assert "engine='binary'" in str(info.value)


@needs_tesseract
def test_a_bad_psm_in_the_files_config_names_the_file(config: Any) -> None:
    path = config("[backends.tesseract.options]\nconfig = '--psm 20'\n")
    with pytest.raises(ConfigError) as info:
        unocr.get_backend("tesseract")
    assert info.value.source == str(path)
    assert info.value.option == "config"
    assert f"[backends.tesseract.options] in {path}" in str(info.value)


# ------------------------------------- 3. EasyOCR detect in a language it lacks
@needs_easyocr
def test_easyocr_detect_in_a_language_its_models_cannot_read() -> None:
    """engines.md: a language the models cannot read is LanguageUnavailableError."""
    blank = np.full((32, 32, 3), 255, np.uint8)
    with unocr.get_backend("easyocr") as ocr:  # the packaged English models
        assert ocr.detect(blank, languages="en").blocks == ()
        for language in ("de", "hy"):  # Latin model not packaged; no model at all
            with pytest.raises(LanguageUnavailableError) as info:
                ocr.detect(blank, languages=language)
            assert info.value.language == language
            assert info.value.backend == "easyocr" and info.value.fix
