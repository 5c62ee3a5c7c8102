"""After the official reorganisation of 1/7/2025: today's two-tier units are what officers work with, ended
units appear only for past dates (labelled), successors decide and reach their predecessors' records."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.models import Site

import pytest

from content.models import RecognitionListPage
from evaluations.access import restrict_to_user_area
from evaluations.admin import evaluation_viewset
from evaluations.demo import tiny_pdf
from evaluations.models import (
    AdministrativeUnit,
    Evaluation,
    LearningFamily,
    RecognitionDecision,
    Subject,
    UnitLevel,
)
from evaluations.roles import COMMUNE_OFFICER, COMMUNE_REVIEWER, PROVINCIAL_OFFICER
from evaluations.services import (
    decision_record,
    evaluation_create,
    evaluation_review,
    evaluation_submit,
    evaluations_decide,
)
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from tests.factories import FamilyFactory, UserFactory, make_decision, make_officer, make_unit, scored_evaluation

from .conftest import new

pytestmark = pytest.mark.django_db


def bulk_url(action, *ids):
    query = "&".join(f"id={pk}" for pk in ids)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", action]) + f"?{query}&next=/admin/"


def decision_post(area, **overrides):
    return {
        "number": "45/QĐ-UBND",
        "decision_date": "20/11/2026",
        "issuing_body": "UBND xã Ninh Phước",
        "signatory": "Chủ tịch UBND xã Ninh Phước",
        "area": area.pk,
        **overrides,
    }


@pytest.fixture
def today(world):
    """The world after the official reorganisation, with today's Xã Ninh Phước officers."""
    reorganisation_apply(reorganisation=reorganisation_create_official())
    ninh_phuoc = new("Xã Ninh Phước")
    family = Subject.objects.get(pk=world["families"]["tu_thien"][0].pk).specific
    return {
        **world,
        "ninh_phuoc": ninh_phuoc,
        "family": family,  # moved onto the copy of Thôn Từ Thiện under Xã Ninh Phước
        "officer": make_officer(COMMUNE_OFFICER, ninh_phuoc, username="xa-ninhphuoc"),
        "reviewer": make_officer(COMMUNE_REVIEWER, ninh_phuoc, username="thamdinh-ninhphuoc"),
    }


def reviewed(evaluation, officer, reviewer):
    evaluation_submit(evaluation=evaluation, user=officer)
    return evaluation_review(evaluation=evaluation, user=reviewer)


def test_the_reviewer_of_todays_commune_records_a_decision_through_the_bulk_action(client, today):
    officer, reviewer = today["officer"], today["reviewer"]
    current = reviewed(scored_evaluation(today["family"], today["sets"]["family"], year=2026), officer, reviewer)
    # The 2024 evaluation of the former Xã Phước Hải still awaiting review is decided by its successor.
    past = Evaluation.objects.get(subject=today["families"]["tu_thien"][1], year=2024)
    Evaluation.objects.filter(pk=past.pk).update(result="meets", total=90, grade="Tốt")
    evaluation_review(evaluation=past, user=reviewer)

    client.force_login(reviewer)
    form = client.get(bulk_url("recognise", current.pk, past.pk))
    assert form.status_code == 200
    labels = [label.strip("\xa0") for _value, label in form.context["form"].fields["area"].choices]
    assert labels[1] == "Xã Ninh Phước"  # today's commune first (after the empty choice)
    assert "Xã Phước Hải (đến 30/6/2025)" in labels  # for decisions signed before its end
    assert form.context["form"].initial["area"] == today["ninh_phuoc"].pk  # today's commune, not the former

    scan = SimpleUploadedFile("qd-45.pdf", tiny_pdf("QD 45"), content_type="application/pdf")
    response = client.post(
        bulk_url("recognise", current.pk, past.pk), {**decision_post(today["ninh_phuoc"]), "file": scan}
    )
    assert response.status_code == 302
    decision = RecognitionDecision.objects.get(number="45/QĐ-UBND")
    assert decision.area == today["ninh_phuoc"]
    assert set(decision.evaluations.values_list("pk", flat=True)) == {current.pk, past.pk}
    assert set(Evaluation.objects.filter(pk__in=[current.pk, past.pk]).values_list("status", flat=True)) == {
        "recognised"
    }


def test_an_ended_issuing_unit_or_an_evaluation_outside_it_is_refused_and_nothing_is_stored(client, today, world):
    officer, reviewer = today["officer"], today["reviewer"]
    evaluation = reviewed(scored_evaluation(today["family"], today["sets"]["family"], year=2026), officer, reviewer)
    client.force_login(reviewer)
    response = client.post(bulk_url("recognise", evaluation.pk), decision_post(world["phuoc_hai"]))
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["area"])
    assert "đã kết thúc ngày 30/6/2025" in message and "Xã Ninh Phước" in message
    assert not RecognitionDecision.objects.exists()

    # A provincial officer choosing Xã Ninh Phước for a family of Xã Phước Hữu: not that committee's.
    province = make_officer(PROVINCIAL_OFFICER, world["new_province"], username="tinh")
    huu_duc = Subject.objects.get(pk=world["families"]["huu_duc"][0].pk)
    elsewhere = reviewed(scored_evaluation(huu_duc, today["sets"]["family"], year=2026), province, province)
    client.force_login(province)
    response = client.post(bulk_url("recognise", elsewhere.pk), decision_post(today["ninh_phuoc"]))
    assert response.status_code == 200
    assert "nằm ngoài địa bàn Xã Ninh Phước" in " ".join(response.context["form"].errors["area"])
    assert not RecognitionDecision.objects.exists()
    assert Evaluation.objects.get(pk=elsewhere.pk).status == "reviewed"


