"""RapidOCR's detect stage checks the languages as its read does.

``docs/engines.md``: a language the models cannot read is
``LanguageUnavailableError``; EasyOCR, keras-ocr and Tesseract raise it in
``detect`` too, so RapidOCR does as well, before its detector runs.
"""

from __future__ import annotations

import numpy as np
import pytest

import unocr
from unocr.errors import LanguageUnavailableError

pytest.importorskip(
    "rapidocr",
    reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'",
)

BLANK = np.full((40, 40, 3), 255, np.uint8)


@pytest.mark.parametrize("language", ["ko", "ru", "uz-Cyrl"])
def test_detect_in_a_language_the_models_cannot_read_is_refused(
    language: str,
) -> None:
    with unocr.get_backend("rapidocr") as ocr:
        assert ocr.detect(BLANK, languages="en").blocks == ()
        with pytest.raises(LanguageUnavailableError) as info:
            ocr.detect(BLANK, languages=language)
        with pytest.raises(LanguageUnavailableError) as read:
            ocr.read(BLANK, languages=language)
    error = info.value
    assert error.language == language and error.backend == "rapidocr"
    assert error.fix and "rec_model_path" in error.fix
    assert str(error) == str(read.value)  # the same check as the read's


def test_detect_keeps_a_supplied_models_languages() -> None:
    from unocr.backends.rapidocr.models import bundled_models

    # The bundled recognizer stands in for a user's Korean model.
    with unocr.get_backend(
        "rapidocr", rec_model_path=bundled_models()["rec"], model_languages=["ko"]
    ) as ocr:
        assert ocr.detect(BLANK, languages="ko").blocks == ()
        with pytest.raises(LanguageUnavailableError):
            ocr.detect(BLANK, languages="ja")
