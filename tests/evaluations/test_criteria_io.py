"""Criteria sets as exchange files: export, import, refusals, and the shipped seed sets."""

import copy
import io
import json
from decimal import Decimal

from django.core.management import CommandError, call_command

import pytest

from evaluations.criteria_io import (
    CriteriaSetImportError,
    criteria_set_export_json,
    criteria_set_import,
    criteria_set_to_dict,
)
from evaluations.management.commands.seed_criteria_sets import SEED_DIR
from evaluations.models import (
    CriteriaSet,
    CriteriaSetStatus,
    Criterion,
    GradeBand,
    Indicator,
    ScoringMode,
    SourceStatus,
    SubjectKind,
)
from evaluations.scoring import spec_from_criteria_set
from evaluations.services import evaluation_create
from tests.factories import FamilyFactory, make_criteria_set

pytestmark = pytest.mark.django_db


def row_counts() -> tuple[int, int, int, int]:
    return (
        CriteriaSet.objects.count(),
        GradeBand.objects.count(),
        Criterion.objects.count(),
        Indicator.objects.count(),
    )


def make_documented_set(**overrides) -> CriteriaSet:
    fields = {
        "code": "gdht-test",
        "name": "Bộ tiêu chí Gia đình học tập (thử nghiệm)",
        "indicators": [
            [
                {"code": "1.1", "max_points": "10", "text": "Trẻ em đi học", "evidence_guidance": "Giấy xác nhận"},
                {"code": "1.2", "max_points": "7.5"},
                {"code": "1.3", "max_points": "12.5"},
            ],
            [{"code": "2.1", "max_points": "15"}, {"code": "2.2", "max_points": "15"}],
            [{"code": "3.1", "max_points": "20"}, {"code": "3.2", "max_points": "20"}],
        ],
        "criterion_minima": ["15", None, "20.5"],
        "document_number": "448/QĐ-KHVN",
        "document_date": "2015-06-01",
        "issuer": "Hội Khuyến học Việt Nam",
        "effective_from": "2016-01-01",
        "effective_to": "2020-12-31",
        "source_status": SourceStatus.PARTIAL,
        "source_note": "Thiếu tiêu chí 3.",
        "has_self_assessment": True,
        "validity_years": 1,
    }
    fields.update(overrides)
    criteria_set = make_criteria_set(**fields)
    return CriteriaSet.objects.get(pk=criteria_set.pk)


def threshold_document() -> dict:
    return {
        "format": "khuyenhoc.criteria-set",
        "format_version": 1,
        "criteria_set": {
            "kind": "citizen",
            "code": "cdht-test",
            "version": 1,
            "name": "Công dân học tập (thử nghiệm)",
            "scoring_mode": "total_threshold",
            "pass_total": "80",
            "indicator_minimum": "5",
            "criteria": [
                {
                    "number": "1",
                    "title": "Nhóm 1",
                    "indicators": [{"code": f"1.{i}", "text": f"Chỉ số 1.{i}", "max_points": "10"} for i in (1, 2)],
                },
                {
                    "number": "2",
                    "title": "Nhóm 2",
                    "indicators": [{"code": f"2.{i}", "text": f"Chỉ số 2.{i}", "max_points": 10} for i in range(1, 9)],
                },
            ],
        },
    }


def pass_fail_document() -> dict:
    return {
        "format": "khuyenhoc.criteria-set",
        "format_version": 1,
        "criteria_set": {
            "kind": "unit",
            "code": "dvht-pf-test",
            "version": 1,
            "name": "Đơn vị học tập (thử nghiệm)",
            "scoring_mode": "pass_fail_levels",
            "validity_years": 3,
            "criteria": [
                {
                    "number": "1",
                    "title": "Điều kiện",
                    "indicators": [
                        {"code": "1.1", "text": "Chỉ số mức 1", "level": 1},
                        {"code": "1.2", "text": "Chỉ số mức 2", "level": 2},
                    ],
                }
            ],
        },
    }


# --- Export and round trip -----------------------------------------------------------------------


