"""The field app (issue 19): a commune officer downloading the work of a commune of about 3,000 subjects, and
syncing 200 scored evaluations from the phone's outbox, through the real views (``field.views``).

Each beside its floor, measured in the same run: the download against the same rows read with ``.values()``
from the same querysets and written to the same JSON (checked equal); the sync against the same scores stored
by calling ``evaluation_record_scores`` directly with the values already parsed (checked: the same stored
totals). Sizes are given raw and gzip-compressed (production compresses the answers). The scored evaluations
are put back as they were after every sync, so the data set is left as it was found."""

from __future__ import annotations

import gzip
import json
import random
import re
import uuid
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from wagtail.models import ModelLogEntry, ReferenceIndex, Revision

from bench.harness import Context, Row, load_average, median_seconds
from bench.step_todo import officer
from evaluations import roles, scoring
from evaluations.calendar import current_evaluation_year, evaluation_date, year_end
from evaluations.models import AdministrativeUnit, CriteriaSet, Evaluation, EvaluationStatus, Score, Subject, UnitLevel
from evaluations.models.subjects import on_register_q
from evaluations.selectors import criteria_sets_in_force
from evaluations.services import evaluation_record_scores
from evaluations.text import fold_words
from field.models import SyncEntry
from field.serialise import criteria_set_json, evidence_json, evidence_rows, points_json
from field.views import MAX_ENTRIES, PLACE_LEVELS, _villages_json
from search.backends.database import STAGE_TABLE
from search.models import ObjectType, SearchEntry

#: The size of commune the issue names, and the evaluations synced.
SUBJECTS = 3_000
SYNCED = 200
#: Entries per POST, as the phone sends its outbox (the server takes up to ``MAX_ENTRIES``).
BATCH = 50
DOWNLOAD_REPEATS = 5
SYNC_REPEATS = 3
#: What a sync may write: what ``snapshot`` puts back (the subjects' search entries too: saving an evaluation
#: indexes its subject; and Wagtail's reference index of the evaluations) and the search index's scratch
#: table. Anything else would not be put back: the step stops rather than leave it.
WRITTEN_TABLES = {
    Score._meta.db_table,
    Evaluation._meta.db_table,
    Revision._meta.db_table,
    ModelLogEntry._meta.db_table,
    SyncEntry._meta.db_table,
    ReferenceIndex._meta.db_table,
    STAGE_TABLE,
    SearchEntry._meta.db_table,
}


