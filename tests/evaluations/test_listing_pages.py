"""The admin evaluation and subject listings page through an index (the subject's names copied onto each
evaluation): the same rows in the same order as the old sort across the join, on every page; counts exact
below a bound and "hơn ..." above it; renames and imports land in their place; the old export address
builds no file; access by area unchanged."""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

import pytest

from evaluations.admin import evaluation_viewset
from evaluations.admin.listing import ListingTitleColumn
from evaluations.bulk_insert import subjects_bulk_update
from evaluations.filters import year_choices
from evaluations.models import Evaluation, ExportRecord, LearningFamily, Subject
from evaluations.roles import COMMUNE_OFFICER
from tests.evaluations.test_imports import results_file, run
from tests.factories import FamilyFactory, make_criteria_set, make_evaluation, make_officer

pytestmark = pytest.mark.django_db

#: Heads of household whose order shows Vietnamese name order: accented initials among their letter, the
#: exact name breaking ties between names that fold alike, punctuation as a word boundary.
HEADS = ["Đặng Văn Hải", "Ánh Thị Mai", "Hồng-Nhung", "Hồng Nhung", "Dương Văn Bình", "Zơ Văn Yên", "Ânh Văn Út"]


def listing_url():
    return reverse(evaluation_viewset.get_url_name("list"))


def old_order(evaluations=None):
    """The order users saw before: sorted by the database across the join to the subject."""
    rows = Evaluation.objects.all() if evaluations is None else evaluations
    return list(rows.order_by("-year", "subject__name_folded", "subject__name", "pk").values_list("pk", flat=True))


def page_ids(client, **params):
    response = client.get(listing_url(), params)
    assert response.status_code == 200
    return [evaluation.pk for evaluation in response.context["object_list"]], response


@pytest.fixture
def many_evaluations(areas):
    """120 evaluations over two years (three pages of 50), names with diacritics and ties."""
    criteria_set = make_criteria_set(code="test-family")
    villages = [areas["village_a1"], areas["village_a2"], areas["village_b1"]]
    for number in range(60):
        head = f"{HEADS[number % len(HEADS)]} {number // len(HEADS) or ''}".strip()
        family = FamilyFactory(head_name=head, area=villages[number % 3])
        for year in (2024, 2025):
            make_evaluation(family, year=year, criteria_set=criteria_set)


def test_every_page_holds_the_rows_in_the_order_users_saw_before(admin_client, many_evaluations):
    expected = old_order()
    first, response = page_ids(admin_client)
    middle, _ = page_ids(admin_client, p=2)
    last, _ = page_ids(admin_client, p=3)
    assert first + middle + last == expected
    assert response.context["paginator"].count == 120
    names = [e.subject.name for e in response.context["object_list"]]
    # Year 2025 first; "Ánh" among the A's, "Đặng" among the D's, before "Dương".
    assert names[:5] == [
        "Gia đình ông Ánh Thị Mai",
        "Gia đình ông Ánh Thị Mai 1",
        "Gia đình ông Ánh Thị Mai 2",
        "Gia đình ông Ánh Thị Mai 3",
        "Gia đình ông Ánh Thị Mai 4",
    ]
    assert names.index("Gia đình ông Ânh Văn Út") < names.index("Gia đình ông Đặng Văn Hải")
    assert names.index("Gia đình ông Đặng Văn Hải") < names.index("Gia đình ông Dương Văn Bình")
    # "Hồng Nhung" and "Hồng-Nhung" fold alike: side by side, in the database's order of the exact names.
    assert abs(names.index("Gia đình ông Hồng Nhung") - names.index("Gia đình ông Hồng-Nhung")) == 1


@pytest.mark.parametrize("params", [{"year": "2024"}, {"kind": "family", "year": "2025"}, {"status": "draft"}])
def test_filtered_pages_keep_the_order(admin_client, areas, many_evaluations, params):
    area = {"area": areas["commune_a"].pk}
    first, response = page_ids(admin_client, **params, **area)
    expected = old_order(response.context["paginator"].object_list)
    assert first == expected[:50]
    assert len(expected) == response.context["paginator"].count
    assert all(Evaluation.objects.get(pk=pk).area.path.startswith(areas["commune_a"].path) for pk in first)


