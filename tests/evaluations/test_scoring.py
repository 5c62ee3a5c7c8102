"""The scoring rules at their boundaries, exactly as DOMAIN.md states them.

The pure function is tested with hand-built specs (no database); the last tests check that the
service storing scores goes through the same rules.
"""

from decimal import Decimal

import pytest

from evaluations import scoring
from evaluations.models import Evaluation, Score, ScoringMode, SubjectKind
from evaluations.scoring import (
    FAILS,
    GRADE_BANDS,
    INCOMPLETE,
    MEETS,
    NO_GRADE,
    PASS_FAIL_LEVELS,
    TOTAL_THRESHOLD,
    CriteriaSpec,
    CriterionSpec,
    GradeBandSpec,
    IndicatorSpec,
    ScoreError,
    check_points,
    score,
)
from evaluations.services import evaluation_create, evaluation_record_scores
from tests.factories import FamilyFactory, make_criteria_set

D = Decimal

#: Circular 22/2020 grade bands: Tốt 85-100, Khá 70-<85, Trung bình 50-<70, else Không đạt.
CIRCULAR_22_BANDS = (
    GradeBandSpec("Tốt", D("85")),
    GradeBandSpec("Khá", D("70")),
    GradeBandSpec("Trung bình", D("50")),
)


def grade_bands_spec(min_points=(None, None, None), bands=CIRCULAR_22_BANDS) -> CriteriaSpec:
    """100 points: conditions 30 (3 × 10), members' learning 30 (3 × 10), effects 40 (2 × 20)."""
    maxima = [("1", ["10", "10", "10"]), ("2", ["10", "10", "10"]), ("3", ["20", "20"])]
    criteria = tuple(
        CriterionSpec(
            number=number,
            title=f"Tiêu chí {number}",
            indicators=tuple(
                IndicatorSpec(id=f"{number}.{i}", code=f"{number}.{i}", max_points=D(m))
                for i, m in enumerate(points, start=1)
            ),
            min_points=None if minimum is None else D(minimum),
        )
        for (number, points), minimum in zip(maxima, min_points, strict=True)
    )
    return CriteriaSpec(scoring_mode=GRADE_BANDS, criteria=criteria, grade_bands=bands)


def values_totalling(spec: CriteriaSpec, total: str) -> dict:
    """Scores for every indicator adding up to ``total``: full marks first, the remainder on the last."""
    remaining = D(total)
    values = {}
    for ind in spec.indicators:
        given = min(ind.max_points, remaining)
        values[ind.id] = given
        remaining -= given
    assert remaining == 0, "total above the set's maximum"
    return values


def citizen_spec() -> CriteriaSpec:
    """Decision 244/QĐ-KHVN: 10 indicators × 10 points in three groups; ≥ 80 and no indicator below 5."""
    groups = [("1", 4), ("2", 3), ("3", 3)]
    criteria = tuple(
        CriterionSpec(
            number=number,
            title=f"Nhóm năng lực {number}",
            indicators=tuple(
                IndicatorSpec(id=f"{number}.{i}", code=f"{number}.{i}", max_points=D("10"))
                for i in range(1, count + 1)
            ),
        )
        for number, count in groups
    )
    return CriteriaSpec(scoring_mode=TOTAL_THRESHOLD, criteria=criteria, pass_total=D("80"), indicator_minimum=D("5"))


def citizen_values(*points: str) -> dict:
    spec = citizen_spec()
    assert len(points) == len(spec.indicators)
    return {ind.id: D(p) for ind, p in zip(spec.indicators, points, strict=True)}


def pass_fail_spec(level_two: bool = True) -> CriteriaSpec:
    """Two criteria; 1.1, 1.2 and 2.1 are level 1; 1.3 and 2.2 are level 2 (when ``level_two``)."""
    first = [IndicatorSpec(id="1.1", code="1.1", level=1), IndicatorSpec(id="1.2", code="1.2", level=1)]
    second = [IndicatorSpec(id="2.1", code="2.1", level=1)]
    if level_two:
        first.append(IndicatorSpec(id="1.3", code="1.3", level=2))
        second.append(IndicatorSpec(id="2.2", code="2.2", level=2))
    return CriteriaSpec(
        scoring_mode=PASS_FAIL_LEVELS,
        criteria=(
            CriterionSpec("1", "Lãnh đạo, chỉ đạo", tuple(first)),
            CriterionSpec("2", "Điều kiện bảo đảm", tuple(second)),
        ),
    )


