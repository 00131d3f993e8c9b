"""Tesseract with a tessdata folder of the user's own, on the real program.

- A standard model missing from the folder ``TESSDATA_PREFIX`` or
  ``--tessdata-dir`` names is fixed by putting it there (or by going back to
  the system's folder after installing the package): ``apt-get install``
  alone fills the system's folder, which Tesseract then does not read.
- A model of one's own is asked for by its file's name, whatever that is
  (``xyz.traineddata``, ``MyFont.traineddata``), when the file is there; the
  same name without the file is still refused as no language code.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.errors import LanguageCodeError, LanguageUnavailableError

from .needs import needs_tesseract

pytestmark = needs_tesseract

#: What the snippet (the test page's first two lines) starts with.
FIRST_WORDS = "This is a lot of 12 point text"


@pytest.fixture
def tessdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Make a tessdata folder holding Tesseract's English model under given names."""
    from unocr.backends.tesseract.install import probe

    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    system = probe(shutil.which("tesseract") or "tesseract", None).datadir
    if system is None or not (Path(system) / "eng.traineddata").is_file():
        pytest.skip("Tesseract's eng model is not installed (tesseract-ocr-eng)")

    def make(*models: str, prefix: bool = True) -> Path:
        folder = tmp_path / "tessdata"
        folder.mkdir()
        for model in models:
            shutil.copyfile(
                Path(system) / "eng.traineddata", folder / f"{model}.traineddata"
            )
        if prefix:
            monkeypatch.setenv("TESSDATA_PREFIX", str(folder))
        return folder

    return make


def _missing(**options: object) -> LanguageUnavailableError:
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("tesseract", languages="fr", **options)
    return info.value


# -------------------------------- 1. a standard model missing from the folder
def test_a_model_missing_from_tessdata_prefix_is_put_into_that_folder(
    tessdata: Callable[..., Path],
) -> None:
    folder = tessdata("eng")
    error = _missing()
    assert f"fra.traineddata not found in {folder}" in str(error)
    fix = error.fix or ""
    assert fix.startswith("put fra.traineddata") and str(folder) in fix
    assert "TESSDATA_PREFIX" in fix  # the folder's origin, and how to undo it
    assert "apt-get install tesseract-ocr-fra" in fix  # the system's copy
    assert "unset TESSDATA_PREFIX" in fix
    assert str(error).endswith(f"Fix: {fix}")


def test_a_model_missing_from_tessdata_dir_names_that_option(
    tessdata: Callable[..., Path],
) -> None:
    folder = tessdata("eng", prefix=False)
    fix = _missing(config=["--tessdata-dir", str(folder)]).fix or ""
    assert fix.startswith("put fra.traineddata") and str(folder) in fix
    assert "--tessdata-dir" in fix and "TESSDATA_PREFIX" not in fix


def test_a_model_missing_from_the_systems_folder_is_still_installed_by_apt(
    tessdata: Callable[..., Path],
) -> None:
    tessdata(prefix=False)  # no TESSDATA_PREFIX: Tesseract's own folder
    assert _missing().fix == "apt-get install tesseract-ocr-fra"


# ----------------------------------------- 2. a model named as its file is
@pytest.mark.parametrize("name", ["xyz", "MyFont", "zz_custom"])
def test_a_model_of_ones_own_is_asked_for_by_its_file_name(
    tessdata: Callable[..., Path], snippet: Image.Image, name: str
) -> None:
    tessdata(name)  # no eng.traineddata: only the model asked for can run
    with unocr.get_backend("tesseract", languages=name) as ocr:
        assert ocr.languages == (name,)
        page = ocr.read(snippet)
    assert FIRST_WORDS in page.text
    assert page.languages == (name,)


def test_a_model_of_ones_own_reads_beside_a_language_per_call(
    tessdata: Callable[..., Path], snippet: Image.Image
) -> None:
    tessdata("eng", "xyz")
    with unocr.get_backend("tesseract") as ocr:
        page = ocr.read(snippet, languages="en, xyz")
        assert FIRST_WORDS in page.text and page.languages == ("en", "xyz")
        regions = [line.geometry for line in ocr.detect(snippet, languages="xyz").lines]
        texts = ocr.recognize(snippet, regions, languages="xyz")
    assert FIRST_WORDS in texts[0].text


@pytest.mark.parametrize(("name", "meant"), [("xyz", None), ("esp", "'es'")])
def test_a_name_no_file_has_is_still_refused_as_no_code(
    tessdata: Callable[..., Path], name: str, meant: str | None
) -> None:
    tessdata("eng", "MyFont")
    for make in (
        lambda: unocr.get_backend("tesseract", languages=name),
        lambda: unocr.get_backend("tesseract").read(
            Image.new("RGB", (20, 20), "white"), languages=name
        ),
    ):
        with pytest.raises(LanguageCodeError) as info:
            make()
        assert "is not an ISO 639 language code" in str(info.value)
        assert meant is None or meant in str(info.value)
    with pytest.raises(LanguageCodeError):  # file names match exactly
        unocr.get_backend("tesseract", languages="myfont")


def test_a_language_code_keeps_its_model_beside_a_file_of_that_name(
    tessdata: Callable[..., Path], snippet: Image.Image
) -> None:
    tessdata("eng", "en")  # "en" is English: eng.traineddata, not en.traineddata
    with unocr.get_backend("tesseract", languages="en") as ocr:
        assert ocr.languages == ("en",)
        assert FIRST_WORDS in ocr.read(snippet).text
