"""The dashboard and the report screens follow the evaluation calendar and today's structure: the default
year is the year whose round is open (never the latest year holding a row), a year selector with shareable
URLs, today's unit by default, report completeness under today's structure, ended units labelled with their
end date in the area select."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest
from bs4 import BeautifulSoup

from evaluations import roles
from evaluations.models import AdministrativeUnit, UnitLevel, UnitSuccession
from reports.models import ReportSubmission
from reports.selectors import default_report_area
from reports.services import report_submit
from tests.factories import FamilyFactory, UserFactory, make_evaluation, make_officer, make_unit

from .conftest import evaluate

pytestmark = pytest.mark.django_db

OLD_END = datetime.date(2025, 6, 30)
NEW_START = datetime.date(2025, 7, 1)


@pytest.fixture
def frozen_today(monkeypatch):
    """Set "today" (``timezone.localdate()``, which the evaluation calendar and the unit validity read)."""
    original = timezone.localdate

    def freeze(day: datetime.date):
        monkeypatch.setattr(
            timezone,
            "localdate",
            lambda value=None, timezone=None: day if value is None else original(value, timezone),
        )

    return freeze


def home(client, **params):
    response = client.get(reverse("wagtailadmin_home"), params)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(soup, element_id: str) -> str:
    return " ".join(soup.find(id=element_id).parent.get_text(" ").split())


# --- the year: calendar default, selector, bad input -----------------------------------------------------


@pytest.fixture
def years(dataset):
    """The 2025 data set (families: 10 registered, 4 recognised: 40 %), two families recognised in 2024
    (2 of the 11 on the 2024 register) and one 2026 draft: the latest year holding a row is 2026."""
    a1 = dataset["a1"]
    family = dataset["sets"]["family"]
    evaluate(a1[0], family, "recognised", "Tốt", year=2024)
    evaluate(a1[1], family, "recognised", "Khá", year=2024)
    evaluate(a1[3], family, "draft", year=2026)
    areas = dataset["areas"]
    return {"areas": areas, "officer": make_officer(roles.PROVINCIAL_OFFICER, areas["province"], username="tinh")}


def test_a_2026_draft_does_not_switch_the_dashboard_while_the_2025_round_is_open(client, years, frozen_today):
    frozen_today(datetime.date(2026, 1, 10))  # until 15 January the 2025 round is still being closed
    client.force_login(years["officer"])
    soup = home(client)
    progress = text_of(soup, "reports-progress-heading")
    assert "Tỉnh Thử Nghiệm, năm 2025" in progress
    assert "40,00%" in progress  # 4 of 10 households recognised in 2025
    assert soup.find(id="reports-year").find("option", selected=True).get_text() == "2025"
    assert "Báo cáo năm 2025" in text_of(soup, "reports-completeness-heading")


def test_the_default_year_is_the_calendar_year_even_without_data(client, years, frozen_today):
    frozen_today(datetime.date(2026, 12, 1))
    years_with_data = {"2024", "2025", "2026"}
    client.force_login(years["officer"])
    soup = home(client)
    assert "Tỉnh Thử Nghiệm, năm 2026" in text_of(soup, "reports-progress-heading")
    options = [o.get_text() for o in soup.find(id="reports-year").find_all("option")]
    assert options == sorted(years_with_data, reverse=True)  # newest first


def test_the_year_selector_shows_the_chosen_years_figures(client, years, frozen_today):
    frozen_today(datetime.date(2026, 12, 1))
    client.force_login(years["officer"])
    soup = home(client, year="2024")
    progress = text_of(soup, "reports-progress-heading")
    # 2 of 11 households: the one that left in March 2025 was still on the 2024 register.
    assert "Tỉnh Thử Nghiệm, năm 2024" in progress and "18,18%" in progress
    assert soup.find(id="reports-year").find("option", selected=True).get_text() == "2024"
    # the form keeps the URL shareable: a GET form on the admin home
    form = soup.find(id="reports-year-form")
    assert form["method"] == "get" and form["action"] == reverse("wagtailadmin_home")
    assert "Tỉnh Thử Nghiệm, năm 2025" in text_of(home(client, year="2025"), "reports-progress-heading")


@pytest.mark.parametrize("bad", ["abc", "1999", "20255", "2025.5"])
def test_a_bad_year_gives_a_message_and_the_default_year(client, years, frozen_today, bad):
    frozen_today(datetime.date(2026, 1, 10))
    client.force_login(years["officer"])
    soup = home(client, year=bad)
    alert = soup.find(role="alert").get_text()
    assert f"“{bad}”" in alert and "2000" in alert and "2025" in alert
    assert "Tỉnh Thử Nghiệm, năm 2025" in text_of(soup, "reports-progress-heading")


def test_report_screens_default_to_the_current_evaluation_year(client, years, frozen_today):
    frozen_today(datetime.date(2026, 1, 10))
    client.force_login(years["officer"])
    for name in ("report", "completeness"):
        soup = BeautifulSoup(client.get(reverse(f"reports:{name}")).content.decode(), "html.parser")
        assert soup.find("input", attrs={"name": "year"})["value"] == "2025", name
        assert "Tỉnh Thử Nghiệm – 2025" in soup.select_one("main h2.w-h2").get_text(), name


# --- today's structure -----------------------------------------------------------------------------------


def _dates(unit, *, valid_from=None, valid_to=None):
    AdministrativeUnit.objects.filter(path__startswith=unit.path).update(valid_from=valid_from, valid_to=valid_to)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def two_tiers(db):
    """Until 30/6/2025: Tỉnh Ninh Thuận > Huyện Ninh Phước > Xã Phước Hải, Xã Phước Hữu (a village each).
    From 1/7/2025: Tỉnh Khánh Hòa > Xã Ninh Phước (from Phước Hải), Xã Phước Hữu (from Phước Hữu)."""
    old = make_unit("Tỉnh Ninh Thuận", UnitLevel.PROVINCE, code="58")
    district = make_unit("Huyện Ninh Phước", UnitLevel.DISTRICT, old, code="587")
    old_hai = make_unit("Xã Phước Hải", UnitLevel.COMMUNE, district, code="22894")
    old_huu = make_unit("Xã Phước Hữu", UnitLevel.COMMUNE, district, code="22897")
    make_unit("Thôn Từ Thiện", UnitLevel.VILLAGE, old_hai)
    make_unit("Thôn Hữu Đức", UnitLevel.VILLAGE, old_huu)
    new = make_unit("Tỉnh Khánh Hòa", UnitLevel.PROVINCE, code="56")
    ninh_phuoc = make_unit("Xã Ninh Phước", UnitLevel.COMMUNE, new, code="22900")
    new_huu = make_unit("Xã Phước Hữu", UnitLevel.COMMUNE, new, code="22901")
    village = make_unit("Thôn Từ Thiện", UnitLevel.VILLAGE, ninh_phuoc)
    _dates(old, valid_to=OLD_END)
    _dates(new, valid_from=NEW_START)
    for before, after in ((old_hai, ninh_phuoc), (old_huu, new_huu)):
        before.refresh_from_db()
        after.refresh_from_db()
        UnitSuccession.objects.create(old_unit=before, new_unit=after, effective_date=NEW_START)
    family = FamilyFactory(head_name="Nguyễn Văn Hai", area=village)
    make_evaluation(family, year=2025, status="recognised", grade="Tốt")
    return {
        "old": old,
        "district": district,
        "old_hai": old_hai,
        "old_huu": old_huu,
        "new": new,
        "ninh_phuoc": ninh_phuoc,
        "new_huu": new_huu,
    }


def test_default_area_is_todays_unit(two_tiers):
    t = two_tiers
    # an officer assigned the old commune and the commune it went into opens on today's commune
    officer = make_officer(roles.COMMUNE_OFFICER, t["old_hai"], t["ninh_phuoc"], username="xa")
    assert default_report_area(officer) == t["ninh_phuoc"]
    # with only the old one, that one (its screens then point to today's unit)
    assert default_report_area(make_officer(roles.COMMUNE_OFFICER, t["old_hai"], username="cu")) == t["old_hai"]
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert default_report_area(superuser) == t["new"]  # the province in force today, not the old one


def test_the_2025_completeness_of_todays_province_lists_todays_communes(client, two_tiers, frozen_today):
    frozen_today(datetime.date(2026, 1, 10))
    t = two_tiers
    # a provincial officer keeps the old province and was given today's one by the reorganisation
    client.force_login(make_officer(roles.PROVINCIAL_OFFICER, t["old"], t["new"], username="tinh"))
    rows = completeness_rows(client, area=t["new"].pk, year=2025)
    assert rows == {"Xã Ninh Phước": "Chưa nộp", "Xã Phước Hữu": "Chưa nộp"}
    # the dashboard's panel says the same by default: today's province, the 2025 round
    soup = home(client)
    assert "Báo cáo năm 2025 0 đúng hạn, 0 trễ hạn, 2 chưa nộp, trên tổng số 2" in text_of(
        soup, "reports-completeness-heading"
    )
    assert "Tỉnh Khánh Hòa, năm 2025" in text_of(soup, "reports-progress-heading")


def test_the_2025_completeness_of_an_ended_unit_lists_the_communes_it_went_into(client, two_tiers):
    t = two_tiers
    report_submit(area=t["new_huu"], year=2025, user=None, when=datetime.datetime(2025, 11, 20, tzinfo=datetime.UTC))
    client.force_login(make_officer(roles.PROVINCIAL_OFFICER, t["old"], username="tinh-cu"))
    response = client.get(reverse("reports:completeness"), {"area": t["district"].pk, "year": 2025})
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert "Huyện Ninh Phước kết thúc ngày 30/6/2025" in soup.find(class_="report-note").get_text()
    assert table_states(soup) == {"Xã Ninh Phước": "Chưa nộp", "Xã Phước Hữu": "Đúng hạn"}
    # 2024 is read in the structure of that time, districts included
    rows = completeness_rows(client, area=t["old"].pk, year=2024)
    assert set(rows) == {
        "Huyện Ninh Phước (đến 30/6/2025)",
        "Xã Phước Hải (đến 30/6/2025)",
        "Xã Phước Hữu (đến 30/6/2025)",
    }


def test_a_past_years_completeness_of_todays_province_lists_the_units_of_that_time(client, two_tiers):
    t = two_tiers
    client.force_login(make_officer(roles.PROVINCIAL_OFFICER, t["old"], t["new"], username="tinh"))
    response = client.get(reverse("reports:completeness"), {"area": t["new"].pk, "year": 2024})
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert "Tỉnh Khánh Hòa chưa có hiệu lực vào ngày 30/11/2024" in soup.find(class_="report-note").get_text()
    assert set(table_states(soup)) == {"Xã Phước Hải (đến 30/6/2025)", "Xã Phước Hữu (đến 30/6/2025)"}


def test_an_ended_unit_is_labelled_with_its_end_date_after_todays_units(client, two_tiers):
    t = two_tiers
    client.force_login(make_officer(roles.PROVINCIAL_OFFICER, t["old"], t["new"], username="tinh"))
    soup = BeautifulSoup(client.get(reverse("reports:report")).content.decode(), "html.parser")
    select = soup.find("select", attrs={"name": "area"})
    labels = [" ".join(o.get_text().split()) for o in select.find_all("option") if o.get("value")]
    assert labels[:3] == ["Tỉnh Khánh Hòa", "Xã Ninh Phước", "Xã Phước Hữu"]  # today's units first
    group = select.find("optgroup")
    assert group["label"] == "Đơn vị trước 1/7/2025"
    ended = [" ".join(o.get_text().split()) for o in group.find_all("option")]
    assert ended[:2] == ["Tỉnh Ninh Thuận (đến 30/6/2025)", "Huyện Ninh Phước (đến 30/6/2025)"]
    assert "Xã Phước Hải (đến 30/6/2025)" in ended
    # and the default is today's province, for the year of the calendar
    assert select.find("option", selected=True).get_text().strip() == "Tỉnh Khánh Hòa"


def test_an_ended_unit_asked_for_a_later_year_shows_the_unit_it_went_into(client, two_tiers):
    t = two_tiers
    client.force_login(make_officer(roles.COMMUNE_OFFICER, t["old_hai"], t["ninh_phuoc"], username="xa"))
    soup = BeautifulSoup(
        client.get(reverse("reports:report"), {"area": t["old_hai"].pk, "year": 2025}).content.decode(), "html.parser"
    )
    assert "Xã Phước Hải kết thúc ngày 30/6/2025" in soup.find(class_="report-note").get_text()
    assert "Xã Ninh Phước – 2025" in soup.select_one("main h2.w-h2").get_text()
    assert "Thôn Từ Thiện" in soup.get_text()


def completeness_rows(client, **params) -> dict[str, str]:
    response = client.get(reverse("reports:completeness"), params)
    assert response.status_code == 200
    return table_states(BeautifulSoup(response.content.decode(), "html.parser"))


def table_states(soup) -> dict[str, str]:
    rows = soup.find("table", class_="listing").find("tbody").find_all("tr")
    return {r.find_all("td")[0].get_text().strip(): r.find_all("td")[1].get_text().strip() for r in rows}


def test_an_ended_unit_cannot_submit_a_report_for_a_year_after_its_end(client, two_tiers):
    t = two_tiers
    client.force_login(make_officer(roles.COMMUNE_OFFICER, t["old_hai"], username="cu"))
    url = reverse("reports:submit") + f"?area={t['old_hai'].pk}&year=2025"
    response = client.post(url, {"note": ""}, follow=True)
    assert "Xã Phước Hải (đến 30/6/2025) không có hiệu lực vào ngày 30/11/2025" in response.content.decode()
    assert not ReportSubmission.objects.exists()
    # and the report screen does not offer it
    body = client.get(reverse("reports:report"), {"area": t["old_hai"].pk, "year": 2025}).content.decode()
    assert reverse("reports:submit") not in body
