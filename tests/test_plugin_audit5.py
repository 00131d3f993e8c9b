"""An engine written as docs/api.md shows runs isolated, in composites and in
batches as it runs alone; its mistakes are typed errors.

Run in a fresh interpreter from another folder: the engine module sits beside
the caller's script (not on ``PYTHONPATH``), as an application ships it, and
the current folder holds another module of the same name."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .needs import needs_tesseract

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"

PLUG = '''
from __future__ import annotations
from collections.abc import Sequence
from typing import Any
from unocr.backends.base import (
    Backend, Capabilities, Clocks, Crops, Languages, LoadedImages, Stopwatch,
)
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Line, Word


def blocks(image: LoadedImage) -> list[Block]:
    b = Box(0, 0, image.width, image.height)
    word = Word("hi", b, confidence=0.5)
    return [Block("hi", b, lines=(Line("hi", b, words=(word,)),))]


class MyEngine(Backend):
    """Its only option is ``mode`` (options are __init__'s keyword parameters)."""

    name = "myengine"
    capabilities = Capabilities(geometry="box", levels=("word",), confidence=True)
    batch_size = 2

    def __init__(self, *, mode: str = "ok") -> None:
        super().__init__()
        self.mode = mode

    def _recognize(self, image: LoadedImage, languages: Languages, clock: Stopwatch):
        return blocks(image)

    def _recognize_batch(self, images: LoadedImages, languages: Languages, clocks: Clocks):
        if self.mode == "batch-none":
            return None
        return [blocks(i) for i in images]

    def _recognize_crops(self, crops: Crops, languages: Languages, clock: Stopwatch):
        if self.mode == "crops-str":
            return ["text" for _ in crops]  # the confidence forgotten
        return [("text", 0.9) for _ in crops]
'''

MAIN = """
import unocr, plug
from unocr.geometry import Box
unocr.register_backend("myengine", plug.MyEngine)
IMG = {image!r}


def show(what, fn):
    try:
        print(what, "->", fn())
    except Exception as e:
        print(what, "->", type(e).__name__)


show("isolated", lambda: unocr.get_backend("myengine", isolate=True).read(IMG).text)
show("cascade", lambda: type(unocr.get_backend("myengine/tesseract")).__name__)
show(
    "batch",
    lambda: [
        type(r.error).__name__
        for r in unocr.read_many(
            [IMG, IMG], backend="myengine", mode="batch-none", errors="return"
        )
    ],
)
show(
    "crops",
    lambda: unocr.get_backend("myengine", mode="crops-str").recognize(
        IMG, [Box(0, 0, 10, 10)]
    ),
)
"""


@needs_tesseract
def test_an_engine_beside_the_callers_script(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "plug.py").write_text(textwrap.dedent(PLUG))
    (app / "main.py").write_text(MAIN.format(image=str(SAMPLE)))
    elsewhere = tmp_path / "elsewhere"  # the current folder: another plug.py
    elsewhere.mkdir()
    (elsewhere / "plug.py").write_text("raise ImportError('the wrong plug')\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "UNOCR_CONFIG": ""}
    out = subprocess.run(
        [sys.executable, str(app / "main.py")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" -> ", 1) for line in out.stdout.splitlines())
    # the worker imports the caller's plug.py and passes no option not given
    assert lines["isolated"] == "hi"
    # a cascade gives its engines no languages when none were asked for
    assert lines["cascade"] == "CascadeBackend"
    # a batch hook that returns no list fails each item, typed
    assert lines["batch"] == "['RecognitionError', 'RecognitionError']"
    # a crop reading that is no (text, confidence) pair is a RecognitionError
    assert lines["crops"] == "RecognitionError"


def test_the_worker_puts_the_callers_path_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unocr.isolation import worker
    from unocr.isolation.protocol import SYS_PATH_VARIABLE

    monkeypatch.setattr(sys, "path", ["/own/cwd", "/shared/site"])
    monkeypatch.setenv(SYS_PATH_VARIABLE, '["/caller/app", "/shared/site"]')
    worker._take_parent_path()
    assert sys.path == ["/caller/app", "/shared/site", "/own/cwd"]
    assert SYS_PATH_VARIABLE not in os.environ
