"""Roll-up figures against the hand-checked data set (see conftest), target cascade and denominators."""

from decimal import Decimal

import pytest

from reports.models import Denominator, Target
from reports.rollup import rollup, target_for

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def figures(result, area, indicator="family"):
    return result.node(area.path).figures[YEAR][indicator]


def test_family_figures_at_every_level_match_the_hand_count(dataset):
    areas = dataset["areas"]
    result = rollup(root=areas["province"], years=YEAR)
    expected = {  # area: (registered, evaluated, recognised, percent)
        "village_a1": (4, 3, 2, "50.00"),
        "village_a2": (2, 2, 1, "50.00"),
        "village_b1": (3, 0, 0, "0.00"),
        "village_b2": (1, 1, 1, "100.00"),
        "commune_a": (6, 5, 3, "50.00"),
        "commune_b": (4, 1, 1, "25.00"),
        "district": (10, 6, 4, "40.00"),
        "province": (10, 6, 4, "40.00"),
    }
    for key, (registered, evaluated, recognised, percent) in expected.items():
        got = figures(result, areas[key])
        assert (got.registered, got.evaluated, got.recognised, got.percent) == (
            registered,
            evaluated,
            recognised,
            Decimal(percent),
        ), key
    assert figures(result, areas["commune_a"]).by_grade == {"Tốt": 2, "Khá": 1}


def test_clans_and_units_attached_to_communes_and_the_district(dataset):
    areas = dataset["areas"]
    result = rollup(root=areas["province"], years=YEAR)
    assert (
        figures(result, areas["commune_a"], "clan").registered,
        figures(result, areas["commune_a"], "clan").recognised,
    ) == (2, 1)
    clan = figures(result, areas["district"], "clan")
    assert (clan.registered, clan.evaluated, clan.recognised, clan.percent) == (3, 2, 1, Decimal("33.33"))
    unit = figures(result, areas["district"], "unit")
    assert (unit.registered, unit.recognised, unit.percent) == (1, 1, Decimal("100.00"))
    assert result.node(areas["district"].path).own[YEAR]["unit"].recognised == 1  # shown as "directly in"


def test_children_sum_to_parent(dataset):
    areas = dataset["areas"]
    result = rollup(root=areas["province"], years=YEAR)
    for node in result.walk():
        if not node.children:
            continue
        for indicator, parent in node.figures[YEAR].items():
            own = node.own[YEAR][indicator]
            for attr in ("registered", "evaluated", "recognised"):
                total = sum(getattr(c.figures[YEAR][indicator], attr) for c in node.children) + getattr(own, attr)
                assert total == getattr(parent, attr), (node.name, indicator, attr)


def test_targets_cascade_from_the_province_and_local_overrides_win(dataset):
    areas = dataset["areas"]
    result = rollup(root=areas["province"], years=YEAR)
    assert figures(result, areas["commune_a"]).target == Decimal(70)
    assert figures(result, areas["village_a1"]).target == Decimal(70)
    assert figures(result, areas["commune_b"]).target == Decimal(20)
    assert figures(result, areas["village_b2"]).target == Decimal(20)  # the commune's override reaches its villages
    assert figures(result, areas["commune_a"]).met is False
    assert figures(result, areas["commune_b"]).met is True
    assert figures(result, areas["commune_a"], "unit").target is None
    # A roll-up rooted below the province still finds the province's target above it.
    assert figures(rollup(root=areas["commune_a"], years=YEAR), areas["commune_a"]).target == Decimal(70)
    assert target_for(area=areas["village_b1"], year=YEAR, indicator="family") == Decimal(20)
    assert target_for(area=areas["village_b1"], year=YEAR + 1, indicator="family") is None


def test_an_entered_denominator_replaces_the_count_and_rolls_up(dataset):
    areas = dataset["areas"]
    Denominator.objects.create(area=areas["commune_a"], year=YEAR, indicator="family", value=10)
    result = rollup(root=areas["province"], years=YEAR)
    commune = figures(result, areas["commune_a"])
    assert (commune.registered, commune.entered, commune.percent) == (10, 10, Decimal("30.00"))
    assert figures(result, areas["district"]).registered == 14
    assert figures(result, areas["district"]).percent == Decimal("28.57")


def test_several_years_in_one_roll_up(dataset):
    areas = dataset["areas"]
    Target.objects.create(area=areas["province"], year=YEAR - 1, indicator="family", percent=Decimal(60))
    result = rollup(root=areas["province"], years=[YEAR - 1, YEAR])
    assert figures(result, areas["province"]).recognised == 4
    assert result.root.figures[YEAR - 1]["family"].recognised == 0
    assert result.root.figures[YEAR - 1]["family"].target == Decimal(60)
