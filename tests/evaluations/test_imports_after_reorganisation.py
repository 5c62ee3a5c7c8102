"""Imports once the official 2025 reorganisation is applied: old names land on today's units, a list from
before the reorganisation matches the subjects it moved, divided units go to the review list, and a past
year's results land on that year's units.

The tree is ``tests/reorganisation/conftest.py``'s ``world``: Xã Phước Hải (-> Xã Ninh Phước) with Thôn Từ
Thiện and Thôn Thái An, Xã Phước Hữu (-> Xã Phước Hữu, the same name) with Thôn Hữu Đức, and Phường Đông Hải
(divided: Phường Đông Hải by default, or Xã Phước Dinh) with Khu phố 1 and 2.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from evaluations.imports import importer
from evaluations.models import (
    AdministrativeUnit,
    Evaluation,
    LearningClan,
    LearningFamily,
    Subject,
    UnitLevel,
    UnitSuccession,
)
from evaluations.roles import COMMUNE_OFFICER
from reorganisation.models import ReviewItem
from reorganisation.review import review_item_confirm
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from tests.evaluations.test_imports import families_file, results_file, run, xlsx
from tests.factories import FamilyFactory, UserFactory, make_officer
from tests.reorganisation.conftest import new, old, village, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(world):  # noqa: F811
    reorganisation_apply(reorganisation=reorganisation_create_official())
    return world


def copy_of(name: str, commune: str) -> AdministrativeUnit:
    """Today's village ``name`` under today's ``commune``."""
    return AdministrativeUnit.objects.get(
        name=name, level=UnitLevel.VILLAGE, valid_to__isnull=True, path__startswith=new(commune).path
    )


def on_ended_units() -> list[str]:
    today = timezone.localdate()
    return list(Subject.objects.filter(is_active=True, area__valid_to__lt=today).values_list("name", "area__name"))


def test_a_list_from_before_the_reorganisation_lands_on_todays_villages_and_twice_creates_nothing(applied):
    families_before = LearningFamily.objects.count()
    rows = [
        # Old commune names, as the list was typed in 2024; the first two households were moved in 2025.
        ["Xã Phước Hải", "Thôn Từ Thiện", "Từ Thiện 0", "Ông", 4, ""],
        ["X. Phước Hải", "Từ Thiện", "Từ Thiện 1", "Ông", 4, ""],
        ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn Mới", "Ông", 3, ""],
        ["Xã Phước Hải", "Thôn Thái An", "Thái An 0", "Ông", 5, ""],  # one more member: an update
        # The same village under its new commune's name: one village, one unit.
        ["Xã Ninh Phước", "Thôn Từ Thiện", "Lê Thị Mới", "Bà", 2, ""],
        # A name that is both the old commune and the new one, with the village's full name.
        ["Xã Phước Hữu", "Thôn Hữu Đức", "Hữu Đức 0", "Ông", 4, ""],
        ["Xã Phước Hữu", "Thôn Hữu Đức", "Trần Văn Mới", "Ông", 6, ""],
    ]
    plan = run(families_file(rows))
    assert plan.rejections == []
    assert plan.counts() == {"created": 3, "updated": 1, "unchanged": 3, "rejected": 0}
    assert LearningFamily.objects.count() == families_before + 3

    found = {f.head_name: f.area for f in LearningFamily.objects.select_related("area")}
    tu_thien = copy_of("Thôn Từ Thiện", "Xã Ninh Phước")
    assert found["Nguyễn Văn Mới"] == found["Lê Thị Mới"] == found["Từ Thiện 0"] == tu_thien
    assert found["Trần Văn Mới"] == found["Hữu Đức 0"] == copy_of("Thôn Hữu Đức", "Xã Phước Hữu")
    assert LearningFamily.objects.get(head_name="Thái An 0").member_count == 5
    assert on_ended_units() == []

    again = run(families_file(rows))
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 7, "rejected": 0}
    assert LearningFamily.objects.count() == families_before + 3


def test_an_old_commune_chosen_for_the_whole_file_stands_for_its_successor(applied):
    header = ["Thôn/khu phố", "Họ tên chủ hộ", "Số nhân khẩu"]
    rows = [["Thôn Từ Thiện", "Từ Thiện 0", 4], ["Thôn Thái An", "Hộ Mới", 2]]
    plan = run(xlsx([header, *rows]), kind="family", commune=old("Xã Phước Hải"))
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}, plan.rejections
    assert LearningFamily.objects.get(head_name="Hộ Mới").area == copy_of("Thôn Thái An", "Xã Ninh Phước")


def test_a_household_left_on_an_old_village_is_matched_not_duplicated(applied):
    # Inactive households stay where they were when the reorganisation moved the register.
    inactive = applied["inactive"]
    assert Subject.objects.get(pk=inactive.pk).area == applied["villages"]["tu_thien"]
    plan = run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Đã chuyển đi", "Ông", 4, ""]]))
    assert plan.counts() == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert not LearningFamily.objects.filter(head_name="Đã chuyển đi", is_active=True).exists()


def test_clans_of_an_old_commune_are_matched_on_the_new_commune(applied):
    clan = applied["clans"]["phuoc_hai"]
    rows = [["Xã Phước Hải", clan.clan_name, clan.representative, ""], ["Xã Phước Hải", "Họ Mới", "", ""]]
    plan = run(xlsx([["Xã/phường", "Tên dòng họ", "Người đại diện", "Mã"], *rows]))
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}, plan.rejections
    assert LearningClan.objects.get(clan_name="Họ Mới").area == new("Xã Ninh Phước")


def test_a_divided_commune_goes_to_the_default_part_and_on_the_review_list(applied, settings):
    settings.LANGUAGE_CODE = "vi"
    reorg = reorganisation_create_official()
    items_before = ReviewItem.objects.count()
    # An officer has meanwhile put one moved household in the other part (Xã Phước Dinh).
    moved = applied["families"]["kp1"][1]
    review_item_confirm(item=ReviewItem.objects.get(subject=moved), unit=new("Xã Phước Dinh"), user=UserFactory())
    assert Subject.objects.get(pk=moved.pk).area.get_parent() == new("Xã Phước Dinh")

    rows = [
        ["Phường Đông Hải", "Khu phố 1", "Đông Hải 0", "Ông", 4, ""],  # moved by the reorganisation
        ["Phường Đông Hải", "Khu phố 1", "Đông Hải 1", "Ông", 4, ""],  # then moved to Phước Dinh
        ["Phường Đông Hải", "Khu phố 1", "Phạm Văn Mới", "Ông", 4, ""],  # new: which part?
    ]
    plan = importer.plan_import(families_file(rows), "ds.xlsx")
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 2, "rejected": 0}, plan.rejections
    [notice] = plan.notices
    assert notice.row == 4
    assert "Phường Đông Hải" in notice.message and "Xã Phước Dinh" in notice.message
    assert "danh sách đối tượng cần rà soát" in notice.message
    importer.apply_plan(plan)

    created = LearningFamily.objects.get(head_name="Phạm Văn Mới")
    assert created.area == copy_of("Khu phố 1", "Phường Đông Hải")
    item = ReviewItem.objects.get(subject=created)
    assert (item.reorganisation, item.old_unit, item.proposed_unit) == (
        reorg,
        old("Phường Đông Hải"),
        new("Phường Đông Hải"),
    )
    assert ReviewItem.objects.count() == items_before + 1
    assert LearningFamily.objects.filter(head_name__in=["Đông Hải 0", "Đông Hải 1"]).count() == 2

    # A clan named by the divided commune alone goes the same way.
    plan = run(xlsx([["Xã/phường", "Tên dòng họ"], ["Phường Đông Hải", "Họ Đặng"]]))
    assert plan.counts()["created"] == 1 and len(plan.notices) == 1
    clan = LearningClan.objects.get(clan_name="Họ Đặng")
    assert clan.area == new("Phường Đông Hải")
    assert ReviewItem.objects.get(subject=clan).proposed_unit == new("Phường Đông Hải")
    assert on_ended_units() == []

    # Named by the other part, the row is placed: no review.
    plan = run(xlsx([["Xã/phường", "Tên dòng họ"], ["Xã Phước Dinh", "Họ Lưu"]]))
    assert plan.counts()["created"] == 1 and plan.notices == []


def test_a_village_name_found_twice_in_a_merged_commune_is_the_one_of_the_old_commune_written(world):  # noqa: F811
    # Another old ward merged into Phường Đông Hải also had a "Khu phố 1": today's ward holds two copies.
    other = (
        UnitSuccession.objects.filter(new_unit=new("Phường Đông Hải"), is_default=True)
        .exclude(old_unit=old("Phường Đông Hải"))
        .first()
        .old_unit
    )
    village(world["villages"]["kp1"].name, other)
    reorganisation_apply(reorganisation=reorganisation_create_official())
    copies = AdministrativeUnit.objects.filter(
        name__startswith="Khu phố 1 (", valid_to__isnull=True, path__startswith=new("Phường Đông Hải").path
    )
    # Told apart by their former wards: "Khu phố 1 (Đông Hải)" and the other's.
    assert sorted(copies.values_list("name", flat=True)) == sorted(
        ["Khu phố 1 (Đông Hải)", f"Khu phố 1 ({other.short_name})"]
    )
    rows = [
        ["Phường Đông Hải", "Khu phố 1", "Đông Hải 0", "Ông", 4, ""],
        [other.name, "Khu phố 1", "Hộ Mới", "Ông", 4, ""],
    ]
    plan = run(families_file(rows))
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}, plan.rejections
    moved = Subject.objects.get(pk=world["families"]["kp1"][0].pk).area
    created = LearningFamily.objects.get(head_name="Hộ Mới").area
    assert {moved, created} == set(copies)


def test_the_preview_lists_the_rows_put_on_the_review_list(applied, admin_client):
    data = families_file([["Phường Đông Hải", "Khu phố 2", "Phạm Văn Mới", "Ông", 4, ""]])
    response = admin_client.post(
        reverse("evaluations_imports:start"), {"kind": "family", "file": SimpleUploadedFile("ds.xlsx", data)}
    )
    html = admin_client.get(response["Location"]).content.decode()
    assert "data-import-notices" in html and "Xã Phước Dinh" in html
    assert not LearningFamily.objects.filter(head_name="Phạm Văn Mới").exists()
    admin_client.post(response["Location"])
    created = LearningFamily.objects.get(head_name="Phạm Văn Mới")
    assert ReviewItem.objects.filter(subject=created).exists()


def test_an_ended_commune_with_several_successors_and_no_default_is_refused(world, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "vi"
    phuoc_hai = old("Xã Phước Hải")
    UnitSuccession.objects.filter(old_unit=phuoc_hai).update(is_default=False, is_divided=True)
    UnitSuccession.objects.create(
        old_unit=phuoc_hai, new_unit=new("Xã Phước Hữu"), effective_date=datetime.date(2025, 7, 1), is_default=False
    )
    reorganisation_apply(reorganisation=reorganisation_create_official())
    clans_before = LearningClan.objects.count()
    plan = run(xlsx([["Xã/phường", "Tên dòng họ"], ["Xã Phước Hải", "Họ Mới"]]))
    [rejection] = plan.rejections
    assert rejection.row == 2 and rejection.column.startswith("A")
    assert "Xã Phước Hải đã được sắp xếp vào Xã Ninh Phước, Xã Phước Hữu" in rejection.message
    assert "ghi rõ xã/phường mới" in rejection.message
    assert LearningClan.objects.count() == clans_before

    # Written with its new commune, the row goes in.
    plan = run(xlsx([["Xã/phường", "Tên dòng họ"], ["Xã Ninh Phước", "Họ Mới"]]))
    assert plan.counts()["created"] == 1


def test_results_of_2024_land_on_2024_units_and_of_2026_on_todays(applied):
    family = applied["families"]["thai_an"][0]  # moved to the new Thôn Thái An in 2025; not evaluated yet
    registered_later = FamilyFactory(head_name="Đăng ký 2026", area=copy_of("Thôn Từ Thiện", "Xã Ninh Phước"))
    code = applied["sets"]["family"].code
    scores = [10, 10, 10, 15, 15, 20, 5]
    rows = [
        ["Gia đình", 2024, code, "Xã Phước Hải", "Thôn Thái An", "Thái An 0", *scores, None],
        ["Gia đình", 2026, code, "Xã Phước Hải", "Thôn Thái An", "Thái An 0", *scores, None],
        # Today's names for 2024 mean the units of 2024 that became them.
        ["Gia đình", 2024, code, "Xã Ninh Phước", "Thôn Từ Thiện", "Đăng ký 2026", *scores, None],
    ]
    plan = run(results_file(rows))
    assert plan.rejections == []
    assert plan.counts()["created"] == 3
    by_year = {e.year: e.area for e in Evaluation.objects.filter(subject=family)}
    assert by_year[2024] == applied["villages"]["thai_an"]  # Thôn Thái An of Xã Phước Hải, ended 30/6/2025
    assert by_year[2024].valid_to == datetime.date(2025, 6, 30)
    assert by_year[2026] == copy_of("Thôn Thái An", "Xã Ninh Phước")
    assert Evaluation.objects.get(subject=registered_later).area == applied["villages"]["tu_thien"]

    again = run(results_file(rows))
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}


def test_a_new_unit_named_for_a_year_before_it_existed_is_refused(applied, settings):
    settings.LANGUAGE_CODE = "vi"
    clan = applied["clans"]["phuoc_hai"]
    code = applied["sets"]["clan"].code
    header = ["Loại mô hình", "Năm đánh giá", "Mã bộ tiêu chí", "Xã", "Tên", "1.1", "1.2", "1.3", "2.1", "2.2"]
    data = xlsx([header + ["3.1", "3.2"], ["Dòng họ", 2024, code, "Xã Ninh Phước", clan.clan_name, *[5] * 7]])
    # The officer of today's Xã Ninh Phước (the former Khánh Hòa also had a Xã Ninh Phước, in Ninh Hòa,
    # outside their area: for them the name means their own commune).
    officer = make_officer(COMMUNE_OFFICER, new("Xã Ninh Phước"), username="xa-ninhphuoc")
    plan = run(data, user=officer)
    [rejection] = plan.rejections
    assert "Xã Ninh Phước" in rejection.message and "1/7/2025" in rejection.message


def test_the_last_check_refuses_a_unit_that_ended_after_the_preview(world, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "vi"
    plan = importer.plan_import(
        families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn Mới", "Ông", 3, ""]]), "ds.xlsx"
    )
    assert plan.counts()["created"] == 1  # the old village is still in force: the reorganisation is not applied
    reorganisation_apply(reorganisation=reorganisation_create_official())  # ends it meanwhile
    with pytest.raises(importer.WriteRefused, match="thay bằng Thôn Từ Thiện, Xã Ninh Phước"):
        importer.apply_plan(plan)
    assert not LearningFamily.objects.filter(head_name="Nguyễn Văn Mới").exists()


def test_the_command_reports_a_refused_write(world, tmp_path, monkeypatch):  # noqa: F811
    path = tmp_path / "ds.xlsx"
    path.write_bytes(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn Mới", "Ông", 3, ""]]))
    original = importer.plan_import

    def plan_then_reorganise(*args, **kwargs):
        plan = original(*args, **kwargs)
        reorganisation_apply(reorganisation=reorganisation_create_official())
        return plan

    monkeypatch.setattr(importer, "plan_import", plan_then_reorganise)
    with pytest.raises(CommandError, match="Thôn Từ Thiện"):
        call_command("import_workbook", str(path))
    assert not LearningFamily.objects.filter(head_name="Nguyễn Văn Mới").exists()
