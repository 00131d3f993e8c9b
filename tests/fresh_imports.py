"""Snippets of Python run in a fresh interpreter, and which modules they import."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping

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


def run_python(code: str, env: Mapping[str, str] | None = None) -> str:
    """Run ``code`` with ``python -c`` in a new interpreter; its standard output.

    Args:
        code: The program's source.
        env: The environment it runs in (by default this process's).

    Returns:
        What it printed, as text. A non-zero exit status fails the test.
    """
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout


def imported_after(code: str, modules: tuple[str, ...] = ENGINE_MODULES) -> list[str]:
    """Run ``code`` in a new interpreter; return which of ``modules`` it imported."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {list(modules)!r} if m in sys.modules]))"
    )
    return json.loads(run_python(probe).splitlines()[-1])
