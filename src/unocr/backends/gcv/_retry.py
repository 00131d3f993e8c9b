"""Exponential backoff under one overall deadline (pure; no google imports)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass
class Backoff:
    """Waits between attempts, doubling each time, never past a deadline.

    The n-th wait is drawn from ``[d / 2, d]`` with
    ``d = min(maximum, initial * multiplier ** n)`` ("equal jitter", so many
    clients retrying at once spread out). A wait that would end after the
    deadline is not taken: :meth:`wait` returns ``False`` at once, so the
    caller gives up on time instead of sleeping into the deadline.

    Args:
        timeout: Seconds from now until the overall deadline.
        initial: First wait's upper bound, in seconds.
        maximum: Largest wait, in seconds.
        multiplier: Growth factor per attempt.
        clock: Monotonic clock in seconds (injectable for tests).
        sleep: Sleep function (injectable for tests).
        rng: Uniform [0, 1) random source.

    Examples:
        >>> b = Backoff(10.0, initial=1.0, clock=lambda: 0.0, sleep=lambda s: None,
        ...             rng=lambda: 1.0)
        >>> [b.next_delay() for _ in range(4)]
        [1.0, 2.0, 4.0, 5.0]
    """

    timeout: float
    initial: float = 0.2
    maximum: float = 5.0
    multiplier: float = 2.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random
    retries: int = field(default=0, init=False)
    deadline: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.timeout
        self._bound = self.initial

    def remaining(self) -> float:
        """Seconds left until the deadline (may be <= 0)."""
        return self.deadline - self.clock()

    def next_delay(self) -> float:
        """Draw the next wait in seconds and grow the bound."""
        bound = min(self.maximum, self._bound)
        self._bound = bound * self.multiplier
        return bound / 2 + bound / 2 * self.rng()

    def take(self) -> float | None:
        """The wait before the next attempt, counted as a retry.

        For callers that sleep themselves (``await asyncio.sleep``).

        Returns:
            Seconds to wait, or ``None`` if that wait would pass the deadline.
        """
        delay = self.next_delay()
        if self.clock() + delay >= self.deadline:
            return None
        self.retries += 1
        return delay

    def wait(self) -> bool:
        """Sleep before the next attempt; ``False`` if that would pass the deadline."""
        delay = self.take()
        if delay is None:
            return False
        self.sleep(delay)
        return True
