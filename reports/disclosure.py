"""Small cells: no published figure may point at a person.

The rule, in one function (:func:`suppressed_cells`), for every figure the public sees (today the
open-data API's ``/api/v1/figures/``):

1. **Counts of people** — the indicators ``citizen`` (learning citizens) and ``citizen_staff`` (unit
   staff holding the title) — **below the commune level** (villages and residential groups) are
   suppressed when any of registered, evaluated or recognised is between 1 and ``SMALL_CELL - 1`` (4):
   a "1" in a village is one named neighbour.
2. **No recovery by subtraction**: a commune's figure is published, so when only one village of a commune
   is suppressed for an indicator, the next smallest village of that commune is suppressed with it; the
   commune minus the published villages then gives only the sum of two hidden cells.

A suppressed figure is published as ``null`` (registered, evaluated, recognised, percent and target met)
with ``suppressed: true``; the target, which says nothing about anyone, stays. Communes and larger areas
are never suppressed. Counts of families, clans, communities and units are not counts of individuals and
are published as they are (the recognised ones are on the public lists anyway).
"""

from __future__ import annotations

from evaluations.models import UnitLevel
from evaluations.models.units import parent_path

from .models import Indicator
from .rollup import Rollup

#: Smallest count of people published below the commune level (smaller non-zero counts are suppressed).
SMALL_CELL = 5
#: Indicators that count individuals.
PEOPLE_INDICATORS = (Indicator.CITIZEN.value, Indicator.CITIZEN_STAFF.value)
#: Levels below the commune, where a small count can point at one household's member.
FINE_LEVELS = (UnitLevel.VILLAGE.value,)


def _counts(figures) -> tuple[int, int, int]:
    return (figures.registered, figures.evaluated, figures.recognised)


def suppressed_cells(result: Rollup, year: int) -> set[tuple[str, str]]:
    """(area path, indicator) of every figure of ``result`` for ``year`` that must not be published."""
    suppressed: set[tuple[str, str]] = set()
    #: (parent path, indicator) -> [(counts, path)] of the fine areas below that parent
    siblings: dict[tuple[str, str], list[tuple[tuple[int, int, int], str]]] = {}
    for node in result.walk():
        if node.level not in FINE_LEVELS:
            continue
        for indicator in PEOPLE_INDICATORS:
            counts = _counts(node.figures[year][indicator])
            siblings.setdefault((parent_path(node.path), indicator), []).append((counts, node.path))
            if any(0 < n < SMALL_CELL for n in counts):
                suppressed.add((node.path, indicator))
    for (_parent, indicator), cells in siblings.items():
        hidden = [path for _counts_, path in cells if (path, indicator) in suppressed]
        if len(hidden) == 1:
            others = sorted((counts, path) for counts, path in cells if (path, indicator) not in suppressed)
            if others:
                suppressed.add((others[0][1], indicator))
    return suppressed
