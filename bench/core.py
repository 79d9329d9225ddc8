import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

BENCHMARKS: list[Callable[[], list["Result"]]] = []


@dataclass(frozen=True)
class Result:
    """One row of the table: a figure, the baseline measured in the same run, and the target."""

    name: str
    value: str
    baseline: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""


def benchmark(function: Callable[[], list[Result]]) -> Callable[[], list[Result]]:
    BENCHMARKS.append(function)
    return function


def percentile(samples: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the samples fall (nearest-rank)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(function: Callable[[], object], *, repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``function``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)
