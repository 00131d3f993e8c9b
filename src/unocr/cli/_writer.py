"""Writing ``unocr read``'s results as they come in.

:class:`Writer` gets each page (or failure) as it finishes. An output unit
(see :mod:`unocr.cli._naming`) is written as soon as all its pages are in:
its own file at once, or, for standard output and a single ``--output`` file,
once every unit before it is written (input order). Files are written through
:func:`unocr._files.atomic_path`; pages are dropped once written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from unocr.cli._naming import Unit, annotate_format
from unocr.cli._output import atomic_path, cannot_write, write_out, write_text
from unocr.cli._progress import Progress
from unocr.errors import UnocrError
from unocr.limits import DEFAULT_MAX_PIXELS

__all__ = ["Writer", "document_text", "error_line"]


def error_line(source: str, err: UnocrError) -> str:
    """The ``unocr: error:`` line of a failed input, naming it once."""
    text = str(err)
    if source == "-":
        shown = "<stdin>"
        if text.startswith("<bytes>"):
            text = shown + text[len("<bytes>") :]
    else:
        shown = source
    return (
        f"unocr: error: {text}" if shown in text else f"unocr: error: {shown}: {text}"
    )


def _label(source: str, page: int | None) -> str:
    """How a page's header names it: a file name's undecodable bytes as U+FFFD."""
    from unocr.model.serialize import encodable

    shown = "<stdin>" if source == "-" else encodable(source)
    return shown if page is None else f"{shown} (page {page})"


def document_text(pages: Sequence[Any], fmt: str, lines: bool) -> str:
    """The pages in ``fmt``; JSON as JSON Lines if ``lines`` or several pages."""
    from unocr.formats import dumps, dumps_pages

    if fmt == "json" and not lines and len(pages) == 1:
        return dumps(pages[0], "json")
    return dumps_pages(pages, fmt)


def _write_pdf(
    path: Path | None,
    pages: Sequence[Any],
    images: Sequence[Any],
    max_pixels: int | None,
) -> None:
    import io

    from unocr.documents.searchable import save_pdf

    if path is None:
        buffer = io.BytesIO()
        save_pdf(pages, buffer, images=images, max_pixels=max_pixels)
        write_out(buffer.getvalue(), sys.stdout)
        return
    with atomic_path(path) as temp:
        save_pdf(pages, temp, images=images, max_pixels=max_pixels)


class Writer:
    """Writes each output as soon as its pages are in (see ``run``)."""

    def __init__(
        self,
        *,
        fmt: str,
        units: list[Unit],
        targets: list[str] | None,
        annotate: list[str] | None,
        items: list[Any],
        where: list[tuple[int, int | None]],
        output: str | None,
        progress: Progress,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        in_cli_words: Callable[[UnocrError], UnocrError] = lambda err: err,
    ) -> None:
        #: The engine's pixel limit, which a searchable PDF's page images keep to.
        self.max_pixels = max_pixels
        #: A failure's message as the command line says it (its advice).
        self.in_cli_words = in_cli_words
        self.fmt = fmt
        self.units = units
        self.targets = targets
        self.annotate = annotate
        self.items = items
        self.where = where
        self.output = output
        self.progress = progress
        self.several = len(items) > 1
        self.failed = 0
        self.results: list[Any] = [None] * len(items)
        self.unit_of = [0] * len(items)
        for u, unit in enumerate(units):
            for i in unit.items:
                self.unit_of[i] = u
        self.missing = [len(unit.items) for unit in units]
        self.complete = [False] * len(units)
        self.next_unit = 0  # the first unit the stream has not written
        self.stream: TextIO | None = None  # an --output file being written
        self.wrote = False
        #: Standard output or the one --output file failed (a full disk): it
        #: was reported once, and nothing more goes to it.
        self.stream_failed = False

    def add(self, index: int, result: Any) -> None:
        """Take page ``index``'s result; write what is complete."""
        from unocr.backends.base import ItemFailure

        if isinstance(result, ItemFailure):
            self.fail(self.units[self.unit_of[index]].source.source, result.error)
        elif self.annotate is not None:
            self._annotate(index, result)
        self.results[index] = result
        u = self.unit_of[index]
        self.missing[u] -= 1
        if self.missing[u]:
            return
        if self.targets is not None:  # one file per unit, as soon as it is done
            self._emit(u)
            return
        self.complete[u] = True
        while self.next_unit < len(self.units) and self.complete[self.next_unit]:
            self._emit(self.next_unit)
            self.next_unit += 1

    def fail(self, source: str, err: UnocrError) -> None:
        """Report a failed input (the exit status becomes 1)."""
        self.failed += 1
        self.progress.say(error_line(source, err))

    def unwritable(self, path: Path | None, exc: OSError | ValueError) -> None:
        """An output file could not be written: its line; the others go on."""
        self.failed += 1
        self.progress.say(cannot_write(path or "<stdout>", exc))

    def _good(self, u: int) -> list[int]:
        from unocr.model import Page

        return [i for i in self.units[u].items if isinstance(self.results[i], Page)]

    def _emit(self, u: int) -> None:
        unit = self.units[u]
        good = self._good(u)
        pages = [self.results[i] for i in good]
        for i in unit.items:  # written: the pages are not kept
            self.results[i] = None
        if not good:
            return
        target = Path(self.targets[u]) if self.targets is not None else None
        if self.fmt == "pdf":
            out = target or (Path(self.output) if self.output else None)
            try:
                _write_pdf(out, pages, [self.items[i] for i in good], self.max_pixels)
            except UnocrError as err:
                self.fail(unit.source.source, self.in_cli_words(err))
            except OSError as exc:
                if out is None and isinstance(exc, BrokenPipeError):
                    raise  # the reader of standard output went away: exit 1
                self.unwritable(out, exc)
            return
        if target is not None:
            try:
                write_text(
                    target, document_text(pages, self.fmt, self._lines(u, target))
                )
            except OSError as exc:
                self.unwritable(target, exc)
        elif self.fmt == "text" and self.several:
            for i, page in zip(good, pages, strict=True):
                number = self.where[i][1]
                source = self.units[self.unit_of[i]].source.source
                self._stream_out(
                    f"==> {_label(source, number)} <==\n"
                    + document_text([page], self.fmt, self.several)
                )
        else:
            self._stream_out(
                document_text(pages, self.fmt, self._lines(u, self.output))
            )

    def _lines(self, u: int, name: Path | str | None) -> bool:
        """Whether unit ``u``'s JSON goes as JSON Lines.

        It does for several pages, a document's pages (a PDF, a multi-page
        TIFF: even one page of it) and a ``.jsonl`` file; a single image is
        one indented JSON page.
        """
        document = any(self.where[i][1] is not None for i in self.units[u].items)
        return self.several or document or str(name).lower().endswith(".jsonl")

    def _stream_out(self, text: str) -> None:
        """Write ``text`` to standard output or the one ``--output`` file.

        A write that fails (a full disk, a file size limit) is reported once
        as ``cannot write``; the stream then takes nothing more, and the run
        goes on (per-input failures are still reported).

        Raises:
            BrokenPipeError: The reader of standard output went away.
        """
        if self.stream_failed:
            return
        if not text.endswith("\n"):
            text += "\n"
        if self.wrote and self.fmt == "text" and self.several:
            text = "\n" + text
        self.wrote = True
        out = self.stream if self.stream is not None else sys.stdout
        try:
            self.progress.write(text, out)  # the bar cleared on a shared terminal
        except OSError as exc:
            if self.stream is None and isinstance(exc, BrokenPipeError):
                raise  # the reader of standard output went away: exit 1
            self.stream_failed = True
            shown = (
                Path(self.output) if self.stream is not None and self.output else None
            )
            self.unwritable(shown, exc)

    def _annotate(self, index: int, page: Any) -> None:
        from unocr.documents import load_input

        assert self.annotate is not None
        target = Path(self.annotate[index])
        try:
            image = load_input(self.items[index], max_pixels=None).image
            drawn = page.draw(image)
        except UnocrError as err:
            self.fail(self.units[self.unit_of[index]].source.source, err)
            return
        kind = annotate_format(str(target))  # checked before any work
        try:
            with atomic_path(target) as temp:
                drawn.save(temp, format=kind)
        except (OSError, ValueError) as exc:  # Pillow says a bad image so too
            self.unwritable(target, exc)
