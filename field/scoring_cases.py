"""Shared scoring cases: a spec (as ``serialise.criteria_spec_json`` writes it) and the values an officer
gives -> the result the server computes. Written to ``field/scoring_cases.json``; the server's test checks
every case against ``evaluations.scoring.score`` and the phone's JavaScript test replays the same file, so
both sides apply the same rules (DOMAIN.md: boundaries inclusive, half points, incomplete when unscored).

Regenerate after a change of the rules or of the cases::

    PYTHONPATH=site DJANGO_SETTINGS_MODULE=config.settings.dev python -m field.scoring_cases
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from evaluations import scoring

CASES_FILE = Path(__file__).with_name("scoring_cases.json")

D = Decimal


def _ind(id_, code, max_points=None, level=None):
    return scoring.IndicatorSpec(id=id_, code=code, max_points=D(max_points) if max_points else None, level=level)


def _circular_22(criterion_minimum: str | None = None, *, lowest_recognised: bool = True) -> scoring.CriteriaSpec:
    """100 points (30/30/40) with the Circular 22 bands: Tốt 85, Khá 70, Trung bình 50 (recognised or not)."""
    minimum = D(criterion_minimum) if criterion_minimum else None
    return scoring.CriteriaSpec(
        scoring_mode=scoring.GRADE_BANDS,
        criteria=(
            scoring.CriterionSpec(
                "1", "Điều kiện", (_ind(1, "1.1", "10"), _ind(2, "1.2", "10"), _ind(3, "1.3", "10"))
            ),
            scoring.CriterionSpec("2", "Kết quả học tập", (_ind(4, "2.1", "15"), _ind(5, "2.2", "15")), minimum),
            scoring.CriterionSpec("3", "Tác động", (_ind(6, "3.1", "20"), _ind(7, "3.2", "20"))),
        ),
        grade_bands=(
            scoring.GradeBandSpec("Tốt", D(85)),
            scoring.GradeBandSpec("Khá", D(70)),
            scoring.GradeBandSpec("Trung bình", D(50), lowest_recognised),
        ),
    )


def _half_points() -> scoring.CriteriaSpec:
    """Maxima and thresholds in half points: 7.5 + 2.5 + 5 = 15; bands listed lowest first."""
    return scoring.CriteriaSpec(
        scoring_mode=scoring.GRADE_BANDS,
        criteria=(
            scoring.CriterionSpec("1", "Một", (_ind(31, "1.1", "7.5"), _ind(32, "1.2", "2.5")), D("5.5")),
            scoring.CriterionSpec("2", "Hai", (_ind(33, "2.1", "5"),)),
        ),
        grade_bands=(scoring.GradeBandSpec("Đạt", D("7.5")), scoring.GradeBandSpec("Tốt", D("12.5"))),
    )


def _citizen(criterion_minimum: str | None = None) -> scoring.CriteriaSpec:
    """Decision 244: 10 indicators x 10 points; recognised at 80 or more with no indicator below 5 (and, when
    given, criterion 1 at ``criterion_minimum`` or more)."""
    indicators = tuple(_ind(10 + i, f"{i}", "10") for i in range(1, 11))
    minimum = D(criterion_minimum) if criterion_minimum else None
    return scoring.CriteriaSpec(
        scoring_mode=scoring.TOTAL_THRESHOLD,
        criteria=(
            scoring.CriterionSpec("1", "Tự học", indicators[:4], minimum),
            scoring.CriterionSpec("2", "Công cụ", indicators[4:7]),
            scoring.CriterionSpec("3", "Quan hệ", indicators[7:]),
        ),
        pass_total=D(80),
        indicator_minimum=D(5),
    )


def _levels() -> scoring.CriteriaSpec:
    """Circular 25 style: pass/fail indicators of level 1 and level 2."""
    return scoring.CriteriaSpec(
        scoring_mode=scoring.PASS_FAIL_LEVELS,
        criteria=(
            scoring.CriterionSpec("1", "Lãnh đạo", (_ind(21, "1.1", level=1), _ind(22, "1.2", level=2))),
            scoring.CriterionSpec("2", "Nguồn lực", (_ind(23, "2.1", level=1), _ind(24, "2.2", level=2))),
        ),
    )


def _level_one_only() -> scoring.CriteriaSpec:
    """Pass/fail without level-2 indicators (one without a level, read as level 1): level 1 at most."""
    return scoring.CriteriaSpec(
        scoring_mode=scoring.PASS_FAIL_LEVELS,
        criteria=(scoring.CriterionSpec("1", "Lãnh đạo", (_ind(41, "1.1", level=1), _ind(42, "1.2"))),),
    )


def _points_values(spec, points: list[str | None]) -> dict:
    return {ind.id: value for ind, value in zip(spec.indicators, points, strict=True)}


def _cases() -> list[tuple[str, scoring.CriteriaSpec, dict]]:
    c22, c22_min, citizen, levels = _circular_22(), _circular_22("20"), _citizen(), _levels()
    c22_unrecognised, citizen_min, half, level_one = (
        _circular_22(lowest_recognised=False),
        _citizen("30"),
        _half_points(),
        _level_one_only(),
    )
    return [
        ("grade bands: 100 is Tốt", c22, _points_values(c22, ["10", "10", "10", "15", "15", "20", "20"])),
        ("grade bands: 85 is Tốt (inclusive)", c22, _points_values(c22, ["10", "10", "5", "15", "15", "15", "15"])),
        ("grade bands: 84.5 is Khá", c22, _points_values(c22, ["10", "10", "4.5", "15", "15", "15", "15"])),
        ("grade bands: 70 is Khá", c22, _points_values(c22, ["10", "10", "10", "10", "10", "10", "10"])),
        ("grade bands: 50 is Trung bình", c22, _points_values(c22, ["10", "10", "10", "5", "5", "5", "5"])),
        ("grade bands: 49.5 is below every band", c22, _points_values(c22, ["10", "10", "9.5", "5", "5", "5", "5"])),
        ("grade bands: zero everywhere", c22, _points_values(c22, ["0", "0", "0", "0", "0", "0", "0"])),
        ("grade bands: one indicator unscored", c22, _points_values(c22, ["10", "10", "10", "15", "15", "20", None])),
        ("grade bands: nothing scored", c22, {}),
        (
            "grade bands: criterion minimum missed",
            c22_min,
            _points_values(c22_min, ["10", "10", "10", "10", "9.5", "20", "20"]),
        ),
        (
            "grade bands: criterion minimum reached (inclusive)",
            c22_min,
            _points_values(c22_min, ["10", "10", "10", "10", "10", "20", "20"]),
        ),
        ("threshold: 80 with every indicator at 5 or more", citizen, _points_values(citizen, ["8"] * 10)),
        (
            "threshold: 80 with one indicator at 4.5",
            citizen,
            _points_values(citizen, ["8.5"] * 7 + ["8", "8", "4.5"]),
        ),
        ("threshold: 79.5", citizen, _points_values(citizen, ["8"] * 9 + ["7.5"])),
        ("threshold: 100", citizen, _points_values(citizen, ["10"] * 10)),
        ("threshold: one unscored", citizen, _points_values(citizen, ["10"] * 9 + [None])),
        ("levels: every indicator met is level 2", levels, {21: True, 22: True, 23: True, 24: True}),
        ("levels: level-1 indicators met is level 1", levels, {21: True, 22: False, 23: True, 24: True}),
        ("levels: a level-1 indicator not met", levels, {21: True, 22: True, 23: False, 24: True}),
        ("levels: one indicator unanswered", levels, {21: True, 22: True, 23: True}),
        ("levels: nothing met", levels, {21: False, 22: False, 23: False, 24: False}),
        ("levels: level 2 met without level 1", levels, {21: False, 22: True, 23: True, 24: True}),
        ("levels: nothing answered", levels, {}),
        ("levels without level 2: all met is level 1", level_one, {41: True, 42: True}),
        ("levels without level 2: an indicator without a level not met", level_one, {41: True, 42: False}),
        (
            "grade bands: a band not recognised gives its grade and fails",
            c22_unrecognised,
            _points_values(c22_unrecognised, ["10", "10", "10", "5", "5", "10", "10"]),
        ),
        (
            "grade bands: a recognised band above the unrecognised one",
            c22_unrecognised,
            _points_values(c22_unrecognised, ["10", "10", "10", "10", "10", "10", "10"]),
        ),
        (
            "grade bands: below every band and a criterion minimum missed",
            c22_min,
            _points_values(c22_min, ["5", "5", "5", "5", "5", "5", "5"]),
        ),
        ("half points: 12.5 is the higher band (inclusive)", half, _points_values(half, ["7.5", "0", "5"])),
        ("half points: 12 is the lower band", half, _points_values(half, ["5.5", "1.5", "5"])),
        ("half points: criterion minimum 5.5 missed by half a point", half, _points_values(half, ["5", "0", "5"])),
        ("half points: 7 is below every band", half, _points_values(half, ["5.5", "0", "1.5"])),
        ("threshold: zero everywhere", citizen, _points_values(citizen, ["0"] * 10)),
        (
            "threshold: 79.5 with one indicator at 4.5 (two reasons)",
            citizen,
            _points_values(citizen, ["8.5"] * 7 + ["8", "7.5", "4.5"]),
        ),
        (
            "threshold: 88 with criterion 1 below its minimum of 30",
            citizen_min,
            _points_values(citizen_min, ["7"] * 4 + ["10"] * 6),
        ),
        (
            "threshold: criterion 1 at its minimum of 30 (inclusive)",
            citizen_min,
            _points_values(citizen_min, ["7.5"] * 4 + ["10"] * 6),
        ),
        (
            "threshold: 5 exactly is not below the indicator minimum",
            citizen,
            _points_values(citizen, ["5"] + ["10"] * 9),
        ),
    ]


def build_cases() -> list[dict]:
    """The cases with the results ``evaluations.scoring.score`` gives them today."""
    # Here, not above: run as a script, the module is imported before Django is set up (and ``serialise``
    # reads the models).
    from .serialise import criteria_spec_json, result_json

    cases = []
    for name, spec, values in _cases():
        cases.append(
            {
                "name": name,
                "spec": criteria_spec_json(spec),
                # Keys are indicator ids as text (JSON); points as text, met as true/false, unscored as null.
                "values": {str(key): value for key, value in values.items()},
                "expected": result_json(scoring.score(spec, values)),
            }
        )
    return cases


def cases_text() -> str:
    return json.dumps({"cases": build_cases()}, ensure_ascii=False, indent=1) + "\n"


def write_cases(path: Path = CASES_FILE) -> None:
    path.write_text(cases_text(), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    write_cases()
