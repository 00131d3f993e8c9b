"""``unocr.aread`` takes ``unocr.read``'s arguments: one signature for both."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import unocr
from unocr.errors import UnknownOptionError


def test_aread_shows_the_signature_of_read() -> None:
    assert inspect.signature(unocr.aread) == inspect.signature(unocr.read)
    assert inspect.iscoroutinefunction(unocr.aread)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, r"^aread\(\): missing a required argument: 'image'"),
        ((b"x", "tesseract", "en"), {}, r"^aread\(\): too many positional"),
        ((b"x",), {"image": b"y"}, r"^aread\(\): multiple values for argument 'image'"),
    ],
)
def test_arguments_that_do_not_fit_read_are_a_type_error(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        asyncio.run(unocr.aread(*args, **kwargs))


def test_an_unknown_keyword_is_an_engine_option_as_for_read() -> None:
    pytest.importorskip("pytesseract")
    with pytest.raises(UnknownOptionError) as sync:
        unocr.read(b"x", "tesseract", langauges="en")
    with pytest.raises(UnknownOptionError) as async_:
        asyncio.run(unocr.aread(b"x", "tesseract", langauges="en"))
    assert str(async_.value) == str(sync.value)


def test_type_checkers_check_aread_calls_against_read(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    user = tmp_path / "user.py"
    user.write_text(
        textwrap.dedent(
            """
            import unocr

            import asyncio

            async def main() -> None:
                page = await unocr.aread("a.png", "tesseract", languages=["en"])
                reveal_type(page)
                task = asyncio.create_task(unocr.aread("a.png"))
                await task
                await unocr.aread("a.png", dpi="high")

            asyncio.run(unocr.aread("a.png"))
            """
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    out = run.stdout
    assert 'Revealed type is "unocr.model.page.Page"' in out, out
    assert 'Argument "dpi" to "aread" has incompatible type "str"' in out, out
    assert "error" in out and out.count("error:") == 1, out