def test_export_is_indented_utf8_json_with_decimals_as_strings():
    criteria_set = make_documented_set()
    payload = criteria_set_export_json(criteria_set)
    assert isinstance(payload, bytes)
    assert "Hội Khuyến học Việt Nam".encode() in payload  # not \u escapes
    assert b'\n  "criteria_set": {' in payload

    document = json.loads(payload.decode("utf-8"))
    assert document["format"] == "khuyenhoc.criteria-set"
    assert document["format_version"] == 1
    body = document["criteria_set"]
    assert body["code"] == "gdht-test"
    assert body["version"] == 1
    assert body["document_date"] == "2015-06-01"
    assert body["effective_to"] == "2020-12-31"
    assert body["has_self_assessment"] is True
    assert body["pass_total"] is None
    assert body["grade_bands"] == [
        {"label": "Tốt", "min_total": "85", "recognised": True},
        {"label": "Khá", "min_total": "70", "recognised": True},
        {"label": "Trung bình", "min_total": "50", "recognised": True},
    ]
    first = body["criteria"][0]
    assert first["min_points"] == "15"
    assert body["criteria"][2]["min_points"] == "20.5"
    assert [ind["max_points"] for ind in first["indicators"]] == ["10", "7.5", "12.5"]
    assert first["indicators"][0] == {
        "code": "1.1",
        "text": "Trẻ em đi học",
        "max_points": "10",
        "level": None,
        "evidence_guidance": "Giấy xác nhận",
    }


def test_export_then_import_gives_the_same_set():
    original = make_documented_set()
    exported = criteria_set_to_dict(original)
    payload = criteria_set_export_json(original)
    original.delete()

    outcome = criteria_set_import(payload)

    assert outcome.action == "created"
    assert outcome.criteria_set.version == 1
    assert criteria_set_to_dict(CriteriaSet.objects.get(pk=outcome.criteria_set.pk)) == exported
    assert spec_from_criteria_set(outcome.criteria_set).max_total == Decimal("100")


@pytest.mark.parametrize("build", [threshold_document, pass_fail_document])
def test_import_then_export_gives_the_same_document(build):
    document = build()
    outcome = criteria_set_import(json.dumps(document))
    exported = criteria_set_to_dict(outcome.criteria_set)
    assert exported["criteria_set"]["code"] == document["criteria_set"]["code"]
    # Importing the export again finds the same set.
    again = criteria_set_import(exported)
    assert (again.action, again.criteria_set.pk) == ("unchanged", outcome.criteria_set.pk)


def test_importing_the_same_file_twice_is_unchanged():
    payload = criteria_set_export_json(make_documented_set())
    before = row_counts()
    first = criteria_set_import(payload)
    second = criteria_set_import(payload.decode("utf-8"))
    assert (first.action, second.action) == ("unchanged", "unchanged")
    assert row_counts() == before


def test_changed_content_becomes_a_new_version_and_the_stored_one_is_untouched(areas):
    stored = make_documented_set()
    # v1 is in use: frozen.
    evaluation_create(subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=stored)
    untouched = criteria_set_to_dict(stored)

    document = criteria_set_to_dict(stored)
    document["criteria_set"]["criteria"][0]["indicators"][0]["text"] = "Trẻ em trong độ tuổi đi học được đến trường"
    document["criteria_set"]["criteria"][0]["indicators"][1]["max_points"] = "8"
    document["criteria_set"]["criteria"][0]["indicators"][2]["max_points"] = "12"
    outcome = criteria_set_import(document)

    assert outcome.action == "created"
    assert outcome.criteria_set.version == 2
    assert outcome.file_version == 1
    assert outcome.renumbered
    assert criteria_set_to_dict(CriteriaSet.objects.get(pk=stored.pk)) == untouched
    new = criteria_set_to_dict(outcome.criteria_set)["criteria_set"]
    assert new["criteria"][0]["indicators"][0]["text"] == "Trẻ em trong độ tuổi đi học được đến trường"
    assert [s.version for s in CriteriaSet.objects.filter(code="gdht-test").order_by("version")] == [1, 2]

    # The same revised file again: already stored (as v2), nothing new.
    again = criteria_set_import(document)
    assert (again.action, again.criteria_set.pk) == ("unchanged", outcome.criteria_set.pk)
    # Another revision goes after the highest version.
    document["criteria_set"]["name"] = "Bộ tiêu chí sửa lần hai"
    assert criteria_set_import(document).criteria_set.version == 3


