"""The final table of figures, with each goal and whether it held, and the load each was measured under;
for a run on both engines, their figures side by side."""

from __future__ import annotations

from bench.harness import Row


def verdict(row: Row) -> str:
    return "" if row.holds is None else ("holds" if row.holds else "MISSED")


def goal_cell(row: Row) -> str:
    if not row.goal:
        return ""
    return f"goal {row.goal} {verdict(row)}".rstrip()


def load_cell(row: Row) -> str:
    return f"load {row.load}" if row.load else ""


def print_rows(cells: list[list[str]], right: set[int]) -> None:
    """``cells`` as aligned columns (those in ``right`` aligned right) between two rules."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    rule = "-" * min(160, sum(widths[:-1]) + 2 * len(widths) + 30)
    print(rule)
    for row in cells:
        parts = [
            cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(parts).rstrip())
    print(rule)


def goals_line(label: str, rows: list[Row]) -> str | None:
    judged = [r for r in rows if r.holds is not None]
    if not judged:
        return None
    missed = [r.name.strip() for r in judged if not r.holds]
    return f"goals{label}: {len(judged) - len(missed)} of {len(judged)} held" + (
        f"; missed: {', '.join(missed)}" if missed else ""
    )


def print_table(rows: list[Row]) -> None:
    print_rows([[r.name, r.value, goal_cell(r), load_cell(r), r.note] for r in rows], right={1})
    line = goals_line("", rows)
    if line:
        print(line)


def keyed(rows: list[Row]) -> list[tuple[tuple[str, int], Row]]:
    """Each row with a key that tells apart rows of the same name (the n-th row so named)."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        seen[row.name] = seen.get(row.name, 0) + 1
        out.append(((row.name, seen[row.name]), row))
    return out


def merge_keys(columns: list[list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """One order for the rows of every engine: the first engine's, each row only another engine printed
    placed after the row it followed there (a step that failed on one engine leaves its rows out)."""
    merged: list[tuple[str, int]] = []
    for keys in columns:
        previous = None
        for key in keys:
            if key not in merged:
                merged.insert(merged.index(previous) + 1 if previous is not None else len(merged), key)
            previous = key
    return merged


def print_side_by_side(results: dict[str, list[Row]]) -> None:
    """``results``: engine label -> its rows. One line per figure: name | each engine's value and load |
    the goal and, per engine, whether it held | the first engine's note (each engine's where they differ)."""
    labels = list(results)
    by_engine = {label: dict(keyed(rows)) for label, rows in results.items()}
    order = merge_keys([[key for key, _ in keyed(rows)] for rows in results.values()])
    header = ["", *(part for label in labels for part in (label, "load")), "goal", "note"]
    cells = [header]
    for key in order:
        found = {label: by_engine[label].get(key) for label in labels}
        present = [row for row in found.values() if row is not None]
        line = [key[0]]
        for label in labels:
            row = found[label]
            line += [row.value if row else "-", row.load if row else ""]
        goal = next((row.goal for row in present if row.goal), "")
        verdicts = [f"{label} {verdict(row)}" for label, row in found.items() if row is not None and verdict(row)]
        line.append(f"{goal}: {', '.join(verdicts)}" if goal and verdicts else goal)
        notes = list(dict.fromkeys(row.note for row in present if row.note))
        if len(notes) > 1:
            notes = [f"{label}: {row.note}" for label, row in found.items() if row is not None and row.note]
        line.append(" | ".join(notes))
        cells.append(line)
    print_rows(cells, right={1 + 2 * i for i in range(len(labels))})
    for label, rows in results.items():
        line = goals_line(f" on {label}", rows)
        if line:
            print(line)
