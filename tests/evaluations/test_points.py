"""The one rule for typed points (``evaluations.points.points_parse``): plain decimals with a comma or a point,
nothing else ``Decimal`` would also read (exponents, "Infinity", digits of other scripts, underscores); the
phone's ``static/field/scoring.js`` applies the same pattern (``tests/browser/test_field_scoring.py``)."""

from decimal import Decimal

from django.utils import translation

import pytest

from evaluations.points import PointsError, points_parse

TEN = Decimal(10)


@pytest.mark.parametrize(
    ("typed", "points"),
    [
        ("7,5", Decimal("7.5")),
        (" 7.50 ", Decimal("7.5")),
        ("+5", Decimal(5)),
        ("5.", Decimal(5)),
        (",5", Decimal("0.5")),
        ("-0", Decimal(0)),
        ("", None),
        (None, None),
        (7.5, Decimal("7.5")),
        (10, Decimal(10)),
        (Decimal("8.0"), Decimal(8)),
    ],
)
def test_points_typed_as_an_officer_types_them_are_read(typed, points):
    assert points_parse(typed=typed, maximum=TEN) == points


def test_a_typed_minus_zero_is_zero():
    assert str(points_parse(typed="-0", maximum=TEN)) == "0"
    assert str(points_parse(typed=-0.0, maximum=TEN)) == "0.0"


@pytest.mark.parametrize("typed", ["1e1", "1E0", "Infinity", "NaN", "sNaN", "٣", "７", "1_0", "0x5", "5 5", "1.2.3"])
def test_what_only_decimal_would_read_is_not_a_number(typed):
    with translation.override("vi"), pytest.raises(PointsError) as error:
        points_parse(typed=typed, maximum=TEN)
    assert str(error.value) == f"“{typed}” không phải là số."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Điểm không được là số âm."),
        ("10,5", "Tối đa 10 điểm."),
        ("7.25", "Chỉ nhập điểm nguyên hoặc nửa điểm (ví dụ 7 hoặc 7,5)."),
        (float("nan"), "“nan” không phải là số."),
    ],
)
def test_points_out_of_range_are_refused_with_the_rule_s_message(typed, message):
    with translation.override("vi"), pytest.raises(PointsError) as error:
        points_parse(typed=typed, maximum=TEN)
    assert str(error.value) == message