def test_a_free_version_number_from_the_file_is_kept():
    stored = make_documented_set()
    document = criteria_set_to_dict(stored)
    document["criteria_set"]["version"] = 5
    document["criteria_set"]["name"] = "Bản sửa đổi của tỉnh"
    outcome = criteria_set_import(document)
    assert (outcome.action, outcome.criteria_set.version, outcome.renumbered) == ("created", 5, False)


def test_a_status_change_alone_is_not_new_content():
    stored = make_documented_set(status=CriteriaSetStatus.RETIRED)
    document = criteria_set_to_dict(stored)
    document["criteria_set"]["status"] = "active"
    outcome = criteria_set_import(document)
    assert (outcome.action, outcome.criteria_set.pk) == ("unchanged", stored.pk)
    assert CriteriaSet.objects.get(pk=stored.pk).status == CriteriaSetStatus.RETIRED


def test_a_code_used_by_another_kind_is_refused():
    make_documented_set()
    document = criteria_set_to_dict(CriteriaSet.objects.get(code="gdht-test"))
    document["criteria_set"]["kind"] = "clan"
    document["criteria_set"]["name"] = "Khác"
    before = row_counts()
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert "đã dùng cho loại mô hình family" in exc.value.errors[0]
    assert row_counts() == before


# --- Refusals: each says what and where, and writes nothing ---------------------------------------


def top_field(key, value):
    def change(doc):
        doc[key] = value

    return change


def set_field(key, value):
    def change(doc):
        doc["criteria_set"][key] = value

    return change


def drop_field(key):
    def change(doc):
        del doc["criteria_set"][key]

    return change


def change_indicator(criterion: int, indicator: int, key, value):
    def change(doc):
        doc["criteria_set"]["criteria"][criterion]["indicators"][indicator][key] = value

    return change


def drop_indicator_field(criterion: int, indicator: int, key):
    def change(doc):
        del doc["criteria_set"]["criteria"][criterion]["indicators"][indicator][key]

    return change


