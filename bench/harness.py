"""What every bench step shares: the run's context and table rows, Django set up on a scratch database,
and timing helpers. Imports nothing of the site at module level (Django is set up here first)."""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 15
YEAR = 2024


@dataclass
class Context:
    quick: bool
    workdir: Path
    data: dict = field(default_factory=dict)


@dataclass
class Row:
    name: str
    value: str
    note: str = ""
    #: The goal this figure is judged against ("<= 3 x", "< 150 ms"), and whether it held in this run.
    goal: str = ""
    holds: bool | None = None


def goal_row(name: str, value: float, *, unit: str, at_most: float, note: str = "", digits: int = 1) -> Row:
    """A figure with its goal: ``value`` (in ``unit``) must be at most ``at_most``."""
    return Row(
        name,
        f"{value:,.{digits}f} {unit}",
        note,
        goal=f"<= {at_most:,g} {unit}",
        holds=value <= at_most,
    )


def setup_django(workdir: Path) -> None:
    # The settings read these at import time, so they must be set before django.setup().
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(workdir / "private")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    for path in (ROOT / "site", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()
    from django.conf import settings

    # Measure what production does: no query log kept per request.
    settings.DEBUG = False
    # The scratch run has no collected static files; that warning is noise here.
    warnings.filterwarnings("ignore", message="No directory at")


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def median_ms(fn: Callable, repeats: int = REPEATS) -> float:
    fn()  # warm caches (templates, query plans) before measuring
    samples = [timed(fn)[0] for _ in range(repeats)]
    return statistics.median(samples) * 1000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())
