"""Build unocr blocks from a read Cloud Vision response (pure).

GCV has no line level: lines are synthesised (``native=False``) from the
breaks the API reports after each word, so each line's text reads like the
API's own ``text``: ``SPACE`` and ``SURE_SPACE`` put a space after a word,
``EOL_SURE_SPACE`` and ``LINE_BREAK`` end the line, ``HYPHEN`` ends it with
``-``; a word with no break runs into the next (``"26,"``). Their shapes,
confidences and languages come from :meth:`unocr.model.Line.from_word_groups`,
the rule every engine's synthesised lines follow; all lines of a page are
built in one call, and all quads of a page are put in canonical order in one
vectorised call (:meth:`unocr.geometry.Quad.list_from_array`).
"""

from __future__ import annotations

from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    RawPage,
    RawParagraph,
    RawSymbol,
    RawWord,
)
from unocr.geometry import Geometry, Quad
from unocr.model import Block, Line, Symbol, Word
from unocr.model.elements import enclosing_geometry
from unocr.model.layout import group_lines, group_words

__all__ = ["BlockLevel", "build_blocks", "symbols_of"]


def build_blocks(raw: RawPage, *, block_level: BlockLevel = "paragraph") -> list[Block]:
    """The blocks of a page, in the API's reading order.

    Args:
        raw: The response as read by :mod:`~unocr.backends.gcv.message` or
            :mod:`~unocr.backends.gcv.mapping`.
        block_level: ``"paragraph"``: each GCV paragraph becomes a block;
            ``"block"``: each GCV block does (read with the same ``regions``).

    Returns:
        Blocks -> synthesised lines -> words -> symbols; for a response with
        only ``textAnnotations``, lines and blocks synthesised from the
        words' geometry (as :meth:`unocr.model.Page.from_words` groups them).

    Raises:
        FormatError: A coordinate is not finite.
    """
    quads = raw.quads()
    if not raw.blocks:
        words = [
            Word(text=t, geometry=quads[s], language=raw.locale)
            for t, s in raw.annotations
        ]
        return group_lines(group_words(words))  # as Page.from_words groups them
    units: list[tuple[int, float | None, str | None, list[RawParagraph]]]
    if block_level == "block":
        units = [(b.shape, b.confidence, b.language, b.paragraphs) for b in raw.blocks]
    else:
        units = [
            (p.shape, p.confidence, p.language, [p])
            for b in raw.blocks
            for p in b.paragraphs
        ]
    # every line of the page first, so their shapes are computed in one pass
    texts: list[str] = []
    groups: list[list[Word]] = []
    spans: list[tuple[int, int]] = []
    for _shape, _conf, _lang, paragraphs in units:
        start = len(groups)
        for para in paragraphs:
            _split_lines(para.words, quads, texts, groups)
        spans.append((start, len(groups)))
    lines = Line.from_word_groups(groups, texts=texts)
    blocks: list[Block] = []
    for (shape, confidence, language, _), (start, end) in zip(
        units, spans, strict=True
    ):
        if start == end:
            continue  # a region without text
        mine = lines[start:end]
        geometry: Geometry = quads[shape] if shape >= 0 else enclosing_geometry(mine)
        blocks.append(
            Block.reported(mine, geometry, confidence=confidence, language=language)
        )
    return blocks


def symbols_of(symbols: list[RawSymbol], quads: list[Quad]) -> tuple[Symbol, ...]:
    """A word's read symbols as unocr symbols (checked as they were read).

    Args:
        symbols: The word's symbols as read.
        quads: The page's quads (:meth:`RawPage.quads`), which they index.

    Returns:
        The symbols, built with :meth:`~unocr.model.Element.from_checked`.
    """
    symbol = Symbol.from_checked
    return tuple([symbol(t, quads[s], c, lang) for t, s, c, lang in symbols])


def _split_lines(
    words: list[RawWord],
    quads: list[Quad],
    texts: list[str],
    groups: list[list[Word]],
) -> None:
    """Append a paragraph's lines (text and words) as its words' breaks end them.

    The response was checked as it was read (texts are strings, confidences
    in [0, 1] or ``None``, coordinates finite), so words and symbols are
    built with :meth:`~unocr.model.Element.from_checked`.
    """
    current: list[Word] = []
    parts: list[str] = []
    word_of = Word.from_checked
    for raw in words:
        if raw.shape < 0 or not raw.text:
            continue  # nothing to place or nothing to read
        syms = raw.symbols
        word = word_of(
            raw.text,
            quads[raw.shape],
            raw.confidence,
            raw.language,
            True,
            (symbols_of(syms, quads) if syms else ())
            if isinstance(syms, list)
            else syms,
        )
        if current and raw.before.endswith("\n"):
            texts.append("".join(parts).strip(" "))
            groups.append(current)
            current, parts = [], []
        elif current:
            parts.append(raw.before)
        current.append(word)
        parts.append(raw.text)
        sep = BREAKS[raw.after]
        if sep.endswith("\n"):
            parts.append(sep[:-1])
            texts.append("".join(parts).strip(" "))
            groups.append(current)
            current, parts = [], []
        else:
            parts.append(sep)
    if current:
        texts.append("".join(parts).strip(" "))
        groups.append(current)
