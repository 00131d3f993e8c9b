"""Backoff under an overall deadline (pure, with a fake clock)."""

from __future__ import annotations

import pytest

from unocr.backends.gcv._retry import Backoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.woke: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        self.woke.append(self.now)


@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999])
def test_waits_grow_exponentially_and_stop_before_the_deadline(jitter: float) -> None:
    """Each wait lies in [d/2, d] with d doubling up to the maximum; none ends past the deadline."""
    clock = FakeClock()
    backoff = Backoff(
        10.0,
        initial=0.5,
        maximum=2.0,
        clock=clock,
        sleep=clock.sleep,
        rng=lambda: jitter,
    )
    while backoff.wait():
        clock.now += 0.1  # the attempt itself
    bounds = [0.5, 1.0, 2.0] + [2.0] * (len(clock.slept) - 3)
    for slept, bound in zip(clock.slept, bounds, strict=True):
        assert bound / 2 <= slept <= bound
    assert max(clock.woke) < backoff.deadline
    assert backoff.retries == len(clock.slept) >= 4
    # the refused wait would have crossed the deadline
    assert backoff.remaining() < 2.0


def test_no_wait_when_the_deadline_is_already_near() -> None:
    clock = FakeClock()
    backoff = Backoff(0.1, initial=0.5, clock=clock, sleep=clock.sleep, rng=lambda: 0.0)
    assert not backoff.wait()
    assert clock.slept == []
    assert backoff.remaining() == pytest.approx(0.1)
