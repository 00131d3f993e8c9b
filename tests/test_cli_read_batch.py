"""``unocr read`` on many files: folders, globs, --workers, streaming, Ctrl-C.

Every test runs the real Tesseract on small generated images through the
command line (in-process ``main([...])`` or a subprocess).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.cli import _progress, main
from unocr.cli._output import atomic_path, unwritable_reason, write_text
from unocr.documents.streaming import iter_items
from unocr.errors import DatasetError
from unocr.model import Page

from .command import run_unocr
from .needs import needs_tesseract
from .processes import children
from .terminal import run_on_terminal
from .test_cli_streams import reading

pytestmark = needs_tesseract

WORDS = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT"]


def _word_image(path: Path, word: str) -> Path:
    font = ImageFont.load_default(size=48)
    image = Image.new("L", (460, 90), 255)
    ImageDraw.Draw(image).text((15, 15), word, font=font, fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    """scans/ with top-level images, two subfolders sharing a file name, a
    broken PNG, a text file and a hidden file."""
    root = tmp_path / "scans"
    _word_image(root / "p1.png", WORDS[0])
    _word_image(root / "p2.jpg", WORDS[1])
    _word_image(root / "a" / "x.png", WORDS[2])
    _word_image(root / "b" / "x.png", WORDS[3])
    _word_image(root / "b" / "deep" / "y.tif", WORDS[4])
    (root / "b" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (root / "notes.txt").write_text("not an image\n", encoding="utf-8")
    _word_image(root / ".hidden.png", WORDS[5])
    return root


def _outputs(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _page_words(path: Path) -> str:
    return " ".join(w.text for w in Page.from_json(path.read_text("utf-8")).words)


def test_folder_recursive_mirrors_the_tree(
    scans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (scans / "b" / "loop").symlink_to(scans)  # a link to a folder is not entered
    (scans / "a" / "gone.png").symlink_to(tmp_path / "nowhere.png")  # to nothing
    (scans / "b" / "self.png").symlink_to(scans / "b" / "self.png")  # to itself
    code = main(
        ["read", str(scans), "-r", "-o", f"{out}/", "-f", "json", "--workers", "2"]
    )
    err = capsys.readouterr().err
    assert code == 1  # the broken PNG
    # same name in two subfolders: two files, the tree mirrored
    assert _outputs(out) == [
        "a",
        "a/x.json",
        "b",
        "b/deep",
        "b/deep/y.json",
        "b/x.json",
        "p1.json",
        "p2.json",
    ]
    assert _page_words(out / "a" / "x.json") == WORDS[2]
    assert _page_words(out / "b" / "x.json") == WORDS[3]
    assert _page_words(out / "b" / "deep" / "y.json") == WORDS[4]
    errors = [line for line in err.splitlines() if line.startswith("unocr: error:")]
    assert len(errors) == 1 and "broken.png" in errors[0]
    # the text file is skipped with a count and the list of what is read
    note, broken = [line for line in err.splitlines() if "skipped" in line]
    assert "skipped 1 file" in note and ".png" in note and ".pdf" in note
    # the links are passed over, each said once
    assert broken == (
        f"unocr read: 2 broken links in {scans} skipped (a/gone.png, b/self.png)"
    )
    (link,) = [line for line in err.splitlines() if "link to a folder" in line]
    assert f"1 link to a folder in {scans} not followed (b/loop)" in link
    assert "Traceback" not in err


def test_names_longer_than_the_file_system_takes_are_error_lines(
    scans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = str(tmp_path / ("n" * 300))  # over NAME_MAX (255 bytes)
    # an input: an error line, the other input still read
    code = main(["read", f"{long}.png", str(scans / "p1.png")])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.strip().endswith(WORDS[0])
    assert "unocr: error:" in err and "Traceback" not in err
    # an output file, an output folder, a dataset: refused before any work
    for argv in (
        ["read", str(scans / "p1.png"), "-o", f"{long}.json"],
        ["read", str(scans / "p1.png"), "-o", f"{long}/{{stem}}.json"],
        ["read", str(scans / "p1.png"), "-o", long],
    ):
        assert main(argv) in (1, 2)
        out, err = capsys.readouterr()
        assert out == "" and "Traceback" not in err
        assert "File name too long" in err or "cannot infer" in err
    with pytest.raises(DatasetError, match="does not exist"):
        unocr.compare(["tesseract"], f"icdar2015:{long}")


def test_a_folder_that_cannot_be_listed_is_an_error(
    scans: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # root lists any folder, so the refusal is provoked for one path
    listing = os.scandir

    def scandir(path: str) -> object:
        if Path(path) == scans / "b":
            raise PermissionError(13, "Permission denied", path)
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code = main(["read", str(scans), "-r", "--workers", "2"])
    captured = capsys.readouterr()
    assert code == 1
    errors = [e for e in captured.err.splitlines() if e.startswith("unocr: error:")]
    assert f"unocr: error: cannot list the folder {scans / 'b'}: Permission denied" in (
        errors
    )
    # the rest is still read
    assert WORDS[0] in captured.out and WORDS[2] in captured.out
    assert WORDS[3] not in captured.out


def test_folder_top_level_only_without_recursive(
    scans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(scans), "--workers", "2"]) == 0
    captured = capsys.readouterr()
    headers = [h for h in captured.out.splitlines() if h.startswith("==> ")]
    assert headers == [f"==> {scans / 'p1.png'} <==", f"==> {scans / 'p2.jpg'} <=="]
    assert WORDS[0] in captured.out and WORDS[1] in captured.out
    assert "2 subfolders" in captured.err and "--recursive" in captured.err


def test_quiet_leaves_only_errors(
    scans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(scans), "-r", "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("unocr: error:")


def test_glob_pattern_not_expanded_by_the_shell(scans: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_unocr("read", f"{scans}/**/*.png", "-o", f"{out}/", timeout=300)
    assert result.returncode == 1, result.stderr  # broken.png matches
    # paths below the pattern's fixed folder are kept; the .jpg and .tif are not
    # matched, the hidden file is not matched by '*'
    assert _outputs(out) == ["a", "a/x.txt", "b", "b/x.txt", "p1.txt"]
    assert (out / "b" / "x.txt").read_text("utf-8").strip() == WORDS[3]


def test_glob_expanded_by_the_shell(scans: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    expanded = [str(p) for p in sorted(scans.glob("*/x.png"))]  # as sh does
    result = run_unocr("read", *expanded, "-o", f"{out}/", "-f", "json", timeout=300)
    assert result.returncode == 0, result.stderr
    # two files named on the command line with one stem: their index is added
    assert _outputs(out) == ["0-x.json", "1-x.json"]
    assert _page_words(out / "1-x.json") == WORDS[3]


def test_a_pattern_that_matches_nothing_fails_the_others_are_read(
    scans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["read", f"{tmp_path}/nothing/*.png", str(scans / "p1.png")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("unocr: error: no file matches ")
    assert WORDS[0] in captured.out


def test_a_folder_without_images_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("x", encoding="utf-8")
    assert main(["read", str(tmp_path / "docs")]) == 1
    err = capsys.readouterr().err
    assert "no image files or PDFs found" in err and ".png" in err


def test_same_stem_in_one_folder_gets_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _word_image(tmp_path / "in" / "x.png", WORDS[0])
    _word_image(tmp_path / "in" / "x.jpg", WORDS[1])
    out = tmp_path / "out"
    assert main(["read", str(tmp_path / "in"), "-o", f"{out}/", "-f", "json"]) == 0
    assert _outputs(out) == ["0-x.json", "1-x.json"]  # x.jpg sorts first
    assert _page_words(out / "0-x.json") == WORDS[1]


def test_dir_field_in_a_pattern(scans: Path, tmp_path: Path) -> None:
    pattern = str(tmp_path / "out" / "{dir}" / "{stem}.hocr")
    assert main(["read", f"{scans}/*/x.png", "-o", pattern, "-q"]) == 0
    assert _outputs(tmp_path / "out") == ["a", "a/x.hocr", "b", "b/x.hocr"]


def test_workers_keep_input_order_on_standard_output(
    scans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(str(p) for p in scans.rglob("*.png") if "broken" not in p.name)
    assert main(["read", *files, "-f", "json", "--workers", "2", "-q"]) == 0
    names = [
        json.loads(line)["source"]["name"]
        for line in capsys.readouterr().out.splitlines()
    ]
    assert names == files


def test_plain_progress_lines_when_not_a_terminal(
    scans: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_progress, "PLAIN_EVERY", 0.0)  # a line per page
    assert main(["read", str(scans), "-r"]) == 1
    lines = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("unocr read: ") and " pages" in line
    ]
    assert lines[0].startswith("unocr read: 1/6 pages")
    assert lines[-1].startswith("unocr read: 6/6 pages, 1 failed")
    assert main(["read", str(scans), "-r", "--quiet"]) == 1
    assert " pages" not in capsys.readouterr().err


def test_progress_bar_and_error_lines_on_a_terminal(scans: Path) -> None:
    """On a terminal the bar is drawn and an error line is printed whole above it."""
    code, out, drawn = run_on_terminal(
        [sys.executable, "-m", "unocr", "read", str(scans), "-r", "-w", "2"]
    )
    assert code == 1
    assert all(word in out.decode() for word in WORDS[:5])
    shown = drawn.decode()
    assert "6/6" in shown
    # the bar is cleared before the line: the line starts at the left margin
    (error,) = [
        line
        for line in shown.replace("\r", "\n").splitlines()
        if "unocr: error:" in line
    ]
    assert error.startswith("unocr: error:") and error.endswith("truncated)")
    assert "broken.png" in error


class _Terminal(io.StringIO):
    """Standard output and standard error on one terminal, as a user runs it."""

    def isatty(self) -> bool:
        return True

    def screen(self) -> list[str]:
        """The lines left on the screen (a carriage return writes over a line)."""
        shown = []
        for line in self.getvalue().split("\n"):
            now = ""
            for part in line.split("\r"):
                now = part + now[len(part) :]
            shown.append(now.rstrip())
        return shown


def test_the_bar_is_cleared_before_each_result_on_one_terminal(
    scans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["read", str(scans), "-r"]) == 1
    screen = terminal.screen()
    assert "|" in terminal.getvalue()  # a bar was drawn ...
    assert not [line for line in screen if "|" in line]  # ... and never left
    headers = [line for line in screen if "==>" in line]
    assert len(headers) == 5 and all(h.startswith("==> ") for h in headers)
    (error,) = [line for line in screen if "unocr: error:" in line]
    assert error.startswith("unocr: error:") and "broken.png" in error


def test_one_output_file_for_everything_is_complete_or_absent(
    scans: Path, tmp_path: Path
) -> None:
    target = tmp_path / "all.jsonl"
    assert main(["read", str(scans), "-o", str(target), "-f", "json", "-q"]) == 0
    pages = [Page.from_json(line) for line in target.read_text("utf-8").splitlines()]
    assert [p.words[0].text for p in pages] == WORDS[:2]
    # no temporary file left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "scans"]
    nothing = tmp_path / "none.txt"
    assert main(["read", str(scans / "b" / "broken.png"), "-o", str(nothing)]) == 1
    assert not nothing.exists()


def test_an_output_that_cannot_be_written_fails_alone(
    scans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").write_text("a file where the folder a/ should go", encoding="utf-8")
    code = main(["read", f"{scans}/*/x.png", str(scans / "p1.png"), "-o", f"{out}/"])
    assert code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"unocr: error: cannot write {out / 'a' / 'x.txt'}: ")
    assert (out / "b" / "x.txt").read_text("utf-8").strip() == WORDS[3]
    assert (out / "p1.txt").read_text("utf-8").strip() == WORDS[0]


def test_one_output_file_that_cannot_be_written_is_said_before_reading(
    scans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for fmt in ("json", "pdf"):  # the PDF was written only after every page
        target = afile / f"all.{fmt}"
        # an unknown engine shows the order: the output is checked first
        code = main(
            ["read", str(scans / "p1.png"), "-b", "nosuchengine", "-o", str(target)]
        )
        assert code == 1
        errors = [e for e in capsys.readouterr().err.splitlines() if "error" in e]
        assert errors == [
            f"unocr: error: cannot write {target}: {afile} is not a folder"
        ]


def test_atomic_path_removes_the_temporary_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "page.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        _interrupted_write(target)
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.json"]
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.name.endswith(".part")
        temp.write_text("new", encoding="utf-8")
    assert target.read_text("utf-8") == "new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_atomic_path_writes_names_as_long_as_the_file_system_takes(
    tmp_path: Path,
) -> None:
    # 250 bytes is a legal name; ".<name>.<hex>.part" beside it would not be
    for name in ["p" * 245 + ".json", "ü" * 120 + ".hocr"]:  # bytes, not characters
        target = tmp_path / name
        assert len(os.fsencode(name)) <= 255
        with atomic_path(target) as temp:
            temp.write_text("done", encoding="utf-8")
        assert target.read_text("utf-8") == "done"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["p" * 245 + ".json", "ü" * 120 + ".hocr"]
    )


def test_atomic_path_follows_a_link_and_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "out.json"
    link.symlink_to(Path("real") / "out.json")  # relative, to nothing yet
    assert unwritable_reason(link) is None
    write_text(link, "first")
    assert link.is_symlink() and link.read_text("utf-8") == "first\n"
    write_text(link, "second")  # replaces the file the link names
    assert link.is_symlink()
    assert (tmp_path / "real" / "out.json").read_text("utf-8") == "second\n"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["out.json"]
    chain = tmp_path / "chain.json"  # a link to the link
    chain.symlink_to(link)
    write_text(chain, "third")
    assert chain.is_symlink() and link.is_symlink()
    assert (tmp_path / "real" / "out.json").read_text("utf-8") == "third\n"
    folder = tmp_path / "to-folder"
    folder.symlink_to(tmp_path / "real")
    assert unwritable_reason(folder) == "it is a folder; name a file"


def test_atomic_path_refuses_a_link_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(tmp_path / "back.json")
    (tmp_path / "back.json").symlink_to(loop)
    assert unwritable_reason(loop) == os.strerror(errno.ELOOP)
    with pytest.raises(OSError, match="Too many levels of symbolic links") as caught:
        write_text(loop, "x")
    assert caught.value.errno == errno.ELOOP
    assert loop.is_symlink() and (tmp_path / "back.json").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.json", "loop.json"]


def test_atomic_path_writes_a_pipe_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert unwritable_reason(fifo) is None
    with reading(fifo) as got, atomic_path(fifo) as path:
        assert path == fifo  # no temporary file, nothing renamed
        path.write_text("streamed", encoding="utf-8")
    assert got[0] == b"streamed"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_atomic_path_writes_an_open_file_through_its_fd_link(tmp_path: Path) -> None:
    """What ``-o /dev/stdout`` names: a link to an open pipe, or to an open
    file no name leads to; written where it leads, the link kept."""
    read_end, write_end = os.pipe()
    gone = tmp_path / "gone.txt"
    with open(gone, "w+", encoding="utf-8") as kept:
        gone.unlink()  # open, but no name leads to it any more
        to_pipe, to_gone = tmp_path / "to-pipe", tmp_path / "to-gone"
        to_pipe.symlink_to(f"/proc/self/fd/{write_end}")
        to_gone.symlink_to(f"/proc/self/fd/{kept.fileno()}")
        try:
            assert unwritable_reason(to_pipe) is None
            write_text(to_pipe, "through the pipe")
            assert os.read(read_end, 100) == b"through the pipe\n"
            write_text(to_gone, "into the open file")
            kept.seek(0)
            assert kept.read() == "into the open file\n"
        finally:
            os.close(read_end)
            os.close(write_end)
        assert to_pipe.is_symlink() and to_gone.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["to-gone", "to-pipe"]


def _interrupted_write(target: Path) -> None:
    with atomic_path(target) as temp:
        temp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_iter_items_every_index_once_failures_in_place(scans: Path) -> None:
    import unocr

    items = [
        str(scans / "p1.png"),
        str(scans / "b" / "broken.png"),
        str(scans / "p2.jpg"),
    ]
    with unocr.get_backend("tesseract") as backend:
        got = dict(iter_items(backend, items, workers=2))
        assert sorted(got) == [0, 1, 2]
        assert isinstance(got[0], Page) and got[0].words[0].text == WORDS[0]
        failure = got[1]
        assert not failure and failure.index == 1 and failure.error.item == 1
        assert "broken.png" in failure.source
        # a window of one chunk: one chunk at a time, so input order
        order = [i for i, _ in iter_items(backend, items * 2, workers=2, window=1)]
        assert order == list(range(6))
        with pytest.raises(ValueError, match="workers"):
            next(iter_items(backend, items, workers=0))


def test_iter_items_splits_the_cores_once_for_the_whole_stream(scans: Path) -> None:
    """Two stream workers on RapidOCR: each engine gets half the cores while
    the stream runs (as in read_many(workers=2)), and the split ends with it."""
    pytest.importorskip("rapidocr")
    import unocr
    from unocr.backends.pool import cpu_cores

    with unocr.get_backend("rapidocr") as backend:
        engines = backend._engines  # type: ignore[attr-defined]
        during = [
            engines.threads
            for _ in iter_items(backend, [str(scans / "p1.png")] * 3, workers=2)
        ]
        assert during == [max(1, cpu_cores() // 2)] * 3
        assert engines.threads is None


def _tesseract_children() -> list[int]:
    return [pid for pid, comm, _ in children(os.getpid()) if comm == "tesseract"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_closing_iter_items_starts_no_further_image(scans: Path) -> None:
    import unocr

    items = [str(scans / "p1.png")] * 40
    with unocr.get_backend("tesseract") as backend:
        results = iter_items(backend, items, workers=2)
        next(results)
        results.close()
        # the images being read (one per thread) finish; no other is started
        seen: set[int] = set()
        deadline = time.monotonic() + 60
        quiet_since = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < 2:
            running = _tesseract_children()
            if running:
                quiet_since = time.monotonic()
            seen.update(running)
            time.sleep(0.01)
        assert len(seen) <= 3  # two running, at most one racing the close


def test_ctrl_c_stops_promptly_and_leaves_only_complete_files(tmp_path: Path) -> None:
    """Results are written while the batch runs; Ctrl-C exits 130 soon after,
    with every file present complete and no temporary file left."""
    folder = tmp_path / "many"
    first = _word_image(folder / "img-000.png", WORDS[0])
    for n in range(1, 60):
        shutil.copy(first, folder / f"img-{n:03d}.png")
    out = tmp_path / "out"
    # Python's own SIGINT handler, even when started with SIGINT ignored (a
    # background job): what a user's Ctrl-C meets.
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "from unocr.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            "read",
            str(folder),
            "-o",
            f"{out}/",
            "-f",
            "json",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*.json")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        assert list(out.glob("*.json")), "no result written while the batch ran"
        assert proc.poll() is None  # written before the end: streaming
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        _, err = proc.communicate(timeout=60)
        stopped = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert stopped < 15
    written = sorted(out.iterdir())
    assert 0 < len(written) < 60
    for path in written:  # no temporary file, every file a whole page
        assert path.suffix == ".json"
        assert _page_words(path) == WORDS[0]


def test_a_file_name_that_is_not_utf8_is_read_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Latin-1 name on a UTF-8 system: its byte 0xFC decodes to "\udcfc"
    folder = tmp_path / "scans"
    image = _word_image(folder / os.fsdecode(b"M\xfcller.png"), WORDS[0])
    out = tmp_path / "out"
    assert main(["read", str(folder), "-f", "json", "-o", f"{out}/"]) == 0
    (written,) = out.iterdir()  # the same bytes, as the JSON file's name
    assert os.fsencode(written.name) == b"M\xfcller.json"
    data = written.read_text("utf-8")  # raised UnicodeEncodeError when written
    page = Page.from_json(data)
    assert page.source is not None and page.source.name == str(image)
    assert WORDS[0] in page.text
    assert "Traceback" not in capsys.readouterr().err
    # printed where standard output refuses what is not text (a desktop's
    # UTF-8 locale), each page's header shows U+FFFD for the byte
    shown = subprocess.run(
        [sys.executable, "-m", "unocr", "read", str(image), str(image)],
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
    )
    assert shown.returncode == 0, shown.stderr.decode("utf-8", "replace")
    assert f"==> {folder}/M\ufffdller.png <==".encode() in shown.stdout
    assert WORDS[0].encode() in shown.stdout