# --- Points with grade bands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "Tốt"),
        ("85", "Tốt"),
        ("84.5", "Khá"),
        ("70", "Khá"),
        ("69.5", "Trung bình"),
        ("50", "Trung bình"),
        ("49.5", NO_GRADE),
        ("0", NO_GRADE),
    ],
)
def test_grade_bands_boundaries_are_inclusive_as_written(total, grade):
    spec = grade_bands_spec()
    result = score(spec, values_totalling(spec, total))
    assert result.total == D(total)
    assert result.grade == grade
    assert result.result == (FAILS if grade == NO_GRADE else MEETS)
    assert result.level is None


def test_grade_bands_total_is_exact_with_half_points():
    spec = grade_bands_spec()
    values = {ind.id: ind.max_points for ind in spec.indicators}
    values["1.1"] = D("7.5")
    values["3.2"] = D("10")
    result = score(spec, values)
    assert result.total == D("87.5")
    assert result.grade == "Tốt"
    assert [c.subtotal for c in result.criteria] == [D("27.5"), D("30"), D("30")]
    assert [c.maximum for c in result.criteria] == [D("30"), D("30"), D("40")]


def test_grade_band_marked_not_recognised_fails_with_its_label():
    bands = (*CIRCULAR_22_BANDS[:2], GradeBandSpec("Trung bình", D("50"), recognised=False))
    spec = grade_bands_spec(bands=bands)
    result = score(spec, values_totalling(spec, "60"))
    assert result.grade == "Trung bình"
    assert result.result == FAILS
    assert result.reasons


def test_bands_given_in_any_order_pick_the_highest_reached():
    spec = grade_bands_spec(bands=tuple(reversed(CIRCULAR_22_BANDS)))
    assert score(spec, values_totalling(spec, "85")).grade == "Tốt"
    assert score(spec, values_totalling(spec, "84.5")).grade == "Khá"


# --- Per-criterion minimum --------------------------------------------------------------------------


def test_criterion_minimum_reached_exactly_is_enough():
    spec = grade_bands_spec(min_points=("15", None, None))
    values = {ind.id: ind.max_points for ind in spec.indicators}
    values.update({"1.1": D("5"), "1.2": D("5"), "1.3": D("5")})  # criterion 1 at exactly 15
    result = score(spec, values)
    assert result.total == D("85")
    assert result.criteria[0].reaches_minimum is True
    assert result.result == MEETS
    assert result.grade == "Tốt"


def test_criterion_below_its_minimum_fails_even_with_a_recognised_total():
    spec = grade_bands_spec(min_points=("15", None, None))
    values = {ind.id: ind.max_points for ind in spec.indicators}
    values.update({"1.1": D("5"), "1.2": D("5"), "1.3": D("4.5")})  # criterion 1 at 14.5
    result = score(spec, values)
    assert result.total == D("84.5")
    assert result.grade == "Khá"
    assert result.criteria[0].reaches_minimum is False
    assert result.result == FAILS
    assert any("tiêu chí 1 chưa đạt mức tối thiểu 15 điểm" in reason for reason in result.reasons)


def test_criterion_minimum_applies_in_total_threshold_mode_too():
    base = citizen_spec()
    first = base.criteria[0]
    spec = CriteriaSpec(
        scoring_mode=TOTAL_THRESHOLD,
        criteria=(CriterionSpec(first.number, first.title, first.indicators, D("32")), *base.criteria[1:]),
        pass_total=D("80"),
        indicator_minimum=D("5"),
    )
    # 90 in all, every indicator ≥ 5, but group 1 has 31.5 < 32.
    values = citizen_values("10", "10", "6", "5.5", "10", "10", "8.5", "10", "10", "10")
    assert sum(values.values()) == D("90")
    assert score(spec, values).result == FAILS
    values["1.4"] = D("6")
    assert score(spec, values).result == MEETS


