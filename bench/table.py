"""The final table of figures, with each goal and whether it held."""

from __future__ import annotations

from bench.harness import Row


def goal_cell(row: Row) -> str:
    if not row.goal:
        return ""
    verdict = "" if row.holds is None else ("holds" if row.holds else "MISSED")
    return f"goal {row.goal} {verdict}".rstrip()


def print_table(rows: list[Row]) -> None:
    width_name = max(len(r.name) for r in rows)
    width_value = max(len(r.value) for r in rows)
    width_goal = max((len(goal_cell(r)) for r in rows), default=0)
    rule = "-" * (width_name + width_value + width_goal + 40)
    print(rule)
    for r in rows:
        print(f"{r.name:<{width_name}}  {r.value:>{width_value}}  {goal_cell(r):<{width_goal}}  {r.note}".rstrip())
    print(rule)
    judged = [r for r in rows if r.holds is not None]
    if judged:
        missed = [r.name.strip() for r in judged if not r.holds]
        print(
            f"goals: {len(judged) - len(missed)} of {len(judged)} held"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