REFUSALS = {
    "wrong format marker": (
        top_field("format", "khuyenhoc.other"),
        "Tệp không phải bộ tiêu chí: trường 'format' phải là 'khuyenhoc.criteria-set' (giá trị: 'khuyenhoc.other')",
    ),
    "unknown format version": (top_field("format_version", 2), "Phiên bản định dạng không được hỗ trợ (giá trị: 2)"),
    "unknown kind": (set_field("kind", "household"), "Bộ tiêu chí: loại mô hình không hợp lệ"),
    "unknown scoring mode": (set_field("scoring_mode", "points"), "Bộ tiêu chí: cách chấm không hợp lệ"),
    "unknown status": (set_field("status", "published"), "Bộ tiêu chí: trạng thái không hợp lệ"),
    "unknown source status": (set_field("source_status", "sure"), "Bộ tiêu chí: tình trạng nguồn không hợp lệ"),
    "missing name": (drop_field("name"), "Bộ tiêu chí: thiếu trường bắt buộc 'name' (tên bộ tiêu chí)"),
    "missing code": (set_field("code", ""), "Bộ tiêu chí: thiếu trường bắt buộc 'code'"),
    "missing kind": (drop_field("kind"), "Bộ tiêu chí: thiếu trường bắt buộc 'kind'"),
    "missing criteria": (drop_field("criteria"), "Bộ tiêu chí: cần ít nhất một tiêu chí"),
    "missing indicator text": (
        drop_indicator_field(1, 0, "text"),
        "Tiêu chí 2, chỉ số 2.1: thiếu trường bắt buộc 'text' (nội dung chỉ số)",
    ),
    "missing indicator code": (
        drop_indicator_field(1, 1, "code"),
        "Tiêu chí 2, chỉ số thứ 2: thiếu trường bắt buộc 'code'",
    ),
    "duplicate indicator code": (
        change_indicator(2, 1, "code", "1.2"),
        "Tiêu chí 3, chỉ số 1.2: mã chỉ số bị trùng",
    ),
    "max points not a number": (
        change_indicator(1, 0, "max_points", "abc"),
        "Tiêu chí 2, chỉ số 2.1: điểm tối đa phải là số dương (giá trị: 'abc')",
    ),
    "max points zero": (
        change_indicator(1, 0, "max_points", "0"),
        "Tiêu chí 2, chỉ số 2.1: điểm tối đa phải là số dương",
    ),
    "max points a quarter": (
        change_indicator(0, 0, "max_points", "7.25"),
        "Tiêu chí 1, chỉ số 1.1: điểm tối đa chỉ được có một chữ số thập phân (giá trị: '7.25')",
    ),
    "max points not a half": (
        change_indicator(0, 0, "max_points", "7.3"),
        "Tiêu chí 1, chỉ số 1.1: điểm tối đa phải là bội số của 0,5",
    ),
    "points mode without max points": (
        change_indicator(0, 1, "max_points", None),
        "Tiêu chí 1, chỉ số 1.2: thiếu điểm tối đa ('max_points')",
    ),
    "grade bands mode without bands": (set_field("grade_bands", []), "cần ít nhất một mức trong 'grade_bands'"),
    "bad date": (set_field("document_date", "28/7/2022"), "Bộ tiêu chí: ngày văn bản phải là ngày dạng NNNN-TT-NN"),
    "version as text": (set_field("version", "2"), "Bộ tiêu chí: phiên bản phải là số nguyên từ 1 đến 32767"),
    "version zero": (set_field("version", 0), "phiên bản phải là số nguyên từ 1 đến 32767 (giá trị: 0)"),
    "version negative": (set_field("version", -3), "phiên bản phải là số nguyên"),
    "version fraction": (set_field("version", 1.5), "phiên bản phải là số nguyên"),
    "version missing": (drop_field("version"), "Bộ tiêu chí: thiếu trường bắt buộc 'version'"),
    "unknown field": (set_field("max_point", "10"), "Bộ tiêu chí: trường 'max_point' không thuộc định dạng"),
    "band above the maximum": (
        lambda doc: doc["criteria_set"]["grade_bands"].append({"label": "Xuất sắc", "min_total": "120"}),
        "Mức xếp loại thứ 4: tổng điểm tối thiểu 120 lớn hơn tổng điểm tối đa (100)",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_invalid_grade_bands_file_is_refused_with_its_message_and_nothing_written(case):
    change, message = REFUSALS[case]
    document = criteria_set_to_dict(make_documented_set())
    CriteriaSet.objects.filter(code="gdht-test").update(code="other-code")
    change(document)
    before = row_counts()

    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(json.dumps(document, ensure_ascii=False).encode())

    assert any(message in error for error in exc.value.errors), exc.value.errors
    assert row_counts() == before


def test_threshold_mode_without_pass_total_is_refused():
    document = threshold_document()
    del document["criteria_set"]["pass_total"]
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert exc.value.errors == [
        "Bộ tiêu chí: cách chấm theo tổng điểm (total_threshold) cần tổng điểm đạt ('pass_total')"
    ]
    assert row_counts() == (0, 0, 0, 0)


def test_threshold_above_the_maximum_is_refused():
    document = threshold_document()
    document["criteria_set"]["pass_total"] = "100.5"
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert "tổng điểm đạt 100.5 lớn hơn tổng điểm tối đa của các chỉ số (100)" in exc.value.errors[0]


def test_pass_fail_mode_with_max_points_is_refused():
    document = pass_fail_document()
    document["criteria_set"]["criteria"][0]["indicators"][1]["max_points"] = "10"
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert exc.value.errors == [
        "Tiêu chí 1, chỉ số 1.2: cách chấm đạt/không đạt theo mức (pass_fail_levels) không dùng điểm; "
        "bỏ trường 'max_points' của chỉ số này"
    ]
    assert row_counts() == (0, 0, 0, 0)


def test_pass_fail_mode_with_only_level_two_indicators_is_refused():
    document = pass_fail_document()
    document["criteria_set"]["criteria"][0]["indicators"][0]["level"] = 2
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert "cần ít nhất một chỉ số mức 1" in exc.value.errors[0]


def test_pass_fail_level_must_be_one_or_two():
    document = pass_fail_document()
    document["criteria_set"]["criteria"][0]["indicators"][1]["level"] = 3
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert exc.value.errors == ["Tiêu chí 1, chỉ số 1.2: mức phải là số nguyên từ 1 đến 2 (giá trị: 3)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "Tệp không phải JSON hợp lệ: dòng 1, cột 2"),
        (b"\xff\xfe{}", "Tệp không phải văn bản UTF-8"),
        ("[1, 2]", "Tệp JSON phải là một đối tượng"),
        ("{}", "Tệp không phải bộ tiêu chí: trường 'format' phải là 'khuyenhoc.criteria-set' (giá trị: null)"),
        ('{"format": "khuyenhoc.criteria-set", "format_version": 1}', "Tệp thiếu đối tượng 'criteria_set'"),
    ],
)
def test_unreadable_files_are_refused(data, message):
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(data)
    assert exc.value.errors[0].startswith(message)
    assert row_counts() == (0, 0, 0, 0)


def test_every_error_of_a_file_is_reported_at_once():
    document = threshold_document()
    body = document["criteria_set"]
    body["kind"] = "village"
    body["version"] = 0
    body["criteria"][0]["indicators"][0]["max_points"] = "-1"
    body["criteria"][1]["indicators"][3]["code"] = "1.1"
    with pytest.raises(CriteriaSetImportError) as exc:
        criteria_set_import(document)
    assert exc.value.errors == [
        "Bộ tiêu chí: loại mô hình không hợp lệ, chọn một trong: family, clan, community, unit, citizen "
        "(giá trị: 'village')",
        "Bộ tiêu chí: phiên bản phải là số nguyên từ 1 đến 32767 (giá trị: 0)",
        "Tiêu chí 1, chỉ số 1.1: điểm tối đa phải là số dương (giá trị: '-1')",
        "Tiêu chí 2, chỉ số 1.1: mã chỉ số bị trùng (mỗi mã chỉ dùng một lần trong cả bộ tiêu chí) (giá trị: '1.1')",
    ]
    assert str(exc.value).count("\n") == 3


def test_decimal_comma_and_json_numbers_are_read_as_exact_points():
    document = threshold_document()
    document["criteria_set"]["pass_total"] = "79,5"
    outcome = criteria_set_import(json.dumps(document).replace('"max_points": 10', '"max_points": 10.0'))
    assert outcome.criteria_set.pass_total == Decimal("79.5")
    assert spec_from_criteria_set(outcome.criteria_set).max_total == Decimal("100")


# --- Commands -------------------------------------------------------------------------------------


def test_export_command_writes_the_latest_version_to_stdout_or_a_file(tmp_path):
    make_documented_set()
    make_documented_set(version=2, name="Phiên bản 2")
    out = io.StringIO()
    call_command("export_criteria_set", "gdht-test", stdout=out)
    assert json.loads(out.getvalue())["criteria_set"]["version"] == 2

    target = tmp_path / "gdht.json"
    call_command("export_criteria_set", "gdht-test", "--version", "1", "-o", str(target), stderr=io.StringIO())
    document = json.loads(target.read_bytes().decode("utf-8"))
    assert document["criteria_set"]["version"] == 1
    assert document["criteria_set"]["name"] == "Bộ tiêu chí Gia đình học tập (thử nghiệm)"

    with pytest.raises(CommandError, match="Các phiên bản đã lưu: v1, v2"):
        call_command("export_criteria_set", "gdht-test", version=7)


def test_import_command_prints_the_action_and_refuses_with_every_error(tmp_path):
    source = make_documented_set()
    target = tmp_path / "set.json"
    target.write_bytes(criteria_set_export_json(source))
    out = io.StringIO()
    call_command("import_criteria_set", str(target), stdout=out)
    assert out.getvalue().startswith("không đổi: gdht-test v1")

    document = criteria_set_to_dict(source)
    document["criteria_set"]["name"] = "Sửa đổi"
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_criteria_set", str(target), stdout=out)
    assert out.getvalue().startswith(
        "đã tạo: gdht-test v2 (Sửa đổi); phiên bản 1 ghi trong tệp đã được lưu với nội dung khác"
    )

    document["criteria_set"]["scoring_mode"] = "points"
    document["criteria_set"]["criteria"][0]["indicators"][0]["max_points"] = "abc"
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError) as exc:
        call_command("import_criteria_set", str(target))
    lines = str(exc.value).splitlines()
    assert lines[0] == f"{target}:"
    assert lines[1].startswith("Bộ tiêu chí: cách chấm không hợp lệ")
    assert lines[2] == "Tiêu chí 1, chỉ số 1.1: điểm tối đa phải là số dương (giá trị: 'abc')"
    assert row_counts() == before