def commune_villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The commune's places in force today, as the officer's download offers them: its villages and the commune
    itself (its own units and communities)."""
    return list(
        AdministrativeUnit.objects.current()
        .filter(level__in=PLACE_LEVELS, path__startswith=commune.path)
        .order_by("path")
    )


def subjects_on_register(village_ids, year: int):
    return Subject.objects.filter(on_register_q(evaluation_date(year)), area__in=village_ids, is_active=True)


def commune_of_about(subjects: int, year: int) -> tuple[AdministrativeUnit, list[AdministrativeUnit], int]:
    """The commune in force whose villages hold nearest ``subjects`` subjects on the register, preferring those
    with at least ``SYNCED`` draft evaluations in ``year``; it, its villages and their subjects."""
    best, best_key = None, None
    for commune in AdministrativeUnit.objects.current().filter(level=UnitLevel.COMMUNE):
        villages = commune_villages(commune)
        if not villages:
            continue
        ids = [v.pk for v in villages]
        count = subjects_on_register(ids, year).count()
        drafts = Evaluation.objects.filter(
            subject__in=subjects_on_register(ids, year), year=year, status=EvaluationStatus.DRAFT
        ).count()
        key = (drafts < SYNCED, abs(count - subjects))
        if best_key is None or key < best_key:
            best, best_key = (commune, villages, count), key
    if best is None:
        raise SystemExit("bench: no commune in force has villages")
    return best


def step_field(ctx: Context) -> list[Row]:
    year = current_evaluation_year()
    commune, villages, subject_count = commune_of_about(SUBJECTS, year)
    user = officer("bench-field", roles.COMMUNE_OFFICER, commune)
    client = Client()
    client.force_login(user)
    village_ids = [v.pk for v in villages]
    rows = [Row("machine load (1 / 5 / 15 min)", load_average())]
    work, download_rows = measure_download(client, commune, village_ids, year)
    print(
        f"    {commune.name}: {len(villages)} villages, {subject_count:,} subjects on the register, "
        f"{len(work['evaluations']):,} draft evaluations in {year}",
        flush=True,
    )
    rows += download_rows
    rows += measure_sync(client, user, work)
    rows.append(Row("machine load after", load_average()))
    return rows


# The download ---------------------------------------------------------------------------------------------------


def measure_download(client: Client, commune, village_ids: list[int], year: int) -> tuple[dict, list[Row]]:
    url = reverse("field:work")
    params = {"village": village_ids, "year": year}

    def view() -> bytes:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        return response.content

    body = view()  # the session and the user's area read once, as by a signed-in phone
    statements = Statements()
    with connection.execute_wrapper(statements):
        view()
    view_s = median_seconds(view, DOWNLOAD_REPEATS)
    floor_s = median_seconds(lambda: floor_download(village_ids, year), DOWNLOAD_REPEATS)
    work = json.loads(body)
    assert json.loads(floor_download(village_ids, year)) == work, "the download differs from the floor's JSON"
    packed = len(gzip.compress(body, compresslevel=6))
    what = (
        f"{len(village_ids)} villages, {len(work['subjects']):,} subjects, {len(work['evaluations']):,} evaluations, "
        f"{len(work['criteria_sets'])} criteria sets"
    )
    return work, [
        Row(f"field app: download a commune's work ({commune.name})", f"{view_s * 1000:,.0f} ms", what),
        Row("  payload", f"{len(body) / 1024:,.0f} kB", f"{packed / 1024:,.0f} kB gzip-compressed"),
        Row("  queries", f"{statements.count}", "the same whatever the number of evaluations"),
        Row(
            "  the same rows by .values(), the same JSON (floor)",
            f"{floor_s * 1000:,.0f} ms",
            "checked equal after json.loads",
        ),
        Row("  download / floor", f"{view_s / floor_s:.2f} x", "access, model rows, serialisers"),
    ]


def floor_download(village_ids: list[int], year: int) -> bytes:
    """The download's answer from ``.values()`` rows of the same querysets, written the same way."""
    villages = _villages_json(list(AdministrativeUnit.objects.filter(pk__in=village_ids).order_by("path")))
    subjects = list(
        subjects_on_register(village_ids, year)
        .order_by("name_folded", "pk")
        .values("id", "name", "kind", "area_id", "name_folded")
    )
    of_year = list(
        Evaluation.objects.filter(subject__in=[s["id"] for s in subjects], year=year)
        .order_by("pk")
        .values(
            "id",
            "subject_id",
            "year",
            "criteria_set_id",
            "status",
            "status_reason",
            "version",
            "total",
            "grade",
            "level",
            "result",
            "self_total",
        )
    )
    evaluations = [e for e in of_year if e["status"] == EvaluationStatus.DRAFT]
    closed = {e["subject_id"]: e["status"] for e in of_year if e["status"] != EvaluationStatus.DRAFT}
    eval_ids = [e["id"] for e in evaluations]
    scores = defaultdict(list)
    for score in (
        Score.objects.filter(evaluation__in=eval_ids)
        .order_by("pk")
        .values(
            "evaluation_id",
            "indicator_id",
            "points",
            "met",
            "self_points",
            "self_met",
            "note",
            "indicator__max_points",
        )
    ):
        scores[score["evaluation_id"]].append(score)
    evidence = defaultdict(list)
    for row in evidence_rows(eval_ids):
        evidence[row["evaluation_id"]].append(evidence_json(row))
    set_ids = {e["criteria_set_id"] for e in evaluations}
    kinds = {s["kind"] for s in subjects}
    criteria_sets = (
        CriteriaSet.objects.filter(Q(pk__in=set_ids) | Q(pk__in=criteria_sets_in_force(kinds, year).values("pk")))
        .prefetch_related("grade_bands", "criteria__indicators")
        .order_by("kind", "code", "-version")
    )
    answer = {
        "year": year,
        "year_end": year_end(year).isoformat(),
        "villages": villages,
        "subjects": [
            {
                "id": s["id"],
                "name": s["name"],
                "kind": s["kind"],
                "village": s["area_id"],
                "folded": s["name_folded"] or fold_words(s["name"]),
                "closed_status": closed.get(s["id"]),
            }
            for s in subjects
        ],
        "evaluations": [_evaluation(e, scores[e["id"]], evidence[e["id"]]) for e in evaluations],
        "criteria_sets": [criteria_set_json(cs) for cs in criteria_sets],
    }
    return json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _value(score: dict, points: str, met: str):
    return score[met] if score["indicator__max_points"] is None else points_json(score[points])


