"""Turn the commune and village names written in a row into the administrative unit valid on the row's date.

Communes are matched on their folded name, with or without the type word ("Xã", "Phường", "TT."),
among the old Ninh Thuận communes and the new Khánh Hòa ones; the official old -> new mapping
(``UnitSuccession``, loaded from ``vietnamadminunits``) links them, so a village recorded under an
old commune is found from the new commune's name too, and the other way round. A name the folded
match misses goes to ``vietnamadminunits.parse_address``, whose answer is kept only when it names a
loaded commune closely enough. Village names are unique only within a commune.

Every name lands on the unit in force on the row's date (today for a register, the evaluation date of
its year for results): a name shared by an old and a new commune is the one in force then; an old name
goes on to its successor through the successions of the reorganisations (``SuccessionMap``: a village
to its re-created copy, a commune to its (default) new commune), so the rows of one village all land
on one unit. A row that reaches a divided unit without saying which part it is in lands on the unit
the reorganisation put its villages in and carries a ``Review`` (the import puts it on the review list).
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reorganisation.succession import NoUnitOn, SuccessionMap

from ..models import AdministrativeUnit, UnitLevel, UnitSuccession
from ..models.units import ancestor_paths, in_subtrees, outermost, path_within, provinces_by_path
from ..text import fold_key, fold_words

#: A village re-created by a reorganisation may carry its former commune in brackets.
FORMER_COMMUNE = re.compile(r"\s*\([^()]*\)\s*$")
COMMUNE_PREFIXES = ("thitran", "phuong", "dackhu", "xa", "tt", "p", "x")
VILLAGE_PREFIXES = ("todanpho", "khupho", "thon", "buon", "tdp", "kp")
DISTRICT_PREFIXES = ("thanhpho", "thixa", "huyen", "quan", "tp", "h")


def exact(text: str) -> str:
    """Lower case with diacritics kept: tells "Thành Hải" from "Thanh Hải" when folding cannot."""
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


#: The type word written before a commune's name, in full or abbreviated ("X. Phước Hải", "P.Đông Hải").
_WRITTEN_TYPE = re.compile(r"(xa|x|phuong|p|thi tran|tt|dac khu)[\s.]")
_TYPES = {"x": "xa", "p": "phuong", "tt": "thitran", "thi tran": "thitran", "dac khu": "dackhu"}


def written_type(name: str) -> str:
    """The folded type of commune written before the name (``"xa"`` for "X. Phuoc Hai"), or ``""``."""
    match = _WRITTEN_TYPE.match(fold_words(name))
    return _TYPES.get(match.group(1), match.group(1)) if match else ""


def strip_prefix(folded: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        rest = folded[len(prefix) :]
        if folded.startswith(prefix) and rest:
            return rest
    return folded


class ResolveError(Exception):
    """The name does not resolve; ``args[0]`` is the message in Vietnamese, ``field`` the column at fault."""

    def __init__(self, message: str, field: str = "commune"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Review:
    """A row of a divided unit that the row cannot place: it lands on ``proposed_unit`` (the part the
    reorganisation put the unit's villages in) and goes on the reorganisation's review list."""

    old_unit: AdministrativeUnit
    proposed_unit: AdministrativeUnit
    successors: tuple[AdministrativeUnit, ...]
    #: The applied reorganisation that linked the old unit; None: the official one (made when writing).
    reorganisation_id: int | None
    effective_date: datetime.date | None

    @property
    def message(self) -> str:
        return _(
            "%(old)s was divided between %(successors)s: the row goes to %(unit)s and on the list of subjects "
            "to review (Administrative reorganisation), where an officer confirms it or chooses the other part."
        ) % {
            "old": self.old_unit.dated_name,
            "successors": ", ".join(u.name for u in self.successors),
            "unit": self.proposed_unit.name,
        }


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a row lands: a unit in force on the row's date, and the review it needs, if any."""

    unit: AdministrativeUnit
    review: Review | None = None


def lookup_paths(reach: list[str] | None) -> list[str] | None:
    """The subtrees a list's names are looked up in, for an officer reaching ``reach``: the provinces of
    their area with the units that went into them (a list may name the communes of a province merged in
    2025), rather than every unit of a national database; ``None`` (everywhere) for ``reach`` None."""
    if reach is None:
        return None
    from ..access import unit_reach_paths  # cycle: access imports the models this module does

    provinces = provinces_by_path(reach)
    paths = [path for province in set(provinces.values()) for path in unit_reach_paths(province)]
    # A reach above the provinces (a national root) or outside any: its own subtree.
    return outermost([*paths, *(path for path in reach if path not in provinces)])


class UnitResolver:
    """Loads the communes, villages and successions once and answers lookups from memory (164k rows,
    no queries each)."""

    def __init__(self, *, successions: SuccessionMap | None = None, reach: list[str] | None = None):
        self.successions = successions or SuccessionMap()
        #: Tree paths the importing officer reaches (``access.user_area_paths``; None: everywhere): a name
        #: shared with a commune elsewhere in the province means the one in the officer's own area.
        self.reach = reach
        units = AdministrativeUnit.objects.all()
        paths = lookup_paths(reach)
        if paths is not None:
            units = units.filter(in_subtrees(paths, field=None))
        communes = list(units.filter(level=UnitLevel.COMMUNE))
        villages = list(units.filter(level=UnitLevel.VILLAGE))
        self.units: dict[int, AdministrativeUnit] = {u.pk: u for u in (*communes, *villages)}
        districts = {u.path: u for u in units.filter(level=UnitLevel.DISTRICT)}
        commune_by_path = {u.path: u for u in communes}
        self.by_name: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        self.by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        self.district_of: dict[int, str] = {}
        for unit in communes:
            for name in {
                fold_key(unit.name),
                strip_prefix(fold_key(unit.name), COMMUNE_PREFIXES),
                fold_key(unit.short_name),
            }:
                if name:
                    self.by_name[name].append(unit)
            if unit.code:
                self.by_code[unit.code].append(unit)
            # By level, never by depth: the nearest ancestor that is a district, if any.
            district = next(
                (districts[p] for p in reversed(ancestor_paths(unit.path, include_self=False)) if p in districts),
                None,
            )
            if district is not None:
                self.district_of[unit.pk] = strip_prefix(fold_key(district.name), DISTRICT_PREFIXES)
        self.related: dict[int, set[int]] = defaultdict(set)
        for old_id, new_id in UnitSuccession.objects.values_list("old_unit_id", "new_unit_id"):
            self.related[old_id].add(new_id)
            self.related[new_id].add(old_id)
        #: village id -> the id of its commune (its nearest ancestor of level commune)
        self.commune_of: dict[int, int] = {}
        self.villages: dict[tuple[int, str], list[AdministrativeUnit]] = defaultdict(list)
        for village in villages:
            commune = next(
                (
                    commune_by_path[p]
                    for p in reversed(ancestor_paths(village.path, include_self=False))
                    if p in commune_by_path
                ),
                None,
            )
            if commune is None:
                continue
            self.commune_of[village.pk] = commune.pk
            # "Khu phố 1 (Phủ Hà)" (a copy named after its former commune) is found as "Khu phố 1" too.
            base = FORMER_COMMUNE.sub("", village.name)
            for written in {village.name, base}:
                for name in {fold_key(written), strip_prefix(fold_key(written), VILLAGE_PREFIXES)}:
                    self.villages[(commune.pk, name)].append(village)
        self._places: dict[tuple, Placement | ResolveError] = {}
        self._scopes: dict[int, tuple[int, ...]] = {}

    # the whole row ----------------------------------------------------------------------------------

    def place(
        self,
        commune: str | AdministrativeUnit,
        village: str | None,
        on: datetime.date,
        district: str = "",
    ) -> Placement:
        """Where a row naming ``commune`` (a name, or the unit chosen for the whole file) and ``village``
        (None for a row of a commune-level kind) lands on ``on``; raises ``ResolveError``."""
        key = (commune if isinstance(commune, str) else commune.pk, district, village, on)
        found = self._places.get(key)
        if found is None:
            try:
                found = self._place(commune, village, on, district)
            except ResolveError as error:
                found = error
            self._places[key] = found
        if isinstance(found, ResolveError):
            raise found
        return found

    def _place(self, commune, village, on, district) -> Placement:
        if isinstance(commune, str):
            candidates = self._commune_candidates(commune, district)
            written = commune
        else:
            candidates, written = [commune], commune.name
        if village is None:
            unit = self._commune_on(candidates, on, written)
            return Placement(unit, self._review(candidates, unit, on))
        if len(candidates) > 1:
            self._commune_on(candidates, on, written)  # the name must stand for one place on the date
        unit = self._village_on(candidates, village, on)
        return Placement(unit, self._review(candidates, unit, on))

    # communes -----------------------------------------------------------------------------------

    def _commune_candidates(self, name: str, district: str) -> list[AdministrativeUnit]:
        """The communes ``name`` can mean (old and new alike), narrowed by the tone marks and the district."""
        folded = fold_key(name)
        candidates = self.by_name.get(folded) or self.by_name.get(strip_prefix(folded, COMMUNE_PREFIXES)) or []
        if not candidates:
            candidates = self._parse_address(name, district)
        if not candidates:
            raise ResolveError(_("Commune “%(name)s” was not found.") % {"name": name})
        if len(candidates) > 1:
            # Folding joins names that differ only by tone marks; the name as written tells them apart.
            written = exact(name)
            same = [c for c in candidates if written in (exact(c.name), exact(c.short_name))]
            candidates = same or candidates
        if len(candidates) > 1 and written_type(name):
            # "X. Phuoc Hai" is the commune, not the ward of the same name in the other former province.
            typed = [c for c in candidates if fold_key(c.unit_type) == written_type(name)]
            candidates = typed or candidates
        if len(candidates) > 1 and self.reach is not None:
            mine = [c for c in candidates if path_within(c.path, self.reach)]
            candidates = mine or candidates
        if len(candidates) > 1 and district:
            wanted = strip_prefix(fold_key(district), DISTRICT_PREFIXES)
            narrowed = [c for c in candidates if self.district_of.get(c.pk) == wanted]
            candidates = narrowed or candidates
        return candidates

    def _commune_on(self, candidates: list[AdministrativeUnit], on: datetime.date, name: str) -> AdministrativeUnit:
        """The commune in force on ``on`` that the ``candidates`` stand for."""
        # An old commune and the new one that kept its name: the one in force on the date.
        current = [c for c in candidates if c.is_current(on)]
        if len(current) == 1:
            return current[0]
        if not current:
            # Only ended (or later) communes by that name: their successors on the date, if they agree.
            found: dict[int, AdministrativeUnit] = {}
            problems = []
            for candidate in candidates:
                try:
                    unit = self.unit_on(candidate, on)
                except ResolveError as error:
                    problems.append(error)
                else:
                    found[unit.pk] = unit
            if len(found) == 1 and not problems:
                return next(iter(found.values()))
            if problems and not found and len(candidates) == 1:
                raise problems[0]
        raise ResolveError(
            _("Several communes are called “%(name)s”; add the district (column “Huyện”).") % {"name": name}
        )

    def _parse_address(self, name: str, district: str) -> list[AdministrativeUnit]:
        # Loaded only for a name the folded match missed: its address data added 35 MB to the bench import's peak,
        # which an import whose names all match (the usual case) does not pay.
        from vietnamadminunits import parse_address

        wanted = strip_prefix(fold_key(name), COMMUNE_PREFIXES)
        found = []
        attempts = [(f"{name}, {district}, Ninh Thuận" if district else f"{name}, Ninh Thuận", "LEGACY", 3)]
        attempts.append((f"{name}, Khánh Hòa", "FROM_2025", 2))
        for address, mode, level in attempts:
            try:
                unit = parse_address(address, mode=mode, level=level)
            except Exception:  # noqa: S112 (the parser raises on what it cannot read; try the next form)
                continue
            code = getattr(unit, "ward_code", None)
            short = fold_key(getattr(unit, "short_ward", "") or "")
            # The parser guesses; accept its answer only when it is the same name spelled another way.
            if code and short and difflib.SequenceMatcher(None, short, wanted).ratio() >= 0.85:
                found += [u for u in self.by_code.get(code, []) if fold_key(u.short_name) == short]
        return list({u.pk: u for u in found}.values())

    # villages -----------------------------------------------------------------------------------

    def _village_on(self, candidates: list[AdministrativeUnit], name: str, on: datetime.date) -> AdministrativeUnit:
        folded = fold_key(name)
        stripped = strip_prefix(folded, VILLAGE_PREFIXES)
        # The communes the name stands for (and those of the same name, old or new) are searched first,
        # then those whose name folds alike, then the official predecessors and successors (villages may be
        # recorded under either tree).
        written_names = {exact(c.name) for c in candidates}
        alike = {u.pk: u for c in candidates for u in self.by_name[fold_key(c.name)]}
        own = {c.pk for c in candidates} | {pk for pk, u in alike.items() if exact(u.name) in written_names}
        folded_alike = set(alike) - own
        related = {r for c in own | folded_alike for r in self.related.get(c, ())} - own - folded_alike
        label = candidates[0].name
        for communes in (sorted(own), sorted(folded_alike), sorted(related)):
            # A village and its re-created copy are one place: each stands for the village in force on the date.
            in_force: dict[int, AdministrativeUnit] = {}
            per_commune: dict[int, set[int]] = {}
            problems = []
            for commune_id in communes:
                for key in (folded, stripped):
                    for village in self.villages.get((commune_id, key), []):
                        try:
                            unit = self.unit_on(village, on)
                        except ResolveError as error:
                            problems.append(error)
                        else:
                            in_force[unit.pk] = unit
                            per_commune.setdefault(commune_id, set()).add(unit.pk)
            if len(in_force) == 1:
                return next(iter(in_force.values()))
            if len(in_force) > 1:
                # A new commune made of several old ones can hold two villages of one name; the old commune
                # of the name written holds one: the communes where the name is unique, if they agree.
                unique = {next(iter(ids)) for ids in per_commune.values() if len(ids) == 1}
                if len(unique) == 1:
                    return in_force[unique.pop()]
                written = exact(name)
                for matches in (
                    [v for v in in_force.values() if exact(v.name) == written],
                    [v for v in in_force.values() if fold_key(v.name) == folded],
                ):
                    if len(matches) == 1:
                        return matches[0]
                names = ", ".join(sorted(v.name for v in in_force.values()))
                raise ResolveError(
                    _(
                        "Several villages called “%(name)s” belong to %(commune)s (%(names)s); write the full "
                        "name, or the former commune with the village's name."
                    )
                    % {"name": name, "commune": label, "names": names},
                    "village",
                )
            if problems:
                raise problems[0]
        raise ResolveError(
            _("Village “%(name)s” was not found in %(commune)s. Add it under Reference data first.")
            % {"name": name, "commune": label},
            "village",
        )

    # dates and successions ------------------------------------------------------------------------

    def unit_on(self, unit: AdministrativeUnit, on: datetime.date) -> AdministrativeUnit:
        """``unit`` or the unit in force on ``on`` that stands for it (``SuccessionMap.unit_on``)."""
        try:
            return self.successions.unit_on(unit, on, self.units)
        except NoUnitOn as error:
            field = "village" if unit.level == UnitLevel.VILLAGE else "commune"
            raise ResolveError(str(error.args[0]), field) from None

    def _review(self, candidates: list[AdministrativeUnit], unit: AdministrativeUnit, on: datetime.date):
        """The review a row needs when it reaches a divided unit without saying which part it is in: its
        written commune can be the divided old one (the name is the old one's, or shared by it), or it
        lands in a village re-created from a divided commune's village, outside the commune it wrote."""
        succession = self.successions
        commune_id = unit.pk if unit.level == UnitLevel.COMMUNE else self.commune_of.get(unit.pk)
        divided = [
            c
            for c in candidates
            if c.has_ended(on) and succession.is_divided(c.pk) and commune_id in succession.successors_of(c.pk)
        ]
        if not divided and unit.level == UnitLevel.VILLAGE and commune_id not in {c.pk for c in candidates}:
            for earlier in succession.predecessors.get(unit.pk, ()):
                old_commune = self.units.get(self.commune_of.get(earlier))
                if old_commune is not None and old_commune.has_ended(on) and succession.is_divided(old_commune.pk):
                    divided.append(old_commune)
        if not divided:
            return None
        old = divided[0]
        successors = sorted(
            (self.units[pk] for pk in succession.successors_of(old.pk) if pk in self.units), key=lambda u: u.name
        )
        return Review(
            old_unit=old,
            proposed_unit=self.units[commune_id],
            successors=tuple(successors),
            reorganisation_id=succession.reorganisation_of.get(old.pk),
            effective_date=succession.effective_date.get(old.pk),
        )

    def scope(self, unit: AdministrativeUnit, review: Review | None = None) -> tuple[int, ...]:
        """The units where a subject of a row landing on ``unit`` may be stored now: ``unit``, the old units
        that map onto it (a subject left on an old village), and for a divided unit, the same place in its
        other parts (a subject an officer moved there from the review list)."""
        key = unit.pk if review is None else (unit.pk, review.old_unit.pk)
        found = self._scopes.get(key)
        if found is not None:
            return found
        ids = [unit.pk]
        if review is not None:
            others = [s for s in review.successors if s.pk != review.proposed_unit.pk]
            if unit.level == UnitLevel.COMMUNE:
                ids += [s.pk for s in others]
            else:
                for key_name in {fold_key(unit.name), strip_prefix(fold_key(unit.name), VILLAGE_PREFIXES)}:
                    ids += [v.pk for s in others for v in self.villages.get((s.pk, key_name), [])]
        pending = list(ids)
        while pending:  # the old units mapping onto these, through every earlier reorganisation
            for earlier in self.successions.predecessors.get(pending.pop(), ()):
                if earlier not in ids:
                    ids.append(earlier)
                    pending.append(earlier)
        found = self._scopes[key] = tuple(dict.fromkeys(ids))
        return found
