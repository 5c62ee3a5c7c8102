"""The phone's offline scoring (``static/field/scoring.js``) in a real Chromium gives what the server gives:
every shared case of ``field/scoring_cases.json`` (result, total, grade, level, missing, and the criteria and
the reasons in Vietnamese), and the same accepted value or the same Vietnamese message for typed points."""

import json
from decimal import Decimal

from django.utils import translation

import pytest

from evaluations import scoring
from evaluations.points import PointsError, points_parse
from field.scoring_cases import CASES_FILE
from field.serialise import criteria_spec_from_json, points_json, result_json
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

SCORING_JS = ROOT / "static" / "field" / "scoring.js"

#: Typed points, as an officer (or a hostile client) might type them, for an indicator of at most 10 points.
TYPED = [
    "7,5",
    "7.5",
    " 7,5 ",
    "7 , 5",
    "7,50",
    "7.50",
    "",
    "   ",
    "\u00a07\u3000",
    "\ufeff7",
    "abc",
    "-1",
    "-0",
    "-0,0",
    "-0.5",
    "0",
    "10",
    "010",
    "10.0",
    "10.5",
    "10.25",
    "11",
    "7.25",
    "7.3",
    "1e1",
    "1E0",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "+5",
    "+ 5",
    "5.",
    ".5",
    "0,5",
    ",5",
    ",",
    ".",
    "+",
    "-",
    "٣",
    "７",
    "1_0",
    "0x5",
    "5 5",
    "1.2.3",
    "1,000",
    "7,5,",
    "−5",
    "99999999999999999999",
    "0.00000000000000000005",
    "5.00000000000000000001",
]
#: Numbers (a JSON number the phone may hold) go through both sides too.
NUMBERS = [7.5, 10, 0, -0.0, -1, 10.5, 7.3, 1e300, 7.500000000000001]


def server_typed(typed) -> dict:
    with translation.override("vi"):
        try:
            points = points_parse(typed=typed, maximum=Decimal(10))
        except PointsError as error:
            return {"ok": False, "message": str(error)}
    return {"ok": True, "text": points_json(points)}


def server_result(case: dict) -> dict:
    spec = criteria_spec_from_json(case["spec"])
    values = {int(key): value for key, value in case["values"].items()}
    with translation.override("vi"):
        result = scoring.score(spec, values)
    return {
        **result_json(result),
        "criteria": [
            {
                "number": c.number,
                "subtotal": points_json(c.subtotal),
                "maximum": points_json(c.maximum),
                "min_points": points_json(c.min_points),
                "met_count": c.met_count,
                "reaches_minimum": c.reaches_minimum,
            }
            for c in result.criteria
        ],
        "reasons": list(result.reasons),
    }


