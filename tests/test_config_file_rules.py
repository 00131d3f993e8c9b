"""unocr.toml as the documented rules have it, wherever an engine is made.

The file's options reach every engine made by name (a cascade's, the CLI's),
a bad value or a misspelt engine table names the file, ``unocr.read``'s
cache follows the file, and a removed working folder is no error.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import unocr
from unocr.cli import main
from unocr.errors import ConfigError
from unocr.isolation.config import config_file, configured_options

from .fresh_imports import run_python
from .ink_engine import bars
from .stub_engines import assert_cached_reads_while_loading

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def image(tmp_path: Path, snippet: Image.Image) -> str:
    """Two lines of the Tesseract test page, as a file (a quick real read)."""
    path = tmp_path / "snippet.png"
    snippet.save(path)
    return str(path)


# ------------------------------------------------------- 1. the file's languages
def test_file_languages_reach_every_engine_of_a_cascade(config) -> None:
    config('[backends.tesseract.options]\nlanguages = "ko"\npsm = 6\n')
    with unocr.get_backend("tesseract/tesseract") as cascade:
        engines: Any = cascade.engines  # type: ignore[attr-defined]
        assert [e.languages for e in engines] == [("ko",), ("ko",)]


def test_languages_none_in_a_call_is_not_given_but_a_value_wins(config) -> None:
    config('[backends.tesseract.options]\nlanguages = "ko"\n')
    with unocr.get_backend("tesseract", languages=None) as engine:
        assert engine.languages == ("ko",)
    with unocr.get_backend("tesseract", languages="en") as engine:
        assert engine.languages == ("en",)


def test_unocr_read_keeps_the_file_languages_unless_given_lang(
    config, image, capsys
) -> None:
    config('[backends.tesseract.options]\nlanguages = "ko"\n')
    assert main(["read", image, "-f", "json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["languages"] == ["ko"]
    assert main(["read", image, "-f", "json", "-q", "-l", "en"]) == 0
    assert json.loads(capsys.readouterr().out)["languages"] == ["en"]


# ---------------------------------------------------- 2. a bad value in the file
def test_a_value_the_engine_refuses_names_the_file_and_table(refused) -> None:
    err = refused(
        '[backends.tesseract.options]\npsm = 99\nlanguages = "en"\n',
        "psm must be an integer 0-13",
    )
    assert f"[backends.tesseract.options] in {err.source}" in str(err)


def test_a_bad_value_of_the_call_does_not_blame_the_file(config) -> None:
    path = config('[backends.tesseract.options]\nlanguages = "en"\n')
    with pytest.raises(ConfigError, match="psm must be an integer 0-13") as info:
        unocr.get_backend("tesseract", psm=99)
    assert info.value.source is None
    assert str(path) not in str(info.value)


def test_a_bad_file_value_names_the_file_in_a_worker_too(refused) -> None:
    err = refused(
        "[backends.tesseract]\nisolate = true\n[backends.tesseract.options]\npsm = 99\n",
        "psm must be an integer 0-13",
    )
    assert "[backends.tesseract.options]" in str(err)


@pytest.mark.parametrize(
    ("options", "says"),
    [("psm = 99", "psm must be an integer 0-13"), ("psmm = 6", "no option 'psmm'")],
)
def test_unocr_read_reports_a_bad_file_option_as_a_file_error(
    config, image, capsys, options, says
) -> None:
    path = config(f"[backends.tesseract.options]\n{options}\n")
    assert main(["read", image, "-q"]) == 1
    err = capsys.readouterr().err
    assert says in err and str(path) in err
    assert "usage:" not in err and "invalid option" not in err


# ------------------------------------------------- 3. a misspelt engine table
def test_a_misspelt_engine_table_is_refused_with_the_closest_name(refused) -> None:
    err = refused("[backends.tesserct.options]\npsm = 6\n", "Did you mean 'tesseract'")
    assert "[backends.tesserct]" in str(err)


def test_a_misspelt_engine_table_is_refused_before_a_process_pool_reads(
    config,
) -> None:
    """The caller's own file is checked as an in-process read checks it: the
    worker processes leave engine names to their parent."""
    from concurrent.futures import ProcessPoolExecutor

    config("[backends.tesserct.options]\npsm = 6\n")
    with (
        ProcessPoolExecutor(1) as pool,
        pytest.raises(ConfigError, match="Did you mean 'tesseract'"),
    ):
        unocr.read_many([bars()], backend="tesseract", executor=pool)


def test_aliases_composites_and_registered_engines_are_known_names(config, ink) -> None:
    config(
        "[backends.keras_ocr]\nisolate = true\n"
        "[backends.google.options]\nfeature = 'text'\n"
        f"[backends.{ink}.options]\ngap = 7\n"
        "[backends.'rapidocr/tesseract'.options]\nbelow = 0.5\n"
        "[backends.'rapidocr+tesseract']\nisolate = true\n"
    )
    assert configured_options(ink)[0] == {"gap": 7}
    assert configured_options("rapidocr/tesseract")[0] == {"below": 0.5}


def test_a_worker_takes_the_tables_of_engines_only_its_parent_knows(
    config, ink
) -> None:
    config(f"[backends.tesseract]\nisolate = true\n[backends.{ink}.options]\ngap = 7\n")
    with unocr.get_backend("tesseract") as engine:  # its worker knows no "ink"
        assert engine.pids


def test_the_engine_name_check_imports_no_engine(tmp_path: Path) -> None:
    path = tmp_path / "unocr.toml"
    path.write_text("[backends.keras_ocr]\nisolate = true\n[backends.easyocrr]\n")
    code = (
        "import sys\n"
        "from unocr.errors import ConfigError\n"
        "from unocr.isolation.config import configured_options\n"
        "import unocr.registry\n"
        "before = set(sys.modules)\n"
        "try:\n"
        "    configured_options('tesseract')\n"
        "except ConfigError as err:\n"
        "    print('refused', 'easyocr' in str(err))\n"
        "print(sorted(m for m in set(sys.modules) - before if '.backends.' in m))\n"
    )
    env = {**os.environ, "UNOCR_CONFIG": str(path)}
    assert run_python(code, env).splitlines() == ["refused True", "[]"]


# ------------------------------------------------------- 4. the cache's lock
def test_a_cached_engine_reads_while_another_engine_loads(slow, ink) -> None:
    picture = bars()
    assert_cached_reads_while_loading(
        slow, lambda name: unocr.read(picture, backend=name), ink
    )


def test_one_engine_is_built_once_for_concurrent_reads(slow) -> None:
    picture = bars()
    threads = [
        threading.Thread(
            target=unocr.read, args=(picture,), kwargs={"backend": "slowbuild"}
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    assert slow.started["a"].wait(10)
    slow.release.set()
    for t in threads:
        t.join(20)
    assert len(slow.builds) == 1


# ------------------------------------------------ 5. the cache follows the file
def _words(backend: str) -> int:
    return len(unocr.read(bars((20, 40), gap=10), backend=backend).words)


def test_the_read_cache_follows_an_edited_file(config, ink) -> None:
    path = config(f"[backends.{ink}.options]\ngap = 3\n")
    assert _words(ink) == 2
    config(f"[backends.{ink}.options]\ngap = 30\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _words(ink) == 1  # one run of ink: the bars are 10 apart


def test_the_read_cache_follows_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ink
) -> None:
    monkeypatch.delenv("UNOCR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user"))
    for name, gap in (("near", 3), ("far", 30)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "unocr.toml").write_text(
            f"[backends.{ink}.options]\ngap = {gap}\n"
        )
    monkeypatch.chdir(tmp_path / "near")
    assert _words(ink) == 2
    monkeypatch.chdir(tmp_path / "far")
    assert _words(ink) == 1


# ------------------------------------------------ 6. a removed working folder
def test_a_removed_working_folder_is_no_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, image
) -> None:
    monkeypatch.delenv("UNOCR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user"))
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert config_file() is None
    unocr.clear_cache()
    assert unocr.read(image, backend="tesseract").text.strip()
    user = tmp_path / "user" / "unocr" / "unocr.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert config_file() == user
    monkeypatch.setenv("UNOCR_CONFIG", str(tmp_path / "named.toml"))
    assert config_file() == tmp_path / "named.toml"