def test_above_the_bound_the_count_says_more_than_and_deep_pages_still_work(admin_client, settings, many_evaluations):
    settings.LISTING_EXACT_COUNT_MAX = 50
    expected = old_order()
    first, response = page_ids(admin_client)
    content = response.content.decode()
    assert "Hơn 50 đánh giá" in content
    assert "Trang 1" in content
    assert response.context["page_obj"].has_next()
    middle, _ = page_ids(admin_client, p=2)
    last, response = page_ids(admin_client, p=3)
    assert first + middle + last == expected  # the third page lies beyond the count's bound
    assert not response.context["page_obj"].has_next()
    assert "Có hơn 50 kết quả khớp" in admin_client.get(listing_url(), {"year": "2024"}).content.decode()
    settings.LISTING_EXACT_COUNT_MAX = 10_000
    content = admin_client.get(listing_url(), {"year": "2024"}).content.decode()
    assert "Có 60 kết quả khớp" in content
    assert "Trang 1 / 2" in content


def test_a_thousands_count_is_written_the_vietnamese_way(settings):
    from evaluations.admin.listing import BoundedCountPaginator

    settings.LISTING_EXACT_COUNT_MAX = 10_000
    paginator = BoundedCountPaginator(list(range(10_001)), 50)
    assert str(paginator.count_label) == "hơn 10.000"
    assert BoundedCountPaginator(list(range(9_999)), 50).count_label == "9.999"


def test_a_renamed_subject_moves_in_the_order(admin_client, areas):
    criteria_set = make_criteria_set(code="test-family")
    an = FamilyFactory(head_name="An Văn Một", area=areas["village_a1"])
    zo = FamilyFactory(head_name="Zơ Văn Hai", area=areas["village_a1"])
    for family in (an, zo):
        make_evaluation(family, year=2025, criteria_set=criteria_set)
    assert [Evaluation.objects.get(pk=pk).subject_id for pk in page_ids(admin_client)[0]] == [an.pk, zo.pk]

    zo.head_name = "Ấm Văn Hai"  # "am van hai", before "an van mot"; through the form's save
    zo.save()
    assert [Evaluation.objects.get(pk=pk).subject_id for pk in page_ids(admin_client)[0]] == [zo.pk, an.pk]

    # A bulk rewrite (an import's update of stored households) moves them as well.
    subjects_bulk_update(
        kind="family",
        ids=[zo.pk],
        areas=[areas["village_a1"]],
        common=[(zo.code, True, "", None)],
        own=[("Zơ Văn Hai", "ông", 4)],
    )
    assert Subject.objects.get(pk=zo.pk).name == "Gia đình ông Zơ Văn Hai"
    ids, _ = page_ids(admin_client)
    assert ids == old_order() == [Evaluation.objects.get(subject=an).pk, Evaluation.objects.get(subject=zo).pk]


def test_an_imported_evaluation_appears_in_its_place(admin_client, areas):
    criteria_set = make_criteria_set(code="gdht-test")
    for head in ("An Văn Một", "Zơ Văn Hai"):
        make_evaluation(FamilyFactory(head_name=head, area=areas["village_a1"]), year=2024, criteria_set=criteria_set)
    FamilyFactory(head_name="Đặng Văn Ba", area=areas["village_a1"])
    row = ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Đặng Văn Ba", 10, 10, 10, 15, 15, 20, 5, 85]
    assert run(results_file([row])).counts()["created"] == 1
    ids, _ = page_ids(admin_client)
    assert ids == old_order()
    assert [Evaluation.objects.get(pk=pk).subject.name for pk in ids] == [
        "Gia đình ông An Văn Một",
        "Gia đình ông Đặng Văn Ba",
        "Gia đình ông Zơ Văn Hai",
    ]


