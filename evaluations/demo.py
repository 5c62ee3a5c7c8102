"""Demo province: villages, subjects of every kind and five years of scored evaluations.

Shared by ``load_demo_data`` and ``bench/run.py``. Rows are written with ``executemany`` in one
transaction (the ORM would spend most of a province-scale run building model instances), while
every total, grade, level and result still comes from ``scoring.score``: each criteria set gets a
pool of scored answer sheets, and each evaluation draws one sheet from it.

Natural keys keep it idempotent: villages are matched on (commune, name), subjects on their code
(``DEMO-<kind>-<n>``), evaluations on (subject, year); what already exists is left alone.
"""

from __future__ import annotations

import datetime
import random
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from reorganisation.services import reorganisation_apply, reorganisation_create_official

from . import scoring
from .bulk_insert import SUBJECT_CREATE_FIELDS, insert_rows, planner_statistics_refresh
from .models import (
    AdministrativeUnit,
    CriteriaSet,
    CriteriaSetStatus,
    DecisionKind,
    Evaluation,
    EvaluationStatus,
    Evidence,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    ManagingLevel,
    PopulationGroup,
    RecognitionDecision,
    Score,
    Subject,
    SubjectKind,
    UnitLevel,
    UnitType,
)
from .models.evaluations import SORT_NAME_SOURCES
from .models.subjects import SUBJECT_MODELS, subject_names_of_rows, subject_own_fields
from .models.units import ancestor_paths, communes_by_path, parent_path

CODE_PREFIX = "DEMO-"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "khuyenhoc-demo"  # noqa: S105 (the published demo login)
YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
#: From this year on the demo is evaluated in today's structure: the official reorganisation of
#: 1/7/2025 is applied after the earlier years are written, moving the register onto today's units.
REORGANISED_FROM = 2025

#: Share of subjects recognised per year; 2022 is the Ninh Thuận baseline (DOMAIN.md), rising towards
#: the 2025 targets without quite reaching them, as the provincial reports describe.
RECOGNITION_RATE = {
    SubjectKind.FAMILY: {2021: 0.42, 2022: 0.468, 2023: 0.55, 2024: 0.62, 2025: 0.67, 2026: 0.71},
    SubjectKind.CLAN: {2021: 0.45, 2022: 0.491, 2023: 0.55, 2024: 0.60, 2025: 0.63, 2026: 0.66},
    SubjectKind.COMMUNITY: {2021: 0.70, 2022: 0.73, 2023: 0.75, 2024: 0.77, 2025: 0.79, 2026: 0.80},
    SubjectKind.UNIT: {2021: 0.75, 2022: 0.78, 2023: 0.80, 2024: 0.82, 2025: 0.84, 2026: 0.85},
    SubjectKind.CITIZEN: {2021: 0.40, 2022: 0.45, 2023: 0.50, 2024: 0.55, 2025: 0.60, 2026: 0.62},
}

#: The round of the latest year is still running: share of its evaluations still at each stage
#: (the rest are decided).
OPEN_ROUND = ((EvaluationStatus.DRAFT, 0.08), (EvaluationStatus.SUBMITTED, 0.12), (EvaluationStatus.REVIEWED, 0.10))


@dataclass(frozen=True)
class Sizes:
    """How much to generate; villages, clans and units default to the 2022 baseline."""

    households: int
    clans: int = 576
    villages: int = 393
    units: int = 266
    citizens_per_village: int = 3
    years: tuple[int, ...] = YEARS

    def scaled(self, fraction: float) -> Sizes:
        return Sizes(
            households=max(1, round(self.households * fraction)),
            clans=max(1, round(self.clans * fraction)),
            villages=max(1, round(self.villages * fraction)),
            units=max(1, round(self.units * fraction)),
            citizens_per_village=self.citizens_per_village,
            years=self.years,
        )


BASELINE = Sizes(households=164_322)

# --- names typical of Ninh Thuận -------------------------------------------------------------------