def test_a_decision_recorded_by_another_unit_opens_for_everyone_who_reaches_its_evaluation(client, today, world):
    officer, reviewer = today["officer"], today["reviewer"]
    evaluation = reviewed(scored_evaluation(today["family"], today["sets"]["family"], year=2026), officer, reviewer)
    superuser = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    scan = SimpleUploadedFile("qd.pdf", tiny_pdf("QD tinh"), content_type="application/pdf")
    # Issued by the province (not one of the officer's units): recorded by the superuser.
    decision = decision_record(
        kind="recognition",
        number="9/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 20),
        issuing_body="UBND tỉnh Khánh Hòa",
        signatory="Chủ tịch UBND tỉnh",
        area=world["new_province"],
        upload=scan,
        user=superuser,
    )
    evaluations_decide(evaluations=[evaluation], decision=decision, user=superuser)

    for user in (reviewer, officer):
        client.force_login(user)
        inspect = client.get(reverse(evaluation_viewset.get_url_name("inspect"), args=[evaluation.pk]))
        decision_url = reverse(RecognitionDecision.snippet_viewset.get_url_name("inspect"), args=[decision.pk])
        assert decision_url in inspect.content.decode()
        page = client.get(decision_url)
        assert page.status_code == 200 and "9/QĐ-UBND" in page.content.decode()
        download = client.get(reverse("evaluations:decision_file_download", args=[decision.pk]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Someone who reaches none of its evaluations gets a 404 that names nothing.
    client.force_login(make_officer(COMMUNE_OFFICER, new("Xã Phước Hữu"), username="xa-phuochuu"))
    assert client.get(reverse("evaluations:decision_file_download", args=[decision.pk])).status_code == 404


def test_nothing_new_is_filed_on_an_ended_unit(client, today, world):
    old_village = world["villages"]["thai_an"]
    client.force_login(today["officer"])
    response = client.post(
        reverse(LearningFamily.snippet_viewset.get_url_name("add")),
        {"head_title": "ông", "head_name": "Lê Văn Mới", "member_count": "4", "area": old_village.pk},
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["area"])
    assert "Thôn Thái An" in message and "đã kết thúc ngày 30/6/2025" in message and "Xã Ninh Phước" in message
    assert not LearningFamily.objects.filter(head_name="Lê Văn Mới").exists()

    # A household still on the ended village (a list typed in from before the reorganisation): no 2026
    # evaluation there until it is moved, while its 2024 evaluation, on the unit in force then, is possible.
    stray = Subject.objects.get(pk=FamilyFactory(head_name="Còn Ở Thôn Cũ", area=old_village).pk)
    with pytest.raises(ValidationError, match="năm 2026"):
        evaluation_create(subject=stray, year=2026, criteria_set=world["sets"]["family"])
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    response = client.post(
        reverse(evaluation_viewset.get_url_name("add")),
        {"subject": stray.pk, "year": "2026", "criteria_set": world["sets"]["family"].pk},
    )
    assert response.status_code == 200
    assert "Thôn Thái An, Xã Ninh Phước" in " ".join(response.context["form"].errors["subject"])
    assert not Evaluation.objects.filter(subject=stray, year=2026).exists()
    evaluation_create(subject=stray, year=2024, criteria_set=world["sets"]["family"])


def test_choosers_offer_todays_units_and_ended_ones_only_when_asked(client, today):
    client.force_login(today["officer"])
    chooser = reverse("unit_chooser:choose_results")
    names = client.get(chooser, {"q": "Phước"}).content.decode()
    assert "Xã Ninh Phước" in names and "Xã Phước Hải" not in names
    names = client.get(chooser, {"q": "Phước", "include_ended": "on"}).content.decode()
    assert "Xã Phước Hải (đến 30/6/2025)" in names
    # Typed without diacritics, as officers often do.
    names = client.get(chooser, {"q": "tu thien"}).content.decode()
    assert "Thôn Từ Thiện" in names and "(đến" not in names


def test_officers_of_todays_commune_reach_the_records_of_the_communes_that_went_into_it(today, world):
    officer = today["officer"]
    reached = restrict_to_user_area(Evaluation.objects.all(), officer)
    communes = {e.area.commune for e in reached.select_related("area")}
    assert communes == {world["phuoc_hai"]}
    assert not reached.filter(area__path__startswith=world["phuoc_huu"].path).exists()


def test_the_public_list_shows_the_commune_on_todays_tree_and_past_years_under_todays_commune(client, today):
    officer, reviewer = today["officer"], today["reviewer"]
    past = Evaluation.objects.get(subject=today["family"], year=2024)  # recognised in the world
    Evaluation.objects.filter(pk=past.pk).update(decision=make_decision(today["phuoc_hai"], "130/QĐ-UBND", 2024))
    evaluation = reviewed(scored_evaluation(today["family"], today["sets"]["family"], year=2026), officer, reviewer)
    client.force_login(reviewer)
    client.post(bulk_url("recognise", evaluation.pk), decision_post(today["ninh_phuoc"]))
    assert Evaluation.objects.get(pk=evaluation.pk).status == "recognised"
    client.logout()

    home = Site.objects.get(is_default_site=True).root_page.specific
    page = RecognitionListPage(title="Danh sách", slug="danh-sach", area=today["new_province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    # The list's JSON is the open-data API's (the page's address redirects there); areas are GSO codes.
    rows = client.get(page.url + "api/", {"area": today["ninh_phuoc"].code}, follow=True).json()["results"]
    by_year = {(row["year"], row["name"]): row for row in rows}
    family = today["family"].name
    # The 2026 recognition, on the village copy directly under today's commune, names that commune.
    assert by_year[(2026, family)]["commune"] == "Xã Ninh Phước"
    assert by_year[(2026, family)]["village"] == "Thôn Từ Thiện"
    # The same household's 2024 recognition, under the former commune of its time, is listed too.
    assert by_year[(2024, family)]["commune"] == "Xã Phước Hải"


def test_a_year_is_evaluated_only_for_subjects_on_its_register(today):
    family = today["family"]
    family.registered_on = datetime.date(2026, 3, 1)
    family.save()
    with pytest.raises(ValidationError, match="đăng ký ngày 1/3/2026.*danh sách năm 2025"):
        evaluation_create(subject=family, year=2025, criteria_set=today["sets"]["family"])
    assert evaluation_create(subject=family, year=2026, criteria_set=today["sets"]["family"]).area == family.area


def test_villages_of_one_name_in_merging_communes_are_told_apart_by_their_former_commune(world):
    from evaluations.imports.resolve import ResolveError, UnitResolver
    from evaluations.models import LearningCommunity, UnitLevel

    from .conftest import old, village

    # Xã Phước Thuận merges into Xã Ninh Phước with Xã Phước Hải: both have a Thôn Từ Thiện.
    twin = village("Thôn Từ Thiện", old("Xã Phước Thuận"))
    community = LearningCommunity.objects.create(area=twin)
    reorganisation_apply(reorganisation=reorganisation_create_official())
    ninh_phuoc = new("Xã Ninh Phước")
    names = sorted(ninh_phuoc.get_children().filter(level=UnitLevel.VILLAGE).values_list("name", flat=True))
    assert names == ["Thôn Thái An", "Thôn Từ Thiện (Phước Hải)", "Thôn Từ Thiện (Phước Thuận)"]
    community.refresh_from_db()
    assert community.name == "Cộng đồng học tập Thôn Từ Thiện (Phước Thuận)"

    resolver = UnitResolver()
    today = datetime.date(2026, 12, 1)
    # The former commune written with the village's old name finds its copy; so does the copy's full name.
    assert resolver.place("Xã Phước Thuận", "Thôn Từ Thiện", today).unit.name == "Thôn Từ Thiện (Phước Thuận)"
    assert resolver.place("Xã Ninh Phước", "Từ Thiện (Phước Hải)", today).unit.name == "Thôn Từ Thiện (Phước Hải)"
    # Today's commune with the bare name cannot tell them apart, and says which two it means.
    with pytest.raises(ResolveError) as refused:
        resolver.place("Xã Ninh Phước", "Thôn Từ Thiện", today)
    assert "Thôn Từ Thiện (Phước Hải), Thôn Từ Thiện (Phước Thuận)" in refused.value.args[0]


def test_the_unit_chooser_lists_communes_before_villages_with_the_unit_each_belongs_to(admin_client, today):
    # A village under the first of the communes the search finds: in tree order it would come before the others.
    first = AdministrativeUnit.objects.current().filter(level=UnitLevel.COMMUNE, name__contains="Phước").first()
    make_unit("Thôn Phước Mới", UnitLevel.VILLAGE, first)
    page = admin_client.get(reverse("unit_chooser:choose_results"), {"q": "phuoc"}).content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)
    shown = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    communes = [i for i, text in enumerate(shown) if text.startswith(("Xã", "Phường"))]
    villages = [i for i, text in enumerate(shown) if text.startswith("Thôn")]
    assert communes and villages and max(communes) < min(villages), shown
    # Each row says its level and what it belongs to.
    assert f"Thôn Phước Mới Thôn/tổ dân phố {first.name}" in shown, shown
