"""Shapes of synthesised lines, computed on first access of Line.geometry."""

from __future__ import annotations

import copy
import pickle

import pytest

from unocr.geometry import Box, Quad
from unocr.model import Line, Word, elements

from .threads import same_in_every_thread


def words_of(line_count: int) -> list[list[Word]]:
    """Lines of one to three words: boxes on some, tilted quads on others."""
    groups: list[list[Word]] = []
    for k in range(line_count):
        y = 30.0 * k
        group = []
        for j in range(1 + k % 3):
            x = 50.0 * j
            if k % 2:
                shape: Box | Quad = Quad(
                    [[x, y], [x + 40, y + 4], [x + 39, y + 24], [x - 1, y + 20]]
                )
            else:
                shape = Box(x, y, x + 40, y + 20)
            group.append(Word(text=f"w{k}.{j}", geometry=shape, confidence=0.5))
        groups.append(group)
    return groups


# The slot under Line's geometry property (the property writes through its
# setter; Element's slot, or on Python 3.10 Line's own copy of it).
_slot = vars(Line)["geometry"].fset.__self__.__get__


def pending(lines: list[Line]) -> list[bool]:
    """Per line: is its shape still to be computed?"""
    return [isinstance(_slot(line, Line), elements.BuiltTogether) for line in lines]


def test_shapes_are_computed_on_first_access_and_equal_the_eager_rule() -> None:
    groups = words_of(7)
    lines = Line.from_word_groups(groups)
    assert all(pending(lines))  # nothing computed yet
    first = lines[3].geometry  # one access computes every line's shape
    assert first == elements.enclosing_geometry(groups[3])
    assert [line.geometry for line in lines] == elements.enclosing_geometries(groups)
    assert lines[3].geometry is first  # stored, not recomputed
    assert not any(pending(lines))
    assert isinstance(lines[0].geometry, Box) and isinstance(lines[1].geometry, Quad)


def test_equality_hash_repr_copies_and_pickles_see_the_shape() -> None:
    groups = words_of(4)
    eager = [
        Line(
            text=" ".join(w.text for w in g),
            geometry=elements.enclosing_geometry(g),
            confidence=0.5,
            native=False,
            words=tuple(g),
        )
        for g in groups
    ]
    for make in (
        lambda: Line.from_word_groups(groups),
        lambda: [pickle.loads(pickle.dumps(x)) for x in Line.from_word_groups(groups)],
        lambda: copy.deepcopy(Line.from_word_groups(groups)),
        lambda: [copy.copy(x) for x in Line.from_word_groups(groups)],
        lambda: [x.replace(text=x.text) for x in Line.from_word_groups(groups)],
    ):
        lines = make()
        assert lines == eager
        assert [hash(x) for x in lines] == [hash(x) for x in eager]
    unread = Line.from_word_groups(groups)
    assert "geometry=Box(" in repr(unread[0]) and "partial" not in repr(unread)


def test_threads_reading_at_once_get_the_same_shapes() -> None:
    groups = words_of(40)
    seen = same_in_every_thread(Line.from_word_groups(groups), lambda x: x.geometry)
    assert seen == elements.enclosing_geometries(groups)


def test_an_empty_group_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="at least one child"):
        Line.from_word_groups([[Word(text="a", geometry=Box(0, 0, 1, 1))], []])


def test_a_one_word_line_takes_its_words_confidence_and_language() -> None:
    word = Word(text="a", geometry=Box(0, 0, 1, 1), confidence=0.25, language="de")
    (line,) = Line.from_word_groups([[word]])
    assert (line.confidence, line.language, line.geometry) == (
        0.25,
        "de",
        word.geometry,
    )
    (line,) = Line.from_word_groups([[word]], language="fr")
    assert line.language == "fr"


def test_checked_groups_make_the_lines_word_groups_make() -> None:
    groups = words_of(5)
    texts = [f"line {k}" for k in range(len(groups))]
    checked = Line.from_checked_groups([tuple(g) for g in groups], texts)
    assert all(pending(checked))
    assert checked == Line.from_word_groups(groups, texts=texts)
    assert [line.text for line in checked] == texts
