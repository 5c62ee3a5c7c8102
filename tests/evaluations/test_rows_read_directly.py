"""Rows read from the database straight into their instances (``evaluations/models/rows.py``) hold exactly
what the model's constructor gave them: the same values, the same deferred fields (loaded when used), the
same related objects, saved as updates."""

from decimal import Decimal

from django.db.models.signals import post_init

import pytest

from evaluations.admin.evaluations import EVALUATION_LISTING_FIELDS
from evaluations.models import (
    AdministrativeUnit,
    CriteriaSet,
    Evaluation,
    Indicator,
    LearningFamily,
    Score,
    Subject,
)
from tests.factories import FamilyFactory, make_evaluation

pytestmark = pytest.mark.django_db


def picture(instance) -> dict:
    """Everything an instance holds: its values, whether it is stored, and the related objects read with it."""
    state = instance._state
    cached = {name: picture(related) for name, related in state.fields_cache.items() if related is not None}
    values = {key: value for key, value in vars(instance).items() if key != "_state"}
    return {"class": type(instance), "values": values, "adding": state.adding, "db": state.db, "related": cached}


def read(queryset) -> list[dict]:
    return [picture(instance) for instance in queryset]


def read_through_the_constructor(queryset) -> list[dict]:
    """The same rows read with a ``post_init`` receiver listening: the constructor runs, as Django does."""

    def listener(**kwargs):
        pass

    for model in (Evaluation, Subject, LearningFamily, AdministrativeUnit, CriteriaSet, Score):
        post_init.connect(listener, sender=model, weak=False)
    try:
        return read(queryset.all())
    finally:
        for model in (Evaluation, Subject, LearningFamily, AdministrativeUnit, CriteriaSet, Score):
            post_init.disconnect(listener, sender=model)


@pytest.fixture
def evaluations(areas):
    rows = []
    for number, head in enumerate(["Lê Thị Mai", "Đặng Văn Hải"]):
        family = FamilyFactory(head_name=head, area=areas["village_a1"])
        rows.append(make_evaluation(family, total=Decimal("85.5") + number, note="ghi chú"))
    indicator = Indicator.objects.filter(criterion__criteria_set=rows[0].criteria_set).first()
    Score.objects.create(evaluation=rows[0], indicator=indicator, points=Decimal("8.5"), note="đủ minh chứng")
    return rows


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Evaluation.objects.order_by("pk"),
        lambda: (
            Evaluation.objects.select_related("subject", "area", "criteria_set")
            .only(*EVALUATION_LISTING_FIELDS)
            .order_by("pk")
        ),
        lambda: LearningFamily.objects.select_related("area").order_by("pk"),
        lambda: Subject.objects.defer("name", "note").order_by("pk"),
        lambda: AdministrativeUnit.objects.order_by("path"),
        lambda: Score.objects.select_related("evaluation").order_by("pk"),
    ],
    ids=["evaluations", "listing page", "families", "subjects deferred", "units", "scores"],
)
def test_a_row_read_directly_holds_what_the_constructor_gave(evaluations, queryset):
    rows = queryset()
    assert read(rows.all()) == read_through_the_constructor(rows)
    assert read(rows.all())  # something was compared


def test_deferred_fields_load_when_used_and_a_row_saves_as_an_update(evaluations):
    row = Evaluation.objects.only("pk", "year").get(pk=evaluations[0].pk)
    assert "note" in row.get_deferred_fields() and "year" not in row.get_deferred_fields()
    assert row.note == "ghi chú"  # loaded on first use
    assert row.subject.name.endswith("Lê Thị Mai")
    row.note = "đã sửa"
    row.save(update_fields=["note"])
    assert Evaluation.objects.count() == 2
    assert Evaluation.objects.get(pk=row.pk).note == "đã sửa"
