"""The admin screens through real requests: listings with filters, exports, create, edit, score entry."""

import datetime
import io
import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from evaluations.admin import criteria_set_viewset, evaluation_viewset
from evaluations.calendar import today
from evaluations.models import CriteriaSet, Evaluation, LearningFamily, Score
from evaluations.services import evaluation_create, evaluation_record_scores
from tests.factories import FamilyFactory, make_criteria_set

pytestmark = pytest.mark.django_db


def family_url(name, *args):
    return reverse(LearningFamily.snippet_viewset.get_url_name(name), args=args)


def evaluation_url(name, *args):
    return reverse(evaluation_viewset.get_url_name(name), args=args)


def set_url(name, *args):
    return reverse(criteria_set_viewset.get_url_name(name), args=args)


@pytest.fixture
def families(areas):
    return {
        "an": FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"]),
        "binh": FamilyFactory(head_name="Đàng Văn Bình", area=areas["village_a2"]),
        "chau": FamilyFactory(head_name="Katơr Thị Châu", head_title="bà", area=areas["village_b1"]),
    }


@pytest.fixture
def family_set(db):
    return make_criteria_set(code="gdht-test")


def test_family_listing_filters_by_area_subtree(admin_client, areas, families):
    response = admin_client.get(family_url("list"), {"area": areas["commune_a"].pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Gia đình ông Nguyễn Văn An" in content
    assert "Gia đình ông Đàng Văn Bình" in content
    assert "Katơr Thị Châu" not in content


def test_family_listing_is_in_alphabetical_order_of_vietnamese_names(admin_client, areas):
    """Accented initials sort with their letter (in code-point order "Â" and "Đ" come after "Z")."""
    for head in ("Đặng Văn Hải", "Zơ Văn Yên", "Âu Văn Cường", "Dương Văn Bình", "Bùi Văn Dũng"):
        FamilyFactory(head_name=head, head_title="ông", area=areas["village_a1"])
    expected = ["Âu Văn Cường", "Bùi Văn Dũng", "Đặng Văn Hải", "Dương Văn Bình", "Zơ Văn Yên"]
    for params in ({}, {"ordering": "name_folded"}):  # as opened, and after a click on the name column
        content = admin_client.get(family_url("list"), params).content.decode()
        assert sorted(expected, key=content.index) == expected
    content = admin_client.get(family_url("list"), {"ordering": "-name_folded"}).content.decode()
    assert sorted(expected, key=content.index) == expected[::-1]


def test_family_listing_search_by_name(admin_client, families):
    response = admin_client.get(family_url("list"), {"q": "Bình"})
    content = response.content.decode()
    assert "Đàng Văn Bình" in content
    assert "Nguyễn Văn An" not in content


def test_family_export_follows_the_filter_and_reads_back(admin_client, areas, families):
    """Wagtail's export address leads to the project's export with the same filter; the file keeps the
    household's own columns."""
    response = admin_client.get(family_url("list"), {"area": areas["commune_b"].pk, "export": "xlsx"}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("reports:export", args=["subjects"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2  # heading + the one family of commune B
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["Tên"] == "Gia đình bà Katơr Thị Châu"
    assert cells["Chủ hộ"] == "Katơr Thị Châu"
    assert cells["Số thành viên"] == 4


def test_create_family_through_the_form(admin_client, areas):
    response = admin_client.post(
        family_url("add"),
        {
            "head_title": "bà",
            "head_name": "Thiên Thị Hoa",
            "member_count": "5",
            "area": areas["village_b2"].pk,
            "code": "HD-001",
            "publish_consent": "on",
            "registered_on": "15/03/2024",
            "is_active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    family = LearningFamily.objects.get(code="HD-001")
    assert family.name == "Gia đình bà Thiên Thị Hoa"
    assert family.kind == "family"
    assert (family.registered_on, family.ended_on, family.is_active) == (datetime.date(2024, 3, 15), None, True)


def family_post(family, **changes):
    data = {
        "head_title": family.head_title,
        "head_name": family.head_name,
        "member_count": str(family.member_count),
        "area": family.area_id,
        "registered_on": family.registered_on.strftime("%d/%m/%Y") if family.registered_on else "",
        "is_active": "on",
        "ended_on": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_family_form_offers_today_as_the_registration_date(admin_client):
    content = admin_client.get(family_url("add")).content.decode()
    assert "Ngày đăng ký" in content
    assert "Ngày ra khỏi danh sách" in content
    assert f'name="registered_on" value="{today().strftime("%d/%m/%Y")}"' in content


def test_a_new_family_needs_a_registration_date(admin_client, areas):
    response = admin_client.post(
        family_url("add"),
        {"head_title": "ông", "head_name": "Lê Văn Năm", "member_count": "3", "area": areas["village_a1"].pk},
    )
    assert response.status_code == 200
    assert "registered_on" in response.context["form"].errors
    assert not LearningFamily.objects.filter(head_name="Lê Văn Năm").exists()


def test_unticking_active_records_today_as_the_day_the_family_left(admin_client, families):
    family = families["an"]
    response = admin_client.post(family_url("edit", family.pk), family_post(family, is_active=None))
    assert response.status_code == 302, response.content.decode()[:2000]
    family.refresh_from_db()
    assert (family.is_active, family.ended_on) == (False, today())


def test_the_day_a_family_left_is_saved_with_its_registration_date(admin_client, families):
    family = families["an"]
    response = admin_client.post(
        family_url("edit", family.pk),
        family_post(family, registered_on="01/02/2023", is_active=None, ended_on="30/06/2025"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    family.refresh_from_db()
    assert (family.registered_on, family.ended_on, family.is_active) == (
        datetime.date(2023, 2, 1),
        datetime.date(2025, 6, 30),
        False,
    )
    # Back on the list: tick "active" and clear the date.
    response = admin_client.post(family_url("edit", family.pk), family_post(family, ended_on=""))
    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.ended_on, family.is_active) == (None, True)


def test_leaving_before_the_registration_date_is_refused_with_a_message(admin_client, families):
    family = families["an"]
    response = admin_client.post(
        family_url("edit", family.pk),
        family_post(family, registered_on="15/03/2024", is_active=None, ended_on="10/01/2024"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"] == [
        "Ngày ra khỏi danh sách (10/1/2024) không được trước ngày đăng ký (15/3/2024)."
    ]
    family.refresh_from_db()
    assert (family.registered_on, family.ended_on, family.is_active) == (None, None, True)


def test_an_end_date_on_an_active_family_or_in_the_future_is_refused(admin_client, families):
    family = families["an"]
    response = admin_client.post(family_url("edit", family.pk), family_post(family, ended_on="30/06/2025"))
    assert response.status_code == 200
    assert "bỏ chọn “Đang sử dụng”" in response.context["form"].errors["ended_on"][0]
    tomorrow = (today() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = admin_client.post(family_url("edit", family.pk), family_post(family, registered_on=tomorrow))
    assert response.status_code == 200
    assert response.context["form"].errors["registered_on"][0].startswith("Ngày đăng ký không được sau ngày hôm nay")
    family.refresh_from_db()
    assert (family.registered_on, family.ended_on, family.is_active) == (None, None, True)


def test_family_must_belong_to_a_village(admin_client, areas):
    response = admin_client.post(
        family_url("add"),
        {"head_title": "ông", "head_name": "Lê Văn Tư", "member_count": "3", "area": areas["commune_a"].pk},
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not LearningFamily.objects.filter(head_name="Lê Văn Tư").exists()


def test_edit_family(admin_client, families):
    family = families["an"]
    response = admin_client.post(
        family_url("edit", family.pk),
        {
            "head_title": "ông",
            "head_name": "Nguyễn Văn Ân",
            "member_count": "6",
            "area": family.area_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.member_count == 6
    assert family.name == "Gia đình ông Nguyễn Văn Ân"


def criteria_set_post(**overrides):
    data = {
        "name": "Bộ tiêu chí GĐHT thử",
        "kind": "family",
        "code": "gdht-moi",
        "status": "active",
        "source_status": "partial",
        "source_note": "",
        "document_number": "448/QĐ-KHVN",
        "document_date": "",
        "issuer": "Hội Khuyến học Việt Nam",
        "effective_from": "",
        "effective_to": "",
        "scoring_mode": "grade_bands",
        "pass_total": "",
        "indicator_minimum": "",
        "validity_years": "1",
        "grade_bands-TOTAL_FORMS": "1",
        "grade_bands-INITIAL_FORMS": "0",
        "grade_bands-MIN_NUM_FORMS": "0",
        "grade_bands-MAX_NUM_FORMS": "1000",
        "grade_bands-0-label": "Đạt",
        "grade_bands-0-min_total": "15",
        "grade_bands-0-recognised": "on",
        "grade_bands-0-ORDER": "1",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-number": "1",
        "criteria-0-title": "Học tập của trẻ em",
        "criteria-0-description": "",
        "criteria-0-min_points": "",
        "criteria-0-ORDER": "1",
        "criteria-0-indicators-TOTAL_FORMS": "2",
        "criteria-0-indicators-INITIAL_FORMS": "0",
        "criteria-0-indicators-MIN_NUM_FORMS": "0",
        "criteria-0-indicators-MAX_NUM_FORMS": "1000",
        "criteria-0-indicators-0-code": "1.1",
        "criteria-0-indicators-0-text": "Trẻ em trong độ tuổi đi học đều đến trường",
        "criteria-0-indicators-0-max_points": "10",
        "criteria-0-indicators-0-level": "",
        "criteria-0-indicators-0-evidence_guidance": "Giấy xác nhận của nhà trường",
        "criteria-0-indicators-0-ORDER": "1",
        "criteria-0-indicators-1-code": "1.2",
        "criteria-0-indicators-1-text": "Kết quả học tập và rèn luyện",
        "criteria-0-indicators-1-max_points": "10",
        "criteria-0-indicators-1-level": "",
        "criteria-0-indicators-1-evidence_guidance": "",
        "criteria-0-indicators-1-ORDER": "2",
    }
    data.update(overrides)
    return data


def test_create_criteria_set_with_nested_criteria_and_indicators(admin_client):
    response = admin_client.post(set_url("add"), criteria_set_post())
    assert response.status_code == 302, response.context["form"].errors
    criteria_set = CriteriaSet.objects.get(code="gdht-moi")
    assert criteria_set.version == 1
    assert [c.title for c in criteria_set.criteria.all()] == ["Học tập của trẻ em"]
    assert [i.code for i in criteria_set.criteria.get().indicators.all()] == ["1.1", "1.2"]
    assert criteria_set.max_total == Decimal("20")


def test_criteria_set_form_refuses_a_mode_mismatch(admin_client):
    data = criteria_set_post(scoring_mode="pass_fail_levels")
    response = admin_client.post(set_url("add"), data)
    assert response.status_code == 200
    assert not CriteriaSet.objects.filter(code="gdht-moi").exists()
    # The form error itself: the scoring-mode choice label also contains "đạt/không đạt".
    assert "Với cách chấm đạt/không đạt" in response.content.decode()


def test_used_criteria_set_is_frozen_and_revised_by_a_new_version(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation_create(subject=family, year=2024, criteria_set=family_set)

    response = admin_client.get(set_url("edit", family_set.pk))
    assert response.status_code == 302
    assert response["Location"] == set_url("inspect", family_set.pk)

    response = admin_client.post(set_url("edit", family_set.pk), criteria_set_post(name="Đổi tên", code="test-set"))
    assert response.status_code == 302
    family_set.refresh_from_db()
    assert family_set.name == "Bộ tiêu chí thử nghiệm"

    response = admin_client.post(set_url("new_version", family_set.pk))
    assert response.status_code == 302
    new = CriteriaSet.objects.get(code=family_set.code, version=2)
    assert new.status == "draft"
    assert new.criteria.count() == family_set.criteria.count()
    assert sum(c.indicators.count() for c in new.criteria.all()) == 7
    assert new.max_total == family_set.max_total
    # The new version is editable: it is not used by any evaluation.
    assert admin_client.get(set_url("edit", new.pk)).status_code == 200


def test_create_evaluation_then_score_it(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    response = admin_client.post(
        evaluation_url("add"),
        {"subject": family.pk, "year": "2025", "criteria_set": family_set.pk, "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    evaluation = Evaluation.objects.get(subject=family, year=2025)
    assert evaluation.area == areas["village_a1"]
    assert evaluation.kind == "family"

    score_url = evaluation_url("score", evaluation.pk)
    page = admin_client.get(score_url)
    assert page.status_code == 200
    assert "1.1" in page.content.decode()

    form = page.context["form"]
    data = {}
    points = {"1.1": "10", "1.2": "9,5", "1.3": "10", "2.1": "15", "2.2": "12.5", "3.1": "16", "3.2": "12"}
    for _criterion, rows in form.rows():
        for row in rows:
            data[row["score"].html_name] = points[row["indicator"].code]
    data["version"] = form.initial["version"]
    response = admin_client.post(score_url, data)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("85.0")
    assert evaluation.grade == "Tốt"
    assert evaluation.result == "meets"
    page = admin_client.get(score_url).content.decode()
    # Points in Vietnamese number format: "85", "9,5" (never "85.0" or "85,0").
    assert "data-score-total>85</strong>" in page and "Tốt" in page
    assert 'value="9,5"' in page and "85.0" not in page and "85,0" not in page


def test_the_inspect_page_shows_local_times_points_and_no_raw_values(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation = evaluation_create(subject=family, year=2025, criteria_set=family_set)
    first = family_set.criteria.first().indicators.first()
    evaluation_record_scores(evaluation=evaluation, values={first.pk: Decimal("7.5")})
    moment = datetime.datetime(2026, 12, 3, 13, 8, tzinfo=datetime.UTC)  # 20:08 in Vietnam
    Evaluation.objects.filter(pk=evaluation.pk).update(created_at=moment, updated_at=moment, created_by=None)
    page = admin_client.get(evaluation_url("inspect", evaluation.pk)).content.decode()
    assert "20:08 ngày 03/12/2026" in page and "13:08" not in page
    assert ">7,5<" in page  # the indicator's points
    assert f"{areas['village_a1'].name}, {areas['village_a1'].get_parent().name}" in page  # the village's commune
    for raw in (">None<", ">True<", ">False<", "7,50", "7.5"):
        assert raw not in page, raw


def test_why_an_evaluation_fails_is_said_in_vietnamese_with_its_points(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation = evaluation_create(subject=family, year=2025, criteria_set=family_set)
    values = {ind.pk: Decimal("2.5") for c in family_set.criteria.all() for ind in c.indicators.all()}
    evaluation_record_scores(evaluation=evaluation, values=values)
    page = admin_client.get(evaluation_url("score", evaluation.pk)).content.decode()
    assert "tổng 17,5 điểm chưa đạt mức xếp loại thấp nhất được công nhận" in page
    assert "below" not in page


def test_a_duplicate_evaluation_for_the_same_year_is_refused(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation_create(subject=family, year=2025, criteria_set=family_set)
    response = admin_client.post(
        evaluation_url("add"), {"subject": family.pk, "year": "2025", "criteria_set": family_set.pk}
    )
    assert response.status_code == 200
    assert Evaluation.objects.filter(subject=family).count() == 1


def test_a_criteria_set_of_another_kind_is_refused(admin_client, areas):
    family = FamilyFactory(area=areas["village_a1"])
    unit_set = make_criteria_set(kind="unit", code="dvht-test")
    response = admin_client.post(
        evaluation_url("add"), {"subject": family.pk, "year": "2025", "criteria_set": unit_set.pk}
    )
    assert response.status_code == 200
    assert "criteria_set" in response.context["form"].errors


@pytest.mark.parametrize(
    ("typed", "needle"),
    [("11", "Tối đa 10 điểm."), ("-1", None), ("abc", "abc"), ("7.25", "7,5"), ("NaN", "NaN")],
)
def test_bad_scores_are_refused_at_their_field_and_nothing_changes(admin_client, areas, family_set, typed, needle):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation = evaluation_create(subject=family, year=2025, criteria_set=family_set)
    first = family_set.criteria.first().indicators.first()
    evaluation_record_scores(evaluation=evaluation, values={first.pk: Decimal("6")})

    score_url = evaluation_url("score", evaluation.pk)
    response = admin_client.post(score_url, {f"score_{first.pk}": typed})
    assert response.status_code == 400
    errors = response.context["form"].errors[f"score_{first.pk}"]
    assert errors
    if needle:
        assert needle in errors[0]
    assert Score.objects.get(evaluation=evaluation, indicator=first).points == Decimal("6")


def test_evaluation_listing_filters_by_area_and_year_and_exports(admin_client, areas, family_set):
    in_a = FamilyFactory(head_name="Trong Xã A", area=areas["village_a1"])
    in_b = FamilyFactory(head_name="Trong Xã B", area=areas["village_b1"])
    evaluation_create(subject=in_a, year=2024, criteria_set=family_set)
    evaluation_create(subject=in_a, year=2025, criteria_set=family_set)
    evaluation_create(subject=in_b, year=2024, criteria_set=family_set)

    response = admin_client.get(evaluation_url("list"), {"area": areas["commune_a"].pk, "year": "2024"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trong Xã A" in page
    assert "Trong Xã B" not in page
    assert len(response.context["object_list"]) == 1

    response = admin_client.get(evaluation_url("list"), {"year": "2024", "export": "csv"}, follow=True)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = [line for line in body.splitlines() if line]
    assert len(lines) == 3  # heading + two evaluations of 2024


def test_evaluation_inspect_shows_scores(admin_client, areas, family_set):
    family = FamilyFactory(area=areas["village_a1"])
    evaluation = evaluation_create(subject=family, year=2025, criteria_set=family_set)
    first = family_set.criteria.first().indicators.first()
    evaluation_record_scores(evaluation=evaluation, values={first.pk: Decimal("7.5")})
    response = admin_client.get(evaluation_url("inspect", evaluation.pk))
    assert response.status_code == 200
    assert "7,5" in response.content.decode()  # Vietnamese decimal comma


def test_admin_pages_need_login(client, areas, family_set):
    response = client.get(evaluation_url("list"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_criteria_set_downloads_as_a_file_and_imports_back_as_a_new_version(admin_client, family_set):
    response = admin_client.get(set_url("export", family_set.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["criteria_set"]["code"] == "gdht-test"

    # The same file again changes nothing.
    same = SimpleUploadedFile("set.json", response.content, content_type="application/json")
    reply = admin_client.post(set_url("import"), {"file": same})
    assert reply.status_code == 302
    assert CriteriaSet.objects.filter(code="gdht-test").count() == 1

    # A revised file becomes version 2; version 1 is left as it was.
    document["criteria_set"]["criteria"][0]["indicators"][0]["text"] = "Chỉ số đã sửa"
    revised = SimpleUploadedFile("set.json", json.dumps(document).encode(), content_type="application/json")
    reply = admin_client.post(set_url("import"), {"file": revised})
    assert reply.status_code == 302
    assert CriteriaSet.objects.filter(code="gdht-test").count() == 2
    new = CriteriaSet.objects.get(code="gdht-test", version=2)
    assert new.criteria.first().indicators.first().text == "Chỉ số đã sửa"


def test_a_broken_criteria_set_file_is_refused_with_its_reasons(admin_client):
    broken = SimpleUploadedFile("set.json", b"{not json", content_type="application/json")
    response = admin_client.post(set_url("import"), {"file": broken})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not CriteriaSet.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        # The total needed is above what the two indicators (10 + 10) can give.
        {"scoring_mode": "total_threshold", "pass_total": "25", "grade_bands-TOTAL_FORMS": "0"},
        # The only band starts above the set's maximum.
        {"grade_bands-0-min_total": "25"},
        # The criterion's minimum is above what its indicators can give.
        {"criteria-0-min_points": "21"},
        # Every indicator is at level 2: no level can be reached.
        {
            "scoring_mode": "pass_fail_levels",
            "grade_bands-TOTAL_FORMS": "0",
            "criteria-0-indicators-0-max_points": "",
            "criteria-0-indicators-1-max_points": "",
            "criteria-0-indicators-0-level": "2",
            "criteria-0-indicators-1-level": "2",
        },
    ],
    ids=["pass-total", "grade-band", "criterion-minimum", "only-level-two"],
)
def test_the_criteria_set_form_refuses_what_the_file_import_refuses(admin_client, overrides):
    """A pass mark that cannot be reached is refused on the form as in the file import (one rule)."""
    response = admin_client.post(set_url("add"), criteria_set_post(**overrides))
    assert response.status_code == 200
    assert not CriteriaSet.objects.filter(code="gdht-moi").exists()


def test_the_form_says_why_a_pass_mark_cannot_be_reached(admin_client):
    data = criteria_set_post(scoring_mode="total_threshold", pass_total="25", **{"grade_bands-TOTAL_FORMS": "0"})
    response = admin_client.post(set_url("add"), data)
    assert "Tổng điểm đạt (25) lớn hơn tổng điểm tối đa của các chỉ số (20)." in response.content.decode()


def criteria_set_edit_post(criteria_set, **overrides):
    """The edit form's POST for a saved set as the browser sends it: every inline row with its id."""
    criterion = criteria_set.criteria.get()
    indicators = list(criterion.indicators.all())
    band = criteria_set.grade_bands.first()
    data = criteria_set_post(
        **{
            "grade_bands-INITIAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "1",
            "criteria-0-indicators-INITIAL_FORMS": "2",
        }
    )
    data.update(
        {
            "grade_bands-0-id": str(band.pk),
            "criteria-0-id": str(criterion.pk),
            "criteria-0-indicators-0-id": str(indicators[0].pk),
            "criteria-0-indicators-1-id": str(indicators[1].pk),
        }
    )
    data.update(overrides)
    return data


def test_editing_a_saved_set_without_touching_its_criteria_keeps_them_and_checks_them(admin_client):
    """Rows the officer left as they were count as the set's rows: the set saves, and the mode rules still
    see its indicators (they were taken for absent: "Add at least one criterion" on every such save)."""
    admin_client.post(set_url("add"), criteria_set_post(status="draft"))
    criteria_set = CriteriaSet.objects.get(code="gdht-moi")

    response = admin_client.post(
        set_url("edit", criteria_set.pk), criteria_set_edit_post(criteria_set, status="draft", name="Tên mới")
    )
    assert response.status_code == 302, response.context["form"].errors
    criteria_set.refresh_from_db()
    assert criteria_set.name == "Tên mới" and criteria_set.max_total == Decimal("20")

    data = criteria_set_edit_post(
        criteria_set, status="draft", scoring_mode="total_threshold", pass_total="25", **{"grade_bands-0-DELETE": "on"}
    )
    response = admin_client.post(set_url("edit", criteria_set.pk), data)
    assert response.status_code == 200
    assert "Tổng điểm đạt (25) lớn hơn tổng điểm tối đa của các chỉ số (20)." in response.content.decode()