# --- Pass/fail indicators with levels -------------------------------------------------------------


def test_all_level_one_met_gives_level_one():
    result = score(pass_fail_spec(), {"1.1": True, "1.2": True, "2.1": True, "1.3": False, "2.2": True})
    assert result.result == MEETS
    assert result.level == 1
    assert result.grade == "Mức 1"


def test_all_level_one_and_level_two_met_gives_level_two():
    result = score(pass_fail_spec(), dict.fromkeys(["1.1", "1.2", "2.1", "1.3", "2.2"], True))
    assert result.result == MEETS
    assert result.level == 2
    assert result.grade == "Mức 2"
    assert result.total == 5  # indicators met
    assert [c.met_count for c in result.criteria] == [3, 2]


def test_a_level_one_indicator_not_met_is_not_recognised():
    result = score(pass_fail_spec(), {"1.1": True, "1.2": False, "2.1": True, "1.3": True, "2.2": True})
    assert result.result == FAILS
    assert result.level is None
    assert result.grade == NO_GRADE


def test_level_two_indicators_alone_give_no_level():
    result = score(pass_fail_spec(), {"1.1": False, "1.2": False, "2.1": False, "1.3": True, "2.2": True})
    assert result.result == FAILS
    assert result.level is None


def test_set_without_level_two_indicators_stops_at_level_one():
    result = score(pass_fail_spec(level_two=False), {"1.1": True, "1.2": True, "2.1": True})
    assert result.level == 1
    assert result.result == MEETS


def test_indicator_without_a_level_counts_as_level_one():
    spec = CriteriaSpec(
        scoring_mode=PASS_FAIL_LEVELS,
        criteria=(
            CriterionSpec(
                "1", "Tiêu chí 1", (IndicatorSpec(id="a", code="1.1"), IndicatorSpec(id="b", code="1.2", level=2))
            ),
        ),
    )
    assert score(spec, {"a": False, "b": True}).level is None
    assert score(spec, {"a": True, "b": False}).level == 1
    assert score(spec, {"a": True, "b": True}).level == 2


# --- Points with a total threshold and a per-indicator minimum -----------------------------------


def test_learning_citizen_80_with_every_indicator_at_least_5_is_recognised():
    values = citizen_values("5", "5", "10", "10", "10", "10", "10", "10", "5", "5")
    result = score(citizen_spec(), values)
    assert result.total == D("80")
    assert result.result == MEETS
    assert result.grade == "Đạt"


def test_learning_citizen_80_with_one_indicator_at_4_5_is_not_recognised():
    values = citizen_values("4.5", "5.5", "10", "10", "10", "10", "10", "10", "5", "5")
    result = score(citizen_spec(), values)
    assert result.total == D("80")
    assert result.result == FAILS
    assert result.grade == NO_GRADE
    assert any("1.1" in reason for reason in result.reasons)


def test_learning_citizen_79_5_is_not_recognised():
    values = citizen_values("5", "5", "10", "10", "10", "10", "10", "9.5", "5", "5")
    result = score(citizen_spec(), values)
    assert result.total == D("79.5")
    assert result.result == FAILS


def test_learning_citizen_full_marks():
    result = score(citizen_spec(), citizen_values(*["10"] * 10))
    assert result.total == D("100")
    assert result.result == MEETS


# --- Points: halves allowed, anything else refused ------------------------------------------------


@pytest.mark.parametrize("value", ["0", "0.5", "7.5", "10", "10.0"])
def test_check_points_accepts_half_points_from_zero_to_the_maximum(value):
    check_points(D(value), D("10"))


@pytest.mark.parametrize(
    ("value", "reason"),
    [("7.25", "not_half_point"), ("-1", "negative"), ("-0.5", "negative"), ("10.5", "above_maximum")],
)
def test_check_points_refuses_quarters_negatives_and_above_maximum(value, reason):
    with pytest.raises(ScoreError, match=reason):
        check_points(D(value), D("10"))


