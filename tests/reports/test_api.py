"""The open-data API: its OpenAPI document, filters, pagination, CSV, errors, and public data only."""

import csv
import io

from django.urls import URLPattern, reverse

import pytest

from evaluations.models import Evaluation, LearningFamily
from reports import api
from tests.factories import CitizenFactory, make_criteria_set

from .conftest import YEAR, evaluate

pytestmark = pytest.mark.django_db


def get(client, name, **params):
    return client.get(reverse(f"api:{name}"), params)


def test_every_endpoint_and_parameter_is_documented(client):
    document = client.get(reverse("api:openapi")).json()
    assert document["openapi"].startswith("3.")
    routes = [p for p in api.urlpatterns if isinstance(p, URLPattern) and p.name != "openapi"]
    assert {f"/api/v1/{p.pattern}" for p in routes} == set(document["paths"])
    for endpoint in api.ENDPOINTS:
        operation = document["paths"][f"/api/v1/{endpoint.path}"]["get"]
        documented = {p["name"] for p in operation["parameters"]}
        assert documented == {p.name for p in endpoint.params}
        assert {"200", "400"} <= set(operation["responses"])
        row = document["components"]["schemas"][f"{endpoint.name}_row"]
        # Every field an actual row carries is in the schema, and nothing more.
        assert set(row["properties"]) == set(endpoint.row_schema["properties"])


def test_rows_match_the_schema(client, dataset):
    document = client.get(reverse("api:openapi")).json()
    for endpoint in api.ENDPOINTS:
        body = get(client, endpoint.name, year=YEAR).json()
        assert body["results"]
        fields = set(document["components"]["schemas"][f"{endpoint.name}_row"]["properties"])
        for row in body["results"]:
            assert set(row) == fields


def test_figures_by_area_year_and_kind(client, dataset):
    body = get(client, "figures", area="T0111", year=YEAR, kind="family").json()
    rows = {r["area_name"]: r for r in body["results"]}
    assert set(rows) == {"Xã Phước Hải", "Thôn Từ Thiện", "Thôn Thái An"}
    assert (rows["Xã Phước Hải"]["registered"], rows["Xã Phước Hải"]["recognised"]) == (6, 3)
    assert rows["Xã Phước Hải"]["percent_recognised"] == 50.0
    assert rows["Xã Phước Hải"]["target_percent"] == 70.0
    assert rows["Xã Phước Hải"]["target_met"] is False
    assert rows["Thôn Từ Thiện"]["parent_code"] == "T0111"
    body = get(client, "figures", area="T01", year=YEAR, level="commune").json()
    assert body["count"] == 2 * 6  # two communes, six indicators


def test_recognitions_show_only_what_the_public_lists_show(client, dataset):
    hidden = dataset["a1"][1]
    LearningFamily.objects.filter(pk=hidden.pk).update(publish_consent=False)
    body = get(client, "recognitions", year=YEAR, kind="family").json()
    names = {r["name"] for r in body["results"]}
    # B2 0 is "recognised" without a decision: not a public recognition.
    assert names == {"Gia đình ông A1 0", "Gia đình ông A2 0"}
    row = next(r for r in body["results"] if r["name"] == "Gia đình ông A1 0")
    assert row.pop("id") == Evaluation.objects.get(subject=dataset["a1"][0]).pk
    assert row == {
        "kind": "family",
        "name": "Gia đình ông A1 0",
        "village": "Thôn Từ Thiện",
        "commune": "Xã Phước Hải",
        "year": YEAR,
        "grade": "Tốt",
        "level": None,
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2025-11-20",
        "decision_issuing_body": "UBND xã Phước Hải",
        "url": None,  # no recognition list page on this site
    }
    assert get(client, "recognitions", area="T0112").json()["count"] == 0  # commune B: B2 0 has no decision
    clan = get(client, "recognitions", kind="clan").json()["results"][0]
    assert (clan["village"], clan["commune"]) == (None, "Xã Phước Hải")


