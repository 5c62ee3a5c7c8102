"""Registration dates across the reorganisation: moves keep them, and both roll-ups count each year's register."""

import datetime

import pytest

from evaluations.calendar import today
from evaluations.models import LearningFamily, Subject
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from reports.rollup import rollup, rollup_mapped

from .conftest import PAST

pytestmark = pytest.mark.django_db


def registered(result, year):
    return result.root.figures[year]["family"].registered


def test_moves_keep_the_dates_and_both_structures_count_the_register_as_of_the_year(world):
    late = world["families"]["huu_duc"][0]
    Subject.objects.filter(pk=late.pk).update(registered_on=datetime.date(2025, 2, 1))
    # 8 families, one of them registered only in 2025; the one that left in 2023 is not counted.
    assert registered(rollup(root=world["old_province"], years=PAST), PAST) == 7

    reorganisation_apply(reorganisation=reorganisation_create_official())
    late.refresh_from_db()
    assert late.area != world["villages"]["huu_duc"]
    assert late.registered_on == datetime.date(2025, 2, 1)

    # Today: two households registered on the new copy of Thôn Từ Thiện, one of Khu phố 2 moves away.
    village = Subject.objects.get(pk=world["families"]["tu_thien"][0].pk).area
    for name in ("Hộ mới 1", "Hộ mới 2"):
        LearningFamily.objects.create(head_name=name, member_count=3, area=village)
    leaving = world["families"]["kp2"][0]
    leaving.refresh_from_db()
    leaving.is_active = False
    leaving.save()

    assert registered(rollup(root=world["old_province"], years=PAST), PAST) == 7
    running = today().year
    mapped = rollup_mapped(root=world["new_province"], years=[PAST, 2025, running])
    assert [registered(mapped, year) for year in (PAST, 2025, running)] == [7, 8, 9]


def test_several_years_in_one_rollup_count_each_years_register_where_it_was(world):
    # Registers that differ by year: the unit (and its staff) from 2023, the family that left in mid-2023.
    Subject.objects.filter(pk=world["unit"].pk).update(registered_on=datetime.date(2023, 5, 1))
    reorganisation_apply(reorganisation=reorganisation_create_official())
    years = [2022, 2023, PAST, 2025]

    def figures(result, year):
        return {
            path: {
                ind: (node.figures[year][ind].as_dict(), node.own[year][ind].as_dict()) for ind in node.figures[year]
            }
            for path, node in result.nodes.items()
        }

    together = rollup(root=world["old_province"], years=years)
    for year in years:
        assert figures(together, year) == figures(rollup(root=world["old_province"], years=year), year), year
    # The moved subjects count on the old units in the years before the reorganisation (8 families, and the
    # one that left in 2023 until 2022), on today's units (outside the old province) from 2025.
    assert [registered(together, year) for year in years] == [9, 8, 8, 0]
    staff = [together.node(world["district"].path).figures[year]["citizen_staff"].registered for year in years]
    assert staff == [0, 30, 30, 0]
