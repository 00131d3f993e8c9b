"""CER, WER, normalisation and speed statistics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.metrics import (
    ErrorCounts,
    Normalization,
    bag_of_words_errors,
    cer,
    char_errors,
    normalize_text,
    speed_stats,
    wer,
    word_errors,
)


def test_cer_counts_each_edit_once() -> None:
    assert cer("kitten", "sitting") == pytest.approx(3 / 6)
    assert char_errors("kitten", "sitting") == ErrorCounts(3, 6)
    assert cer("abc", "") == 1.0
    assert cer("ab", "abcdef") == 2.0  # insertions can exceed the reference
    assert cer("", "") == 0.0
    assert cer("", "x") is None


def test_wer_works_on_words() -> None:
    assert wer("the cat sat", "the hat sat") == pytest.approx(1 / 3)
    assert word_errors("a b c d", "a c d") == ErrorCounts(1, 4)
    assert wer("one", "one two three") == 2.0


def test_bag_of_words_ignores_order_only() -> None:
    assert bag_of_words_errors("TOTAL 9.00 CASH 50.00", "TOTAL CASH 9.00 50.00") == (
        ErrorCounts(0, 4)
    )
    assert word_errors("TOTAL 9.00 CASH 50.00", "TOTAL CASH 9.00 50.00").errors == 2
    # one misread word (substitution), one extra word (insertion)
    assert bag_of_words_errors("a b c", "c b x y") == ErrorCounts(2, 3)
    assert bag_of_words_errors("a a b", "a b") == ErrorCounts(1, 3)


@given(st.text(alphabet="ab c", max_size=30), st.text(alphabet="ab c", max_size=30))
def test_bag_of_words_never_exceeds_wer(ref: str, hyp: str) -> None:
    """Ignoring order can only remove errors; equal multisets give zero."""
    bow = bag_of_words_errors(ref, hyp)
    assert bow.errors <= word_errors(ref, hyp).errors
    assert bow.length == word_errors(ref, hyp).length
    shuffled = " ".join(sorted(ref.split()))
    assert bag_of_words_errors(ref, shuffled).errors == 0


def test_whitespace_always_collapsed() -> None:
    assert cer("a  b\nc", " a b c ") == 0.0
    assert wer("line one\nline two", "line one line two") == 0.0


def test_normalisation_options() -> None:
    assert normalize_text("Straße", Normalization(ignore_case=True)) == "strasse"
    assert normalize_text("ﬁne ｔｅｘｔ", Normalization(nfkc=True)) == "fine text"
    assert normalize_text("ſ", Normalization(nfkc=True)) == "s"
    assert normalize_text("ſ") == "ſ"
    assert normalize_text(
        '"Hi," she said.', Normalization(ignore_punctuation=True)
    ) == ("Hi she said")
    assert cer("HELLO!", "hello", Normalization(ignore_case=True)) == pytest.approx(
        1 / 6
    )
    both = Normalization(ignore_case=True, ignore_punctuation=True)
    assert cer("HELLO!", "hello", both) == 0.0


def test_cer_uses_code_points() -> None:
    # e + combining diaeresis is two code points; the precomposed form is one
    assert char_errors("e\u0308", "\u00eb") == ErrorCounts(2, 2)
    assert char_errors("e\u0308", "\u00eb", Normalization(nfkc=True)) == ErrorCounts(
        0, 1
    )


def test_error_counts_sum() -> None:
    total = ErrorCounts(1, 10) + ErrorCounts(3, 10)
    assert total == ErrorCounts(4, 20)
    assert total.rate == 0.2


def test_speed_stats() -> None:
    s = speed_stats([0.1, 0.2, 0.3, 0.4, 10.0], wall_seconds=2.5, load_seconds=1.5)
    assert s.images == 5
    assert s.median_latency == pytest.approx(0.3)
    assert s.p95_latency == pytest.approx(0.4 + 0.8 * (10.0 - 0.4))
    assert s.throughput == pytest.approx(2.0)
    assert s.load_seconds == 1.5
    empty = speed_stats([], wall_seconds=0.0)
    assert (empty.images, empty.median_latency, empty.throughput) == (0, None, None)
    assert set(s.to_dict()) >= {"median_latency", "p95_latency", "throughput"}


def test_old_module_and_names_warn_but_work() -> None:
    import unocr.evaluate as old
    import unocr.metrics as new

    with pytest.warns(DeprecationWarning, match=r"use unocr\.metrics\.ScoringOptions"):
        assert old.EvalOptions is new.ScoringOptions
    with pytest.warns(DeprecationWarning, match=r"use unocr\.metrics\.cer"):
        assert old.cer is new.cer
    with pytest.warns(DeprecationWarning, match=r"use unocr\.metrics\.score_page"):
        assert new.evaluate_page is new.score_page  # type: ignore[attr-defined]
    from unocr.evaluate.matching import match_iou

    assert match_iou is new.match_iou
    with pytest.raises(AttributeError):
        _ = old.no_such_name