def test_inactive_subjects_and_other_statuses_are_never_published(client, dataset):
    Evaluation.objects.filter(subject=dataset["a1"][0]).update(status="revoked")
    names = {r["name"] for r in get(client, "recognitions", page_size=500).json()["results"]}
    assert "Gia đình ông A1 0" not in names
    assert "Gia đình ông A1 2" not in names  # not recognised


def test_pagination(client, dataset):
    # Four recognitions by a decision (three families, a clan); B2 0 and the unit have none.
    first = get(client, "recognitions", page_size=3).json()
    assert (first["count"], first["pages"], len(first["results"])) == (4, 2, 3)
    assert "page=2" in first["next"] and first["previous"] is None
    last = get(client, "recognitions", page_size=3, page=2).json()
    assert last["next"] is None and len(last["results"]) == 1
    seen = {r["name"] for p in (1, 2) for r in get(client, "recognitions", page_size=3, page=p).json()["results"]}
    assert len(seen) == 4


def test_csv(client, dataset):
    response = get(client, "recognitions", format="csv", kind="family")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["kind"] == "family"
    assert list(rows[0]) == list(api.RECOGNITION_ROW["properties"])


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"year": "abc"}, "year", "số nguyên"),
        ({"year": "1800"}, "year", "2000"),
        ({"kind": "dog"}, "kind", "family"),
        ({"kind": "citizen"}, "kind", "unit"),  # learning citizens are never published
        ({"grade": "x" * 41}, "grade", "40"),
        ({"q": "x" * 101}, "q", "100"),
        ({"area": "99999"}, "area", "99999"),
        ({"page": "0"}, "page", "1"),
        ({"page": "40"}, "page", "40"),
        ({"page_size": "100000"}, "page_size", "500"),
        ({"format": "xml"}, "format", "csv"),
        ({"secret": "1"}, "secret", "secret"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter_in_vietnamese(client, dataset, params, parameter, words):
    response = get(client, "recognitions", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == parameter
    assert parameter in error["message"] and words in error["message"]
    assert "Tham số" in error["message"]


def test_the_api_is_read_only(client, dataset):
    assert client.post(reverse("api:recognitions")).status_code == 405


def test_small_counts_of_people_below_the_commune_are_withheld(client, dataset):
    """Learning citizens per village: 6 in Từ Thiện, 2 in Thái An (commune A); none in Hữu Đức, 7 in Phước
    Lợi (commune B). Thái An's 2 is withheld; Từ Thiện with it (the commune's 8 minus it would give 2);
    commune B's villages and every commune are published."""
    areas, decision = dataset["areas"], dataset["decision"]
    citizens = make_criteria_set(kind="citizen", code="set-citizen")
    for village, n in (("village_a1", 6), ("village_a2", 2), ("village_b2", 7)):
        for _ in range(n):
            evaluate(CitizenFactory(area=areas[village]), citizens, "recognised", "", decision)
    rows = get(client, "figures", area="T01", year=YEAR, kind="citizen", page_size=500).json()["results"]
    by_name = {r["area_name"]: r for r in rows}
    assert by_name["Thôn Thái An"]["suppressed"] and by_name["Thôn Thái An"]["recognised"] is None
    assert by_name["Thôn Từ Thiện"]["suppressed"] and by_name["Thôn Từ Thiện"]["registered"] is None
    assert not by_name["Thôn Hữu Đức"]["suppressed"] and by_name["Thôn Hữu Đức"]["registered"] == 0
    assert not by_name["Thôn Phước Lợi"]["suppressed"] and by_name["Thôn Phước Lợi"]["recognised"] == 7
    assert (by_name["Xã Phước Hải"]["suppressed"], by_name["Xã Phước Hải"]["recognised"]) == (False, 8)
    assert by_name["Tỉnh Thử Nghiệm"]["recognised"] == 15
    # Households are not counts of individuals: Thái An's one recognised family is published.
    family = get(client, "figures", area="T0111", year=YEAR, kind="family").json()["results"]
    assert {r["area_name"]: r["recognised"] for r in family}["Thôn Thái An"] == 1
    # The rule is in the API's own description.
    description = client.get(reverse("api:openapi")).json()["info"]["description"]
    assert "Small cells" in description and "between 1 and 4" in description
