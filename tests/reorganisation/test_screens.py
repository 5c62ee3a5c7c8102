import datetime
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

import pytest

from evaluations.models import AdministrativeUnit, Subject
from evaluations.roles import COMMUNE_OFFICER, PROVINCIAL_OFFICER
from reorganisation.models import Reorganisation, ReorganisationStatus, ReviewItem, SubjectMove
from reorganisation.planning import reorganisation_plan
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from tests.factories import FamilyFactory, make_officer

from .conftest import PAST, new, old, village

pytestmark = pytest.mark.django_db


def test_command_previews_then_applies_then_says_nothing_changed(world):
    out = StringIO()
    call_command("apply_reorganisation", "--preview", "--official", stdout=out)
    text = out.getvalue()
    assert "Số đối tượng chuyển: 11" in text
    assert "Số đối tượng cần rà soát: 6" in text
    assert "Phường Đông Hải (đến 30/6/2025), Thành phố Phan Rang - Tháp Chàm (đến 30/6/2025)" in text
    assert "Xã Phước Dinh" in text
    assert "chưa thay đổi gì" in text.lower()
    assert not Reorganisation.objects.filter(status=ReorganisationStatus.APPLIED).exists()

    call_command("apply_reorganisation", stdout=StringIO())
    assert Reorganisation.objects.get().status == ReorganisationStatus.APPLIED

    out = StringIO()
    call_command("apply_reorganisation", "--official", stdout=out)
    assert "Đã áp dụng từ trước: không có gì thay đổi." in out.getvalue()


