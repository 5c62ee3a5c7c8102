"""The pieces of ``make load`` and ``make faults`` (ops/) that can run inside the suite: the HTTP client
logging in through the real admin form, and the load run's verdict. The scripts themselves start their
own deployment and are run by hand (README, "Fault and load runs")."""

from urllib.parse import urlsplit

import pytest

from ops.common import Client
from ops.load import GOALS, LOGIN, Stats, print_goals, print_report
from tests.conftest import rebuild_after_flush


@pytest.fixture
def officer(django_user_model, transactional_db):
    rebuild_after_flush()  # the dashboard needs the page tree a previous live-server test may have flushed
    return django_user_model.objects.create_superuser("ops-officer", password="a long test password")


def client_for(live_server) -> Client:
    return Client(urlsplit(live_server.url).port, timeout=60)


@pytest.mark.django_db(transaction=True)
def test_the_load_client_logs_in_through_the_admin_form_and_sees_the_dashboard(live_server, officer):
    client = client_for(live_server)
    assert client.get("/admin/").status == 302  # to the login form

    client.login("ops-officer", "a long test password")

    dashboard = client.get("/admin/")
    assert dashboard.status == 200
    assert "ops-officer" in dashboard.text


@pytest.mark.django_db(transaction=True)
def test_a_refused_login_stops_the_run_with_the_username(live_server, officer):
    with pytest.raises(RuntimeError, match="login as ops-officer failed"):
        client_for(live_server).login("ops-officer", "not the password")


def run_with(statuses: list[int]) -> int:
    """The exit status of a load run whose requests were answered with ``statuses``."""
    logins, stats = Stats(), Stats()
    logins.record(LOGIN, 0.5, 302)
    for status in statuses:
        stats.record("public home", 0.1, status)
    return print_report(logins, stats, 10.0, "SQLite", 2, 20)


def test_the_load_run_fails_on_a_server_error_and_not_on_a_refusal(capsys):
    assert run_with([200, 302, 404]) == 0
    out = capsys.readouterr().out
    assert "PASS: no server error (5xx); 1 other errors" in out
    assert "public home" in out

    assert run_with([200, 502]) == 1
    assert "FAIL: 1 server errors (5xx)" in capsys.readouterr().out


def test_the_load_run_judges_each_goal(capsys):
    by_name = {goal.endpoint: goal for goal in GOALS}
    home, listing = by_name["public home"], by_name["admin evaluation listing"]
    uncached = by_name["admin evaluation listing, uncached"]
    print_goals([(home, 3000, 210.0, 150.0, 0), (listing, 400, 26.0, 650.0, 380), (uncached, 300, 20.0, 900.0, 0)])
    out = capsys.readouterr().out
    assert "public home" in out and "p95 < 200 ms, >= 200 req/s: holds" in out
    assert "admin evaluation listing" in out and "95 %  p95 < 500 ms: MISSED" in out
    assert "(measured, no goal)" in out
    assert "goals: 1 of 2 held" in out
    assert "goals: 1 of 2 held" in out