@pytest.mark.parametrize("value", ["7.25", "-1", "10.5"])
def test_score_refuses_a_value_check_points_refuses(value):
    spec = grade_bands_spec()
    values = {ind.id: ind.max_points for ind in spec.indicators}
    values["1.1"] = D(value)
    with pytest.raises(ScoreError):
        score(spec, values)


# --- Incomplete -------------------------------------------------------------------------------------


def test_unscored_points_indicator_makes_the_result_incomplete():
    spec = grade_bands_spec()
    values = {ind.id: ind.max_points for ind in spec.indicators}
    del values["2.3"]
    values["3.1"] = None
    result = score(spec, values)
    assert result.result == INCOMPLETE
    assert result.missing == ["2.3", "3.1"]
    assert not result.meets


def test_unscored_indicator_in_total_threshold_mode_is_incomplete_not_failed():
    values = citizen_values(*["10"] * 10)
    del values["1.1"]
    result = score(citizen_spec(), values)
    assert result.result == INCOMPLETE
    assert result.missing == ["1.1"]


def test_unscored_pass_fail_indicator_is_incomplete_but_not_met_is_scored():
    spec = pass_fail_spec()
    assert score(spec, {"1.1": True, "1.2": True, "2.1": True, "1.3": True}).result == INCOMPLETE
    assert score(spec, {"1.1": True, "1.2": True, "2.1": True, "1.3": True, "2.2": False}).result == MEETS


# --- Through the service, with the database ------------------------------------------------------


@pytest.fixture
def family_evaluation(areas):
    criteria_set = make_criteria_set(kind=SubjectKind.FAMILY, mode=ScoringMode.GRADE_BANDS)
    family = FamilyFactory(area=areas["village_a1"])
    return evaluation_create(subject=family, year=2025, criteria_set=criteria_set)


def indicator_ids(evaluation: Evaluation) -> dict[str, int]:
    return {ind.code: ind.pk for crit in evaluation.criteria_set.criteria.all() for ind in crit.indicators.all()}


def test_record_scores_stores_scores_total_grade_and_result(family_evaluation):
    ids = indicator_ids(family_evaluation)
    maxima = {"1.1": "10", "1.2": "10", "1.3": "10", "2.1": "15", "2.2": "15", "3.1": "20", "3.2": "20"}
    values = {ids[code]: D(points) for code, points in maxima.items()}
    values[ids["2.2"]] = D("14.5")  # 99.5 in all
    result = evaluation_record_scores(evaluation=family_evaluation, values=values, notes={ids["2.2"]: "thiếu 0,5"})
    assert result.total == D("99.5")

    family_evaluation.refresh_from_db()
    assert family_evaluation.total == D("99.5")
    assert family_evaluation.grade == "Tốt"
    assert family_evaluation.result == MEETS
    stored = {s.indicator.code: s for s in family_evaluation.scores.select_related("indicator")}
    assert stored["2.2"].points == D("14.5")
    assert stored["2.2"].note == "thiếu 0,5"
    assert stored["1.1"].met is None

    # A later correction of one indicator keeps the others and lowers the grade at the boundary.
    evaluation_record_scores(evaluation=family_evaluation, values={ids["3.1"]: D("5.5")})
    family_evaluation.refresh_from_db()
    assert family_evaluation.total == D("85")
    assert family_evaluation.grade == "Tốt"
    evaluation_record_scores(evaluation=family_evaluation, values={ids["3.1"]: D("5")})
    family_evaluation.refresh_from_db()
    assert family_evaluation.total == D("84.5")
    assert family_evaluation.grade == "Khá"
    assert Score.objects.filter(evaluation=family_evaluation).count() == 7


