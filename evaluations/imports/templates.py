"""Downloadable templates, one per kind: Vietnamese headings, drop-down lists, example rows, instructions."""

from __future__ import annotations

import io

from ..models import AdministrativeUnit, ImportKind, UnitLevel
from ..spreadsheets import HEADING_STYLE, workbook_open
from . import columns as cols

EXAMPLES = {
    ImportKind.FAMILY: [
        {"head_name": "Nguyễn Văn An", "head_title": "Ông", "member_count": 4, "code": "HGD-001"},
        {"head_name": "Đàng Thị Hoa", "head_title": "Bà", "member_count": 5, "code": "HGD-002"},
    ],
    ImportKind.CLAN: [{"clan_name": "Dòng họ Nguyễn Văn", "representative": "Nguyễn Văn Bình"}],
    ImportKind.COMMUNITY: [{}],
    ImportKind.UNIT: [
        {"unit_name": "Trường Tiểu học Phước Hải", "unit_type": "Trường học", "managing_level": "Cấp huyện"},
    ],
    ImportKind.CITIZEN: [
        {"full_name": "Đàng Thị Lan", "birth_year": 1985, "population_group": "Nông dân, lao động tự do"},
    ],
    ImportKind.RESULT: [
        {"subject_kind": "Gia đình", "year": 2024, "criteria_set": "gdht-448", "subject_name": "Nguyễn Văn An"},
    ],
}


def template_workbook(kind: str, commune: AdministrativeUnit | None = None) -> bytes:
    """An xlsx template for ``kind``; with ``commune``, its villages fill the village drop-down list."""
    columns = [c for c in cols.KINDS[kind] if c.field != "district"]
    villages = []
    if commune is not None:
        villages = list(
            AdministrativeUnit.objects.in_area(commune).filter(level=UnitLevel.VILLAGE).values_list("name", flat=True)
        )
    out = io.BytesIO()
    book = workbook_open(output=out, in_memory=True)
    title_format = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({**HEADING_STYLE, "valign": "top"})
    required_head = book.add_format({**HEADING_STYLE, "bg_color": "#FCE4D6", "valign": "top"})
    sheet = book.add_worksheet("Danh sách")
    lists = book.add_worksheet("Danh mục")
    sheet.write_string(0, 0, cols.KIND_TITLES[kind], title_format)
    if commune is not None:
        sheet.write_string(1, 0, commune.name)
    header_row = 2
    last_row = 5000
    list_col = 0
    for c, column in enumerate(columns):
        heading = column.heading + (" (*)" if column.required else "")
        sheet.write_string(header_row, c, heading, required_head if column.required else head)
        sheet.set_column(c, c, 22)
        source = None
        if column.type == cols.CHOICE:
            source = [words[0] for words in column.choices.values()]
            source = [w[:1].upper() + w[1:] for w in source]
        elif column.type == cols.YESNO:
            source = ["Có", "Không"]
        elif column.field == "village" and villages:
            source = villages
        elif column.field == "commune" and commune is not None:
            source = [commune.name]
        if source:
            lists.write_string(0, list_col, column.heading, head)
            for r, value in enumerate(source, start=1):
                lists.write_string(r, list_col, value)
            letter = cols.column_letter(list_col)
            sheet.data_validation(
                header_row + 1,
                c,
                last_row,
                c,
                {
                    "validate": "list",
                    "source": f"='Danh mục'!${letter}$2:${letter}${len(source) + 1}",
                    "error_title": "Giá trị không hợp lệ",
                    "error_message": "Chọn một giá trị trong danh sách.",
                },
            )
            list_col += 1
        elif column.type in (cols.INT, cols.YEAR):
            sheet.data_validation(
                header_row + 1,
                c,
                last_row,
                c,
                {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "Nhập một số nguyên."},
            )
    for r, example in enumerate(EXAMPLES.get(kind, [{}]), start=header_row + 1):
        for c, column in enumerate(columns):
            value = example.get(column.field)
            if column.field == "commune":
                value = commune.name if commune is not None else "Xã Phước Hải"
            elif column.field == "village":
                value = villages[0] if villages else "Thôn Từ Thiện"
            elif column.field == "publish_consent":
                value = "Có"
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    sheet.freeze_panes(header_row + 1, 0)

    guide = book.add_worksheet("Hướng dẫn")
    guide.set_column(0, 0, 26)
    guide.set_column(1, 1, 90)
    guide.write_string(0, 0, "Hướng dẫn nhập " + cols.KIND_TITLES[kind].lower(), title_format)
    notes = [
        "Điền mỗi dòng một đối tượng trong trang “Danh sách”, bắt đầu ngay dưới dòng tiêu đề; "
        "xóa các dòng ví dụ trước khi tải lên.",
        "Cột có dấu (*) là bắt buộc. Có thể đổi thứ tự cột, thêm dòng tiêu đề phía trên, gõ có dấu hoặc không dấu.",
        "Tải lên lại cùng một tệp không tạo bản ghi trùng: dòng đã có được đối chiếu và chỉ cập nhật phần thay đổi.",
        "Dòng có lỗi được liệt kê (dòng, cột, lỗi) và có thể tải về tệp lỗi để sửa rồi tải lên lại.",
    ]
    if kind == ImportKind.RESULT:
        notes.append(
            "Thêm mỗi chỉ số một cột, tiêu đề là mã chỉ số trong bộ tiêu chí (1.1, 1.2, ...), ghi điểm "
            "(số nguyên hoặc lẻ 0,5) hoặc Có/Không với chỉ số đạt/không đạt. Chỉ có tổng điểm thì không nhập được."
        )
    for r, text in enumerate(notes, start=2):
        guide.write_string(r, 0, "•")
        guide.write_string(r, 1, text)
    r = len(notes) + 3
    guide.write_string(r, 0, "Cột", head)
    guide.write_string(r, 1, "Cách điền", head)
    for column in columns:
        r += 1
        guide.write_string(r, 0, column.heading + (" (*)" if column.required else ""))
        guide.write_string(r, 1, column.note or ("Bắt buộc." if column.required else "Không bắt buộc."))
    book.close()
    return out.getvalue()
