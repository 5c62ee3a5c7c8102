"""Province-scale benchmark in a scratch SQLite database.

    .venv/bin/python bench/run.py           # 164,322 households, 5 years (a few minutes)
    .venv/bin/python bench/run.py --quick   # about 1/20 of that

Each benchmark is a function in ``STEPS``; a step gets the shared ``Context`` and returns rows for the
final table. Add a step by writing a function in the ``bench/step_*.py`` module of what it measures and
listing it there. The step modules import the site's models at their top: they are imported once Django
is set up (``harness.setup_django``), in ``main``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script: the repository root on the path, for ``bench``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Context, Row, setup_django  # noqa: E402 (after the path is set)
from bench.table import print_table  # noqa: E402


def steps() -> list[tuple[str, Callable[[Context], list[Row]]]]:
    """Named steps, run in order; each returns rows for the table."""
    # Imported here, not at the top: the step modules import models, which need Django set up first.
    from bench.step_data import step_generate, step_migrate
    from bench.step_exports import step_listing_export
    from bench.step_import import step_import
    from bench.step_listing import step_bulk_recognition, step_listing
    from bench.step_national import step_national_rollup, step_national_units
    from bench.step_reports import step_rollup, step_workbook
    from bench.step_search import step_public_list, step_search

    return [
        ("migrate", step_migrate),
        ("generate", step_generate),
        ("evaluation listing", step_listing),
        ("bulk recognition", step_bulk_recognition),
        ("import", step_import),
        ("roll-up", step_rollup),
        ("official workbook", step_workbook),
        ("listing export", step_listing_export),
        ("search", step_search),
        ("public recognition list", step_public_list),
        # Last: they move the provinces under a national root (every path changes).
        ("national units", step_national_units),
        ("national roll-up", step_national_rollup),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1/20 of the province")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print where it is")
    parser.add_argument("--only", nargs="*", help="run only these steps (migrate and generate always run)")
    parser.add_argument("--export-memory", type=int, help=argparse.SUPPRESS)  # child process of a step
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_memory:
        setup_django(Path(args.workdir))
        from bench.step_exports import export_memory  # after django.setup(), as in steps()

        export_memory(args.export_memory)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="khuyenhoc-bench-"))
    setup_django(workdir)
    ctx = Context(quick=args.quick, workdir=workdir)
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        for name, step in steps():
            if args.only and name not in args.only and name not in ("migrate", "generate"):
                continue
            print(f"[{time.perf_counter() - started:6.1f} s] {name}", flush=True)
            rows += step(ctx)
    finally:
        if args.keep:
            print(f"scratch folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        # Printed even when a step fails: what was measured before it is not lost.
        scale = "quick" if args.quick else "full scale"
        rows.append(Row("whole run", f"{time.perf_counter() - started:.1f} s", scale))
        print()
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