KINH_SURNAMES = (
    ["Nguyễn"] * 6
    + ["Trần"] * 3
    + ["Lê"] * 3
    + ["Phạm"] * 2
    + [
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Trương",
    ]
)
CHAM_SURNAMES = ["Đàng", "Đàng", "Thiên", "Quảng", "Lưu", "Bá", "Thông", "Châu", "Từ", "Phú", "Hán", "Trượng"]
RAGLAI_SURNAMES = ["Pinăng", "Pinăng", "Katơr", "Katơr", "Chamaléa", "Chamaléa", "Cao", "Mấu", "Bo Bo"]
MALE_MIDDLE = {"kinh": ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"], "cham": ["Văn", "Ngọc"]}
FEMALE_MIDDLE = {"kinh": ["Thị", "Thị", "Ngọc", "Thu", "Kim"], "cham": ["Thị"]}
MALE_GIVEN = {
    "kinh": "An Bình Cường Dũng Hải Hùng Khánh Long Minh Nam Phúc Quang Sơn Tâm Thành Trung Tuấn Vinh Lộc Tài",
    "cham": "Năng Sanh Tài Hiệp Thành Sa Đạo Quang Kỳ Thái Khánh Jaya Sum Phiên",
    "raglai": "Hạnh Lá Tiến Hà Bảy Ngoan Dũng Sang Thương Tư",
}
FEMALE_GIVEN = {
    "kinh": "Hoa Hương Lan Liên Mai Nga Ngọc Phượng Thảo Trang Tuyết Yến Hạnh Loan",
    "cham": "Hồng Xuân Hương Lan Mỹ Ny Nhung Thu Sương",
    "raglai": "Lệ Hoa Bé Nhung Thơm Hiền Mai Lài",
}
SURNAMES = {"kinh": KINH_SURNAMES, "cham": CHAM_SURNAMES, "raglai": RAGLAI_SURNAMES}

#: Share of Kinh, Chăm and Raglai households by old district (rough, from the 2019 census picture).
ETHNIC_MIX = {
    "Bác Ái": (0.15, 0.0, 0.85),
    "Ninh Sơn": (0.70, 0.05, 0.25),
    "Thuận Bắc": (0.55, 0.15, 0.30),
    "Ninh Phước": (0.60, 0.40, 0.0),
    "Thuận Nam": (0.60, 0.25, 0.15),
    "Ninh Hải": (0.90, 0.05, 0.05),
}
CITY_MIX = (0.92, 0.08, 0.0)

_VILLAGE_TEXT = (
    "Phước Lợi, Hữu Đức, Thái An, Từ Thiện, Hòa Thủy, Tân Hà, Vạn Phước, Mỹ Tân, Lương Cách, Bàu Trúc, "
    "Chất Thường, Hiếu Thiện, Văn Lâm, Nho Lâm, Hòa Thạnh, Phú Nhuận, Tân Lập, Mỹ Nghiệp, Ma Trai, "
    "Ma Oai, Châu Đắc, Suối Đá, Đá Ba, Cái Tà, Lú Ma, Ty Cầu, Đá Sơn, Hải Lạc, Tiến Tuấn, Tú Bình, "
    "Tiên Vĩnh, Hy Thái, Hòa Tri, Thủy Khánh, Phước Phước, Thiện Nhuận, Đức Như, Bình Thành, Đức Hậu, "
    "Sanh Tân, Bổn Phước, Khánh Mông, Đức Bình, Quý Phú, Thọ Hòa, Sơn Lâm, Phú Gia, Hoa Tân, Mỹ Triệu, "
    "Phong Hạnh, Trí Quảng, Sơn Suối, Rớ Chà, Panh Ma, Lâm Tà, Lọt An, Xuân Long, Bình Xóm, Bằng Phú, "
    "Thủy Đắc, Nhơn Thành, Tín Lạc, Sơn Hiệp, Kiết Xuân, Hải Gò"
)
VILLAGE_NAMES = _VILLAGE_TEXT.split(", ")

UNIT_TEMPLATES = [
    ("Trường Tiểu học {short}", UnitType.SCHOOL, ManagingLevel.DISTRICT, (15, 40)),
    ("Trường THCS {short}", UnitType.SCHOOL, ManagingLevel.DISTRICT, (20, 50)),
    ("Trường Mầm non {short}", UnitType.SCHOOL, ManagingLevel.DISTRICT, (10, 25)),
    ("Ủy ban nhân dân {lower} {short}", UnitType.AGENCY, ManagingLevel.COMMUNE, (20, 35)),
    ("Trạm Y tế {lower} {short}", UnitType.OTHER, ManagingLevel.COMMUNE, (5, 12)),
    ("Công an {lower} {short}", UnitType.ARMED_FORCES, ManagingLevel.COMMUNE, (6, 15)),
    ("Trung tâm học tập cộng đồng {lower} {short}", UnitType.OTHER, ManagingLevel.COMMUNE, (3, 8)),
    ("Hợp tác xã nông nghiệp {short}", UnitType.ENTERPRISE, ManagingLevel.COMMUNE, (8, 30)),
    ("Ban Chỉ huy quân sự {lower} {short}", UnitType.ARMED_FORCES, ManagingLevel.COMMUNE, (4, 10)),
]
POPULATION_GROUPS = [PopulationGroup.FARMERS] * 5 + [
    PopulationGroup.OFFICIALS,
    PopulationGroup.OFFICIALS,
    PopulationGroup.WORKERS,
    PopulationGroup.OTHERS,
]


def person_name(rng: random.Random, ethnic: str, female: bool) -> str:
    surname = rng.choice(SURNAMES[ethnic])
    given = rng.choice((FEMALE_GIVEN if female else MALE_GIVEN)[ethnic].split())
    if ethnic == "raglai":
        middle = "Thị" if female else rng.choice(["Văn", "Văn", "Thanh"])
    else:
        middle = rng.choice((FEMALE_MIDDLE if female else MALE_MIDDLE)[ethnic])
    return f"{surname} {middle} {given}"


def seeded(seed) -> random.Random:
    """A reproducible generator: demo data, never secrets."""
    return random.Random(seed)  # noqa: S311


# --- helpers ---------------------------------------------------------------------------------------


def analyze(*models) -> None:
    """Refresh PostgreSQL's statistics after a bulk insert: with none, the planner takes the freshly
    filled tables for empty and joins them by nested scans (minutes instead of milliseconds)."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in models))


#: Why a reviewer sent a draft back, as the demo's returned drafts say it.
RETURN_REASONS = (
    "Thiếu biên bản họp thôn xác nhận kết quả tự đánh giá.",
    "Điểm chỉ số 2.1 chưa khớp với minh chứng: đề nghị kiểm tra lại.",
    "Đề nghị bổ sung ảnh hoạt động khuyến học của gia đình.",
)
#: Share of the open round's drafts that a reviewer has returned.
RETURNED_SHARE = 0.3


def returned_reason(subject_code: str, year: int) -> str:
    """The reason a demo draft was returned with, or "" for a draft never submitted (its own seed, so the
    demo's other draws stay as they were). Seeded by the subject's code, not its row id: ids differ from one
    database to the next (a test database flushed before keeps counting), and so did the returned drafts."""
    rng = seeded(f"returned-{subject_code}-{year}")
    return rng.choice(RETURN_REASONS) if rng.random() < RETURNED_SHARE else ""


def half(value: float) -> Decimal:
    return Decimal(round(value * 2)) / 2


@dataclass(frozen=True)
class Sheet:
    """One scored answer sheet: score rows plus what ``scoring.score`` made of them."""

    scores: tuple[tuple[int, Decimal | None, bool | None], ...]
    total: Decimal | None
    grade: str
    level: int | None
    result: str


def answer_sheets(criteria_set: CriteriaSet, rng: random.Random, size: int = 60) -> dict[bool, list[Sheet]]:
    """Sheets that meet (``True``) and fail (``False``) the set, each scored by ``scoring.score``."""
    spec = scoring.spec_from_criteria_set(criteria_set)
    pools: dict[bool, list[Sheet]] = {True: [], False: []}
    for _ in range(size * 40):
        if len(pools[True]) >= size and len(pools[False]) >= size:
            break
        quality = rng.uniform(0.35, 1.0)
        values: dict = {}
        for ind in spec.indicators:
            if ind.max_points is None:
                values[ind.id] = rng.random() < quality + 0.1
            else:
                share = min(1.0, max(0.0, rng.gauss(quality, 0.12)))
                values[ind.id] = half(float(ind.max_points) * share)
        result = scoring.score(spec, values)
        pool = pools[result.meets]
        if len(pool) < size:
            rows = tuple(
                (
                    ind.id,
                    values[ind.id] if ind.max_points is not None else None,
                    values[ind.id] if ind.max_points is None else None,
                )
                for ind in spec.indicators
            )
            pool.append(Sheet(rows, result.total, result.grade, result.level, result.result))
    return pools


def active_criteria_sets() -> dict[str, CriteriaSet]:
    """Per kind, the active set that came into force last; raises ``LookupError`` naming missing kinds."""
    chosen: dict[str, CriteriaSet] = {}
    for cs in CriteriaSet.objects.filter(status=CriteriaSetStatus.ACTIVE).order_by("kind", "-effective_from", "-pk"):
        # NULL effective_from sorts first in descending order on some databases; prefer a dated set.
        current = chosen.get(cs.kind)
        if current is None or (current.effective_from is None and cs.effective_from is not None):
            chosen[cs.kind] = cs
    missing = [kind for kind in SubjectKind.values if kind not in chosen]
    if missing:
        raise LookupError(
            gettext("No active criteria set for: %(kinds)s (run seed_criteria_sets first).")
            % {"kinds": ", ".join(str(SubjectKind(kind).label) for kind in missing)}
        )
    return chosen


# --- generation ------------------------------------------------------------------------------------


@dataclass
class Place:
    village: AdministrativeUnit
    commune: AdministrativeUnit
    ethnic_mix: tuple[float, float, float]


class DemoBuilder:
    """Builds the demo province below the old Ninh Thuận communes; see ``build``."""

    def __init__(self, sizes: Sizes, *, seed: int = 2022, progress: Callable[[str], None] | None = None):
        self.sizes = sizes
        self.rng = seeded(seed)
        self.progress = progress or (lambda message: None)
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.counts: dict[str, int] = {}

    # villages -----------------------------------------------------------------------------------

    def old_communes(self) -> list[AdministrativeUnit]:
        """The communes of Ninh Thuận before 1/7/2025, where the demo's history begins."""
        self.old_province = AdministrativeUnit.objects.get(code="58", level=UnitLevel.PROVINCE)
        return list(
            AdministrativeUnit.objects.in_area(self.old_province).filter(level=UnitLevel.COMMUNE).order_by("path")
        )

    def ensure_villages(self) -> list[Place]:
        communes = self.old_communes()
        districts = {
            d.path: d
            for d in AdministrativeUnit.objects.filter(
                level=UnitLevel.DISTRICT, path__in={p for c in communes for p in ancestor_paths(c.path)}
            )
        }
        rng = seeded(393)
        per_commune = [self.sizes.villages // len(communes)] * len(communes)
        for i in rng.sample(range(len(communes)), self.sizes.villages % len(communes)):
            per_commune[i] += 1
        existing = {
            (parent_path(v.path), v.name): v
            for v in AdministrativeUnit.objects.in_area(self.old_province).filter(level=UnitLevel.VILLAGE)
        }
        places, created = [], 0
        for commune, count in zip(communes, per_commune, strict=True):
            district = next((districts[p] for p in ancestor_paths(commune.path) if p in districts), None)
            mix = ETHNIC_MIX.get(district.short_name if district else "", CITY_MIX)
            for name, unit_type in self.village_names(rng, commune, count):
                village = existing.get((commune.path, name))
                if village is None:
                    village = commune.add_child(
                        name=name, short_name=name.split(" ", 2)[-1], unit_type=unit_type, level=UnitLevel.VILLAGE
                    )
                    created += 1
                places.append(Place(village, commune, mix))
        self.counts["villages created"] = created
        self.progress(gettext("villages: %(count)d (%(new)d new)") % {"count": len(places), "new": created})
        return places

    @staticmethod
    def village_names(rng: random.Random, commune: AdministrativeUnit, count: int) -> list[tuple[str, str]]:
        if commune.unit_type == "Phường":
            return [(f"Khu phố {i}", "Khu phố") for i in range(1, count + 1)]
        if commune.unit_type == "Thị trấn":
            return [(f"Tổ dân phố {i}", "Tổ dân phố") for i in range(1, count + 1)]
        return [(f"Thôn {name}", "Thôn") for name in rng.sample(VILLAGE_NAMES, count)]

    # subjects -----------------------------------------------------------------------------------

    def ethnic(self, rng: random.Random, place: Place) -> str:
        return rng.choices(("kinh", "cham", "raglai"), weights=place.ethnic_mix)[0]

    def subject_specs(self, places: list[Place]):
        """Yield (kind, code, area id, publish_consent, child fields) for every demo subject, in a fixed order."""
        rng = seeded(164_322)
        weights = [rng.uniform(0.4, 1.6) * (1.6 if p.commune.unit_type == "Phường" else 1.0) for p in places]
        for n, place in enumerate(rng.choices(places, weights=weights, k=self.sizes.households), start=1):
            female = rng.random() < 0.28
            fields = {
                "head_name": person_name(rng, self.ethnic(rng, place), female),
                "head_title": "bà" if female else "ông",
                "member_count": rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7]),
            }
            yield SubjectKind.FAMILY, f"{CODE_PREFIX}GD-{n:06d}", place.village.pk, rng.random() >= 0.05, fields

        communes = list({p.commune.pk: p for p in places}.values())
        villages_of = {}
        for p in places:
            villages_of.setdefault(p.commune.pk, []).append(p.village.pk)
        taken: set[tuple[int, str]] = set()
        for n in range(1, self.sizes.clans + 1):
            place = communes[(n - 1) % len(communes)] if n <= len(communes) else rng.choice(communes)
            for _ in range(30):
                ethnic = self.ethnic(rng, place)
                surname = rng.choice(SURNAMES[ethnic])
                # Kinh lineages are told apart by the middle name (Nguyễn Văn, Nguyễn Hữu...).
                branch = f" {rng.choice(MALE_MIDDLE['kinh'])}" if ethnic == "kinh" else ""
                clan = f"Dòng họ {surname}{branch}"
                if (place.commune.pk, clan) not in taken:
                    break
            else:
                clan = f"{clan} (chi {n})"
            taken.add((place.commune.pk, clan))
            representative = person_name(rng, ethnic, False).split(" ", 1)[1]
            fields = {
                "clan_name": clan,
                "representative": f"{surname} {representative}",
                "villages": rng.sample(villages_of[place.commune.pk], min(2, len(villages_of[place.commune.pk]))),
            }
            yield SubjectKind.CLAN, f"{CODE_PREFIX}DH-{n:05d}", place.commune.pk, True, fields

        for n, place in enumerate(places, start=1):
            yield SubjectKind.COMMUNITY, f"{CODE_PREFIX}CD-{n:05d}", place.village.pk, True, {"village": place.village}

        for n in range(1, self.sizes.units + 1):
            place = communes[(n - 1) % len(communes)]
            template, unit_type, level, staff = UNIT_TEMPLATES[((n - 1) // len(communes)) % len(UNIT_TEMPLATES)]
            commune = place.commune
            name = template.format(short=commune.short_name, lower=commune.unit_type.lower())
            fields = {
                "unit_name": name,
                "unit_type": unit_type,
                "managing_level": level,
                "staff_count": rng.randint(*staff),
            }
            yield SubjectKind.UNIT, f"{CODE_PREFIX}DV-{n:05d}", commune.pk, True, fields

        n = 0
        for place in places:
            for _ in range(
                rng.randint(max(1, self.sizes.citizens_per_village - 1), self.sizes.citizens_per_village + 1)
            ):
                n += 1
                female = rng.random() < 0.5
                fields = {
                    "full_name": person_name(rng, self.ethnic(rng, place), female),
                    "birth_year": rng.randint(1958, 2004),
                    "population_group": rng.choice(POPULATION_GROUPS),
                }
                yield SubjectKind.CITIZEN, f"{CODE_PREFIX}CN-{n:05d}", place.village.pk, rng.random() >= 0.05, fields

    def ensure_subjects(self, places: list[Place]) -> int:
        existing = set(Subject.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True))
        new = [spec for spec in self.subject_specs(places) if spec[1] not in existing]
        # On the register from the first demo year (left unlisted, the column would default to today).
        registered_on = connection.ops.adapt_datefield_value(datetime.date(min(self.sizes.years), 1, 1))
        # Names derived as ``Subject.save`` does. Written here rather than through ``subjects_bulk_create``: the
        # demo keeps its ids in the order of its specs (the figures depend on it), and ``load_demo_data``
        # indexes the whole demo in one rebuild at the end.
        units = {unit.pk: unit for place in places for unit in (place.village, place.commune)}
        own_fields = {kind: subject_own_fields(kind) for kind in SUBJECT_MODELS}
        insert_rows(
            Subject,
            SUBJECT_CREATE_FIELDS,
            (
                (kind, name, folded, area, code, consent, True, "", registered_on, self.now, self.now, None)
                for kind, code, area, consent, fields in new
                for name, folded in subject_names_of_rows(
                    kind=kind, rows=[(units[area], tuple(fields[f] for f in own_fields[kind]))]
                )
            ),
        )
        ids = dict(Subject.objects.filter(code__startswith=CODE_PREFIX).values_list("code", "pk"))
        by_kind: dict[str, list] = {kind: [] for kind in SubjectKind.values}
        for kind, code, _area, _consent, fields in new:
            by_kind[kind].append((ids[code], fields))
        for kind, model in SUBJECT_MODELS.items():
            insert_rows(
                model,
                ["subject_ptr", *own_fields[kind]],
                ((pk, *(f[name] for name in own_fields[kind])) for pk, f in by_kind[kind]),
            )
        through = LearningClan.villages.through
        through.objects.bulk_create(
            [
                through(learningclan_id=pk, administrativeunit_id=village)
                for pk, f in by_kind[SubjectKind.CLAN]
                for village in f["villages"]
            ],
            batch_size=5000,
        )
        for kind, rows in by_kind.items():
            self.counts[f"{kind} subjects created"] = len(rows)
        analyze(Subject, LearningFamily, LearningClan, LearningCommunity, LearningUnit, LearningCitizen)
        self.progress(
            gettext("subjects: %(new)d new (%(existing)d already there)")
            % {"new": len(new), "existing": len(existing)}
        )
        return len(new)

    # evaluations --------------------------------------------------------------------------------

    def ensure_evaluations(self, criteria_sets: dict[str, CriteriaSet], years) -> tuple[int, int]:
        """Evaluations of ``years`` for every demo subject that has none for that year, on the unit where the
        subject is registered now; returns (evaluations, scores)."""
        evaluation_fields = [
            "subject",
            "year",
            "criteria_set",
            "kind",
            "area",
            "status",
            "total",
            "grade",
            "level",
            "result",
            "note",
            "status_reason",
            "created_at",
            "updated_at",
            # The subject's names, as ``Evaluation.save`` copies them (``SORT_NAME_SOURCES``).
            *SORT_NAME_SOURCES,
        ]
        total_evaluations = total_scores = 0
        for kind, criteria_set in criteria_sets.items():
            # Seeded by the set's code and version, not its row id: the same demo in every database.
            sheets = answer_sheets(criteria_set, seeded(f"{criteria_set.code}-v{criteria_set.version}-{kind}"))
            subjects = list(
                Subject.objects.filter(kind=kind, code__startswith=CODE_PREFIX)
                .order_by("pk")
                .values_list("pk", "code", "area_id", *SORT_NAME_SOURCES.values())
            )
            done = set(
                Evaluation.objects.filter(kind=kind, subject__code__startswith=CODE_PREFIX).values_list(
                    "subject_id", "year"
                )
            )
            for year in years:
                rate = RECOGNITION_RATE[kind].get(year, 0.5)
                drawn: dict[int, Sheet] = {}
                rows = []
                for subject_id, code, area_id, *names in subjects:
                    if (subject_id, year) in done:
                        continue
                    wanted = self.rng.random() < rate
                    pool = sheets[wanted] or sheets[not wanted]
                    sheet = drawn[subject_id] = pool[self.rng.randrange(len(pool))]
                    status = (
                        EvaluationStatus.RECOGNISED
                        if sheet.result == scoring.MEETS
                        else EvaluationStatus.NOT_RECOGNISED
                    )
                    if year == max(self.sizes.years):
                        status = self.open_round_status(status)
                    rows.append(
                        (
                            subject_id,
                            year,
                            criteria_set.pk,
                            kind,
                            area_id,
                            status,
                            sheet.total,
                            sheet.grade,
                            sheet.level,
                            sheet.result,
                            "",
                            returned_reason(code, year) if status == EvaluationStatus.DRAFT else "",
                            self.now,
                            self.now,
                            *names,
                        )
                    )
                if not rows:
                    continue
                last_pk = Evaluation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                insert_rows(Evaluation, evaluation_fields, rows)
                analyze(Evaluation)
                ids = list(
                    Evaluation.objects.filter(kind=kind, year=year, subject__code__startswith=CODE_PREFIX)
                    .filter(pk__gt=last_pk)
                    .values_list("pk", "subject_id")
                )
                total_scores += insert_rows(
                    Score,
                    ["evaluation", "indicator", "points", "met", "note"],
                    (
                        (evaluation_id, indicator_id, points, met, "")
                        for evaluation_id, subject_id in ids
                        for indicator_id, points, met in drawn[subject_id].scores
                    ),
                )
                total_evaluations += len(rows)
            self.progress(gettext("evaluations of %(kind)s: done") % {"kind": SubjectKind(kind).label})
        self.counts["evaluations created"] = self.counts.get("evaluations created", 0) + total_evaluations
        self.counts["scores created"] = self.counts.get("scores created", 0) + total_scores
        return total_evaluations, total_scores

    def open_round_status(self, decided: str) -> str:
        """The latest round is still running: some evaluations are drafts, submitted or reviewed."""
        draw = self.rng.random()
        for status, share in OPEN_ROUND:
            if draw < share:
                return status
            draw -= share
        return decided

    # reorganisation -----------------------------------------------------------------------------

    def ensure_reorganisation(self) -> int:
        """Apply the official reorganisation of 1/7/2025 (idempotent): villages re-created under today's
        communes, the register moved onto them; returns the subjects moved."""
        result = reorganisation_apply(reorganisation=reorganisation_create_official(), index=False)
        moved = result.counts["subjects_moved"] if result.changed else 0
        self.counts["subjects moved by the reorganisation"] = moved
        self.progress(gettext("reorganisation of 1/7/2025: %(count)d subjects moved") % {"count": moved})
        return moved

    # decisions ----------------------------------------------------------------------------------

    def ensure_decisions(self) -> int:
        """One recognition decision per commune and year for the recognised evaluations that lack one.

        The commune's People's Committee signs in December of the evaluation year, as the communes do.
        """
        pending = Evaluation.objects.filter(
            subject__code__startswith=CODE_PREFIX, status=EvaluationStatus.RECOGNISED, decision__isnull=True
        ).values_list("pk", "area__path", "year")
        by_area: dict[tuple[str, int], list[int]] = {}
        for pk, path, year in pending.iterator(chunk_size=20_000):
            by_area.setdefault((path, year), []).append(pk)
        if not by_area:
            return 0
        communes = communes_by_path(path for path, _year in by_area)
        groups: dict[tuple[AdministrativeUnit, int], list[int]] = {}
        for (path, year), ids in by_area.items():
            if path in communes:
                groups.setdefault((communes[path], year), []).extend(ids)
        created = 0
        today = timezone.localdate()
        for (commune, year), ids in sorted(groups.items(), key=lambda item: (item[0][0].path, item[0][1])):
            number = f"{100 + (year - 2020) * 40 + commune.pk % 40}/QĐ-UBND"
            signed = datetime.date(year, 12, 10 + commune.pk % 15)
            if signed > today:  # the running year's first decisions, signed after the November reports
                signed = datetime.date(year, 11, 10 + commune.pk % 15)
            decision, made = RecognitionDecision.objects.get_or_create(
                area=commune,
                number=number,
                kind=DecisionKind.RECOGNITION,
                defaults={
                    "decision_date": signed,
                    "issuing_body": commune.committee,
                    "signatory": f"Chủ tịch {commune.committee}",
                },
            )
            created += made
            # By id, in chunks: an UPDATE joined to units and subjects gets a poor plan on freshly
            # loaded PostgreSQL tables (no statistics yet).
            for start in range(0, len(ids), 5000):
                Evaluation.objects.filter(pk__in=ids[start : start + 5000]).update(decision=decision)
        self.counts["decisions created"] = created
        self.progress(gettext("recognition decisions: %(count)d new") % {"count": created})
        return created

    # evidence and login -------------------------------------------------------------------------

    def ensure_evidence(self, count: int = 6) -> int:
        if Evidence.objects.filter(evaluation__subject__code__startswith=CODE_PREFIX).exists():
            return 0
        evaluations = list(
            Evaluation.objects.filter(
                subject__code__startswith=CODE_PREFIX,
                result=scoring.MEETS,
                kind__in=[SubjectKind.FAMILY, SubjectKind.UNIT],
            )
            .select_related("criteria_set")
            .order_by("-year", "pk")[:count]
        )
        files = [
            (
                "bien-ban-hop-gia-dinh.pdf",
                "application/pdf",
                tiny_pdf("Bien ban hop gia dinh hoc tap"),
                "Biên bản họp gia đình",
            ),
            ("anh-tu-sach.png", "image/png", tiny_png((196, 120, 40)), "Ảnh tủ sách gia đình"),
            (
                "giay-khen-hoc-sinh.pdf",
                "application/pdf",
                tiny_pdf("Giay khen hoc sinh gioi"),
                "Giấy khen học sinh giỏi",
            ),
            ("anh-sinh-hoat-chi-hoi.png", "image/png", tiny_png((30, 110, 170)), "Ảnh sinh hoạt chi hội khuyến học"),
        ]
        for n, evaluation in enumerate(evaluations):
            name, content_type, data, description = files[n % len(files)]
            indicator = evaluation.criteria_set.criteria.first()
            indicator = indicator.indicators.first() if indicator else None
            evidence = Evidence(
                evaluation=evaluation,
                indicator=indicator,
                original_name=name,
                content_type=content_type,
                size=len(data),
                description=description,
            )
            evidence.file.save(name, ContentFile(data), save=False)
            evidence.save()
        self.counts["evidence files created"] = len(evaluations)
        return len(evaluations)

    @staticmethod
    def ensure_demo_user() -> bool:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "demo@example.org"}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = True
            user.save()
        return created

    # -------------------------------------------------------------------------------------------

    def build(self, criteria_sets: dict[str, CriteriaSet] | None = None) -> dict[str, int]:
        """Villages, subjects, evaluations with scores and a few evidence files; returns what was created."""
        started = time.perf_counter()
        with transaction.atomic():
            criteria_sets = criteria_sets or active_criteria_sets()
            places = self.ensure_villages()
            self.ensure_subjects(places)
            before = [year for year in self.sizes.years if year < REORGANISED_FROM]
            after = [year for year in self.sizes.years if year >= REORGANISED_FROM]
            self.ensure_evaluations(criteria_sets, before)
            if after:
                self.ensure_reorganisation()
                self.ensure_evaluations(criteria_sets, after)
            self.ensure_decisions()
        self.ensure_evidence()
        written = sum(count for name, count in self.counts.items() if name != "seconds")
        planner_statistics_refresh(AdministrativeUnit, Subject, Evaluation, *SUBJECT_MODELS.values(), rows=written)
        self.counts["seconds"] = round(time.perf_counter() - started, 1)
        return self.counts


# --- tiny real files for evidence -----------------------------------------------------------------


def tiny_png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A valid ``size`` x ``size`` PNG of one colour."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII) with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
