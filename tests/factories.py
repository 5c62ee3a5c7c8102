"""factory_boy factories for the evaluation domain: small, explicit, and built through the real models."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

import factory

from evaluations.models import (
    AdministrativeUnit,
    CriteriaSet,
    CriteriaSetStatus,
    Criterion,
    DecisionKind,
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    GradeBand,
    HeadTitle,
    Indicator,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    ManagingLevel,
    PopulationGroup,
    RecognitionDecision,
    ScoringMode,
    SubjectKind,
    UnitLevel,
    UnitType,
)


def make_unit(name: str, level: str, parent: AdministrativeUnit | None = None, code: str | None = None):
    """Add a unit to the tree (treebeard needs add_root/add_child rather than plain create)."""
    fields = {"name": name, "level": level, "code": code, "unit_type": name.split(" ")[0]}
    if parent is None:
        return AdministrativeUnit.add_root(**fields)
    return parent.add_child(**fields)


def make_area_tree():
    """Province -> district -> two communes -> two villages each; returns a dict of the units by short key."""
    province = make_unit("Tỉnh Thử Nghiệm", UnitLevel.PROVINCE, code="T01")
    district = make_unit("Huyện Ninh Phước", UnitLevel.DISTRICT, province, code="T011")
    commune_a = make_unit("Xã Phước Hải", UnitLevel.COMMUNE, district, code="T0111")
    commune_b = make_unit("Xã Phước Hữu", UnitLevel.COMMUNE, district, code="T0112")
    return {
        "province": province,
        "district": district,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "village_a1": make_unit("Thôn Từ Thiện", UnitLevel.VILLAGE, commune_a),
        "village_a2": make_unit("Thôn Thái An", UnitLevel.VILLAGE, commune_a),
        "village_b1": make_unit("Thôn Hữu Đức", UnitLevel.VILLAGE, commune_b),
        "village_b2": make_unit("Thôn Phước Lợi", UnitLevel.VILLAGE, commune_b),
    }


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "correct horse battery")
        if create:
            user.save(update_fields=["password"])

    is_superuser = False
    is_staff = False


class SubjectFactory(factory.django.DjangoModelFactory):
    """Subjects on the books since before records began (no registration date: on every year's register),
    so that figures of any year count them; tests of the register's dates pass ``registered_on``."""

    class Meta:
        abstract = True

    registered_on = None


class FamilyFactory(SubjectFactory):
    class Meta:
        model = LearningFamily

    head_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    # The default names are men's ("Văn"); a family without a form of address is named without one.
    head_title = HeadTitle.MR
    member_count = 4


class ClanFactory(SubjectFactory):
    class Meta:
        model = LearningClan

    clan_name = factory.Sequence(lambda n: f"Họ Trần {n}")
    representative = "Trần Văn Bình"


class CommunityFactory(SubjectFactory):
    class Meta:
        model = LearningCommunity


class UnitFactory(SubjectFactory):
    class Meta:
        model = LearningUnit

    unit_name = factory.Sequence(lambda n: f"Trường Tiểu học số {n}")
    unit_type = UnitType.SCHOOL
    managing_level = ManagingLevel.DISTRICT


class CitizenFactory(SubjectFactory):
    class Meta:
        model = LearningCitizen

    full_name = factory.Sequence(lambda n: f"Đàng Thị {n}")
    birth_year = 1985
    population_group = PopulationGroup.FARMERS


def make_criteria_set(
    *,
    kind: str = SubjectKind.FAMILY,
    mode: str = ScoringMode.GRADE_BANDS,
    indicators: list[list[dict]] | None = None,
    bands: list[tuple[str, str, bool]] | None = None,
    criterion_minima: list[str | None] | None = None,
    code: str = "test-set",
    version: int = 1,
    **fields,
) -> CriteriaSet:
    """A saved set; ``indicators`` is one list of indicator field dicts per criterion.

    Defaults to a 100-point set of three criteria (30/30/40) with the Circular 22 grade bands.
    """
    if indicators is None:
        indicators = [
            [
                {"code": "1.1", "max_points": "10"},
                {"code": "1.2", "max_points": "10"},
                {"code": "1.3", "max_points": "10"},
            ],
            [{"code": "2.1", "max_points": "15"}, {"code": "2.2", "max_points": "15"}],
            [{"code": "3.1", "max_points": "20"}, {"code": "3.2", "max_points": "20"}],
        ]
    if bands is None and mode == ScoringMode.GRADE_BANDS:
        bands = [("Tốt", "85", True), ("Khá", "70", True), ("Trung bình", "50", True)]
    criteria_set = CriteriaSet.objects.create(
        kind=kind,
        code=code,
        version=version,
        name=fields.pop("name", "Bộ tiêu chí thử nghiệm"),
        scoring_mode=mode,
        status=fields.pop("status", CriteriaSetStatus.ACTIVE),
        **fields,
    )
    for order, (label, minimum, recognised) in enumerate(bands or []):
        GradeBand.objects.create(
            criteria_set=criteria_set, label=label, min_total=Decimal(minimum), recognised=recognised, sort_order=order
        )
    for number, rows in enumerate(indicators, start=1):
        minimum = (criterion_minima or [None] * len(indicators))[number - 1]
        criterion = Criterion.objects.create(
            criteria_set=criteria_set,
            number=str(number),
            title=f"Tiêu chí {number}",
            sort_order=number,
            min_points=Decimal(minimum) if minimum is not None else None,
        )
        for order, row in enumerate(rows):
            Indicator.objects.create(
                criterion=criterion,
                code=row["code"],
                text=row.get("text", f"Chỉ số {row['code']}"),
                max_points=Decimal(row["max_points"]) if row.get("max_points") is not None else None,
                level=row.get("level"),
                evidence_guidance=row.get("evidence_guidance", ""),
                sort_order=order,
            )
    return criteria_set


def make_officer(role: str, *areas, username: str | None = None):
    """A user in the group ``role`` (see evaluations.roles) assigned to ``areas``."""
    from django.contrib.auth.models import Group

    from evaluations.models import AreaAssignment

    user = UserFactory(username=username or f"{role[:12]}-{'-'.join(str(a.pk) for a in areas)}")
    user.groups.add(Group.objects.get(name=role))
    for area in areas:
        AreaAssignment.objects.create(user=user, area=area)
    return user


def scored_evaluation(subject, criteria_set, year: int = 2025, points: str = "10"):
    """A draft evaluation of ``subject`` with every points indicator at ``points`` (met for pass/fail)."""
    from evaluations.services import evaluation_create, evaluation_record_scores

    evaluation = evaluation_create(subject=subject, year=year, criteria_set=criteria_set)
    values = {}
    for criterion in criteria_set.criteria.all():
        for indicator in criterion.indicators.all():
            values[indicator.pk] = True if indicator.max_points is None else min(Decimal(points), indicator.max_points)
    evaluation_record_scores(evaluation=evaluation, values=values)
    evaluation.refresh_from_db()
    return evaluation


def make_decision(area: AdministrativeUnit, number: str = "125/QĐ-UBND", year: int = 2025) -> RecognitionDecision:
    """A recognition decision of ``area``'s People's Committee, dated in December of ``year``."""
    return RecognitionDecision.objects.create(
        kind=DecisionKind.RECOGNITION,
        number=number,
        decision_date=datetime.date(year, 12, 15),
        issuing_body=f"UBND {area.name}",
        signatory=f"Chủ tịch UBND {area.name}",
        area=area,
    )


def make_evaluation(subject, *, year: int = 2025, criteria_set: CriteriaSet | None = None, **fields) -> Evaluation:
    """An evaluation of ``subject`` (status, grade, level, decision... as given), straight through the model."""
    if criteria_set is None:
        code = f"test-{subject.kind}"
        criteria_set = CriteriaSet.objects.filter(kind=subject.kind, code=code).first() or make_criteria_set(
            kind=subject.kind, code=code
        )
    return Evaluation.objects.create(
        subject=subject, year=year, criteria_set=criteria_set, kind=subject.kind, area=subject.area, **fields
    )


def make_recognised(subject, decision: RecognitionDecision, *, year: int = 2025, grade: str = "Tốt", **fields):
    """What the workflow leaves behind once a decision recognises ``subject`` for ``year``."""
    return make_evaluation(
        subject,
        year=year,
        status=EvaluationStatus.RECOGNISED,
        result=EvaluationResult.MEETS,
        grade=grade,
        decision=decision,
        **fields,
    )
