"""Access by area, role by role and view by view, for a record inside and one outside the user's area.

Inside: the role's permissions decide. Outside: every view answers 403 or 404 (or sends the user
away) and shows none of the record's data, whatever the role.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.models import Evaluation, LearningFamily
from evaluations.services import evidence_add
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

ROLES = {
    "provincial": (roles.PROVINCIAL_OFFICER, "province"),
    "officer": (roles.COMMUNE_OFFICER, "commune_a"),
    "reviewer": (roles.COMMUNE_REVIEWER, "commune_a"),
    "communications": (roles.COMMUNICATIONS, "commune_a"),
    "auditor": (roles.AUDITOR, "commune_a"),
}

READERS = {"provincial", "officer", "reviewer", "auditor"}
#: view name -> roles that may open it for a record of their own area
EVALUATION_VIEWS = {
    "inspect": READERS,
    "edit": {"provincial", "officer"},
    "delete": {"provincial"},
    "history": READERS,
    "usage": {"provincial", "officer"},
    "score": READERS,  # read-only for reviewers and auditors
}
FAMILY_VIEWS = {
    "inspect": READERS,
    "edit": {"provincial", "officer"},
    "delete": {"provincial"},
    "history": {"provincial", "officer"},
}


@pytest.fixture
def world(areas):
    criteria_set = make_criteria_set(code="gdht-matrix")
    inside = scored_evaluation(FamilyFactory(head_name="Trong Vùng", area=areas["village_a1"]), criteria_set)
    outside = scored_evaluation(FamilyFactory(head_name="Ngoài Vùng", area=areas["village_b1"]), criteria_set)
    for evaluation in (inside, outside):
        evidence_add(evaluation=evaluation, upload=SimpleUploadedFile("minh-chung.pdf", PDF))
    users = {name: make_officer(role, areas[area], username=name) for name, (role, area) in ROLES.items()}
    return {"inside": inside, "outside": outside, "users": users, "areas": areas}


def evaluation_url(name, evaluation):
    return reverse(evaluation_viewset.get_url_name(name), args=[evaluation.pk])


def family_url(name, evaluation):
    return reverse(LearningFamily.snippet_viewset.get_url_name(name), args=[evaluation.subject_id])


def is_denied(response, secret: str) -> bool:
    body = response.content.decode() if not response.streaming else ""
    return response.status_code in (302, 403, 404) and secret not in body


def is_allowed(response, secret: str) -> bool:
    return response.status_code == 200 and secret in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", EVALUATION_VIEWS)
def test_evaluation_views(client, world, role, view):
    client.force_login(world["users"][role])
    inside = client.get(evaluation_url(view, world["inside"]))
    outside = client.get(evaluation_url(view, world["outside"]))
    if role in EVALUATION_VIEWS[view]:
        assert is_allowed(inside, "Trong Vùng"), (view, role, inside.status_code)
    else:
        assert is_denied(inside, "Trong Vùng"), (view, role, inside.status_code)
    if role == "provincial":
        assert is_allowed(outside, "Ngoài Vùng")  # the whole province is theirs
    else:
        assert is_denied(outside, "Ngoài Vùng"), (view, role, outside.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", FAMILY_VIEWS)
def test_subject_views(client, world, role, view):
    client.force_login(world["users"][role])
    inside = client.get(family_url(view, world["inside"]))
    outside = client.get(family_url(view, world["outside"]))
    if role in FAMILY_VIEWS[view]:
        assert is_allowed(inside, "Trong Vùng"), (view, role, inside.status_code)
    else:
        assert is_denied(inside, "Trong Vùng"), (view, role, inside.status_code)
    if role != "provincial":
        assert is_denied(outside, "Ngoài Vùng"), (view, role, outside.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_listings_exports_and_choosers_show_only_the_area(client, world, role):
    client.force_login(world["users"][role])
    pages = [
        client.get(reverse(evaluation_viewset.get_url_name("list"))),
        client.get(reverse(LearningFamily.snippet_viewset.get_url_name("list"))),
        client.get("/admin/evaluations/choose-subject/results/", {"q": "Vùng"}),
    ]
    # Wagtail's export address leads to the project's export, where access by area applies as well.
    exports = [
        client.get(reverse(evaluation_viewset.get_url_name("list")), {"export": "csv"}, follow=True),
        client.get(reverse(LearningFamily.snippet_viewset.get_url_name("list")), {"export": "csv"}, follow=True),
    ]
    for page in pages:
        assert "Ngoài Vùng" not in page.content.decode() or role == "provincial"
    for export in exports:
        # A user without access is sent back to the dashboard (a page, not a file).
        body = b"".join(export.streaming_content).decode("utf-8-sig") if export.streaming else ""
        assert ("Ngoài Vùng" in body) == (role == "provincial")
        assert ("Trong Vùng" in body) == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_evidence_downloads(client, world, role):
    client.force_login(world["users"][role])
    inside = client.get(reverse("evaluations:evidence_download", args=[world["inside"].evidence.get().pk]))
    outside = client.get(reverse("evaluations:evidence_download", args=[world["outside"].evidence.get().pk]))
    assert (inside.status_code == 200) == (role in READERS)
    assert (outside.status_code == 200) == (role == "provincial")
    nowhere = client.get(reverse("evaluations:evidence_download", args=[987654]))
    if role in READERS and role != "provincial":
        # Outside the area and nonexistent answer alike: the answer does not confirm the file exists.
        assert outside.status_code == nowhere.status_code == 404
    elif role not in READERS:
        assert outside.status_code == nowhere.status_code == 403  # no permission to read evidence at all


@pytest.mark.parametrize("role", ROLES)
def test_workflow_actions_and_bulk_actions_outside_the_area_change_nothing(client, world, role):
    client.force_login(world["users"][role])
    outside = world["outside"]
    client.post(evaluation_url("lock", outside))
    client.post(reverse(evaluation_viewset.get_url_name("action"), args=[outside.pk, "submit"]))
    bulk = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "submit"]) + f"?id={outside.pk}"
    client.post(bulk)
    if role != "provincial":  # who may delete everywhere would, rightly, delete it
        client.post(reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "delete"]) + f"?id={outside.pk}")
    outside.refresh_from_db()
    if role == "provincial":
        assert outside.status == "submitted"
    else:
        assert outside.status == "draft"
        assert not outside.locked
        assert Evaluation.objects.filter(pk=outside.pk).exists()


def test_a_subject_cannot_be_registered_outside_the_area(client, world):
    areas = world["areas"]
    client.force_login(world["users"]["officer"])
    response = client.post(
        reverse(LearningFamily.snippet_viewset.get_url_name("add")),
        {"head_title": "ông", "head_name": "Lạc Vùng", "member_count": "3", "area": areas["village_b2"].pk},
    )
    assert response.status_code == 200
    assert not LearningFamily.objects.filter(head_name="Lạc Vùng").exists()


def test_an_evaluation_cannot_be_opened_for_a_subject_outside_the_area(client, world):
    client.force_login(world["users"]["officer"])
    outside_subject = world["outside"].subject
    response = client.post(
        reverse(evaluation_viewset.get_url_name("add")),
        {"subject": outside_subject.pk, "year": "2026", "criteria_set": world["outside"].criteria_set_id},
    )
    assert response.status_code == 200
    assert not Evaluation.objects.filter(subject=outside_subject, year=2026).exists()


def test_communications_staff_see_no_evaluation_screens(client, world):
    client.force_login(world["users"]["communications"])
    for url in (
        reverse(evaluation_viewset.get_url_name("list")),
        reverse(LearningFamily.snippet_viewset.get_url_name("list")),
        reverse("wagtailsnippets_evaluations_recognitiondecision:list"),
        reverse("wagtailsnippets_evaluations_commendationproposal:list"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
    assert client.get("/admin/pages/").status_code == 200


@pytest.mark.parametrize("role", [r for r in ROLES if r != "provincial"])
def test_revisions_unlock_and_admin_search_reveal_nothing_outside(client, world, role):
    outside = world["outside"]
    revision = outside.revisions.first()
    client.force_login(world["users"][role])
    compare = reverse(evaluation_viewset.get_url_name("revisions_compare"), args=[outside.pk, revision.pk, "latest"])
    assert is_denied(client.get(compare), "Ngoài Vùng")
    unlock = reverse(evaluation_viewset.get_url_name("unlock"), args=[outside.pk])
    assert client.post(unlock).status_code == 404
    search = client.get("/admin/search/", {"q": "Ngoài Vùng"})
    assert "Ngoài Vùng" not in search.content.decode().replace('value="Ngoài Vùng"', "")


def test_every_object_url_of_the_area_bound_screens_is_guarded():
    from evaluations.admin import commendation_viewset, decision_viewset, subject_viewset_group

    viewsets = [evaluation_viewset, decision_viewset, commendation_viewset, *subject_viewset_group.registerables]
    for viewset in viewsets:
        for pattern in viewset.get_urlpatterns():
            groups = set(pattern.pattern.regex.groupindex)
            if groups:
                assert "pk" in groups, (viewset, pattern)
                assert hasattr(pattern.callback, "__wrapped__"), (viewset, pattern)  # the area guard


def test_the_area_filter_offers_only_the_users_own_units(client, world):
    areas = world["areas"]
    client.force_login(world["users"]["officer"])
    page = client.get(reverse(evaluation_viewset.get_url_name("list")))
    choices = [str(label).strip() for _value, label in page.context["filters"].form.fields["area"].choices]
    assert "Xã Phước Hải" in choices
    assert "Xã Phước Hữu" not in choices and "Huyện Ninh Phước" not in choices
    refused = client.get(reverse(evaluation_viewset.get_url_name("list")), {"area": areas["commune_b"].pk})
    assert "Ngoài Vùng" not in refused.content.decode()