def test_the_old_export_address_builds_no_file_and_leads_to_the_export_of_the_same_rows(admin_client, areas):
    make_evaluation(FamilyFactory(area=areas["village_a1"]), year=2024)
    params = {"area": areas["commune_a"].pk, "year": "2024", "export": "xlsx"}
    response = admin_client.get(listing_url(), params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:export", args=["evaluations"]))
    assert f"area={areas['commune_a'].pk}" in response["Location"]
    assert "year=2024" in response["Location"]
    assert "format=xlsx" in response["Location"]
    assert not ExportRecord.objects.exists()  # nothing left the system yet
    families = reverse(LearningFamily.snippet_viewset.get_url_name("list"))
    location = admin_client.get(families, {"export": "csv"})["Location"]
    assert location.startswith(reverse("reports:export", args=["subjects"]))
    assert "kind=family" in location and "format=csv" in location
    listing = admin_client.get(listing_url()).content.decode()
    assert "export=xlsx" not in listing and "export=csv" not in listing  # Wagtail's own buttons are gone


def test_a_commune_officer_pages_and_counts_only_their_commune(client, areas, many_evaluations):
    officer = make_officer(COMMUNE_OFFICER, areas["commune_b"])
    client.force_login(officer)
    ids, response = page_ids(client)
    theirs = Evaluation.objects.filter(area__path__startswith=areas["commune_b"].path)
    assert ids == old_order(theirs)
    assert response.context["paginator"].count == theirs.count() == 40
    assert Evaluation.objects.count() == 120


def test_year_choices_run_from_the_latest_year_to_the_first(areas):
    assert year_choices() == []
    family = FamilyFactory(area=areas["village_a1"])
    make_evaluation(family, year=2022)
    make_evaluation(family, year=2025)
    assert year_choices() == [(2025, "2025"), (2024, "2024"), (2023, "2023"), (2022, "2022")]


def test_subject_listing_pages_in_name_order_within_its_kind(admin_client, areas):
    for head in HEADS:
        FamilyFactory(head_name=head, area=areas["village_a1"])
    response = admin_client.get(reverse(LearningFamily.snippet_viewset.get_url_name("list")))
    shown = [family.pk for family in response.context["object_list"]]
    assert shown == list(LearningFamily.objects.order_by("name_folded", "name", "pk").values_list("pk", flat=True))
    assert response.context["paginator"].count == len(HEADS)


def test_the_area_filter_is_a_select_for_a_small_area_and_the_unit_chooser_for_a_large_one(
    admin_client, areas, many_evaluations, settings
):
    officer = make_officer(COMMUNE_OFFICER, areas["commune_b"])
    client = Client()
    client.force_login(officer)
    small = client.get(listing_url()).content.decode()
    assert '<select name="area"' in small  # commune B and nothing above or beside it
    options = re.findall(r"<option[^>]*>([^<]*)</option>", small.split('<select name="area"')[1].split("</select>")[0])
    assert any(areas["commune_b"].name in option for option in options)
    assert not any(areas["commune_a"].name in option for option in options)

    # The province's tree is larger than a select should hold: the chooser, which renders no option.
    settings.AREA_SELECT_MAX = 3  # the test province has four units above its villages
    large = admin_client.get(listing_url()).content.decode()
    assert '<select name="area"' not in large
    # The chooser, which renders no option (the rows name their communes, "Thôn Hữu Đức, Xã Phước Hữu").
    assert reverse("unit_chooser:choose") in large and f'<option value="{areas["commune_b"].pk}"' not in large
    # A village, which only the chooser offers, filters the listing to its evaluations.
    village = areas["village_b1"]
    ids, response = page_ids(admin_client, area=village.pk)
    assert ids == old_order(Evaluation.objects.filter(area=village)) and len(ids) == 40
    assert village.name in response.content.decode()  # the chosen unit is named in the filter
    # The commune officer cannot filter by a unit outside their commune, chooser or not.
    refused, _ = page_ids(client, area=areas["village_a1"].pk)
    assert refused == old_order(Evaluation.objects.filter(area__path__startswith=areas["commune_b"].path))


def test_cells_show_points_the_vietnamese_way_and_escape_names(admin_client, areas):
    village = areas["village_a1"]
    village.name = "Thôn <Đông> & Tây"
    village.save()
    make_evaluation(FamilyFactory(area=village), year=2025, total=Decimal("85.50"), grade="Khá")
    listing = admin_client.get(listing_url()).content.decode()
    assert "<td>85,5</td>" in listing  # points as the form shows them, a comma before the decimals
    assert "Thôn &lt;Đông&gt; &amp; Tây" in listing and "<Đông>" not in listing
    assert "<td>Khá</td>" in listing


def test_a_column_sort_applies_below_the_bound_and_above_it_the_list_keeps_its_order(
    admin_client, settings, areas, many_evaluations
):
    refusal = "Sắp xếp theo cột chỉ áp dụng"
    ids, response = page_ids(admin_client, ordering="year")
    assert [Evaluation.objects.get(pk=pk).year for pk in ids] == [2024] * 50  # the oldest year first
    assert refusal not in response.content.decode()

    settings.LISTING_EXACT_COUNT_MAX = 50  # 120 evaluations: sorting them all is what the bound refuses
    ids, response = page_ids(admin_client, ordering="year")
    assert ids == old_order()[:50]  # the usual order: the latest year first
    assert refusal in response.content.decode()

    # Narrowed to commune B's 40 evaluations, the column's order applies again.
    commune_b = areas["commune_b"]
    ids, response = page_ids(admin_client, ordering="year", area=commune_b.pk)
    theirs = Evaluation.objects.filter(area__path__startswith=commune_b.path)
    assert [Evaluation.objects.get(pk=pk).year for pk in ids] == sorted(theirs.values_list("year", flat=True))
    assert len(ids) == 40 and refusal not in response.content.decode()


def test_title_cells_written_from_the_first_rows_markup_are_what_the_template_writes(
    admin_client, areas, many_evaluations, monkeypatch
):
    FamilyFactory(head_name='Lò "Văn" <Ba> & Con', area=areas["village_a1"])  # escaped in the title and the label
    make_evaluation(LearningFamily.objects.get(head_name__startswith="Lò"), year=2026)  # first on page 1
    renders = []
    template = ListingTitleColumn.cell_template.func  # the cached property's own function

    class Counted:
        def __init__(self, column):
            self.template = template(column)

        def render(self, context):
            renders.append(1)
            return self.template.render(context)

    with monkeypatch.context() as patched:
        patched.setattr(ListingTitleColumn, "cell_template", property(Counted))
        fast = admin_client.get(listing_url()).content.decode()
    assert 1 <= len(renders) <= 3  # once for each kind of row on the page, not 50 times
    monkeypatch.setattr(
        ListingTitleColumn,
        "render_cell_html",
        lambda self, instance, context: self.cell_template.render(self.get_cell_context_data(instance, context)),
    )
    slow = admin_client.get(listing_url()).content.decode()

    def comparable(html):
        return re.sub(r'(csrfmiddlewaretoken" value="|nonce="|"CSRF_TOKEN": ")[^"]*"', "", html)

    assert comparable(fast) == comparable(slow)
    assert "Lò &quot;Văn&quot; &lt;Ba&gt; &amp; Con" in fast
    for evaluation in Evaluation.objects.all()[:50]:
        # The name opens the evaluation's page, as its "inspect" action does.
        assert fast.count(f"/evaluation/inspect/{evaluation.pk}/") in (0, 2)


def test_rows_checkboxes_addresses_labels_and_filters_written_in_python_are_what_wagtail_writes(
    admin_client, areas, many_evaluations, monkeypatch
):
    """The listing's table rows, bulk-action checkboxes, row addresses, choice labels and filter selects are
    written without per-cell and per-option templates; the page reads as Wagtail's own classes write it."""
    from django import forms

    from wagtail.admin.ui.tables import Column, Table

    from evaluations.admin.listing import PersonalDataIndexView, PlainColumn
    from evaluations.widgets import PlainSelect

    params = {"area": areas["commune_a"].pk, "year": "2025"}
    theirs = Evaluation.objects.filter(area__path__startswith=areas["commune_a"].path, year=2025)
    Evaluation.objects.filter(pk__in=theirs.values("pk")[:7]).update(status="reviewed", result="meets")
    fast = admin_client.get(listing_url(), params).content.decode()

    for name in ("get_edit_url", "get_copy_url", "get_inspect_url", "get_delete_url", "columns"):
        monkeypatch.delattr(PersonalDataIndexView, name)
    monkeypatch.setattr(PersonalDataIndexView, "table_class", Table)
    monkeypatch.setattr(PlainColumn, "get_value", Column.get_value)
    monkeypatch.setattr(PlainSelect, "render", forms.Select.render)
    slow = admin_client.get(listing_url(), params).content.decode()

    def comparable(html):
        html = re.sub(r'(csrfmiddlewaretoken" value="|nonce="|"CSRF_TOKEN": ")[^"]*"', "", html)
        return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html))

    assert comparable(fast) == comparable(slow)
    assert fast.count('class="bulk-action-checkbox"') == 40  # commune A's 2025 evaluations
    assert "<td>Đã thẩm định</td>" in fast and "<td>Đạt</td>" in fast  # choice labels in Vietnamese
    assert f'<option value="{areas["commune_a"].pk}" selected>' in fast


