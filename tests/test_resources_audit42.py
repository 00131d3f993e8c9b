"""Resources held past their use: engines closed under a running read, an
unreadable user configuration folder, and folder entries that are no files.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from unocr.cli import _inputs

from .command import run_unocr
from .needs import needs_tesseract
from .processes import run_python

FIXTURES = Path(__file__).parent / "fixtures" / "tesseract"
PHOTOTEST = FIXTURES / "phototest.tif"

# Closes the engine while a read on another thread holds its in-process API:
# the read waits (in _run_api) until close() has returned, then recognizes.
_CLOSE_DURING_READ = """
import sys, threading
import unocr

image = sys.argv[1]
be = unocr.get_backend("tesseract", engine="tesserocr")
be.read(image)
apis = [be._acquire("eng"), be._acquire("eng")]
for api in apis:  # two engines, idle: the read below borrows one
    be._release("eng", api)
original = be._run_api
lent, closed = threading.Event(), threading.Event()

def run_api(api, loaded):
    lent.set()
    closed.wait(60)
    return original(api, loaded)

be._run_api = run_api
result = {}

def reader():
    try:
        result["read"] = f"{len(be.read(image).text) > 100}"
    except BaseException as exc:
        result["read"] = f"{type(exc).__name__}: {exc}"

thread = threading.Thread(target=reader)
thread.start()
lent.wait(60)
be.close()
print("closed", be.closed, "engines alive", len(be._apis), flush=True)
closed.set()
thread.join()
print("read", result["read"], "engines alive", len(be._apis), flush=True)
be.close()
print("closed again", flush=True)
"""


@needs_tesseract
def test_closing_tesserocr_during_a_read_lets_the_read_return_its_page() -> None:
    pytest.importorskip("tesserocr")
    done = run_python(_CLOSE_DURING_READ, str(PHOTOTEST))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "closed True engines alive 1",  # the idle one ended, not the one lent
        "read True engines alive 0",  # ended as the read handed it back
        "closed again",
    ]


# As root, the child drops to "nobody" (it cannot look into the temporary
# HOME); otherwise the test has made HOME unreadable. The imports are warmed
# first: the interpreter's own files may be out of nobody's reach.
_NO_ACCESS_TO_HOME = """
import contextlib, io, os, sys
import unocr
from unocr.cli import main
from unocr.isolation.config import config_file, config_key

home, image = sys.argv[1:3]
os.environ["UNOCR_CONFIG"] = ""
unocr.read(image)
unocr.clear_cache()
with contextlib.redirect_stdout(io.StringIO()):
    main(["read", image, "-f", "text"])
del os.environ["UNOCR_CONFIG"]
os.environ.pop("XDG_CONFIG_HOME", None)
os.environ["HOME"] = home
os.chdir(os.path.dirname(home))  # no unocr.toml of the checkout
if os.getuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
print("config file", config_file(), flush=True)
config_key()
print("get_backend", type(unocr.get_backend("tesseract")).__name__, flush=True)
print("read", len(unocr.read(image).text) > 100, flush=True)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(["read", image, "-f", "text"])
print("cli", status, len(out.getvalue()) > 100, flush=True)
"""


@pytest.fixture
def unreadable_home(tmp_path: Path) -> Iterator[Path]:
    """A HOME whose unocr.toml (not valid TOML) this process's child cannot see."""
    home = tmp_path / "home"
    user = home / ".config" / "unocr"
    user.mkdir(parents=True)
    (user / "unocr.toml").write_text("this is not TOML = = =\n", encoding="utf-8")
    home.chmod(0o700 if os.getuid() == 0 else 0)
    yield home
    home.chmod(stat.S_IRWXU)


@needs_tesseract
def test_a_user_folder_that_cannot_be_looked_into_holds_no_configuration(
    unreadable_home: Path,
) -> None:
    done = run_python(_NO_ACCESS_TO_HOME, str(unreadable_home), str(PHOTOTEST))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "config file None",
        "get_backend TesseractBackend",
        "read True",
        "cli 0 True",
    ]
    assert "Traceback" not in done.stderr


@pytest.fixture
def folder_with_specials(tmp_path: Path) -> Iterator[Path]:
    """A folder with one image, a FIFO ``b.png`` and a socket ``c.png``."""
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.tif").write_bytes(PHOTOTEST.read_bytes())
    os.mkfifo(folder / "b.png")
    here = Path.cwd()
    os.chdir(folder)  # a socket's path is limited to about 100 characters
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("c.png")
    finally:
        os.chdir(here)
    try:
        yield folder
    finally:
        sock.close()


def test_pipes_and_sockets_in_a_folder_are_noted_by_name(
    folder_with_specials: Path,
) -> None:
    found = _inputs.collect([str(folder_with_specials)], recursive=False)
    assert [i.source for i in found.inputs] == [str(folder_with_specials / "a.tif")]
    assert {k: sorted(v) for k, v in found.special.items()} == {
        str(folder_with_specials): ["b.png", "c.png"]
    }
    assert found.skipped == {}


def test_a_pattern_matching_a_pipe_notes_it_by_name(
    folder_with_specials: Path,
) -> None:
    pattern = str(folder_with_specials / "*.png")
    found = _inputs.collect([pattern], recursive=False)
    assert found.inputs == []
    assert {k: sorted(v) for k, v in found.special.items()} == {
        pattern: ["b.png", "c.png"]
    }


@needs_tesseract
def test_unocr_read_of_a_folder_notes_its_pipes_and_sockets(
    folder_with_specials: Path,
) -> None:
    done = run_unocr("read", str(folder_with_specials), "-f", "text")
    assert done.returncode == 0, done.stderr
    assert (
        f"2 files in {folder_with_specials} skipped: not a regular file "
        "(b.png, c.png); give it on standard input"
    ) in done.stderr
    assert "Traceback" not in done.stderr
