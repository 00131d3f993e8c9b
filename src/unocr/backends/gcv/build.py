"""Build unocr blocks from a read Cloud Vision response (pure).

GCV has no line level: lines are synthesised (``native=False``) from the
breaks the API reports after each word, so each line's text reads like the
API's own ``text``: ``SPACE`` and ``SURE_SPACE`` put a space after a word,
``EOL_SURE_SPACE`` and ``LINE_BREAK`` end the line, ``HYPHEN`` ends it with
``-``; a word with no break runs into the next (``"26,"``). Their shapes,
confidences and languages come from :meth:`unocr.model.Line.from_word_groups`,
the rule every engine's synthesised lines follow; all lines of a page are
built in one call, and all corners of a page are put in canonical order in one
vectorised call (:meth:`~unocr.backends.gcv.tree.RawPage.rows`).

The symbols of a page's words are built on the first access to any word's
``symbols`` (:class:`PageSymbols`): their texts, corners, confidences and
languages were read and checked with the rest, so building them later cannot
fail where building them now would not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from unocr.backends.gcv.collector import collector_paused
from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    FloatArray,
    RawPage,
    RawSymbol,
    Region,
    SymbolColumns,
    WordColumns,
)
from unocr.geometry import Geometry, Quad
from unocr.model import Block, Line, Symbol, Word
from unocr.model.elements import BuiltTogether, enclosing_geometry
from unocr.model.layout import group_lines, group_words

__all__ = ["BlockLevel", "PageSymbols", "build_blocks", "symbols_of"]

#: What makes the quad of one shape of a page (:meth:`Quad.viewer`).
QuadOf = Callable[[int], Quad]


def build_blocks(
    raw: RawPage, *, block_level: BlockLevel = "paragraph", defer: bool = True
) -> list[Block]:
    """The blocks of a page, in the API's reading order.

    Args:
        raw: The response as read by :mod:`~unocr.backends.gcv.message` or
            :mod:`~unocr.backends.gcv.mapping`.
        block_level: ``"paragraph"``: each GCV paragraph becomes a block;
            ``"block"``: each GCV block does (read with the same ``regions``).
        defer: Build the words' symbols on first access (:class:`PageSymbols`);
            ``False``: now.

    Returns:
        Blocks -> synthesised lines -> words -> symbols; for a response with
        only ``textAnnotations``, lines and blocks synthesised from the
        words' geometry (as :meth:`unocr.model.Page.from_words` groups them).

    Raises:
        FormatError: A coordinate is not finite.
        GeometryError: A coordinate lies beyond
            :data:`unocr.limits.MAX_COORDINATE`.
    """
    rows = raw.rows()
    quad = Quad.viewer(rows)
    columns = raw.word_columns()
    if columns is None:
        words = [
            Word(text=t, geometry=quad(s), language=raw.locale)
            for t, s in raw.annotations
        ]
        return group_lines(group_words(words))  # as Page.from_words groups them
    # every line of the page first, so their shapes are computed in one pass
    groups, texts, ends = _split_lines(columns, quad, PageSymbols(rows, raw.columns))
    lines = Line.from_checked_groups(groups, texts)
    units: list[Region] = columns.paragraphs
    if block_level == "block":  # a block ends where its last paragraph does
        units = [
            (shape, conf, lang, columns.paragraphs[end - 1][3] if end else 0)
            for shape, conf, lang, end in columns.blocks
        ]
    blocks: list[Block] = []
    block = Block.reported_checked
    start = 0
    for shape, confidence, language, words_end in units:
        end = ends[words_end]  # the lines of the unit's paragraphs end here
        if start == end:
            continue  # a region without text
        mine = lines[start:end]
        start = end
        geometry: Geometry = quad(shape) if shape >= 0 else enclosing_geometry(mine)
        blocks.append(block(tuple(mine), geometry, confidence, language))
    if not defer:
        for group in groups:
            for word in group:
                word.symbols  # noqa: B018  (built now, stored in the word)
    return blocks


def symbols_of(symbols: list[RawSymbol], quad: QuadOf) -> tuple[Symbol, ...]:
    """A word's read symbols as unocr symbols (checked as they were read).

    Args:
        symbols: The word's symbols as read.
        quad: What makes the page's quads (:meth:`Quad.viewer` of
            :meth:`RawPage.rows`), whose shapes they index.

    Returns:
        The symbols, built with :meth:`~unocr.model.Element.from_checked`.
    """
    symbol = Symbol.from_checked
    return tuple([symbol(t, quad(s), c, lang) for t, s, c, lang in symbols])


class PageSymbols(BuiltTogether[tuple[Symbol, ...]]):
    """The symbols of a page's words, built on first access.

    Most readers of a page never look at its characters, which are three
    quarters of a dense page's elements. Their texts, corners (in the page's
    canonical rows), confidences and languages are read with the rest; the
    first access to any of the page's ``Word.symbols`` builds the symbols
    of all of them in one pass, under a lock, so every thread gets the same
    tuples (:class:`~unocr.model.elements.BuiltTogether`). What they were
    built from is released then.

    Args:
        rows: The page's canonical corners (:meth:`RawPage.rows`).
        columns: The page's symbols, where words give theirs as ranges.
    """

    __slots__ = ("_columns", "_rows", "_words")

    def __init__(self, rows: FloatArray, columns: SymbolColumns | None) -> None:
        super().__init__()
        self._rows: FloatArray | None = rows
        self._columns = columns
        self._words: list[tuple[list[RawSymbol] | range, str | None]] = []

    def add(
        self, symbols: list[RawSymbol] | range, language: str | None
    ) -> PageSymbols:
        """Keep a word's read symbols; what builds them: this batch.

        The words given it are bound afterwards, in the order their symbols
        were added (:meth:`~unocr.model.elements.BuiltTogether.bind`).

        Args:
            symbols: The word's symbols as read (:attr:`RawWord.symbols`).
            language: The word's language, which its symbols without one of
                their own take.

        Returns:
            This batch, for :meth:`unocr.model.Word.from_checked`.
        """
        self._words.append((symbols, language))
        return self

    def _build(self) -> list[tuple[Symbol, ...]]:
        assert self._rows is not None
        quad = Quad.viewer(self._rows)
        with collector_paused():  # thousands of objects, no cycle
            # a page's words give ranges of its columns, or lists without
            if self._columns is None:
                lists = cast("list[tuple[list[RawSymbol], str | None]]", self._words)
                built = [symbols_of(syms, quad) for syms, _ in lists]
            else:
                spans = cast("list[tuple[range, str | None]]", self._words)
                built = _symbols_in(self._columns, spans, quad)
        self._words, self._rows, self._columns = [], None, None  # release them
        return built


def _symbols_in(
    columns: SymbolColumns,
    words: list[tuple[range, str | None]],
    quad: QuadOf,
) -> list[tuple[Symbol, ...]]:
    """Each word's symbols with a shape, from its span of the page's columns.

    Args:
        columns: The page's symbols as read.
        words: Per word, its span (a ``range``) and language.
        quad: What makes the page's quads.
    """
    symbol = Symbol.from_checked
    text, bounds = columns.text, columns.bounds.tolist()
    langs = [columns.languages[k] for k in columns.language_of.tolist()]
    shapes = columns.shapes.tolist()
    confs = [None if c != c else c for c in columns.confidences.tolist()]  # NaN
    return [
        tuple(
            [
                symbol(
                    text[bounds[i] : bounds[i + 1]],
                    quad(shapes[i]),
                    confs[i],
                    langs[i] or language,
                )
                for i in span
                if shapes[i] >= 0
            ]
        )
        for span, language in words
    ]


def _split_lines(
    columns: WordColumns, quad: QuadOf, symbols: PageSymbols
) -> tuple[list[tuple[Word, ...]], list[str], list[int]]:
    """The page's lines (words and text), as its words' breaks end them.

    A line never runs past its paragraph. The response was checked as it
    was read (texts are strings, confidences in [0, 1] or ``None``,
    coordinates finite), so words are built with
    :meth:`~unocr.model.Element.from_checked`.

    Returns:
        Each line's words and text, and for each paragraph end (a word
        index, up to ``len(columns.texts)``), how many lines the
        paragraphs ending there and before it hold.
    """
    groups: list[tuple[Word, ...]] = []
    texts: list[str] = []
    word_of = Word.from_checked
    add = symbols.add
    holders: list[Word] = []  # the words with symbols, in the order added
    held = holders.append
    ends = [p[3] for p in columns.paragraphs]
    # lines ended by the words before each paragraph end
    lines_at = [0] * (len(columns.texts) + 1)
    current: list[Word] = []
    parts: list[str] = []

    def flush() -> None:  # the line so far ends
        texts.append("".join(parts).strip(" "))
        groups.append(tuple(current))
        current.clear()
        parts.clear()

    paragraph = iter(ends)
    stop = next(paragraph, -1)
    for k, (text, shape, conf, lang, syms, before, after) in enumerate(
        zip(
            columns.texts,
            columns.shapes,
            columns.confidences,
            columns.languages,
            columns.symbols,
            columns.before,
            columns.after,
            strict=True,
        )
    ):
        while k == stop:  # the paragraph before ends here
            if current:
                flush()
            lines_at[k] = len(groups)
            stop = next(paragraph, -1)
        if shape < 0 or not text:
            continue  # nothing to place or nothing to read
        if syms:
            word = word_of(text, quad(shape), conf, lang, True, add(syms, lang))
            held(word)
        else:
            word = word_of(text, quad(shape), conf, lang)
        if current and before.endswith("\n"):
            flush()
        elif current:
            parts.append(before)
        current.append(word)
        parts.append(text)
        sep = BREAKS[after]
        if sep.endswith("\n"):
            parts.append(sep[:-1])
            flush()
        else:
            parts.append(sep)
    if current:
        flush()
    lines_at[len(columns.texts)] = len(groups)
    symbols.bind(holders)
    return groups, texts, lines_at