# --- Shipped seed sets ----------------------------------------------------------------------------


def test_seed_command_is_idempotent_and_gives_an_active_set_for_every_kind():
    files = sorted(SEED_DIR.glob("*.json"))
    assert len(files) >= 5

    out = io.StringIO()
    call_command("seed_criteria_sets", stdout=out)
    assert out.getvalue().count(": đã tạo: ") == len(files)
    counts = row_counts()

    out = io.StringIO()
    call_command("seed_criteria_sets", stdout=out)
    assert out.getvalue().count(": không đổi: ") == len(files)
    assert row_counts() == counts

    for kind in SubjectKind.values:
        assert CriteriaSet.objects.filter(kind=kind, status=CriteriaSetStatus.ACTIVE).exists(), kind


def test_seed_sets_record_their_source_and_score_as_domain_states():
    call_command("seed_criteria_sets", stdout=io.StringIO())
    for criteria_set in CriteriaSet.objects.all():
        assert criteria_set.document_number, criteria_set.code
        assert criteria_set.issuer, criteria_set.code
        assert criteria_set.source_note, criteria_set.code
        if criteria_set.source_status == SourceStatus.PARTIAL:
            assert "Còn thiếu" in criteria_set.source_note

    def by_number(number):
        return CriteriaSet.objects.get(document_number=number, status=CriteriaSetStatus.ACTIVE)

    family = CriteriaSet.objects.get(kind=SubjectKind.FAMILY)
    family_doc = criteria_set_to_dict(family)["criteria_set"]
    assert (family_doc["effective_from"], family_doc["effective_to"]) == ("2016-01-01", "2020-12-31")
    assert family_doc["criteria"][0]["title"] == "Học tập của trẻ em"
    assert [i["max_points"] for i in family_doc["criteria"][0]["indicators"]] == ["10", "10", "10"]
    assert family_doc["criteria"][1]["title"] == "Học tập của người lớn"
    assert "[Cần bổ sung theo văn bản gốc]" in family_doc["criteria"][1]["indicators"][2]["text"]
    assert "[Cần bổ sung theo văn bản gốc]" in family_doc["criteria"][2]["title"]
    assert "tạm" in family_doc["source_note"] and "7/2022" in family_doc["source_note"]
    assert family.max_total == Decimal("100")

    unit = by_number("22/2020/TT-BGDĐT")
    assert unit.scoring_mode == ScoringMode.GRADE_BANDS
    assert unit.has_self_assessment
    assert [(b.label, b.min_total, b.recognised) for b in unit.grade_bands.all()] == [
        ("Tốt", Decimal("85"), True),
        ("Khá", Decimal("70"), True),
        ("Trung bình", Decimal("50"), True),
    ]
    assert [c.title for c in unit.criteria.all()] == ["Điều kiện", "Học tập của thành viên", "Hiệu quả"]
    assert [sum(i.max_points for i in c.indicators.all()) for c in unit.criteria.all()] == [30, 30, 40]

    citizen = by_number("244/QĐ-KHVN")
    assert citizen.scoring_mode == ScoringMode.TOTAL_THRESHOLD
    assert str(citizen.document_date) == "2022-07-28"
    assert (citizen.pass_total, citizen.indicator_minimum) == (Decimal("80"), Decimal("5"))
    indicators = [i for c in citizen.criteria.all() for i in c.indicators.all()]
    assert len(indicators) == 10 and all(i.max_points == 10 for i in indicators)
    assert citizen.criteria.count() == 3

    commune = CriteriaSet.objects.get(document_number="25/2023/TT-BGDĐT")
    assert commune.scoring_mode == ScoringMode.PASS_FAIL_LEVELS
    assert commune.validity_years == 3
    assert commune.criteria.count() == 5
    units_24 = CriteriaSet.objects.get(document_number="24/2023/TT-BGDĐT")
    assert (units_24.criteria.count(), units_24.validity_years, units_24.has_self_assessment) == (3, 3, True)
    for pass_fail in (commune, units_24):
        levels = {i.level for c in pass_fail.criteria.all() for i in c.indicators.all()}
        assert levels == {1, 2}


def test_seed_files_are_valid_exchange_documents_on_their_own():
    for path in sorted(SEED_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["format"] == "khuyenhoc.criteria-set", path.name
        before = copy.deepcopy(document)
        outcome = criteria_set_import(document)
        assert document == before
        # The shipped files are written exactly as the export writes them, so a diff shows real changes only.
        assert criteria_set_export_json(outcome.criteria_set) == path.read_bytes(), path.name
