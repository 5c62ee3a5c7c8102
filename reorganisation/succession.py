"""What old units became (``SuccessionMap``), loaded once and answered from memory."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models
from django.utils.translation import gettext as _

from evaluations.calendar import day_label
from evaluations.models import AdministrativeUnit, UnitSuccession

from .models import ReorganisationStatus, ReorganisationStep, UnitLink


class NoUnitOn(Exception):
    """No single unit in force on the date stands for the unit asked about; ``args[0]`` says why (in Vietnamese)
    and names the successors or the date to write instead."""


class SuccessionMap:
    """What old units became, loaded once (three queries) and answered from memory: the one place that maps
    old units onto later ones, for today (``current_unit_map``) or for any date (``unit_on``).

    - ``default``: old unit id -> the unit it maps onto: the link recorded by an applied reorganisation
      (villages -> their re-created copy, communes -> their (default) new commune, ...), else the official
      default successor (``UnitSuccession``);
    - ``successors``: old unit id -> every unit it went into (official successions and the steps of applied
      reorganisations); several for a divided unit;
    - ``predecessors``: the reverse of ``default``.
    """

    def __init__(self):
        self.default: dict[int, int] = {}
        #: old unit id -> the applied reorganisation that linked it (its review list takes divided units' rows)
        self.reorganisation_of: dict[int, int] = {}
        self.effective_date: dict[int, datetime.date] = {}
        for old_id, new_id, reorg_id, date in (
            UnitLink.objects.filter(reorganisation__status=ReorganisationStatus.APPLIED)
            .order_by("reorganisation__effective_date", "pk")
            .values_list("old_unit_id", "new_unit_id", "reorganisation_id", "reorganisation__effective_date")
        ):
            self.default[old_id] = new_id
            self.reorganisation_of[old_id] = reorg_id
            self.effective_date[old_id] = date
        self.successors: dict[int, list[int]] = defaultdict(list)
        self._marked_default: set[int] = set()
        official = UnitSuccession.objects.values_list("old_unit_id", "new_unit_id", "is_default", "effective_date")
        steps = (
            ReorganisationStep.objects.filter(reorganisation__status=ReorganisationStatus.APPLIED)
            .exclude(old_unit_id=models.F("new_unit_id"))  # a unit that continues has no successor
            .values_list("old_unit_id", "new_unit_id", "is_default", "reorganisation__effective_date")
        )
        for rows in (official, steps):
            for old_id, new_id, is_default, date in rows:
                if new_id not in self.successors[old_id]:
                    self.successors[old_id].append(new_id)
                if is_default:
                    self._marked_default.add(old_id)
                    self.default.setdefault(old_id, new_id)
                self.effective_date.setdefault(old_id, date)
        self.predecessors: dict[int, list[int]] = defaultdict(list)
        for old_id, new_id in self.default.items():
            self.predecessors[new_id].append(old_id)

    def successors_of(self, unit_id: int) -> list[int]:
        """Every unit ``unit_id`` went into (its link's unit for a re-created village)."""
        found = self.successors.get(unit_id)
        if found:
            return found
        return [self.default[unit_id]] if unit_id in self.default else []

    def is_divided(self, unit_id: int) -> bool:
        return len(self.successors_of(unit_id)) > 1

    def default_of(self, unit_id: int) -> int | None:
        """The unit ``unit_id`` maps onto; None when it went into several and none is the default."""
        if self.is_divided(unit_id) and unit_id not in self._marked_default:
            return None
        return self.default.get(unit_id)

    def follow(self, unit_id: int) -> int:
        """Where ``unit_id`` maps onto after every recorded reorganisation (itself when it has no successor)."""
        seen = {unit_id}
        while unit_id in self.default and self.default[unit_id] not in seen:  # later reorganisations move it again
            unit_id = self.default[unit_id]
            seen.add(unit_id)
        return unit_id

    def unit_on(self, unit: AdministrativeUnit, on: datetime.date, units) -> AdministrativeUnit:
        """``unit`` or, when it is not in force on ``on``, the unit in force then that stands for it: its
        successor (through later reorganisations) when it has ended, its only predecessor when it did not
        exist yet. ``units``: id -> unit, holding the units reached. Raises ``NoUnitOn`` (with a message
        naming the successors) when there is no single such unit."""
        seen = set()
        while not unit.is_current(on):
            seen.add(unit.pk)
            if unit.has_ended(on):
                successors = sorted((units[pk] for pk in self.successors_of(unit.pk) if pk in units), key=str)
                default = self.default_of(unit.pk)
                if not successors:
                    raise NoUnitOn(
                        _("%(unit)s ended on %(date)s and no unit is recorded as its successor.")
                        % {"unit": unit.name, "date": day_label(unit.valid_to)}
                    )
                if default is None or default not in units:
                    raise NoUnitOn(
                        _("%(unit)s was reorganised into %(successors)s from %(date)s; write the new commune or ward.")
                        % {
                            "unit": unit.name,
                            "successors": ", ".join(u.name for u in successors),
                            "date": day_label(unit.valid_to + datetime.timedelta(days=1)),
                        }
                    )
                unit = units[default]
            else:
                earlier = [units[pk] for pk in self.predecessors.get(unit.pk, ()) if pk in units]
                if len(earlier) != 1:
                    raise NoUnitOn(
                        _(
                            "%(unit)s did not exist on %(date)s (it exists from %(start)s); "
                            "write the unit of that time."
                        )
                        % {"unit": unit.name, "date": day_label(on), "start": day_label(unit.valid_from)}
                    )
                unit = earlier[0]
            if unit.pk in seen:
                raise NoUnitOn(_("The successions of %(unit)s go round in a circle.") % {"unit": unit.name})
        return unit
