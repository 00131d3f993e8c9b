"""What a test needs that a machine may lack: marks and guards that skip.

Each names the fix in its message, so a skipped test says how to run it.
"""

from __future__ import annotations

import os
import shutil
from types import ModuleType

import pytest

#: Skips a test (or, as ``pytestmark``, a module) where Tesseract is missing.
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the tesseract program is not installed (apt-get install tesseract-ocr)",
)


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
