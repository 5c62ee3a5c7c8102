"""The register of a year is counted as of that year: later registrations and removals never change a closed year."""

import datetime
from decimal import Decimal

import pytest

from evaluations.calendar import today
from evaluations.models import LearningFamily, Subject
from reorganisation.models import Reorganisation, ReorganisationSource, SubjectMove
from reorganisation.selectors import first_moves_after
from reports.models import Target
from reports.rollup import rollup
from tests.factories import FamilyFactory, UnitFactory, make_criteria_set

from .conftest import evaluate

pytestmark = pytest.mark.django_db

YEARS = [2023, 2024, 2025, 2026]


def family(result, area, year):
    return result.node(area.path).figures[year]["family"]


@pytest.fixture
def phuoc_hai(areas):
    """Ten households of commune A registered in 2024, seven recognised in 2025: 70% against a 70% target."""
    village = areas["village_a1"]
    households = [
        FamilyFactory(head_name=f"Hộ {i}", area=village, registered_on=datetime.date(2024, 3, 1)) for i in range(10)
    ]
    family_set = make_criteria_set(kind="family", code="set-family")
    for household in households[:7]:
        evaluate(household, family_set, "recognised", "Tốt", year=2025)
    Target.objects.create(area=areas["province"], year=2025, indicator="family", percent=Decimal(70))
    return {"areas": areas, "village": village, "households": households}


def test_a_closed_years_rate_and_met_do_not_change_when_households_are_registered_or_leave_later(phuoc_hai):
    commune = phuoc_hai["areas"]["commune_a"]
    before = family(rollup(root=commune, years=2025), commune, 2025)
    assert (before.registered, before.recognised, before.percent, before.met) == (10, 7, Decimal("70.00"), True)

    # Today (December 2026): two households registered (dated today by default), one moves away.
    for name in ("Hộ mới 1", "Hộ mới 2"):
        LearningFamily.objects.create(head_name=name, member_count=3, area=phuoc_hai["village"])
    leaving = phuoc_hai["households"][9]
    leaving.is_active = False
    leaving.save()
    assert leaving.ended_on == today()

    running = today().year
    result = rollup(root=commune, years=[2025, running])
    after = family(result, commune, 2025)
    assert (after.registered, after.recognised, after.percent, after.met) == (10, 7, Decimal("70.00"), True)
    # The running year counts today's register: 10 + 2 - 1.
    assert family(result, commune, running).registered == 11


def test_a_subject_counts_from_the_year_it_was_registered(areas):
    village = areas["village_b1"]
    FamilyFactory(area=village, registered_on=datetime.date(2024, 6, 15))
    FamilyFactory(area=village, registered_on=datetime.date(2024, 12, 31))  # the year's last day still counts
    FamilyFactory(area=village, registered_on=datetime.date(2025, 1, 1))
    FamilyFactory(area=village)  # registered before records began: every year
    result = rollup(root=areas["province"], years=YEARS)
    assert [family(result, village, year).registered for year in YEARS] == [1, 3, 4, 4]


def test_a_subject_that_left_counts_in_the_years_before_but_not_after(areas):
    village = areas["village_b2"]
    FamilyFactory(
        area=village, registered_on=datetime.date(2022, 1, 10), is_active=False, ended_on=datetime.date(2024, 5, 1)
    )
    FamilyFactory(
        area=village, registered_on=None, is_active=False, ended_on=datetime.date(2025, 1, 1)
    )  # left on New Year's Day
    FamilyFactory(area=village, registered_on=datetime.date(2022, 1, 10))
    result = rollup(root=areas["province"], years=YEARS)
    assert [family(result, village, year).registered for year in YEARS] == [3, 2, 1, 1]
    # Parents sum their children's registers year by year.
    assert [family(result, areas["province"], year).registered for year in YEARS] == [3, 2, 1, 1]


def test_staff_of_learning_units_are_counted_as_of_the_year(areas):
    commune = areas["commune_a"]
    UnitFactory(area=commune, staff_count=30, registered_on=datetime.date(2023, 9, 1))
    UnitFactory(area=commune, staff_count=12, registered_on=datetime.date(2025, 2, 1))
    UnitFactory(area=commune, staff_count=7, registered_on=None, is_active=False, ended_on=datetime.date(2024, 7, 1))
    result = rollup(root=areas["province"], years=YEARS)
    staff = [result.node(commune.path).figures[year]["citizen_staff"].registered for year in YEARS]
    units = [result.node(commune.path).figures[year]["unit"].registered for year in YEARS]
    assert staff == [37, 30, 42, 42]
    assert units == [2, 1, 2, 2]


def test_deactivating_records_the_day_the_subject_left_and_active_follows_the_end_date(areas):
    household = FamilyFactory(area=areas["village_a1"], registered_on=datetime.date(2024, 1, 1))
    household.is_active = False
    household.save()
    household.refresh_from_db()
    assert (household.is_active, household.ended_on) == (False, today())
    assert household.is_on_register(datetime.date(2025, 12, 31))
    assert not household.is_on_register(today())
    # An end date entered without unticking "active" takes the subject off today's lists all the same.
    other = FamilyFactory(area=areas["village_a1"])
    other.ended_on = datetime.date(2025, 8, 1)
    other.save()
    assert Subject.objects.get(pk=other.pk).is_active is False


def test_a_subject_moved_by_two_later_reorganisations_counts_where_the_first_found_it(areas):
    """``first_moves_after``: each subject's first move after the date, one row each; moves before the date
    and later moves of the same subject are left out."""

    def reorganisation(day: datetime.date) -> Reorganisation:
        return Reorganisation.objects.create(name=str(day), effective_date=day, source=ReorganisationSource.OFFICIAL)

    a1, a2, b1 = areas["village_a1"], areas["village_a2"], areas["village_b1"]
    earlier, first, second = (
        reorganisation(datetime.date(2023, 7, 1)),
        reorganisation(datetime.date(2025, 7, 1)),
        reorganisation(datetime.date(2026, 1, 1)),
    )
    twice, once = FamilyFactory(area=b1), FamilyFactory(area=a2)
    SubjectMove.objects.create(reorganisation=earlier, subject=twice, from_area=a2, to_area=a1)
    SubjectMove.objects.create(reorganisation=first, subject=twice, from_area=a1, to_area=a2)
    SubjectMove.objects.create(reorganisation=second, subject=twice, from_area=a2, to_area=b1)
    SubjectMove.objects.create(reorganisation=second, subject=once, from_area=b1, to_area=a2)
    found = {move.subject_id: move.from_area_id for move in first_moves_after(datetime.date(2024, 12, 31))}
    assert found == {twice.pk: a1.pk, once.pk: b1.pk}
    assert {m.subject_id: m.from_area_id for m in first_moves_after(datetime.date(2025, 12, 31))} == {
        twice.pk: a2.pk,
        once.pk: b1.pk,
    }
