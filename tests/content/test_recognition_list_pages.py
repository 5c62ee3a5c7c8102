"""The public recognition list pages through the index in list order: the same rows in the same order as the
old sort across the join on every page, in the list and the API alike; the count cached per filter and
stale as soon as a decision, a revocation or a subject's consent or registration changes it."""

import pytest

from evaluations.models import Evaluation, EvaluationStatus, HeadTitle
from evaluations.selectors import PublicRecognitionPage, public_recognitions_matching
from tests.factories import FamilyFactory, make_decision, make_recognised

pytestmark = pytest.mark.django_db

HEADS = ["Đặng Văn Hải", "Ánh Thị Mai", "Hồng-Nhung", "Hồng Nhung", "Dương Văn Bình", "Zơ Văn Yên", "Âu Văn Út"]


def old_order(**filters):
    """The order the public saw before: sorted by the database across the join to the subject."""
    matching = public_recognitions_matching(**filters)
    return list(matching.order_by("-year", "subject__name_folded", "subject__name", "pk").values_list("pk", flat=True))


@pytest.fixture
def many(areas):
    """45 recognitions over two years (three pages of 20 in the list)."""
    decisions = {year: make_decision(areas["commune_a"], f"{year}/QĐ-UBND", year) for year in (2024, 2025)}
    for number in range(45):
        head = f"{HEADS[number % len(HEADS)]} {number // len(HEADS) or ''}".strip()
        family = FamilyFactory(head_name=head, head_title=HeadTitle.MR, area=areas["village_a1"])
        year = 2024 if number % 2 else 2025
        make_recognised(family, decisions[year], year=year)
    return decisions


def list_ids(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [row["pk"] for row in response.context["results"]], response


def test_every_page_of_the_list_and_the_api_holds_the_old_order(client, recognition_page, many):
    expected = old_order()
    pages = [list_ids(client, recognition_page.url, page=n)[0] for n in (1, 2, 3)]
    assert pages[0] + pages[1] + pages[2] == expected
    api = [client.get("/api/v1/recognitions/", {"page_size": 20, "page": n}).json() for n in (1, 2, 3)]
    assert [row["id"] for body in api for row in body["results"]] == expected
    assert api[0]["count"] == 45 and api[0]["pages"] == 3


def test_a_name_search_keeps_the_order(client, recognition_page, many):
    ids, response = list_ids(client, recognition_page.url, q="hong nhung")
    assert ids == old_order(q="hong nhung")
    assert {row["subject__name"] for row in response.context["results"]} >= {
        "Gia đình ông Hồng Nhung",
        "Gia đình ông Hồng-Nhung",
    }


def test_the_cached_count_follows_decisions_revocations_and_consent(areas, many):
    def count():
        return PublicRecognitionPage(public_recognitions_matching(year=2025)).count()

    assert count() == 23
    # A new recognition by a decision.
    family = FamilyFactory(head_name="Mới Văn Một", area=areas["village_a2"])
    make_recognised(family, many[2025], year=2025)
    assert count() == 24
    # A subject withdraws its consent to publication.
    family.publish_consent = False
    family.save()
    assert count() == 23
    # A revocation written in bulk (the workflow's set-based path sends ``evaluations_bulk_changed``).
    from evaluations.signals import evaluations_bulk_changed

    revoked = Evaluation.objects.filter(year=2025, status=EvaluationStatus.RECOGNISED).exclude(subject=family)[:2]
    ids = list(revoked.values_list("pk", flat=True))
    Evaluation.objects.filter(pk__in=ids).update(status=EvaluationStatus.REVOKED)
    evaluations_bulk_changed.send(sender=Evaluation, evaluation_ids=ids, subject_ids=[])
    assert count() == 21
    # The subject leaves the register.
    gone = Evaluation.objects.filter(year=2025, status=EvaluationStatus.RECOGNISED).exclude(subject=family).first()
    subject = gone.subject.specific
    subject.is_active = False
    subject.save()
    assert count() == 20