def _evaluation(e: dict, scores: list[dict], evidence: list[dict]) -> dict:
    return {
        "id": e["id"],
        "subject": e["subject_id"],
        "year": e["year"],
        "criteria_set": e["criteria_set_id"],
        "status": e["status"],
        "returned": e["status"] == EvaluationStatus.DRAFT and e["status_reason"] != "",
        "status_reason": e["status_reason"],
        "version": e["version"],
        "total": points_json(e["total"]),
        "grade": e["grade"],
        "level": e["level"],
        "result": e["result"],
        "scores": {str(s["indicator_id"]): _value(s, "points", "met") for s in scores},
        "notes": {str(s["indicator_id"]): s["note"] for s in scores if s["note"]},
        "self_scores": {
            str(s["indicator_id"]): _value(s, "self_points", "self_met")
            for s in scores
            if s["self_points"] is not None or s["self_met"] is not None
        },
        "self_total": points_json(e["self_total"]),
        "evidence": evidence,
    }


# The sync -----------------------------------------------------------------------------------------------------


def scored_values(criteria_set: dict, n: int) -> dict[str, object]:
    """Every indicator of a downloaded set scored, as the phone sends it: points as text, met as a boolean;
    the full points or half of them (rounded down to a half point), varied by evaluation and indicator."""
    values = {}
    for i, indicator in enumerate(ind for crit in criteria_set["criteria"] for ind in crit["indicators"]):
        if indicator["max_points"] is None:
            values[str(indicator["id"])] = (n + i) % 4 != 0
            continue
        maximum = Decimal(indicator["max_points"])
        half = (maximum / 2 * 2).to_integral_value(rounding="ROUND_FLOOR") / 2
        values[str(indicator["id"])] = points_json(maximum if (n + i) % 3 else half)
    return values


def measure_sync(client: Client, user, work: dict) -> list[Row]:
    sets = {cs["id"]: cs for cs in work["criteria_sets"]}
    rng = random.Random(19)  # the same entry ids in every run
    chosen = work["evaluations"][:SYNCED]
    if not chosen:
        return [Row("field app: sync", "-", f"no draft evaluation in {work['year']} to score")]
    entries = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),  # as random as the phone's
            "kind": "record_scores",
            "evaluation": e["id"],
            "based_on_version": e["version"],
            "values": scored_values(sets[e["criteria_set"]], n),
        }
        for n, e in enumerate(chosen)
    ]
    assert BATCH <= MAX_ENTRIES
    bodies = [
        json.dumps({"entries": entries[i : i + BATCH]}, ensure_ascii=False).encode()
        for i in range(0, len(entries), BATCH)
    ]
    ids = [e["id"] for e in chosen]
    put_back = snapshot(ids, sorted({e["subject"] for e in chosen}), user)
    url = reverse("field:sync")

    answered = []

    def view() -> list[dict]:
        results = []
        answered.clear()
        for body in bodies:
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            answered.append(response.content)
            results += response.json()["results"]
        return results

    # The floor: the same values parsed beforehand, the evaluations and their scoring specs read beforehand.
    evaluations = {e.pk: e for e in Evaluation.objects.select_related("criteria_set").filter(pk__in=ids)}
    sets_read = {e.criteria_set_id: e.criteria_set for e in evaluations.values()}
    specs = {pk: scoring.spec_from_criteria_set(cs) for pk, cs in sets_read.items()}
    parsed = []
    for entry in entries:
        evaluation = evaluations[entry["evaluation"]]
        kinds = {ind.id: ind.max_points is not None for ind in specs[evaluation.criteria_set_id].indicators}
        values = {int(k): (Decimal(v) if kinds[int(k)] else v) for k, v in entry["values"].items()}
        parsed.append((evaluation, values, entry["based_on_version"]))

    def floor() -> None:
        for evaluation, values, version in parsed:
            with transaction.atomic():
                evaluation_record_scores(
                    evaluation=evaluation,
                    values=values,
                    spec=specs[evaluation.criteria_set_id],
                    user=user,
                    expected_version=version,
                )

    statements = Statements()
    initial = _counts(ids)
    try:
        put_back()
        with connection.execute_wrapper(statements):
            results = view()
        assert [r["status"] for r in results] == ["applied"] * len(entries), {r["status"] for r in results}
        written = statements.written
        assert written <= WRITTEN_TABLES, f"the sync wrote {written - WRITTEN_TABLES}, which is not put back"
        synced = _stored_results(ids)
        put_back()
        for evaluation, _values, version in parsed:
            evaluation.version = version
        floor()
        assert _stored_results(ids) == synced, "the sync and the floor stored different results"

        def reset_floor():
            put_back()
            for evaluation, _values, version in parsed:
                evaluation.version = version

        view_s = median_seconds(view, SYNC_REPEATS, before=put_back)
        floor_s = median_seconds(floor, SYNC_REPEATS, before=reset_floor)
    finally:
        put_back()
    assert _counts(ids) == initial, "the data set was not put back as it was"
    request_bytes = sum(len(b) for b in bodies)
    packed = sum(len(gzip.compress(b, compresslevel=6)) for b in bodies)
    scored = sum(len(e["values"]) for e in entries)
    return [
        Row(
            f"field app: sync {len(entries)} scored evaluations",  # fewer than SYNCED only in a small data set
            f"{view_s * 1000:,.0f} ms",
            f"{len(bodies)} POSTs of {BATCH}; {scored:,} scores; {statements.count:,} queries",
        ),
        Row("  per evaluation", f"{view_s * 1000 / len(entries):.1f} ms", "each entry its own transaction"),
        Row(
            "  request payload",
            f"{request_bytes / 1024:,.0f} kB",
            f"{request_bytes / len(entries):,.0f} B per evaluation; {packed / 1024:,.0f} kB gzip-compressed",
        ),
        Row(
            "  answers",
            f"{sum(len(a) for a in answered) / 1024:,.0f} kB",
            f"each evaluation's new state; {sum(len(gzip.compress(a, 6)) for a in answered) / 1024:,.0f} kB gzipped",
        ),
        Row(
            "  evaluation_record_scores called directly (floor)",
            f"{floor_s * 1000:,.0f} ms",
            "values parsed beforehand; same stored totals",
        ),
        Row("  sync / floor", f"{view_s / floor_s:.2f} x", "parsing, access, idempotence, answers"),
    ]