def test_admin_preview_asks_for_confirmation_then_applies(client, world):
    officer = make_officer(PROVINCIAL_OFFICER, world["old_province"], world["new_province"], username="tinh")
    client.force_login(officer)
    response = client.get(reverse("reorganisation:official"), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    # The confirmation restates what changes, the divided unit and its default, and asks for a tick.
    divided = "Phường Đông Hải (đến 30/6/2025), Thành phố Phan Rang - Tháp Chàm (đến 30/6/2025) bị chia"
    assert f"{divided} cho Phường Đông Hải, Xã Phước Dinh; mặc định: Phường Đông Hải." in body
    assert "Số đối tượng chuyển" in body
    assert 'name="confirm"' in body and "Tôi đã đọc bản xem trước ở trên" in body
    reorg = Reorganisation.objects.get()
    url = reverse("reorganisation:preview", args=[reorg.pk])
    family = world["families"]["kp1"][0]

    # Without the tick: refused with a Vietnamese message, nothing changes.
    response = client.post(url)
    assert response.status_code == 400
    assert "Chưa áp dụng gì: hãy đánh dấu ô “Tôi đã đọc bản xem trước" in response.content.decode()
    reorg.refresh_from_db()
    assert reorg.status == ReorganisationStatus.DRAFT and not reorg.runs.exists()
    assert Subject.objects.get(pk=family.pk).area == world["villages"]["kp1"]

    response = client.post(url, {"confirm": "1"}, follow=True)
    body = response.content.decode()
    assert "11 đối tượng đã chuyển, 6 cần rà soát" in body
    run = reorg.runs.get()
    assert response.redirect_chain[-1][0] == reverse("reorganisation:run", args=[reorg.pk, run.pk])
    # The outcome: what changed, as recorded on the run.
    assert 'data-run-status="done"' in body and "Chạy ngay" in body
    assert "<td>Số đối tượng chuyển</td><td>11</td>" in body
    assert (run.in_background, run.requested_by, run.counts["subjects_moved"]) == (False, officer, 11)
    reorg.refresh_from_db()
    assert reorg.applied_by == officer

    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "đã được áp dụng từ trước: không có gì thay đổi" in response.content.decode()


def test_a_get_never_applies(client, world):
    reorganisation_create_official()
    reorg = Reorganisation.objects.get()
    client.force_login(make_officer(PROVINCIAL_OFFICER, world["new_province"], username="tinh"))
    for params in ({}, {"confirm": "1"}):
        assert client.get(reverse("reorganisation:preview", args=[reorg.pk]), params).status_code == 200
    reorg.refresh_from_db()
    assert reorg.status == ReorganisationStatus.DRAFT and not reorg.runs.exists()
    assert not SubjectMove.objects.exists()


def test_only_officers_reaching_every_old_unit_may_apply(client, world):
    reorganisation_create_official()
    officer = make_officer(PROVINCIAL_OFFICER, world["dong_hai"], username="tinh-mot-phan")
    client.force_login(officer)
    reorg = Reorganisation.objects.get()
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    home = reverse("wagtailadmin_home")
    assert client.post(reverse("reorganisation:preview", args=[reorg.pk]), {"confirm": "1"}).url == home
    assert not reorg.runs.exists()
    commune = make_officer(COMMUNE_OFFICER, world["old_province"], username="xa")
    client.force_login(commune)
    assert client.get(reverse("reorganisation:index")).url == reverse("wagtailadmin_home")
    assert reorg.__class__.objects.get().status == ReorganisationStatus.DRAFT


def test_review_list_by_area_and_confirm(client, world):
    reorganisation_apply(reorganisation=reorganisation_create_official())
    dong_hai_officer = make_officer(COMMUNE_OFFICER, new("Phường Đông Hải"), username="dong-hai")
    ninh_phuoc_officer = make_officer(COMMUNE_OFFICER, new("Xã Ninh Phước"), username="ninh-phuoc")

    client.force_login(ninh_phuoc_officer)
    assert "Không có đối tượng nào cần rà soát" in client.get(reverse("reorganisation:review")).content.decode()

    client.force_login(dong_hai_officer)
    body = client.get(reverse("reorganisation:review")).content.decode()
    family = world["families"]["kp2"][0]
    assert family.name in body and "Xã Phước Dinh" in body
    assert "5 đối tượng chờ xác nhận" in body

    item = ReviewItem.objects.get(subject=family)
    # A unit that is not a successor: a clear message, nothing changes.
    response = client.post(
        reverse("reorganisation:review"), {"item": item.pk, f"item{item.pk}-unit": new("Xã Ninh Phước").pk}
    )
    assert response.status_code == 400
    assert "Không có gì thay đổi" in response.content.decode()
    item.refresh_from_db()
    assert item.confirmed_at is None

    response = client.post(
        reverse("reorganisation:review"), {"item": item.pk, f"item{item.pk}-unit": new("Xã Phước Dinh").pk}
    )
    assert response.status_code == 302
    assert Subject.objects.get(pk=family.pk).area.get_parent() == new("Xã Phước Dinh")


def test_manual_split_preview(client, world):
    """A future split entered by hand: Xã Phước Hữu (today's) divided between itself and a new commune."""
    reorganisation_apply(reorganisation=reorganisation_create_official())
    today = new("Xã Phước Hữu")
    family = Subject.objects.get(pk=world["families"]["huu_duc"][0].pk)
    assert family.area.get_parent() == today
    created = world["new_province"].add_child(
        name="Xã Phước Hữu Tây", level="commune", unit_type="Xã", valid_from=datetime.date(2027, 1, 1)
    )
    officer = make_officer(PROVINCIAL_OFFICER, world["new_province"], username="tinh-kh")
    client.force_login(officer)

    bad = client.post(
        reverse("reorganisation:manual"),
        {
            "name": "Chia xã Phước Hữu",
            "effective_date": "01/01/2027",
            "old_units": [today.pk],
            "new_units": [created.pk],
            "default_unit": today.pk,
        },
    )
    assert "Đơn vị mới mặc định phải là một trong các đơn vị mới." in bad.content.decode()
    assert not Reorganisation.objects.filter(source="manual").exists()

    response = client.post(
        reverse("reorganisation:manual"),
        {
            "name": "Chia xã Phước Hữu",
            "effective_date": "01/01/2027",
            "old_units": [today.pk],
            "new_units": [today.pk, created.pk],
            "default_unit": today.pk,
        },
        follow=True,
    )
    body = response.content.decode()
    reorg = Reorganisation.objects.get(source="manual")
    assert reorg.status == ReorganisationStatus.DRAFT
    assert "Chia xã Phước Hữu – 01/01/2027" in body
    assert "Xã Phước Hữu, Tỉnh Khánh Hòa bị chia cho Xã Phước Hữu, Xã Phước Hữu Tây" in body
    # Today's commune continues (it is one of the new units): nothing ends or moves, its subjects are listed.
    counts = reorganisation_plan(reorganisation=reorg).counts
    assert (counts["units_ended"], counts["villages_created"], counts["subjects_moved"]) == (0, 0, 0)
    assert counts["subjects_to_review"] == 1
    reorganisation_apply(reorganisation=reorg)
    item = ReviewItem.objects.get(reorganisation=reorg)
    assert item.subject_id == family.pk and item.proposed_unit == today


def test_manual_merge_moves_villages_and_subjects(world):
    """Two of today's communes merged by hand from 2027: the same preview and apply as the official one."""
    reorganisation_apply(reorganisation=reorganisation_create_official())
    from reorganisation.services import reorganisation_create_manual

    absorbed, into = new("Xã Phước Hữu"), new("Xã Ninh Phước")
    reorg = reorganisation_create_manual(
        name="Sáp nhập",
        effective_date=datetime.date(2027, 1, 1),
        old_units=[absorbed, into],
        new_units=[into],
        default_unit=into,
    )
    plan = reorganisation_plan(reorganisation=reorg)
    assert plan.counts["villages_created"] == 1
    assert plan.counts["subjects_moved"] == 1
    assert plan.counts["subjects_to_review"] == 0
    reorganisation_apply(reorganisation=reorg)
    family = Subject.objects.get(pk=world["families"]["huu_duc"][0].pk)
    assert family.area.name == "Thôn Hữu Đức" and family.area.get_parent() == into
    assert AdministrativeUnit.objects.get(pk=absorbed.pk).valid_to == datetime.date(2026, 12, 31)
    assert not reorganisation_apply(reorganisation=reorg).changed


def test_report_screen_switches_structure(client, world, superuser):
    reorganisation_apply(reorganisation=reorganisation_create_official())
    client.force_login(superuser)
    url = reverse("reports:report")
    then = client.get(url, {"area": world["old_province"].pk, "year": PAST}).content.decode()
    assert "Tỉnh Ninh Thuận (đến 30/6/2025) – 2024" in then and "Huyện Ninh Phước" in then
    today = client.get(url, {"area": world["old_province"].pk, "year": PAST, "structure": "today"}).content.decode()
    assert "Tỉnh Khánh Hòa – 2024" in today and "Xã Ninh Phước" in today
    assert "cơ cấu hiện nay" in today


def test_new_subject_on_an_old_village_is_caught_by_a_later_apply(world):
    reorg = reorganisation_create_official()
    reorganisation_apply(reorganisation=reorg)
    late = FamilyFactory(head_name="Nhập muộn", area=world["villages"]["thai_an"])
    plan = reorganisation_plan(reorganisation=reorg)
    assert plan.counts["subjects_moved"] == 1
    reorganisation_apply(reorganisation=reorg)
    assert Subject.objects.get(pk=late.pk).area.get_parent() == new("Xã Ninh Phước")
    assert old("Xã Phước Hải").valid_to == datetime.date(2025, 6, 30)
    assert village  # the helper is shared with conftest
