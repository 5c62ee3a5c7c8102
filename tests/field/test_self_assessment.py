"""Self-assessment by code (issue 19): slips printed from the subject listing (by area, with refusals), read
back from the PDF and their QR decoded; the public form a code opens (values checked by indicator, stored as the
evaluation's self values and seen by the officer, photos as evidence), and what a code must not do (expired,
unknown, rate limited, a submitted evaluation, other subjects)."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest
from PIL import Image

from documents.codes import code_display
from evaluations import roles
from evaluations.calendar import current_evaluation_year
from evaluations.models import Evaluation, EvaluationStatus, Evidence, ExportRecord, Score
from evaluations.services import evaluation_create, evaluation_record_scores
from field.models import SelfAssessmentCode
from tests.documents.reading import pdf_pages, qr_codes
from tests.factories import ClanFactory, FamilyFactory, make_criteria_set, make_officer

pytestmark = pytest.mark.django_db

YEAR = current_evaluation_year()


@pytest.fixture
def criteria_set(db):
    """A family set in force that takes a self-assessment: two points indicators and one met / not met."""
    return make_criteria_set(
        code="gdht-tu-danh-gia",
        name="Bộ tiêu chí gia đình học tập (tự đánh giá)",
        has_self_assessment=True,
        indicators=[
            [
                {"code": "1.1", "max_points": "10", "text": "Các thành viên đọc sách mỗi tuần"},
                {"code": "1.2", "max_points": "10", "evidence_guidance": "Giấy khen của con"},
            ],
            [{"code": "2.1", "text": "Có góc học tập"}],
        ],
        bands=[("Tốt", "15", True)],
    )


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-a")


@pytest.fixture
def family(areas):
    return FamilyFactory(area=areas["village_a1"], head_name="Đàng Thị Bích", head_title="")


@pytest.fixture
def outsider(areas):
    return FamilyFactory(area=areas["village_b1"], head_name="Zeta Trần Bí Mật")


def indicator_ids(criteria_set) -> dict:
    return {ind.code: ind.pk for crit in criteria_set.criteria.all() for ind in crit.indicators.all()}


def slips_url(subjects, model_name: str = "learningfamily") -> str:
    query = "&".join(f"id={subject.pk}" for subject in subjects)
    return reverse("wagtail_bulk_action", args=["evaluations", model_name, "self_assessment_slips"]) + "?" + query


def print_slips(client, subjects) -> bytes:
    response = client.post(slips_url(subjects))
    assert response.status_code == 200, response.content[:400]
    assert response["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="phieu-tu-danh-gia-\d{4}-\d+-\d{8}\.pdf"', response["Content-Disposition"])
    return response.content


def issued(client, officer, family) -> SelfAssessmentCode:
    client.force_login(officer)
    print_slips(client, [family])
    client.logout()
    return SelfAssessmentCode.objects.get(subject=family, superseded_at__isnull=True)


def answers(criteria_set, **by_code) -> dict:
    ids = indicator_ids(criteria_set)
    return {f"indicator_{ids[code.replace('_', '.')]}": value for code, value in by_code.items()}


def png(name: str = "goc-hoc-tap.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- slips -----------------------------------------------------------------------------------------------------


def test_slips_from_the_listing_name_the_subject_code_address_and_last_day(client, officer, family, criteria_set):
    second = FamilyFactory(area=family.area)
    client.force_login(officer)
    page = client.get(slips_url([family, second])).content.decode()
    assert "Gia đình Đàng Thị Bích" in page and "In phiếu tự đánh giá" in page
    data = print_slips(client, [family, second])
    texts = pdf_pages(data)
    assert len(texts) == 1  # three slips to a page
    code = SelfAssessmentCode.objects.get(subject=family)
    assert len(code.code) >= 10 and code.criteria_set == criteria_set and code.year == YEAR
    assert code.issued_by == officer
    text = texts[0]
    assert "PHIẾU TỰ ĐÁNH GIÁ GIA ĐÌNH HỌC TẬP NĂM" in text and str(YEAR) in text
    assert "Gia đình Đàng Thị Bích" in text and "Thôn Từ Thiện, Xã Phước Hải" in text
    assert "HỘI KHUYẾN HỌC XÃ PHƯỚC HẢI" in text
    assert code_display(code.code) in text
    assert f"http://testserver/tu-danh-gia/{code.code}/" in text
    assert f"Hạn dùng: đến ngày {code.last_day:%d/%m/%Y}" in text
    assert code.last_day == timezone.localdate() + datetime.timedelta(days=60)
    urls = qr_codes(data)
    assert f"http://testserver/tu-danh-gia/{code.code}/" in urls and len(urls) == 2
    record = ExportRecord.objects.get()
    assert (record.user, record.listing, record.file_format, record.row_count) == (
        officer,
        "documents.self_assessment_slips",
        "pdf",
        2,
    )


def test_subjects_without_a_self_assessment_set_are_refused_with_the_reason(
    client, officer, family, criteria_set, areas
):
    clan = ClanFactory(area=areas["commune_a"], clan_name="Họ Lê Không Phiếu")
    client.force_login(officer)
    page = client.get(slips_url([clan], "learningclan")).content.decode()
    assert f"Lê Không Phiếu: năm {YEAR} không có bộ tiêu chí nào" in page
    assert "Tải các phiếu (PDF)" not in page
    response = client.post(slips_url([clan], "learningclan"))
    assert response.status_code == 302 and not SelfAssessmentCode.objects.exists()


def test_more_subjects_than_the_limit_are_refused_before_any_code_is_made(
    client, officer, family, criteria_set, areas, monkeypatch
):
    monkeypatch.setattr("field.bulk_actions.SelfAssessmentSlipsBulkAction.selection_limit", 1)
    second = FamilyFactory(area=areas["village_a2"], head_name="Lò Văn Hai")
    client.force_login(officer)
    page = client.get(slips_url([family, second])).content.decode()
    assert "Đã chọn 2 mô hình: mỗi lần in tối đa 1 phiếu" in page
    assert "Tải các phiếu (PDF)" not in page
    response = client.post(slips_url([family, second]))
    assert response.status_code == 302 and not SelfAssessmentCode.objects.exists()


def test_an_officer_prints_no_slip_outside_their_area_and_an_auditor_none(
    client, officer, family, outsider, criteria_set, areas
):
    from evaluations.templatetags.evaluation_tags import permitted_bulk_actions

    client.force_login(officer)
    assert "Zeta" not in client.get(slips_url([family, outsider])).content.decode()
    assert client.get(slips_url([outsider])).status_code == 404
    data = print_slips(client, [family, outsider])
    assert not any("Zeta" in text for text in pdf_pages(data))
    assert list(SelfAssessmentCode.objects.values_list("subject", flat=True)) == [family.pk]
    auditor = make_officer(roles.AUDITOR, areas["commune_a"], username="kiem-tra")
    reviewer = make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh")
    for user in (auditor, reviewer):
        offered = [a.action_type for a in permitted_bulk_actions(user, "evaluations", "learningfamily")]
        assert "self_assessment_slips" not in offered
        client.force_login(user)
        assert client.post(slips_url([family])).status_code in (302, 403, 404)
    assert SelfAssessmentCode.objects.count() == 1


def test_a_reprint_keeps_the_code_and_an_expired_one_is_replaced(client, officer, family, criteria_set):
    client.force_login(officer)
    print_slips(client, [family])
    first = SelfAssessmentCode.objects.get()
    print_slips(client, [family])
    assert list(SelfAssessmentCode.objects.values_list("code", flat=True)) == [first.code]
    SelfAssessmentCode.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    data = print_slips(client, [family])
    new = SelfAssessmentCode.objects.get(superseded_at__isnull=True)
    assert new.code != first.code and code_display(new.code) in pdf_pages(data)[0]
    assert SelfAssessmentCode.objects.get(pk=first.pk).superseded_at is not None
    client.logout()
    old = client.get(reverse("self_assessment", args=[first.code]))
    assert old.status_code == 410 and "đã hết hạn" in old.content.decode()


def test_the_subject_page_offers_its_slip(client, officer, family, criteria_set):
    client.force_login(officer)
    page = client.get(reverse("wagtailsnippets_evaluations_learningfamily:inspect", args=[family.pk]))
    html = page.content.decode()
    assert "Phiếu tự đánh giá" in html
    assert reverse("wagtail_bulk_action", args=["evaluations", "learningfamily", "self_assessment_slips"]) in html


# --- the public form ---------------------------------------------------------------------------------------------


def test_the_family_submits_its_self_assessment_and_the_officer_sees_it(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    url = reverse("self_assessment", args=[code.code])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store" and page["X-Robots-Tag"] == "noindex"
    assert "Gia đình Đàng Thị Bích" in html and "Thôn Từ Thiện" in html and str(YEAR) in html
    assert "Bộ tiêu chí gia đình học tập (tự đánh giá)" in html
    assert "Các thành viên đọc sách mỗi tuần" in html and "Giấy khen của con" in html
    assert 'inputmode="decimal"' in html and 'type="radio"' in html and 'accept="image/*"' in html
    assert "tối đa 10 điểm" in html
    assert not Evaluation.objects.exists()

    response = client.post(url, {**answers(criteria_set, **{"1_1": "8,5", "1_2": "9", "2_1": "1"}), "photos": [png()]})
    assert response.status_code == 302 and response["Location"] == f"{url}?sent=1"
    evaluation = Evaluation.objects.get()
    assert (evaluation.subject_id, evaluation.year, evaluation.status) == (family.pk, YEAR, EvaluationStatus.DRAFT)
    assert evaluation.criteria_set == criteria_set and evaluation.created_by is None
    ids = indicator_ids(criteria_set)
    scores = {s.indicator_id: s for s in Score.objects.filter(evaluation=evaluation)}
    assert scores[ids["1.1"]].self_points == Decimal("8.5") and scores[ids["1.1"]].points is None
    assert scores[ids["2.1"]].self_met is True and scores[ids["2.1"]].met is None
    assert evaluation.self_total == Decimal("17.5")
    evidence = Evidence.objects.get()
    assert evidence.evaluation == evaluation and evidence.uploaded_by is None
    assert evidence.description == "Ảnh gia đình gửi kèm phần tự đánh giá"
    # The history names the family's submission, by no user (no account; the officer who printed it did not write it).
    actions = list(ModelLogEntry.objects.filter(object_id=str(evaluation.pk)).values_list("action", "user"))
    assert ("evaluations.self_assessment_create", None) in actions
    assert ("evaluations.self_assessment", None) in actions

    thanks = client.get(f"{url}?sent=1").content.decode()
    assert "Cảm ơn" in thanks and "17,5 / 20" in thanks and "Tốt" in thanks
    assert 'value="8,5"' in thanks  # the form comes back filled in, to be changed

    client.force_login(officer)
    score_page = client.get(reverse("wagtailsnippets_evaluations_evaluation:score", args=[evaluation.pk]))
    assert score_page.status_code == 200
    assert f'name="self_{ids["1.1"]}"' in score_page.content.decode()
    assert re.search(
        rf'name="self_{ids["1.1"]}"[^>]*value="8,5"|value="8,5"[^>]*name="self_{ids["1.1"]}"',
        score_page.content.decode(),
    )


def test_the_family_changes_its_answers_while_the_evaluation_is_a_draft(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    url = reverse("self_assessment", args=[code.code])
    client.post(url, answers(criteria_set, **{"1_1": "8", "1_2": "9", "2_1": "1"}))
    client.post(url, answers(criteria_set, **{"1_1": "10", "1_2": "9", "2_1": "0"}))
    evaluation = Evaluation.objects.get()
    assert evaluation.self_total == Decimal("19")
    assert Score.objects.get(evaluation=evaluation, indicator_id=indicator_ids(criteria_set)["2.1"]).self_met is False


def test_mistakes_are_named_by_indicator_and_nothing_is_stored(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    url = reverse("self_assessment", args=[code.code])
    response = client.post(url, answers(criteria_set, **{"1_1": "11", "1_2": "abc"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không có gì được ghi lại" in html
    assert "Chỉ số 1.1</a>: Tối đa 10 điểm." in html
    assert "Chỉ số 1.2</a>: “abc” không phải là số." in html
    assert "Chỉ số 2.1</a>: Hãy chọn “Đạt” hoặc “Chưa đạt”." in html
    assert not Evaluation.objects.exists() and not Score.objects.exists()
    assert SelfAssessmentCode.objects.get().submitted_at is None


def test_photos_must_be_images_named_in_the_refusal(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    url = reverse("self_assessment", args=[code.code])
    pdf = SimpleUploadedFile("giay-khen.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(url, {**answers(criteria_set, **{"1_1": "8", "1_2": "9", "2_1": "1"}), "photos": [pdf]})
    assert response.status_code == 400 and "giay-khen.pdf" in response.content.decode()
    assert not Evaluation.objects.exists() and not Evidence.objects.exists()


def test_a_submitted_evaluation_refuses_changes(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    evaluation = evaluation_create(subject=family, year=YEAR, criteria_set=criteria_set, user=officer)
    ids = indicator_ids(criteria_set)
    evaluation_record_scores(evaluation=evaluation, values={}, self_values={ids["1.1"]: Decimal(5)}, user=officer)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    url = reverse("self_assessment", args=[code.code])
    message = "Hồ sơ đã được gửi xét duyệt, không thể sửa phần tự đánh giá."
    page = client.get(url).content.decode()
    assert message in page and 'type="radio"' not in page
    response = client.post(url, answers(criteria_set, **{"1_1": "10", "1_2": "9", "2_1": "1"}))
    assert response.status_code == 409 and message in response.content.decode()
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.1"]).self_points == Decimal(5)


def test_an_expired_code_is_refused_without_naming_the_subject(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    SelfAssessmentCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    url = reverse("self_assessment", args=[code.code])
    for response in (client.get(url), client.post(url, answers(criteria_set, **{"1_1": "8"}))):
        html = response.content.decode()
        assert response.status_code == 410
        assert "Mã này đã hết hạn" in html and "mới" in html
        assert "Đàng Thị Bích" not in html and "Thôn Từ Thiện" not in html
    assert not Evaluation.objects.exists()


def test_an_unknown_code_is_a_404_with_the_form_and_a_typed_code_is_forgiven(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    wrong = code.code[:-1] + ("2" if code.code[-1] != "2" else "3")
    response = client.get(reverse("self_assessment", args=[wrong]))
    assert response.status_code == 404 and 'name="code"' in response.content.decode()
    assert "Đàng Thị Bích" not in response.content.decode()
    typed = client.get(reverse("self_assessment_form"), {"code": f" {code_display(code.code).lower()} "})
    assert typed.status_code == 302 and typed["Location"] == reverse("self_assessment", args=[code.code])
    assert client.get(reverse("self_assessment", args=[code_display(code.code).lower()])).status_code == 200
    form = client.get(reverse("self_assessment_form"))
    assert form.status_code == 200 and form["Cache-Control"] == "no-store"


@override_settings(SELF_ASSESSMENT_RATE=(3, 600))
def test_look_ups_and_submissions_are_rate_limited_per_address(client, officer, family, criteria_set):
    code = issued(client, officer, family)
    url = reverse("self_assessment", args=[code.code])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert client.post(url, answers(criteria_set, **{"1_1": "1"})).status_code == 400
    response = client.get(url)
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert "quá nhiều lần" in response.content.decode() and "Đàng Thị Bích" not in response.content.decode()
    assert client.get(reverse("self_assessment", args=["ZZZZZZZZZZ"])).status_code == 429  # guessing is counted too
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_code_shows_only_its_own_subject_and_never_the_verified_scores(
    client, officer, family, outsider, criteria_set, areas
):
    neighbour = FamilyFactory(area=areas["village_a1"], head_name="Lê Văn Hàng Xóm")
    code = issued(client, officer, family)
    evaluation = evaluation_create(subject=family, year=YEAR, criteria_set=criteria_set, user=officer)
    ids = indicator_ids(criteria_set)
    evaluation_record_scores(
        evaluation=evaluation,
        values={ids["1.2"]: Decimal("3.5")},
        notes={ids["1.2"]: "Ghi chú riêng của cán bộ"},
        self_values={ids["1.1"]: Decimal(7)},
        user=officer,
    )
    html = client.get(reverse("self_assessment", args=[code.code])).content.decode()
    assert "Đàng Thị Bích" in html
    assert "Hàng Xóm" not in html and "Zeta" not in html and neighbour.name not in html
    assert "Ghi chú riêng của cán bộ" not in html and "3,5" not in html
    assert 'value="7"' in html
    # The self-assessment is stored on the one evaluation the code names.
    client.post(
        reverse("self_assessment", args=[code.code]), answers(criteria_set, **{"1_1": "6", "1_2": "6", "2_1": "1"})
    )
    assert Evaluation.objects.count() == 1
    score = Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"])
    assert (score.points, score.self_points, score.note) == (Decimal("3.5"), Decimal(6), "Ghi chú riêng của cán bộ")
