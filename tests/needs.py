"""What a test needs that a machine may lack: marks and guards that skip.

Each names the fix in its message, so a skipped test says how to run it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

#: Skips a test (or, as ``pytestmark``, a module) where Tesseract is missing.
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the tesseract program is not installed (apt-get install tesseract-ocr)",
)


def engine_or_skip(spec: str, module: str, **options: Any) -> Iterator[Any]:
    """The engine ``spec``, closed afterwards; skips where ``module`` is missing.

    For a fixture: ``yield from engine_or_skip("rapidocr", "rapidocr")``.

    Args:
        spec: The engine's name, as :func:`unocr.get_backend` takes it.
        module: The library the engine needs, e.g. ``"rapidocr"``.
        **options: The engine's options.

    Yields:
        The engine, made with ``options``.
    """
    import unocr

    pytest.importorskip(module)
    with unocr.get_backend(spec, **options) as backend:
        yield backend


def import_keras_ocr(test_file: str) -> ModuleType:
    """Import keras-ocr for a test module, or skip that module.

    keras-ocr lives in an environment of its own (``scripts/keras-env``);
    elsewhere the module is skipped, unless ``UNOCR_REQUIRE_KERAS=1``, where a
    missing keras-ocr fails the run.

    Args:
        test_file: The calling module's ``__file__``, named in the skip message.

    Returns:
        The ``keras_ocr`` module.
    """
    try:
        import keras_ocr
    except ImportError as exc:
        if os.environ.get("UNOCR_REQUIRE_KERAS") == "1":
            pytest.fail(
                f"UNOCR_REQUIRE_KERAS=1 but keras_ocr cannot be imported ({exc}); "
                "create the environment with scripts/keras-env and run the tests "
                "with .venv-keras/bin/python",
                pytrace=False,
            )
        pytest.skip(
            "keras-ocr is not installed here (it needs numpy<2 and TensorFlow 2.15): "
            "run scripts/keras-env, then .venv-keras/bin/python -m pytest "
            f"tests/{os.path.basename(test_file)}",
            allow_module_level=True,
        )
    return keras_ocr


def korean_font() -> str:
    """A font file that draws Hangul, for Tesseract's Korean model to read.

    Skips the test where Tesseract lacks its Korean traineddata or no font
    draws Hangul, naming the package that fixes it.
    """
    import unocr
    from unocr.draw import find_font

    info = {i.name: i for i in unocr.available_backends()}["tesseract"]
    if "ko" not in ((info.capabilities and info.capabilities.languages) or ()):
        pytest.skip("Korean traineddata missing: apt-get install tesseract-ocr-kor")
    font = find_font("안녕하세요")
    if font is None:
        pytest.skip("no Korean font installed: apt-get install fonts-nanum")
    return str(font)


def hangul(text: str) -> int:
    """How many Hangul syllables ``text`` holds."""
    return sum("\uac00" <= c <= "\ud7a3" for c in text)
