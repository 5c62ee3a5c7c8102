"""One measured run in a fresh process, so its peak memory (maxrss) is its own: ``raw PATH`` or ``import PATH``.

Prints one JSON line: seconds, peak MB and, for an import, the counts. Used by ``bench/run.py``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# Run as a script: the repository root on the path, for ``bench``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import setup_django  # noqa: E402 (after the path is set)


def main(mode: str, path: str, workdir: str) -> None:
    if mode == "raw":
        import python_calamine

        started = time.perf_counter()
        rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        seconds = time.perf_counter() - started
        result = {"rows": len(rows)}
    else:
        setup_django(Path(workdir))
        from evaluations.imports import importer

        started = time.perf_counter()
        data = Path(path).read_bytes()
        plan = importer.plan_import(data, Path(path).name)
        planned = time.perf_counter() - started
        result = importer.apply_plan(plan)
        seconds = time.perf_counter() - started
        result["validate_seconds"] = round(planned, 2)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), **result}))


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own memory map; ru_maxrss
    would also count the parent's peak, which Linux carries across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(*sys.argv[1:4])
