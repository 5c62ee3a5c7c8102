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
    #: ``sqlite`` or ``postgresql`` (``bench.engines``).
    engine: str = "sqlite"
    #: ``--reuse``: the generated data set was restored from the kept copy (generate is skipped) ...
    restored: bool = False
    #: ... and this keeps a copy of the migrated, generated database for the next run (None without --reuse).
    save_snapshot: Callable[[], str] | None = None


@dataclass
class Row:
    name: str
    value: str
    note: str = ""
    #: The goal this figure is judged against ("<= 3 x", "< 150 ms"), and whether it held in this run.
    goal: str = ""
    holds: bool | None = None
    #: The machine's 1-minute load average at the start and end of the step that measured it (the runner
    #: fills it in): figures taken under load are slower, and the table says so beside each.
    load: str = ""


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
    """Django on the run's database: ``DATABASE_URL`` when set (``bench/run.py`` points it at the run's
    throwaway PostgreSQL database, or removes it for SQLite; child processes inherit it), else the SQLite
    file in ``workdir``."""
    # The settings read these at import time, so they must be set before django.setup().
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(workdir / "private")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    # The listing's admin GET is measured rendered, not answered again from the listing cache (``make load``
    # measures both).
    os.environ["ADMIN_LISTING_CACHE_SECONDS"] = "0"
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


#: No figure in the table rests on fewer runs than this.
MIN_REPEATS = 3


def median_ms(fn: Callable, repeats: int = REPEATS) -> float:
    fn()  # warm caches (templates, query plans) before measuring
    return median_seconds(fn, repeats) * 1000


def median_seconds(fn: Callable, repeats: int = MIN_REPEATS, *, before: Callable | None = None) -> float:
    """The median of ``repeats`` timed calls of ``fn`` (at least ``MIN_REPEATS``); ``before`` runs untimed
    ahead of each call (to put the database back in the state the call starts from)."""
    if repeats < MIN_REPEATS:
        raise ValueError(f"a figure is a median of at least {MIN_REPEATS} runs, not {repeats}")
    samples = []
    for _ in range(repeats):
        if before is not None:
            before()
        samples.append(timed(fn)[0])
    return statistics.median(samples)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def load_now() -> float:
    """The 1-minute load average (runnable processes; this machine has ``os.cpu_count()`` cores)."""
    return os.getloadavg()[0]


def load_span(before: float, after: float) -> str:
    """The load column of a step's rows: its 1-minute load average at the start and the end."""
    return f"{before:.1f}-{after:.1f}"


def peak_mb() -> float:
    """This process's peak resident memory in MB. VmHWM, not ru_maxrss: ru_maxrss survives exec and would
    report the parent's peak at fork time."""
    import resource

    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
