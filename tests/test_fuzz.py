"""Fuzz suite: whatever the input, unocr returns a result or raises UnocrError.

Law for every target: an input built by :mod:`tests.fuzz_targets` (mutated
image files and odd objects, mutated documents in every format, pages with
hostile JSON values, shapes from hostile numbers) gives a result or a
:class:`~unocr.errors.UnocrError`; never another exception, an escaped
warning, or (geometry) a NaN or infinite number. The example counts keep the
whole suite well under two minutes on CI; ``make fuzz`` runs the same targets
at least 10,000 times each in a separate process that also catches hangs and
crashes.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzz_targets import TARGETS, outcome

# Examples per target on each run (a few seconds each).
BUDGET = {
    "images": 300,
    "formats": 300,
    "json": 200,
    "gcv-json": 200,
    "gcv-wire": 100,
    "geometry": 1000,
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_result_or_unocr_error(name: str) -> None:
    """Law: every input gives a result or a typed UnocrError, nothing else."""

    @settings(
        max_examples=BUDGET[name],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        result = outcome(TARGETS[name](rng))
        assert result in ("ok", "typed"), f"{name}: {result}"

    check()


def test_outcome_classifies_each_kind() -> None:
    """The classifier itself: ok, typed, untyped, escaped warning, non-finite."""
    import warnings

    from unocr.errors import FormatError

    def warn() -> None:
        warnings.warn("escaped", UserWarning, stacklevel=1)

    def typed() -> None:
        raise FormatError("bad")

    assert outcome(lambda: 1.0) == "ok"
    assert outcome(typed) == "typed"
    assert outcome(lambda: [][1]) == "untyped:IndexError"
    assert outcome(warn) == "untyped:UserWarning"
    assert outcome(lambda: (1.0, float("nan"))) == "nonfinite"


def test_targets_never_change_their_hostile_values() -> None:
    """Input 141461 of the json target wrote into the ``{}`` of HOSTILE_NUMBERS
    (making it a cycle), and every later input failed in the harness itself."""
    from .fuzz_targets import HOSTILE_NUMBERS

    for n in (141461, *range(200)):
        TARGETS["json"](random.Random(n))
        TARGETS["gcv-json"](random.Random(n))
    assert [v for v in HOSTILE_NUMBERS if isinstance(v, list | dict)] == [[], {}]


def test_readers_and_writers_are_held_to_their_contracts() -> None:
    """A typed error from the wrong place counts as a failure: a reader must
    turn a bad shape or element into a FormatError, and a page that loaded
    must be written. Counted as typed, these hid a page with an empty mask
    that loaded and could not be written as hOCR."""
    import numpy as np

    from unocr.errors import FormatError, GeometryError
    from unocr.geometry import Box, Mask
    from unocr.model import Block, Line, Page, Word

    from .fuzz_targets import loaded, written

    def raising(err: Exception) -> object:
        raise err

    assert outcome(lambda: loaded(lambda: raising(FormatError("x")))) == "typed"
    assert outcome(lambda: loaded(lambda: raising(GeometryError("x")))) == (
        "untyped:BrokenContract"
    )
    box = Box(0, 0, 5, 5)
    empty = Word.from_checked("a", Mask(np.zeros((0, 5), dtype=bool)), None, None)
    line = Line(text="a", geometry=box, words=(empty,))
    page = Page(
        width=9, height=9, blocks=(Block(text="a", geometry=box, lines=(line,)),)
    )
    assert outcome(lambda: written(page)) == "untyped:BrokenContract"
    assert outcome(lambda: written(Page(width=9, height=9))) == "ok"
