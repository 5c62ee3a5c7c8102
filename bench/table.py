"""The final table of figures."""

from __future__ import annotations

from bench.harness import Row


def print_table(rows: list[Row]) -> None:
    width_name = max(len(r.name) for r in rows)
    width_value = max(len(r.value) for r in rows)
    rule = "-" * (width_name + width_value + 40)
    print(rule)
    for r in rows:
        print(f"{r.name:<{width_name}}  {r.value:>{width_value}}  {r.note}")
    print(rule)