def test_record_scores_with_an_unscored_indicator_is_incomplete(family_evaluation):
    ids = indicator_ids(family_evaluation)
    evaluation_record_scores(evaluation=family_evaluation, values={ids["1.1"]: D("10"), ids["1.2"]: D("7.5")})
    family_evaluation.refresh_from_db()
    assert family_evaluation.result == INCOMPLETE
    assert family_evaluation.total == D("17.5")


@pytest.mark.parametrize("bad", ["7.25", "-1", "10.5"])
def test_record_scores_score_error_leaves_stored_scores_as_they_were(family_evaluation, bad):
    ids = indicator_ids(family_evaluation)
    evaluation_record_scores(evaluation=family_evaluation, values={ids["1.1"]: D("8"), ids["1.2"]: D("6.5")})
    family_evaluation.refresh_from_db()
    before = (family_evaluation.total, family_evaluation.grade, family_evaluation.result)

    with pytest.raises(ScoreError):
        evaluation_record_scores(
            evaluation=family_evaluation,
            values={ids["1.1"]: D("9"), ids["1.2"]: D(bad), ids["1.3"]: D("10")},
        )

    family_evaluation.refresh_from_db()
    assert (family_evaluation.total, family_evaluation.grade, family_evaluation.result) == before
    stored = {s.indicator_id: s.points for s in Score.objects.filter(evaluation=family_evaluation)}
    assert stored == {ids["1.1"]: D("8"), ids["1.2"]: D("6.5")}


def test_record_scores_pass_fail_stores_met_and_level(areas):
    criteria_set = make_criteria_set(
        kind=SubjectKind.FAMILY,
        mode=ScoringMode.PASS_FAIL_LEVELS,
        code="pf-test",
        indicators=[[{"code": "1.1", "level": 1}, {"code": "1.2", "level": 2}], [{"code": "2.1", "level": 1}]],
    )
    family = FamilyFactory(area=areas["village_a1"])
    evaluation = evaluation_create(subject=family, year=2025, criteria_set=criteria_set)
    ids = indicator_ids(evaluation)
    evaluation_record_scores(evaluation=evaluation, values={ids["1.1"]: True, ids["1.2"]: False, ids["2.1"]: True})
    evaluation.refresh_from_db()
    assert (evaluation.level, evaluation.result, evaluation.grade) == (1, MEETS, "Mức 1")
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"]).met is False
    assert scoring.spec_from_criteria_set(criteria_set).scoring_mode == PASS_FAIL_LEVELS


def test_values_of_the_wrong_type_are_refused():
    from evaluations.scoring import CriteriaSpec, CriterionSpec, IndicatorSpec, ScoreError, score

    points = IndicatorSpec(id=1, code="1.1", max_points=Decimal("10"))
    met = IndicatorSpec(id=2, code="1.2", level=1)
    spec = CriteriaSpec(scoring_mode="total_threshold", criteria=(CriterionSpec("1", "t", (points, met)),))
    for bad in (True, "abc", Decimal("NaN"), object()):
        with pytest.raises(ScoreError):
            score(spec, {1: bad, 2: True})
    with pytest.raises(ScoreError):
        score(spec, {1: Decimal("5"), 2: "yes"})


def test_an_evaluation_takes_only_a_criteria_set_of_the_subjects_kind(areas):
    from django.core.exceptions import ValidationError

    from evaluations.models import Evaluation
    from evaluations.services import evaluation_create
    from tests.factories import FamilyFactory, make_criteria_set

    family = FamilyFactory(area=areas["village_a1"])
    with pytest.raises(ValidationError):
        evaluation_create(subject=family, year=2025, criteria_set=make_criteria_set(kind="unit", code="dv"))
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("language", "points", "shown"),
    [
        ("vi", Decimal("85.0"), "85"),
        ("vi", Decimal("8.50"), "8,5"),
        ("vi", Decimal("100"), "100"),
        ("vi", Decimal("0"), "0"),
        ("en", Decimal("8.5"), "8.5"),
        ("vi", None, ""),
    ],
)
def test_points_are_shown_as_an_officer_types_them(language, points, shown):
    from django.utils import translation

    from evaluations.points import points_text

    with translation.override(language):
        assert points_text(points) == shown