def _stored_results(ids: list[int]) -> list[tuple]:
    return list(
        Evaluation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "version", "total", "grade", "level", "result")
    ) + list(
        Score.objects.filter(evaluation__in=ids)
        .order_by("evaluation_id", "indicator_id")
        .values_list("evaluation_id", "indicator_id", "points", "met")
    )


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _counts(ids: list[int]) -> tuple:
    return (
        _stored_results(ids),
        *(model.objects.count() for model in (SearchEntry, Revision, ModelLogEntry, ReferenceIndex, SyncEntry)),
    )


class Statements:
    """An ``execute_wrapper`` counting the statements run and naming the tables written."""

    def __init__(self):
        self.count = 0
        self.written: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if match := WRITE.match(sql):
            self.written.add(match.group(1))
        return execute(sql, params, many, context)


def snapshot(ids: list[int], subject_ids: list[int], user):
    """A function putting ``ids``' evaluations and scores, and the search entries of their subjects
    ``subject_ids``, back as they are now, and removing the revisions, log entries and sync entries written
    since."""
    fields = [f.attname for f in Evaluation._meta.concrete_fields if not f.primary_key]
    evaluations = [
        Evaluation(pk=row["id"], **{f: row[f] for f in fields})
        for row in Evaluation.objects.filter(pk__in=ids).values("id", *fields)
    ]
    score_fields = [f.attname for f in Score._meta.concrete_fields]
    scores = [Score(**row) for row in Score.objects.filter(evaluation__in=ids).values(*score_fields)]
    searched = SearchEntry.objects.filter(object_type=ObjectType.SUBJECT, object_id__in=subject_ids)
    entry_fields = [f.attname for f in SearchEntry._meta.concrete_fields]
    entries = [SearchEntry(**row) for row in searched.values(*entry_fields)]
    references = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Evaluation), object_id__in=[str(pk) for pk in ids]
    )
    reference_fields = [f.attname for f in ReferenceIndex._meta.concrete_fields]
    referenced = [ReferenceIndex(**row) for row in references.values(*reference_fields)]
    marks = (
        Revision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        ModelLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        ReferenceIndex.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )

    def put_back() -> None:
        with transaction.atomic():
            Score.objects.filter(evaluation__in=ids).delete()
            Score.objects.bulk_create(scores)
            Evaluation.objects.bulk_update(evaluations, fields, batch_size=100)
            Revision.objects.filter(pk__gt=marks[0]).delete()
            ModelLogEntry.objects.filter(pk__gt=marks[1]).delete()
            SyncEntry.objects.filter(user=user).delete()
            searched.delete()
            SearchEntry.objects.bulk_create(entries)
            references.delete()
            ReferenceIndex.objects.filter(pk__gt=marks[2]).delete()
            ReferenceIndex.objects.bulk_create(referenced)

    return put_back
