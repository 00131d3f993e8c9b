"""An interpreter named by a bare name on PATH that is the running one."""

from __future__ import annotations

import sys
from pathlib import Path

from unocr.isolation.config import is_current_python, placement


def test_a_bare_name_of_this_interpreter_is_this_interpreter(monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert is_current_python(Path(sys.executable).name)
    assert not is_current_python("no-such-python-here")


def test_this_interpreter_by_bare_name_runs_its_engine_in_process(
    config, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    name = Path(sys.executable).name
    config(f'[backends.tesseract]\npython = "{name}"\n')
    assert placement("tesseract") is None
    monkeypatch.setenv("UNOCR_PYTHON_TESSERACT", name)
    assert placement("tesseract") is None


def test_a_bare_name_in_the_file_is_looked_up_on_path(config) -> None:
    config('[backends.keras-ocr]\npython = "python3.99-elsewhere"\n')
    where = placement("keras-ocr")
    assert where is not None and where.python == "python3.99-elsewhere"