def test_choice_labels_follow_the_officers_language(client, areas):
    officer = make_officer(COMMUNE_OFFICER, areas["commune_a"], username="officer-en")
    make_evaluation(FamilyFactory(area=areas["village_a1"]), year=2025)
    client.force_login(officer)
    assert "<td>Bản nháp</td>" in client.get(listing_url()).content.decode()
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(officer)
    profile.preferred_language = "en"
    profile.save()
    assert "<td>Draft</td>" in client.get(listing_url()).content.decode()


def test_a_page_of_fifty_asks_as_many_queries_as_a_page_of_one(admin_client, areas, many_evaluations):
    """The listing reads only its columns' fields (``EVALUATION_LISTING_FIELDS``): a column reading a field
    left out would ask the database once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.get(listing_url())  # caches warmed
    with CaptureQueriesContext(connection) as fifty:
        page = admin_client.get(listing_url()).content.decode()
    assert page.count('class="bulk-action-checkbox"') == 50
    one_subject = Evaluation.objects.order_by("pk").first().subject
    with CaptureQueriesContext(connection) as one:
        admin_client.get(listing_url(), {"q": one_subject.name})
    assert len(fifty.captured_queries) <= len(one.captured_queries)
    rows = next(query["sql"] for query in fifty.captured_queries if "LIMIT 50" in query["sql"])
    assert '"note"' not in rows and '"created_at"' not in rows  # what no column shows is not read
