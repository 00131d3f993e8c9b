"""EasyOCR's per-call warnings are ignored while calls run, and only those."""

from __future__ import annotations

import threading
import warnings

import pytest

from unocr.backends.easyocr._quiet import quiet

PIN = "'pin_memory' argument is set as true but no accelerator is found, then ..."


def test_only_the_two_known_warnings_are_ignored() -> None:
    before = list(warnings.filters)
    with quiet():
        warnings.warn(PIN, UserWarning, stacklevel=1)  # ignored
        with pytest.raises(UserWarning, match="something else"):
            warnings.warn("something else", UserWarning, stacklevel=1)
    assert warnings.filters == before
    with pytest.raises(UserWarning, match="pin_memory"):
        warnings.warn(PIN, UserWarning, stacklevel=1)


def test_overlapping_calls_on_threads_restore_the_filters() -> None:
    before = list(warnings.filters)
    first_in, second_in, first_out = (threading.Event() for _ in range(3))
    seen: list[BaseException] = []

    def first() -> None:
        with quiet():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with quiet():
            second_in.set()
            first_out.wait(5)
            try:  # the first call has left; this one is still running
                warnings.warn(PIN, UserWarning, stacklevel=1)
            except UserWarning as exc:
                seen.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == []
    assert warnings.filters == before
