"""The command line: outputs that would destroy a dataset, writes that fail on a
full device or a size limit, output names of odd inputs, usage errors of
``unocr compare``, and SIGTERM or Ctrl-C at any moment.

Most tests run ``main([...])`` on the ``ink`` engine (tests/ink_engine.py); the
ones about signals and file size limits run a fresh interpreter, as a shell does.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from unocr.cli import main

from .compare_data import write_dataset
from .ink_engine import InkBackend, bars
from .needs import needs_tesseract

ROOT = Path(__file__).parent.parent


def _image(path: Path, widths: tuple[int, ...] = (20, 40)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    bars(widths=widths).save(path, format="PNG")
    return str(path)


def _text_dataset(folder: Path) -> Path:
    return write_dataset(folder, {"one": ["hello"]}, [(0, 0, 10, 10)], kind="text")


# ------------------------------- 1. compare: an output that is a dataset's file
@pytest.mark.parametrize(
    ("option", "name"), [("--json", "one.txt"), ("--report", "one.png")]
)
def test_a_compare_output_that_is_a_file_of_the_dataset_is_a_usage_error(
    option: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _text_dataset(tmp_path / "data")
    target = data / name
    before = target.read_bytes()
    spec = f"text:{data}"
    code = main(["compare", "-b", "tesseract", "--dataset", spec, option, str(target)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(target) in err and "dataset" in err and "Traceback" not in err
    assert target.read_bytes() == before  # nothing run, nothing written


def test_a_compare_output_by_another_path_to_a_dataset_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _text_dataset(tmp_path / "data")
    os.symlink(data / "one.txt", tmp_path / "link.json")
    before = (data / "one.txt").read_bytes()
    args = ["compare", "-b", "tesseract", "--dataset", f"text:{data}"]
    assert main([*args, "--json", str(tmp_path / "link.json")]) == 2
    assert "link.json" in capsys.readouterr().err
    assert (data / "one.txt").read_bytes() == before


# -------------------------------------------- 5. compare: usage errors exit 2
@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--dataset", "linegt"], "must be KIND:PATH"),
        (["--dataset", "nosuch:x"], "unknown dataset kind 'nosuch'"),
        (["--dataset", "text:x", "--json", "same.json", "--report", "same.json"],
         "name one file"),
    ],
)  # fmt: skip
def test_compare_usage_errors_exit_2_before_any_data_is_loaded(
    extra: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # 'text:x' does not exist: not loaded
    code = main(["compare", "-b", "tesseract", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert said in err and err.startswith("usage:") and "Traceback" not in err
    assert not (tmp_path / "same.json").exists()


# --------------------------------- 2. writes that fail: a full device, a limit
@contextlib.contextmanager
def _full_stdout() -> Iterator[None]:
    """Standard output on ``/dev/full``: every write fails with ENOSPC.

    Set in the test itself: ``capsys`` sets its own when the test starts.
    """
    with (
        open("/dev/full", "w", encoding="utf-8") as full,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(sys, "stdout", full)
        yield


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("count", [1, 2])
def test_read_to_a_full_standard_output_is_one_error_line(
    count: int,
    ink: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    images = [_image(tmp_path / f"{i}.png") for i in range(count)]
    with _full_stdout():
        code = main(["read", *images, "-b", ink, "-q", "-f", "json"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        "unocr: error: cannot write <stdout>: No space left on device"
    ]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["hocr", "json"])
def test_read_to_a_full_device_is_one_error_line(
    fmt: str, ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = [_image(tmp_path / "a.png"), _image(tmp_path / "b.png")][
        : 1 + (fmt == "json")
    ]
    code = main(["read", *images, "-b", ink, "-q", "-f", fmt, "-o", "/dev/full"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        "unocr: error: cannot write /dev/full: No space left on device"
    ]


_READ_SCRIPT = """\
import sys
sys.path.insert(0, {root!r})
from unocr import registry
from unocr.cli import main
from tests.ink_engine import InkBackend
registry.register_backend("ink", InkBackend)
{before}
sys.exit(main({argv!r}))
"""


def _run_script(
    argv: list[str], before: str = "", **popen: object
) -> subprocess.CompletedProcess[str]:
    code = _READ_SCRIPT.format(
        root=str(ROOT), argv=argv, before=textwrap.dedent(before)
    )
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        **popen,
    )


def test_a_single_output_file_beyond_the_size_limit_is_an_error_and_no_file(
    tmp_path: Path,
) -> None:
    images = [_image(tmp_path / f"{i}.png") for i in range(3)]
    out = tmp_path / "out" / "all.jsonl"
    out.parent.mkdir()

    def limit() -> None:  # writes past 1 KiB fail with EFBIG (a quota, a full disk)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    done = _run_script(
        ["read", *images, "-b", "ink", "-q", "-o", str(out)], preexec_fn=limit
    )
    assert done.returncode == 1, done.stderr
    assert f"unocr: error: cannot write {out}: File too large" in done.stderr
    assert "Traceback" not in done.stderr
    assert os.listdir(out.parent) == []  # no half-written file, no part left


@needs_tesseract
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_the_compare_table_to_a_full_standard_output_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _text_dataset(tmp_path / "data")
    with _full_stdout():
        code = main(["compare", "-b", "tesseract", "--dataset", f"text:{data}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "unocr: error: cannot write <stdout>: No space left on device" in err
    assert "Traceback" not in err


# ---------------------------------------------- 3. and 4. output names clashing
def test_inputs_whose_stem_is_a_dot_get_their_position_in_front(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _image(tmp_path / "a" / "..png"), _image(tmp_path / "b" / "..png")
    out = tmp_path / "out"
    assert main(["read", a, b, "-b", ink, "-q", "-o", f"{out}/", "-f", "json"]) == 0
    assert sorted(os.listdir(out)) == ["0-..json", "1-..json"]
    boxes = tmp_path / "ann" / "boxes.png"
    assert main(["read", a, b, "-b", ink, "-q", "--annotate", str(boxes)]) == 0
    assert sorted(os.listdir(boxes.parent)) == ["boxes-0-..png", "boxes-1-..png"]
    assert "Traceback" not in capsys.readouterr().err


def test_an_output_file_named_as_another_outputs_folder_gets_its_position(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _image(tmp_path / "in" / "x.png")
    _image(tmp_path / "in" / "x.json" / "y.png", widths=(30,))
    out = tmp_path / "out"
    code = main(
        [
            "read",
            str(tmp_path / "in"),
            "-r",
            "-q",
            "-b",
            ink,
            "-o",
            f"{out}/",
            "-f",
            "json",
        ]
    )
    assert code == 0, capsys.readouterr().err
    written = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.json") if p.is_file()
    )
    assert len(written) == 2 and "x.json/y.json" in written
    (mine,) = [w for w in written if w != "x.json/y.json"]
    assert mine.endswith("-x.json")


def test_a_pattern_naming_a_file_as_another_outputs_folder_is_a_usage_error(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _image(tmp_path / "in" / "x.png")
    _image(tmp_path / "in" / "x.json" / "y.png")
    pattern = str(tmp_path / "out" / "{dir}" / "{stem}.json")
    calls = InkBackend.calls
    code = main(["read", str(tmp_path / "in"), "-r", "-q", "-b", ink, "-o", pattern])
    assert code == 2
    assert "the same file name" in capsys.readouterr().err
    assert InkBackend.calls == calls and not (tmp_path / "out").exists()


# ------------------------------------------------- 6. Ctrl-C and SIGTERM
def test_ctrl_c_while_the_parser_is_built_exits_130_without_a_traceback(
    tmp_path: Path,
) -> None:
    before = """
        import unocr.cli
        def interrupted():
            raise KeyboardInterrupt
        unocr.cli.build_parser = interrupted
    """
    done = _run_script(["read", _image(tmp_path / "a.png")], before)
    assert done.returncode == 130
    assert done.stderr == "unocr: interrupted\n"


def test_sigterm_during_a_batch_leaves_no_half_written_file(tmp_path: Path) -> None:
    images = [_image(tmp_path / f"{i}.png") for i in range(3)]
    out = tmp_path / "out" / "all.jsonl"
    before = """
        import os, signal
        from unocr.cli import _writer
        add = _writer.Writer.add
        def add_then_term(self, index, result):
            add(self, index, result)  # the first result is in the file
            os.kill(os.getpid(), signal.SIGTERM)
        _writer.Writer.add = add_then_term
    """
    done = _run_script(["read", *images, "-b", "ink", "-q", "-o", str(out)], before)
    assert done.returncode == 128 + signal.SIGTERM
    assert done.stderr == "unocr: terminated\n"
    assert os.listdir(out.parent) == []  # neither the file nor its part


def test_main_puts_the_sigterm_handler_back(ink: str, tmp_path: Path) -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not called")

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        image = _image(tmp_path / "a.png")
        seen: list[object] = []
        real = InkBackend._recognize

        def recognize(self: InkBackend, *args: object, **kwargs: object) -> object:
            seen.append(signal.getsignal(signal.SIGTERM))
            return real(self, *args, **kwargs)  # type: ignore[arg-type]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(InkBackend, "_recognize", recognize)
            assert (
                main(["read", image, "-b", ink, "-q", "-o", str(tmp_path / "a.txt")])
                == 0
            )
        assert seen and all(handler is not mine for handler in seen)
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------- 7. advice in the command line's words
def test_an_engine_options_advice_is_an_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = _image(tmp_path / "a.png")
    missing = str(tmp_path / "no" / "tesseract")
    code = main(["read", image, "-q", "-O", f"tesseract_cmd={missing}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "pass -O tesseract_cmd=/path/to/tesseract" in err
    assert "tesseract_cmd='" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_stream_the_library_will_not_read_is_told_to_go_on_standard_input(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    code = main(["read", str(fifo), "-b", ink, "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert "unocr read - < FILE" in err and "pass its bytes" not in err
