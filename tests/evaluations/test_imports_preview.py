"""What an officer sees of a file before confirming it: every error of a row, with its row, column and field."""

from __future__ import annotations

import pytest

from evaluations.imports import importer
from evaluations.models import LearningFamily
from tests.evaluations.test_imports import families_file, run, xlsx
from tests.factories import FamilyFactory, make_criteria_set

pytestmark = pytest.mark.django_db


# --- every error of a row --------------------------------------------------------------------------------


def test_a_result_row_out_of_range_and_with_a_score_too_high_lists_both(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    header = ["Loại mô hình", "Năm đánh giá", "Mã bộ tiêu chí", "Xã", "Thôn", "Tên", "1.1", "1.2"]
    plan = importer.plan_import(
        xlsx([header, ["Gia đình", 1999, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 11, 10]]), "kq.xlsx"
    )
    assert [(r.row, r.column, r.field) for r in plan.rejections] == [
        (2, "B (Năm đánh giá)", "Năm đánh giá"),
        (2, "G (1.1)", "Chỉ số 1.1"),
    ]
    assert "2000" in plan.rejections[0].message and "10" in plan.rejections[1].message


def test_a_household_row_with_a_bad_village_no_name_and_a_bad_count_lists_all_three(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
            ["Xã Phước Hải", "Thôn Không Có", "", "Ông", "bốn", "H2"],
        ]
    )
    plan = run(data)
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    where = {(r.row, r.column, r.field): r.message for r in plan.rejections}
    assert set(where) == {
        (3, "B (Thôn/khu phố)", "Thôn/khu phố"),
        (3, "C (Họ tên chủ hộ)", "Họ tên chủ hộ"),
        (3, "E (Số nhân khẩu)", "Số nhân khẩu"),
    }
    assert "Thôn Không Có" in where[(3, "B (Thôn/khu phố)", "Thôn/khu phố")]
    # The good row was written, the bad one not at all.
    assert list(LearningFamily.objects.values_list("code", flat=True)) == ["H1"]
