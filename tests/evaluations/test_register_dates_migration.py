"""The migration that added registration and end dates: what it makes of subjects stored before them."""

import datetime
import importlib

from django.apps import apps

import pytest

from evaluations.models import Subject
from reports.rollup import rollup
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("evaluations.migrations.0010_subject_register_dates")


def test_stored_subjects_count_in_every_year_and_inactive_ones_until_they_were_last_changed(areas):
    village = areas["village_a1"]
    kept = FamilyFactory(head_name="Vẫn ở", area=village)
    gone = FamilyFactory(head_name="Đã chuyển đi", area=village)
    # As the rows stood before the migration: no dates, and one deactivated on 10 March 2025 at 20:00 UTC,
    # which was already 11 March in Vietnam (written past ``save``, which would date it today).
    Subject.objects.filter(pk=gone.pk).update(
        is_active=False, ended_on=None, updated_at=datetime.datetime(2025, 3, 10, 20, 0, tzinfo=datetime.UTC)
    )

    migration.end_inactive_subjects(apps, None)

    kept.refresh_from_db()
    gone.refresh_from_db()
    assert (kept.registered_on, kept.ended_on, kept.is_active) == (None, None, True)
    assert (gone.registered_on, gone.ended_on, gone.is_active) == (None, datetime.date(2025, 3, 11), False)
    # 2024 closed with both households, as it was reported; from 2025 only the one that stayed.
    result = rollup(root=areas["province"], years=[2021, 2024, 2025, 2026])
    assert [result.node(village.path).figures[y]["family"].registered for y in (2021, 2024, 2025, 2026)] == [
        2,
        2,
        1,
        1,
    ]
