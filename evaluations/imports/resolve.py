"""Turn the commune and village names written in a row into administrative units.

Communes are matched on their folded name, with or without the type word ("Xã", "Phường", "TT."),
among the old Ninh Thuận communes and the new Khánh Hòa ones; the official old -> new mapping
(``UnitSuccession``, loaded from ``vietnamadminunits``) links them, so a village recorded under an
old commune is found from the new commune's name too, and the other way round. A name the folded
match misses goes to ``vietnamadminunits.parse_address``, whose answer is kept only when it names a
loaded commune closely enough. Village names are unique only within a commune.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from ..models import AdministrativeUnit, UnitLevel, UnitSuccession
from ..text import fold, fold_words

COMMUNE_PREFIXES = ("thitran", "phuong", "dackhu", "xa", "tt", "p", "x")
VILLAGE_PREFIXES = ("todanpho", "khupho", "thon", "buon", "tdp", "kp")
DISTRICT_PREFIXES = ("thanhpho", "thixa", "huyen", "quan", "tp", "h")


def plain(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


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
    """The name does not resolve; ``args[0]`` is the message in Vietnamese."""


class UnitResolver:
    """Loads the communes and villages once and answers lookups from memory (164k rows, no queries each)."""

    def __init__(self, scope: AdministrativeUnit | None = None):
        communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        self.communes = {u.pk: u for u in communes}
        districts = {u.path: u for u in AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT)}
        self.by_name: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        self.by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        self.district_of: dict[int, str] = {}
        for unit in self.communes.values():
            for name in {plain(unit.name), strip_prefix(plain(unit.name), COMMUNE_PREFIXES), plain(unit.short_name)}:
                if name:
                    self.by_name[name].append(unit)
            if unit.code:
                self.by_code[unit.code].append(unit)
            # A commune sits right under its district (before 2025) or its province: its parent, at any depth.
            district = districts.get(unit.path[: -unit.steplen])
            if district is not None:
                self.district_of[unit.pk] = strip_prefix(plain(district.name), DISTRICT_PREFIXES)
        self.related: dict[int, set[int]] = defaultdict(set)
        for old_id, new_id in UnitSuccession.objects.values_list("old_unit_id", "new_unit_id"):
            self.related[old_id].add(new_id)
            self.related[new_id].add(old_id)
        self.villages: dict[tuple[int, str], list[AdministrativeUnit]] = defaultdict(list)
        path_to_commune = {u.path: u.pk for u in self.communes.values()}
        for village in AdministrativeUnit.objects.filter(level=UnitLevel.VILLAGE):
            commune_id = path_to_commune.get(village.path[: village.steplen * (village.depth - 1)])
            if commune_id is None:
                continue
            for name in {plain(village.name), strip_prefix(plain(village.name), VILLAGE_PREFIXES)}:
                self.villages[(commune_id, name)].append(village)
        self._commune_cache: dict[tuple[str, str], AdministrativeUnit] = {}
        self._village_cache: dict[tuple[int, str], AdministrativeUnit] = {}

    # communes -----------------------------------------------------------------------------------

    def commune(self, name: str, district: str = "") -> AdministrativeUnit:
        cache_key = (name, district)
        found = self._commune_cache.get(cache_key)
        if found is None:
            found = self._commune_cache[cache_key] = self._find_commune(name, district)
        return found

    def _find_commune(self, name: str, district: str) -> AdministrativeUnit:
        folded = plain(name)
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
            typed = [c for c in candidates if plain(c.unit_type) == written_type(name)]
            candidates = typed or candidates
        if len(candidates) > 1 and district:
            wanted = strip_prefix(plain(district), DISTRICT_PREFIXES)
            narrowed = [c for c in candidates if self.district_of.get(c.pk) == wanted]
            candidates = narrowed or candidates
        if len(candidates) > 1:
            # An old commune and the new commune that kept its name are one place: prefer the one in force.
            current = [c for c in candidates if c.valid_to is None]
            if len(current) == 1:
                return current[0]
            raise ResolveError(
                _("Several communes are called “%(name)s”; add the district (column “Huyện”).") % {"name": name}
            )
        return candidates[0]

    def _parse_address(self, name: str, district: str) -> list[AdministrativeUnit]:
        from vietnamadminunits import parse_address

        wanted = strip_prefix(plain(name), COMMUNE_PREFIXES)
        found = []
        attempts = [(f"{name}, {district}, Ninh Thuận" if district else f"{name}, Ninh Thuận", "LEGACY", 3)]
        attempts.append((f"{name}, Khánh Hòa", "FROM_2025", 2))
        for address, mode, level in attempts:
            try:
                unit = parse_address(address, mode=mode, level=level)
            except Exception:  # noqa: S112 (the parser raises on what it cannot read; try the next form)
                continue
            code = getattr(unit, "ward_code", None)
            short = plain(getattr(unit, "short_ward", "") or "")
            # The parser guesses; accept its answer only when it is the same name spelled another way.
            if code and short and difflib.SequenceMatcher(None, short, wanted).ratio() >= 0.85:
                found += [u for u in self.by_code.get(code, []) if plain(u.short_name) == short]
        return list({u.pk: u for u in found}.values())

    # villages -----------------------------------------------------------------------------------

    def village(self, commune: AdministrativeUnit, name: str) -> AdministrativeUnit:
        cache_key = (commune.pk, name)
        found = self._village_cache.get(cache_key)
        if found is None:
            found = self._village_cache[cache_key] = self._find_village(commune, name)
        return found

    def _find_village(self, commune: AdministrativeUnit, name: str) -> AdministrativeUnit:
        folded = plain(name)
        stripped = strip_prefix(folded, VILLAGE_PREFIXES)
        # The old commune and the new one that kept its name are searched first, then the official
        # predecessors and successors (villages may be recorded under either tree).
        same_name = sorted({commune.pk, *(u.pk for u in self.by_name.get(plain(commune.name), []))})
        related = sorted({r for c in same_name for r in self.related.get(c, ())} - set(same_name))
        for communes in (same_name, related):
            found: dict[int, AdministrativeUnit] = {}
            for commune_id in communes:
                for key in (folded, stripped):
                    for village in self.villages.get((commune_id, key), []):
                        found[village.pk] = village
            if len(found) == 1:
                return next(iter(found.values()))
            if len(found) > 1:
                written = exact(name)
                for matches in (
                    [v for v in found.values() if exact(v.name) == written],
                    [v for v in found.values() if plain(v.name) == folded],
                ):
                    if len(matches) == 1:
                        return matches[0]
                raise ResolveError(
                    _("Several villages called “%(name)s” belong to %(commune)s; write the full name.")
                    % {"name": name, "commune": commune.name}
                )
        raise ResolveError(
            _("Village “%(name)s” was not found in %(commune)s. Add it under Reference data first.")
            % {"name": name, "commune": commune.name}
        )