@pytest.fixture(scope="module")
def scoring_page(browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto("about:blank")
    page.add_script_tag(path=str(SCORING_JS))
    assert page.evaluate("typeof window.FieldScoring.score") == "function"
    yield page
    context.close()


def test_every_shared_case_scores_on_the_phone_as_on_the_server(scoring_page):
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 25
    phone = scoring_page.evaluate(
        """cases => cases.map(c => {
            const r = FieldScoring.score(c.spec, c.values);
            return {...r, reasons: r.reasons.map(FieldScoring.reasonText), coded: r.reasons};
        })""",
        cases,
    )
    for case, got in zip(cases, phone, strict=True):
        shown = {key: got[key] for key in ("result", "total", "grade", "level", "missing")}
        assert shown == case["expected"], case["name"]
        server = server_result(case)
        assert {key: got[key] for key in server} == server, case["name"]
        assert all(isinstance(reason["code"], str) for reason in got["coded"])


def test_reasons_carry_codes_and_points_as_json(scoring_page):
    case = next(
        c
        for c in json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
        if c["name"] == "threshold: 80 with one indicator at 4.5"
    )
    reasons = scoring_page.evaluate("c => FieldScoring.score(c.spec, c.values).reasons", case)
    assert reasons == [{"code": "indicator_minimum", "indicator": "10", "minimum": "5"}]


def test_typed_points_are_read_on_the_phone_as_on_the_server(scoring_page):
    phone = scoring_page.evaluate(
        """inputs => inputs.map(x => {
            const r = FieldScoring.parsePoints(x, "10");
            return r.ok ? {ok: true, text: r.text, halves: r.halves} : {ok: false, message: r.message};
        })""",
        TYPED + NUMBERS,
    )
    for typed, got in zip(TYPED + NUMBERS, phone, strict=True):
        server = server_typed(typed)
        if got["ok"]:
            expected_halves = None if server.get("text") is None else int(Decimal(server["text"]) * 2)
            assert got.pop("halves") == expected_halves, typed
        assert got == server, repr(typed)
    accepted = sum(1 for typed in TYPED if server_typed(typed)["ok"])
    assert 10 < accepted < len(TYPED) - 20


@pytest.mark.parametrize(
    ("maximum", "typed", "message"),
    [
        ("7.5", "8", "Tối đa 7,5 điểm."),
        ("7,5", "7.5", None),
        (15, "15,5", "Tối đa 15 điểm."),
        ("20.0", "20.5", "Tối đa 20 điểm."),
    ],
    ids=["half-point maximum", "comma maximum", "number maximum", "maximum with a zero"],
)
def test_the_maximum_is_said_as_the_server_says_it(scoring_page, maximum, typed, message):
    got = scoring_page.evaluate("([x, m]) => FieldScoring.parsePoints(x, m)", [typed, maximum])
    with translation.override("vi"):
        try:
            points_parse(typed=typed, maximum=Decimal(str(maximum).replace(",", ".")))
            server = None
        except PointsError as error:
            server = str(error)
    assert got.get("message") == server == message


def test_points_are_shown_and_sent_as_the_server_writes_them(scoring_page):
    got = scoring_page.evaluate(
        """() => [
            FieldScoring.pointsText(17), FieldScoring.pointsText(20), FieldScoring.pointsText("8.50"),
            FieldScoring.pointsText("10.0"), FieldScoring.pointsText(null), FieldScoring.pointsText(0),
            FieldScoring.pointsJson(17), FieldScoring.pointsJson(20), FieldScoring.pointsJson(0),
            FieldScoring.pointsJson(null), FieldScoring.pointsJson(1)
        ]"""
    )
    assert got == ["8,5", "10", "8,5", "10", "", "0", "8.5", "10", "0", None, "0.5"]


def test_values_the_server_refuses_are_refused_with_its_codes(scoring_page):
    spec = {
        "scoring_mode": "total_threshold",
        "criteria": [
            {
                "number": "1",
                "title": "t",
                "min_points": None,
                "indicators": [
                    {"id": 1, "code": "1.1", "max_points": "10", "level": None},
                    {"id": 2, "code": "1.2", "max_points": None, "level": 1},
                ],
            }
        ],
        "grade_bands": [],
        "pass_total": "5",
        "indicator_minimum": None,
        "no_grade": scoring.NO_GRADE,
    }
    bad = [
        ({"1": True, "2": True}, "not_a_number"),
        ({"1": "abc", "2": True}, "not_a_number"),
        ({"1": "-1", "2": True}, "negative"),
        ({"1": "10.5", "2": True}, "above_maximum"),
        ({"1": "7.25", "2": True}, "not_half_point"),
        ({"1": 7.3, "2": True}, "not_half_point"),
        ({"1": "5", "2": "yes"}, "not_met_value"),
    ]
    codes = scoring_page.evaluate(
        """([spec, cases]) => cases.map(values => {
            try { FieldScoring.score(spec, values); return null; } catch (error) { return error.code; }
        })""",
        [spec, [values for values, _ in bad]],
    )
    assert codes == [code for _, code in bad]
    server_spec = criteria_spec_from_json(spec)
    for values, code in bad:
        with pytest.raises(scoring.ScoreError) as error:
            scoring.score(server_spec, {int(key): value for key, value in values.items()})
        assert str(error.value) == code
    # A comma is taken as decimal mark on the phone (as typed), the value a number or text alike.
    totals = scoring_page.evaluate(
        """spec => [{"1": "7,5", "2": true}, {"1": 7.5, "2": false}, {1: " 7.5 ", 2: true}].map(
            values => FieldScoring.score(spec, values).total)""",
        spec,
    )
    assert totals == ["7.5", "7.5", "7.5"]
