"""The field app's JSON: criteria sets with their scoring spec, subjects and evaluations as the phone keeps them.

Points travel as strings with a point as decimal mark ("7.5"), never as floats, so that the phone computes
with the exact values the server stores. ``criteria_spec_json`` is the scoring spec of
``evaluations.scoring.spec_from_criteria_set`` as JSON: the phone applies the same rules to it (the shared
cases of ``field/scoring_cases.json`` check both sides); ``criteria_spec_from_json`` reads it back.
"""

from __future__ import annotations

from decimal import Decimal

from evaluations import scoring
from evaluations.models import CriteriaSet, Evaluation, Evidence, Score
from evaluations.text import fold_words


def points_json(value: Decimal | None) -> str | None:
    """``Decimal("7.50")`` -> ``"7.5"``, ``Decimal("10.0")`` -> ``"10"``; None stays None."""
    if value is None:
        return None
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return f"{value:f}"


def _points(raw) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


def criteria_spec_json(spec: scoring.CriteriaSpec) -> dict:
    """The scoring spec as plain JSON (see ``evaluations.scoring`` for the rules that read it)."""
    return {
        "scoring_mode": spec.scoring_mode,
        "criteria": [
            {
                "number": crit.number,
                "title": crit.title,
                "min_points": points_json(crit.min_points),
                "indicators": [
                    {
                        "id": ind.id,
                        "code": ind.code,
                        "max_points": points_json(ind.max_points),
                        "level": ind.level,
                    }
                    for ind in crit.indicators
                ],
            }
            for crit in spec.criteria
        ],
        "grade_bands": [
            {"label": band.label, "min_total": points_json(band.min_total), "recognised": band.recognised}
            for band in spec.grade_bands
        ],
        "pass_total": points_json(spec.pass_total),
        "indicator_minimum": points_json(spec.indicator_minimum),
        # The grade below every band, and the pass/fail grades ("Mức 1"), as the server writes them.
        "no_grade": scoring.NO_GRADE,
    }


def criteria_spec_from_json(data: dict) -> scoring.CriteriaSpec:
    """The inverse of :func:`criteria_spec_json`."""
    return scoring.CriteriaSpec(
        scoring_mode=data["scoring_mode"],
        criteria=tuple(
            scoring.CriterionSpec(
                number=crit["number"],
                title=crit["title"],
                min_points=_points(crit["min_points"]),
                indicators=tuple(
                    scoring.IndicatorSpec(
                        id=ind["id"], code=ind["code"], max_points=_points(ind["max_points"]), level=ind["level"]
                    )
                    for ind in crit["indicators"]
                ),
            )
            for crit in data["criteria"]
        ),
        grade_bands=tuple(
            scoring.GradeBandSpec(band["label"], Decimal(band["min_total"]), band["recognised"])
            for band in data["grade_bands"]
        ),
        pass_total=_points(data["pass_total"]),
        indicator_minimum=_points(data["indicator_minimum"]),
    )


def result_json(result: scoring.ScoringResult) -> dict:
    """What the phone shows live and the shared cases compare: result, total, grade, level, missing codes."""
    return {
        "result": result.result,
        "total": points_json(result.total),
        "grade": result.grade,
        "level": result.level,
        "missing": list(result.missing),
    }


