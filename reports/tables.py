"""The report's tables: one per indicator (each child area, what is attached to the area itself, the total)
and the funding table. The live roll-up report and a submission's frozen snapshot build them here and render
them with the same template (``reports/admin/_report_tables.html``), so a snapshot reads like the report.
"""

from __future__ import annotations

from decimal import Decimal

from evaluations.models.units import ancestor_paths

from .models import Indicator
from .rollup import BUDGET_SOURCES, INDICATORS, Budget, Figures, Node, Rollup


def report_sections(root: Node, year: int) -> list[dict]:
    """Per indicator: its label, the rows (child node, figures), the figures attached to ``root`` itself
    (``None`` when there are none to show), the total and the grades that occur."""
    sections = []
    for indicator in INDICATORS:
        total = root.figures[year][indicator]
        rows = [(child, child.figures[year][indicator]) for child in root.children]
        own = root.own[year][indicator]
        grades = sorted({grade for figures in [total, *(fig for _c, fig in rows)] for grade in figures.by_grade})
        sections.append(
            {
                "indicator": indicator,
                "label": Indicator(indicator).label,
                "total": total,
                "rows": rows,
                "own": own if (own.evaluated or own.registered_counted) and root.children else None,
                "grades": grades,
            }
        )
    return sections


def report_budget(root: Node, year: int) -> list[tuple[str, Budget]]:
    """(source, planned and spent) of ``root``'s subtree, in the order of the sources."""
    return list(root.budget[year].items())


def _figures(data: dict) -> Figures:
    figures = Figures(
        registered_counted=int(data.get("registered_counted") or 0),
        evaluated=int(data.get("evaluated") or 0),
        recognised=int(data.get("recognised") or 0),
        by_grade={grade: int(n) for grade, n in (data.get("by_grade") or {}).items()},
        by_level={int(level): int(n) for level, n in (data.get("by_level") or {}).items()},
        entered=data.get("entered"),
    )
    figures.registered = int(data.get("registered") or 0)
    target = data.get("target")
    figures.target = Decimal(str(target)) if target not in (None, "") else None
    return figures


def _own(total: Figures, children: list[Figures]) -> Figures:
    """What is attached to a unit itself: its subtree's counts less its children's (every count adds up)."""
    own = Figures(
        registered_counted=total.registered_counted - sum(c.registered_counted for c in children),
        evaluated=total.evaluated - sum(c.evaluated for c in children),
        recognised=total.recognised - sum(c.recognised for c in children),
    )
    for grade, n in total.by_grade.items():
        rest = n - sum(c.by_grade.get(grade, 0) for c in children)
        if rest:
            own.by_grade[grade] = rest
    own.registered = own.registered_counted
    own.target = total.target
    return own


def snapshot_rollup(snapshot: dict) -> Rollup:
    """The roll-up a submission froze (:func:`reports.rollup.snapshot`), rebuilt as nodes so that it renders
    with the live report's tables. Figures are read as stored, never recomputed from today's data; keys
    missing from a snapshot read as zero."""
    year = int(snapshot["year"])
    areas = snapshot.get("areas") or []
    nodes: dict[str, Node] = {}
    for area in areas:
        node = Node(
            id=None,
            path=area["path"],
            name=area.get("name", ""),
            code=area.get("code"),
            level=area.get("level", ""),
            depth=area.get("depth", 0),
        )
        stored = area.get("figures") or {}
        node.figures = {year: {ind: _figures(stored.get(ind) or {}) for ind in INDICATORS}}
        budget = area.get("budget") or {}
        node.budget = {
            year: {
                source: Budget(
                    planned=Decimal(str((budget.get(source) or {}).get("planned") or 0)),
                    spent=Decimal(str((budget.get(source) or {}).get("spent") or 0)),
                )
                for source in BUDGET_SOURCES
            }
        }
        # The parent is the nearest stored ancestor (a snapshot lists its areas in tree order).
        parent = next((nodes[p] for p in reversed(ancestor_paths(node.path, include_self=False)) if p in nodes), None)
        if parent is not None:
            parent.children.append(node)
        nodes[node.path] = node
    for node in nodes.values():
        node.own = {
            year: {
                ind: _own(node.figures[year][ind], [child.figures[year][ind] for child in node.children])
                for ind in INDICATORS
            }
        }
    root = nodes[snapshot.get("root") or areas[0]["path"]]
    return Rollup(root=root, years=[year], nodes=nodes)
