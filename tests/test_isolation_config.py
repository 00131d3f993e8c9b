"""unocr.toml and UNOCR_PYTHON_<NAME>: which interpreter hosts which engine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import unocr
from unocr.errors import BackendUnavailableError, ConfigError
from unocr.isolation.config import config_file, placement

from .ink_engine import InkBackend


def test_relative_interpreter_is_resolved_from_the_file(config) -> None:
    path = config(
        '[backends.keras_ocr]\npython = ".venv-keras/bin/python"\n'
        'timeout = 30\nmax_memory = "2G"\nprocesses = 2\n'
    )
    where = placement("keras-ocr")
    assert where is not None
    assert where.python == str(path.parent / ".venv-keras" / "bin" / "python")
    assert (where.timeout, where.max_memory, where.processes) == (30.0, 2**31, 2)
    assert where.source == str(path)
    assert placement("tesseract") is None


def test_isolate_without_python_uses_this_interpreter(config) -> None:
    config("[backends.tesseract]\nisolate = true\ntimeout = 5\n")
    where = placement("tesseract")
    assert where is not None and where.python is None and where.timeout == 5.0


def test_the_running_interpreter_runs_its_engine_in_process(config) -> None:
    config(f'[backends.tesseract]\npython = "{sys.executable}"\n')
    assert placement("tesseract") is None


def test_environment_variable_wins_over_the_file(config, monkeypatch) -> None:
    config('[backends.keras-ocr]\npython = "/a/python"\ntimeout = 9\n')
    monkeypatch.setenv("UNOCR_PYTHON_KERAS_OCR", "/b/python")
    where = placement("keras-ocr")
    assert where is not None and where.python == "/b/python" and where.timeout == 9.0
    assert where.source == "the environment variable UNOCR_PYTHON_KERAS_OCR"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[backends.tesseract\n", "not a valid TOML file"),
        ("backends = 3\n", "one table per engine"),
        # a misspelt table's settings would be dropped in silence
        ("[backend.tesseract.options]\npsm = 6\n", "unknown table or key 'backend'"),
        ("psm = 6\n", "unknown table or key 'psm'"),
        ("[backends.tesseract]\npyhton = 'x'\n", "unknown setting 'pyhton'"),
        ("[backends.tesseract]\npython = 3\n", "path of an interpreter"),
        ("[backends.tesseract]\nisolate = 'yes'\n", "true or false"),
        ("[backends.tesseract]\nisolate = true\nprocesses = 0\n", ">= 1"),
        ("[backends.tesseract]\nisolate = true\ntimeout = -1\n", "> 0"),
        ("[backends.tesseract]\nisolate = true\nmax_memory = 'lots'\n", "'4G'"),
        # the engine's own options, in the file
        ("[backends.tesseract]\noptions = 3\n", "must be a table"),
        ("[backends.tesseract.options]\npython = 'x'\n", "set it in \\[backends"),
        ("[backends.tesseract.options]\nisolate = true\n", "where the engine runs"),
    ],
)
def test_malformed_configuration_names_the_file(refused, text, match) -> None:
    err = refused(text, match)
    assert err.source in str(err)


def test_missing_configured_interpreter_names_the_file_and_fix(config) -> None:
    path = config('[backends.tesseract]\npython = "envs/ocr/bin/python"\n')
    with pytest.raises(BackendUnavailableError) as info:
        unocr.get_backend("tesseract")
    message = str(info.value)
    assert str(path.parent / "envs/ocr/bin/python") in message
    assert f"set by {path}" in message and "does not exist" in message
    assert f"change {path}" in (info.value.fix or "")


def test_isolate_false_overrides_the_file(config) -> None:
    config('[backends.tesseract]\npython = "/nowhere/python"\n')
    with unocr.get_backend("tesseract", isolate=False) as engine:
        assert type(engine).__name__ == "TesseractBackend"


def test_config_file_search_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("UNOCR_CONFIG", raising=False)
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    monkeypatch.chdir(project / "sub")
    user = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user))
    assert config_file() is None
    (user / "unocr").mkdir(parents=True)
    (user / "unocr" / "unocr.toml").write_text("")
    assert config_file() == user / "unocr" / "unocr.toml"
    (project / "unocr.toml").write_text("")
    assert config_file() == project / "unocr.toml"
    monkeypatch.setenv("UNOCR_CONFIG", "")
    assert config_file() is None


def test_unocr_backends_shows_where_each_engine_runs(config, tmp_path, capsys):
    import json

    from unocr.cli import main

    path = config(
        f'[backends.tesseract]\npython = "{sys.executable}"\n'
        "[backends.rapidocr]\nisolate = true\n"
        '[backends.keras-ocr]\npython = "nowhere/bin/python"\n'
    )
    assert main(["backends", "--json"]) == 0
    by_name = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_name["tesseract"]["runs_in"] == "in process"
    assert by_name["rapidocr"]["runs_in"] == "own process"
    assert by_name["rapidocr"]["configured_by"] == str(path)
    keras = by_name["keras-ocr"]
    assert keras["runs_in"] == str(path.parent / "nowhere/bin/python")
    assert keras["installed"] is False
    assert "does not exist" in keras["reason"] and str(path) in keras["reason"]
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert "RUNS IN" in out.splitlines()[0]
    assert "keras-ocr: not installed: the interpreter" in out


def test_unocr_backends_asks_the_configured_interpreter(config, capsys, monkeypatch):
    import json

    from unocr.cli import main

    keras = Path(__file__).resolve().parents[1] / ".venv-keras" / "bin" / "python"
    other = Path(os.path.abspath(os.environ.get("UNOCR_KERAS_PYTHON") or keras))
    if not other.exists():
        pytest.skip("no second environment (scripts/keras-env) to ask")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1] / "src"))
    config(f'[backends.keras-ocr]\npython = "{other}"\n')
    assert main(["backends", "--json"]) == 0
    rec = {r["name"]: r for r in json.loads(capsys.readouterr().out)}["keras-ocr"]
    assert rec["runs_in"] == str(other)
    # keras-ocr is importable there (its weights may be missing: data says so).
    assert rec["installed"] is True, rec


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"processes": 0}, "processes must be a whole number >= 1"),
        ({"processes": True}, "processes must be"),
        ({"timeout": 0}, "timeout must be a finite number of seconds > 0"),
        # infinity was accepted here, and refused by the engines' own timeout
        ({"timeout": float("inf")}, "timeout must be a finite number of seconds"),
        ({"max_memory": "-1G"}, "max_memory must be a positive number"),
    ],
)
def test_bad_isolation_options_are_config_errors(options, match) -> None:
    with pytest.raises(ConfigError, match=match):
        unocr.get_backend("tesseract", isolate=True, **options)


def test_isolate_must_be_a_bool() -> None:
    with pytest.raises(ConfigError, match="isolate must be True, False or None"):
        unocr.get_backend("tesseract", isolate="yes")


def test_keras_ocr_fix_installs_it_apart_and_configures_it() -> None:
    from unocr.backends.catalog import spec

    fix = spec("keras-ocr").fix
    assert "environment of its own" in fix and "numpy<2" in fix
    assert "ENV/bin/pip install 'unocr[keras-ocr]'" in fix
    assert '[backends.keras-ocr] python = "ENV/bin/python"' in fix
    assert spec("rapidocr").fix == "pip install 'unocr[rapidocr]'"


def test_max_memory_without_proc_is_refused(monkeypatch) -> None:
    from unocr.isolation import proxy

    monkeypatch.setattr(proxy, "resident_bytes", lambda pid: None)
    with pytest.raises(ConfigError, match="/proc"):
        unocr.get_backend("tesseract", isolate=True, max_memory="1G")


# ------------------------------------------------ engine options in the file
class StrictInk(InkBackend):
    """The ink engine with a closed set of options (no ``**kwargs``)."""

    def __init__(
        self, *, gap: int = 3, fail_on_width: int | None = None, languages=None
    ) -> None:
        super().__init__(gap=gap, fail_on_width=fail_on_width, languages=languages)


@pytest.fixture
def ink():
    from unocr.registry import unregister_backend

    unocr.register_backend("ink", StrictInk, replace=True)
    yield "ink"
    unregister_backend("ink")


def test_file_options_reach_an_engine_in_process_under_the_call_options(
    config, ink
) -> None:
    config("[backends.ink.options]\ngap = 7\nfail_on_width = 99\n")
    with unocr.get_backend(ink) as engine:
        assert (engine.gap, engine.fail_on_width) == (7, 99)
    with unocr.get_backend(ink, gap=2) as engine:  # the call wins, the rest stays
        assert (engine.gap, engine.fail_on_width) == (2, 99)
    with unocr.get_backend(ink, isolate=False) as engine:
        assert engine.gap == 7


def test_unknown_file_option_names_the_file(config, ink) -> None:
    from unocr.errors import UnknownOptionError

    path = config("[backends.ink.options]\ngapp = 7\n")
    with pytest.raises(UnknownOptionError, match="Did you mean 'gap'") as info:
        unocr.get_backend(ink)
    assert f"[backends.ink.options] in {path}" in str(info.value)
    assert info.value.option == "gapp"
    config("[backends.ink.options]\ngap = 7\n")
    with pytest.raises(UnknownOptionError) as info:  # the call's own: no file
        unocr.get_backend(ink, gapp=1)
    assert str(path) not in str(info.value)


def test_file_options_reach_an_isolated_engine(config, monkeypatch) -> None:
    from unocr.errors import UnknownOptionError
    from unocr.registry import unregister_backend

    from . import fault_engine as fe

    root = Path(__file__).resolve().parents[1]
    paths = [str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    unocr.register_backend("fault", fe.FaultBackend, replace=True)
    try:
        path = config(
            '[backends.fault]\nisolate = true\n[backends.fault.options]\ngreeting = "!"\n'
        )
        with unocr.get_backend("fault") as iso:
            assert type(iso).__name__ == "IsolatedBackend"
            assert iso.read(fe.image(fe.OK, 1)).text == "ok1!"
        with unocr.get_backend("fault", greeting="?") as iso:
            assert iso.read(fe.image(fe.OK, 2)).text == "ok2?"
        config(
            "[backends.fault]\nisolate = true\n[backends.fault.options]\ngreet = 1\n"
        )
        with pytest.raises(UnknownOptionError) as info:  # raised in the worker
            unocr.get_backend("fault")
        assert f"[backends.fault.options] in {path}" in str(info.value)
    finally:
        unregister_backend("fault")


# ------------------------------------- the table's settings as call options
def _hosting(engine) -> tuple[str, float | None, int | None, int | None]:
    """Where an engine runs and its limits: class, timeout, max_memory, processes."""
    pool = getattr(engine, "_pool", None)
    return (
        type(engine).__name__,
        engine.timeout,
        getattr(engine, "max_memory", None),
        None if pool is None else pool.processes,
    )


def test_file_limits_isolate_the_engine_as_the_same_call_options_do(
    config, snippet
) -> None:
    config('[backends.tesseract]\ntimeout = 5\nmax_memory = "1G"\nprocesses = 2\n')
    where = placement("tesseract")
    assert where is not None and where.python is None
    assert (where.processes, where.timeout, where.max_memory) == (2, 5.0, 2**30)
    isolated = ("IsolatedBackend", 5.0, 2**30, 2)
    with unocr.get_backend("tesseract") as engine:
        assert _hosting(engine) == isolated
        assert "12 point text" in engine.read(snippet).text
    with unocr.get_backend(
        "tesseract", timeout=5, max_memory="1G", processes=2, isolate=None
    ) as engine:
        assert _hosting(engine) == isolated


def test_call_options_win_over_the_files_one_by_one(config) -> None:
    config('[backends.tesseract]\nisolate = true\ntimeout = 5\nmax_memory = "1G"\n')
    with unocr.get_backend("tesseract") as engine:
        assert _hosting(engine) == ("IsolatedBackend", 5.0, 2**30, None)
    with unocr.get_backend("tesseract", processes=1) as engine:
        assert _hosting(engine) == ("IsolatedBackend", 5.0, 2**30, 1)
    with unocr.get_backend("tesseract", timeout=9, max_memory=None) as engine:
        assert _hosting(engine) == ("IsolatedBackend", 9.0, None, None)
    # in process, timeout= is the engine's own option, as in a call
    with unocr.get_backend("tesseract", isolate=False) as engine:
        assert _hosting(engine) == ("TesseractBackend", 5.0, None, None)


def test_a_file_timeout_alone_is_the_engines_own_as_in_a_call(config) -> None:
    config("[backends.tesseract]\ntimeout = 5\n")
    assert placement("tesseract") is None
    with unocr.get_backend("tesseract") as engine:
        assert _hosting(engine) == ("TesseractBackend", 5.0, None, None)
    with unocr.get_backend("tesseract", processes=1) as engine:  # now a limit
        assert _hosting(engine) == ("IsolatedBackend", 5.0, None, 1)


def test_a_timeout_in_both_tables_is_refused(refused) -> None:
    refused(
        "[backends.tesseract]\ntimeout = 5\n[backends.tesseract.options]\ntimeout = 9\n",
        "timeout is set both",
    )


def test_a_file_timeout_the_engine_lacks_names_the_table(config, ink) -> None:
    from unocr.errors import UnknownOptionError

    path = config("[backends.ink]\ntimeout = 5\n")
    with pytest.raises(UnknownOptionError) as info:
        unocr.get_backend(ink)
    assert f"[backends.ink] in {path}" in str(info.value)