def criteria_set_json(criteria_set: CriteriaSet) -> dict:
    """A criteria set as the phone shows and scores it (criteria and indicators prefetched or not)."""
    return {
        "id": criteria_set.pk,
        "code": criteria_set.code,
        "name": criteria_set.name,
        "version": criteria_set.version,
        "kind": criteria_set.kind,
        "mode": criteria_set.scoring_mode,
        "has_self_assessment": criteria_set.has_self_assessment,
        "validity_years": criteria_set.validity_years,
        "max_total": points_json(criteria_set.max_total),
        "criteria": [
            {
                "number": crit.number,
                "title": crit.title,
                "description": crit.description,
                "min_points": points_json(crit.min_points),
                "indicators": [
                    {
                        "id": ind.pk,
                        "code": ind.code,
                        "text": ind.text,
                        "max_points": points_json(ind.max_points),
                        "level": ind.level,
                        "guidance": ind.evidence_guidance,
                    }
                    for ind in crit.indicators.all()
                ],
            }
            for crit in criteria_set.criteria.all()
        ],
        "grade_bands": [
            {"label": b.label, "min_total": points_json(b.min_total), "recognised": b.recognised}
            for b in criteria_set.grade_bands.all()
        ],
        "scoring": criteria_spec_json(scoring.spec_from_criteria_set(criteria_set)),
    }


def subject_json(subject, closed_status: str | None = None) -> dict:
    """``closed_status``: the status of the year's evaluation when it is no longer a draft (the phone shows it
    and offers no new evaluation); None when there is none or it is a draft."""
    return {
        "id": subject.pk,
        "name": subject.name,
        "kind": subject.kind,
        "village": subject.area_id,
        "folded": subject.name_folded or fold_words(subject.name),
        "closed_status": closed_status,
    }


def _score_value(score: Score, *, self_assessed: bool = False):
    points, met = (score.self_points, score.self_met) if self_assessed else (score.points, score.met)
    if score.indicator.max_points is None:
        return met
    return points_json(points)


#: What ``evidence_json`` reads of an evidence row (with ``evidence_rows``, a query for many evaluations).
EVIDENCE_FIELDS = ("id", "evaluation_id", "original_name", "size", "indicator_id")


def evidence_rows(evaluations) -> list[dict]:
    """The evidence of ``evaluations`` (a queryset or a list) as ``EVIDENCE_FIELDS`` dicts, in one query, in
    the order they were uploaded."""
    return list(
        Evidence.objects.filter(evaluation__in=evaluations).order_by("uploaded_at", "pk").values(*EVIDENCE_FIELDS)
    )


def evidence_json(evidence: Evidence | dict) -> dict:
    """``{"id", "name", "size", "indicator"}`` of an evidence file (a row, or one of ``evidence_rows``)."""
    if isinstance(evidence, dict):
        return {
            "id": evidence["id"],
            "name": evidence["original_name"],
            "size": evidence["size"],
            "indicator": evidence["indicator_id"],
        }
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "size": evidence.size,
        "indicator": evidence.indicator_id,
    }


def evaluation_json(evaluation: Evaluation, scores: list[Score] | None = None, evidence: list | None = None) -> dict:
    """An evaluation's current state: what the phone keeps and what a conflict shows beside its own values.
    ``scores``: the evaluation's rows with their indicators, and ``evidence`` its ``evidence_rows``, when read
    already."""
    if scores is None:
        scores = list(Score.objects.filter(evaluation=evaluation).select_related("indicator"))
    if evidence is None:
        evidence = evidence_rows([evaluation.pk])
    self_scores = {
        s.indicator_id: _score_value(s, self_assessed=True)
        for s in scores
        if s.self_points is not None or s.self_met is not None
    }
    return {
        "id": evaluation.pk,
        "subject": evaluation.subject_id,
        "year": evaluation.year,
        "criteria_set": evaluation.criteria_set_id,
        "status": evaluation.status,
        "returned": evaluation.is_returned,
        "status_reason": evaluation.status_reason,
        "version": evaluation.version,
        "total": points_json(evaluation.total),
        "grade": evaluation.grade,
        "level": evaluation.level,
        "result": evaluation.result,
        "scores": {str(s.indicator_id): _score_value(s) for s in scores},
        "notes": {str(s.indicator_id): s.note for s in scores if s.note},
        "self_scores": {str(k): v for k, v in self_scores.items()},
        "self_total": points_json(evaluation.self_total),
        "evidence": [evidence_json(row) for row in evidence],
    }
