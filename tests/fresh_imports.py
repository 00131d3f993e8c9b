"""Which modules a snippet of Python imports, run in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

#: The engines' and heavy libraries' top-level modules.
ENGINE_MODULES = (
    "pytesseract",
    "tensorflow",
    "keras_ocr",
    "google.cloud",
    "onnxruntime",
    "rapidocr",
    "openvino",
    "easyocr",
    "torch",
)


def imported_after(code: str, modules: tuple[str, ...] = ENGINE_MODULES) -> list[str]:
    """Run ``code`` in a new interpreter; return which of ``modules`` it imported."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {list(modules)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])
