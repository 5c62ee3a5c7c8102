"""No lost update on the score screen (a version counter checked in the write, from the very first save),
and times in its messages on Vietnam's clock."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest

from evaluations import roles, services
from evaluations.admin import evaluation_viewset
from evaluations.models import Evaluation, Score
from tests.factories import FamilyFactory, make_criteria_set, make_decision, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(evaluation_viewset.get_url_name(name), args=args)


@pytest.fixture
def family_set(db):
    return make_criteria_set(code="gdht-lost")


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="hai-tab")


@pytest.fixture
def never_saved(areas, family_set):
    return services.evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=family_set
    )


def entries(form, points: str) -> dict:
    """What an officer types in every points box of the form as opened (with its hidden fields)."""
    data = {"version": form.initial["version"]}
    for _criterion, rows in form.rows():
        for row in rows:
            if row["indicator"].max_points is not None:
                data[row["score"].html_name] = points
    return data


def stored_points(evaluation) -> set:
    return set(Score.objects.filter(evaluation=evaluation).values_list("points", flat=True))


def test_two_tabs_on_a_never_saved_evaluation_the_second_save_is_refused(client, officer, never_saved):
    client.force_login(officer)
    first_tab = client.get(url("score", never_saved.pk)).context["form"]
    second_tab = client.get(url("score", never_saved.pk)).context["form"]

    saved = client.post(url("score", never_saved.pk), entries(first_tab, "6"))
    assert saved.status_code == 302
    assert stored_points(never_saved) == {Decimal("6")}

    refused = client.post(url("score", never_saved.pk), entries(second_tab, "3"))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Chưa lưu gì" in page and "hai-tab" in page  # the stale-edit message, naming who saved
    form = refused.context["form"]
    assert {form.data[name] for name in entries(second_tab, "3") if name.startswith("score_")} == {"3"}
    assert stored_points(never_saved) == {Decimal("6")}  # nothing stored was lost

    # Having compared, the officer saves what they typed: now over the version they were shown.
    again = dict(form.data.items())
    assert client.post(url("score", never_saved.pk), again).status_code == 302
    assert stored_points(never_saved) == {Decimal("3")}


def test_the_swap_lets_only_one_of_two_saves_from_the_same_version_through(never_saved, officer):
    indicator = never_saved.criteria_set.criteria.first().indicators.first()
    services.evaluation_record_scores(
        evaluation=Evaluation.objects.get(pk=never_saved.pk), values={indicator.pk: Decimal("4")}, expected_version=0
    )
    with pytest.raises(services.StaleEdit):
        services.evaluation_record_scores(
            evaluation=Evaluation.objects.get(pk=never_saved.pk),
            values={indicator.pk: Decimal("2")},
            expected_version=0,
        )
    assert stored_points(never_saved) == {Decimal("4")}


def test_every_path_counts_a_version(areas, family_set, officer):
    reviewer = make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-v")
    evaluation = scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, points="9")
    versions = [evaluation.version]
    services.evaluation_submit(evaluation=evaluation, user=officer)
    versions.append(Evaluation.objects.get(pk=evaluation.pk).version)
    services.evaluation_review(evaluation=evaluation, user=reviewer)
    versions.append(Evaluation.objects.get(pk=evaluation.pk).version)
    services.evaluations_decide(evaluations=[evaluation], decision=make_decision(areas["commune_a"]), user=reviewer)
    versions.append(Evaluation.objects.get(pk=evaluation.pk).version)
    assert versions == sorted(set(versions)) and versions[0] > 0  # each save (the first too) counted one more

    # Taking and releasing the edit lock is no change of the evaluation.
    draft = Evaluation.objects.get(pk=evaluation.pk)
    services.evaluation_take_edit_lock(evaluation=draft, user=officer)
    services.evaluation_release_edit_lock(evaluation=draft, user=officer)
    assert Evaluation.objects.get(pk=evaluation.pk).version == versions[-1]


def at_vietnam_hour(hour: int, minute: int) -> datetime.datetime:
    """Today at ``hour:minute`` in Vietnam, as the aware UTC moment the database keeps."""
    local = timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(datetime.UTC)


def test_the_lock_message_shows_the_hour_in_vietnam(client, settings, areas, officer, never_saved):
    settings.EVALUATION_EDIT_LOCK_MINUTES = 2 * 24 * 60  # fresh whatever the hour the suite runs at
    other = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="nguoi-khac")
    locked_at = at_vietnam_hour(20, 47)  # 13:47 UTC
    Evaluation.objects.filter(pk=never_saved.pk).update(locked=True, locked_by=other, locked_at=locked_at)
    client.force_login(officer)
    reason = client.get(url("score", never_saved.pk)).context["read_only_reason"]
    assert "20:47" in reason and "13:47" not in reason


def test_the_stale_edit_message_shows_the_hour_in_vietnam(client, officer, never_saved):
    client.force_login(officer)
    opened = client.get(url("score", never_saved.pk)).context["form"]
    client.post(url("score", never_saved.pk), entries(opened, "6"))
    saved_at = at_vietnam_hour(20, 47)
    never_saved.refresh_from_db()
    never_saved.latest_revision.__class__.objects.filter(pk=never_saved.latest_revision_id).update(created_at=saved_at)
    page = client.post(url("score", never_saved.pk), entries(opened, "3")).content.decode()
    assert f"20:47 {saved_at.astimezone(timezone.get_current_timezone()):%-d/%-m/%Y}" in page
    assert "13:47" not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_saves_from_one_version_cannot_both_pass(areas, family_set):
    """The second save's swap waits on the first's uncommitted write, then finds the version gone."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (SQLite's IMMEDIATE transactions run writers one at a time)")
    evaluation = services.evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=family_set
    )
    indicator = family_set.criteria.first().indicators.first()
    first_wrote, outcomes = threading.Event(), {}

    def save(name: str, points: str, hold_until_other_waits: bool) -> None:
        try:
            with transaction.atomic():
                services.evaluation_record_scores(
                    evaluation=Evaluation.objects.get(pk=evaluation.pk),
                    values={indicator.pk: Decimal(points)},
                    expected_version=0,
                )
                if hold_until_other_waits:
                    first_wrote.set()
                    with connections["default"].cursor() as cursor:
                        # Commit only once the other save is blocked on this row (bounded, never a sleep).
                        for _attempt in range(10_000):
                            cursor.execute(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()"
                            )
                            if cursor.fetchone()[0]:
                                break
            outcomes[name] = "saved"
        except services.StaleEdit:
            outcomes[name] = "stale"
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=("first", "6", True))
    first.start()
    assert first_wrote.wait(60)
    second = threading.Thread(target=save, args=("second", "3", False))
    second.start()
    first.join(60)
    second.join(60)
    assert outcomes == {"first": "saved", "second": "stale"}
    assert stored_points(evaluation) == {Decimal("6")}
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1
