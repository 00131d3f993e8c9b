"""Speed figures: per-image latency, throughput and model load time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["SpeedStats", "speed_stats"]


@dataclass(frozen=True)
class SpeedStats:
    """How fast an engine ran over a set of images. All times in seconds.

    Attributes:
        images: Images that were timed (failures excluded).
        load_seconds: Time to create the engine (load its model), measured
            separately and excluded from everything else.
        median_latency: Median seconds per image (decode + engine + convert).
        p95_latency: 95th percentile of the same (linear interpolation).
        mean_latency: Mean of the same.
        wall_seconds: Wall-clock time of the whole run, load excluded.
        throughput: Images per second over the run (``images / wall_seconds``;
            with several workers this exceeds ``1 / mean_latency``).
    """

    images: int
    load_seconds: float | None
    median_latency: float | None
    p95_latency: float | None
    mean_latency: float | None
    wall_seconds: float
    throughput: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the fields."""
        return asdict(self)


def speed_stats(
    latencies: Sequence[float],
    *,
    wall_seconds: float,
    load_seconds: float | None = None,
) -> SpeedStats:
    """Summarise per-image latencies.

    Args:
        latencies: (N,) seconds per successful image.
        wall_seconds: Wall-clock seconds the run took, model load excluded.
        load_seconds: Seconds spent loading the engine, if measured.

    Returns:
        Median, 95th percentile and mean latency (``None`` for no images) and
        the throughput in images per second.

    Examples:
        >>> s = speed_stats([0.1, 0.2, 0.3, 0.4], wall_seconds=1.0)
        >>> round(s.median_latency, 3), s.throughput
        (0.25, 4.0)
    """
    arr = np.asarray(latencies, dtype=np.float64)
    n = int(arr.size)
    if n == 0:
        return SpeedStats(0, load_seconds, None, None, None, wall_seconds, None)
    return SpeedStats(
        images=n,
        load_seconds=load_seconds,
        median_latency=float(np.median(arr)),
        p95_latency=float(np.percentile(arr, 95)),
        mean_latency=float(arr.mean()),
        wall_seconds=wall_seconds,
        throughput=n / wall_seconds if wall_seconds > 0 else None,
    )
