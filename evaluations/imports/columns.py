"""The columns of each kind of import: Vietnamese headings, accepted aliases, types and choices.

A heading matches when its folded form (no diacritics, no spaces or punctuation, lower case) equals
one of the column's aliases folded the same way, so "Họ tên chủ hộ", "HO TEN CHU HO" and
"ho_ten_chu_ho" are one column, in any order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ..models import HeadTitle, ImportKind, ManagingLevel, PopulationGroup, UnitType
from ..text import fold, fold_key

TEXT, INT, YEAR, YESNO, CHOICE, DATE = "text", "int", "year", "yesno", "choice", "date"
HEADER_SCAN_ROWS = 20


#: Headings and choices repeat across a file's rows: each distinct one folded once.
_key = lru_cache(maxsize=4096)(fold_key)


def key(text) -> str:
    """Folded heading or choice: ``"Số nhân khẩu (*)"`` -> ``"sonhankhau"``."""
    return _key(str(text or ""))


@dataclass(frozen=True, eq=False)
class Column:
    field: str
    heading: str  # Vietnamese heading written in the template
    aliases: tuple[str, ...] = ()
    required: bool = False
    type: str = TEXT
    #: CHOICE: stored value -> the labels and words accepted for it.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_length: int = 0
    note: str = ""  # shown on the instructions sheet
    example: tuple = ()

    @property
    def keys(self) -> set[str]:
        return {key(self.heading), key(self.field), *(key(a) for a in self.aliases)}

    def choice_value(self, text: str) -> str | None:
        return _choice_lookup(self).get(key(text))


COMMUNE = Column(
    "commune",
    "Xã/phường",
    ("xã", "phường", "xã phường thị trấn", "xã/phường/thị trấn", "đơn vị hành chính", "xa phuong", "commune"),
    note="Tên xã, phường hoặc thị trấn (tên cũ trước 1/7/2025 hoặc tên mới đều được).",
    example=("Xã Phước Hải", "Phước Hải"),
)
DISTRICT = Column(
    "district",
    "Huyện (cũ)",
    ("huyện", "huyện/thành phố", "quận huyện", "district"),
    note="Không bắt buộc: chỉ cần khi tên xã cũ trùng nhau giữa các huyện.",
    example=("Huyện Ninh Phước", ""),
)
VILLAGE = Column(
    "village",
    "Thôn/khu phố",
    ("thôn", "khu phố", "tổ dân phố", "thôn/tổ dân phố", "thôn/khu phố/tổ dân phố", "thôn, khu phố", "village"),
    required=True,
    note="Tên thôn, khu phố hoặc tổ dân phố trong xã.",
)
CODE = Column(
    "code",
    "Mã",
    ("mã hộ", "mã số", "mã hộ gia đình", "mã dòng họ", "mã đơn vị", "code"),
    max_length=40,
    note="Không bắt buộc: mã xã đang dùng; nếu có, dòng được đối chiếu theo mã.",
)
CONSENT = Column(
    "publish_consent",
    "Đồng ý công bố",
    ("công bố", "cho phép công bố", "được công bố"),
    type=YESNO,
    note="Có/Không (để trống là Có).",
)
NOTE = Column("note", "Ghi chú", ("ghi chu", "note"), note="Không bắt buộc.")
REGISTERED = Column(
    "registered_on",
    "Ngày đăng ký",
    ("ngày đăng kí", "ngày vào danh sách", "đăng ký từ ngày", "registered on", "registration date"),
    type=DATE,
    note="Không bắt buộc: ngày đối tượng vào danh sách (dd/mm/yyyy), không sau hôm nay; để trống là ngày nhập "
    "tệp. Số đăng ký của một năm chỉ tính các đối tượng đăng ký đến hết năm đó.",
)

YES_WORDS = {"co", "c", "x", "yes", "y", "1", "true", "dat", "dong y", "dongy"}
NO_WORDS = {"khong", "k", "no", "n", "0", "false", "ko"}

KINDS: dict[str, list[Column]] = {
    ImportKind.FAMILY: [
        COMMUNE,
        DISTRICT,
        VILLAGE,
        Column(
            "head_name",
            "Họ tên chủ hộ",
            ("chủ hộ", "họ và tên chủ hộ", "tên chủ hộ", "head of household"),
            required=True,
            max_length=120,
        ),
        Column(
            "head_title",
            "Danh xưng",
            ("ông/bà", "xưng hô", "danh xưng chủ hộ", "giới tính"),
            type=CHOICE,
            choices={HeadTitle.MR: ("ông", "ong", "nam", "ô"), HeadTitle.MRS: ("bà", "ba", "nữ", "nu", "b")},
            note="Ông hoặc Bà. Để trống thì tên không kèm danh xưng: “Gia đình Đàng Thị Bích”.",
        ),
        Column(
            "member_count",
            "Số nhân khẩu",
            ("nhân khẩu", "số người", "số thành viên", "số khẩu", "members"),
            required=True,
            type=INT,
            note="Số người trong hộ, từ 1 đến 60.",
        ),
        Column(**{**CODE.__dict__, "heading": "Mã hộ", "aliases": ("mã", *CODE.aliases)}),
        CONSENT,
        REGISTERED,
        NOTE,
    ],
    ImportKind.CLAN: [
        COMMUNE,
        DISTRICT,
        Column(
            "clan_name",
            "Tên dòng họ",
            ("dòng họ", "họ", "tên họ", "clan"),
            required=True,
            max_length=120,
            note="Ví dụ: Dòng họ Nguyễn Văn.",
        ),
        Column("representative", "Người đại diện", ("trưởng họ", "đại diện"), max_length=120),
        CODE,
        CONSENT,
        REGISTERED,
        NOTE,
    ],
    ImportKind.COMMUNITY: [COMMUNE, DISTRICT, VILLAGE, CODE, CONSENT, REGISTERED, NOTE],
    ImportKind.UNIT: [
        COMMUNE,
        DISTRICT,
        Column("unit_name", "Tên đơn vị", ("đơn vị", "tên cơ quan, đơn vị", "unit"), required=True, max_length=200),
        Column(
            "unit_type",
            "Loại đơn vị",
            ("loại", "loại hình"),
            required=True,
            type=CHOICE,
            choices={
                UnitType.AGENCY: ("Cơ quan", "cơ quan nhà nước"),
                UnitType.SCHOOL: ("Trường học", "trường", "nhà trường"),
                UnitType.ENTERPRISE: ("Doanh nghiệp", "hợp tác xã", "công ty"),
                UnitType.ARMED_FORCES: ("Lực lượng vũ trang", "quân đội", "công an"),
                UnitType.OTHER: ("Khác",),
            },
        ),
        Column(
            "managing_level",
            "Cấp quản lý",
            ("cấp", "trực thuộc"),
            required=True,
            type=CHOICE,
            choices={
                ManagingLevel.COMMUNE: ("Cấp xã", "xã"),
                ManagingLevel.DISTRICT: ("Cấp huyện", "huyện"),
                ManagingLevel.PROVINCE: ("Cấp tỉnh", "tỉnh"),
                ManagingLevel.CENTRAL: ("Trung ương", "cấp trung ương"),
            },
        ),
        Column("staff_count", "Số cán bộ", ("số người", "số cán bộ, nhân viên", "nhân sự"), type=INT),
        CODE,
        CONSENT,
        REGISTERED,
        NOTE,
    ],
    ImportKind.CITIZEN: [
        COMMUNE,
        DISTRICT,
        VILLAGE,
        Column("full_name", "Họ và tên", ("họ tên", "tên", "full name"), required=True, max_length=120),
        Column(
            "birth_year",
            "Năm sinh",
            ("ngày sinh", "ngày tháng năm sinh", "birth year", "sinh năm"),
            required=True,
            type=YEAR,
            note="Năm (1985) hoặc ngày sinh (dd/mm/yyyy hoặc ngày Excel).",
        ),
        Column(
            "population_group",
            "Nhóm đối tượng",
            ("nhóm", "đối tượng"),
            required=True,
            type=CHOICE,
            choices={
                PopulationGroup.OFFICIALS: ("Cán bộ, công chức, viên chức, lực lượng vũ trang", "cán bộ", "công chức"),
                PopulationGroup.WORKERS: ("Công nhân, người lao động trong doanh nghiệp", "công nhân"),
                PopulationGroup.FARMERS: ("Nông dân, lao động tự do", "nông dân", "lao động tự do"),
                PopulationGroup.OTHERS: ("Người cao tuổi, nội trợ và khác", "khác", "người cao tuổi", "nội trợ"),
            },
        ),
        CODE,
        CONSENT,
        REGISTERED,
        NOTE,
    ],
}

KINDS[ImportKind.RESULT] = [
    Column(
        "subject_kind",
        "Loại mô hình",
        ("loại", "mô hình", "loại mô hình học tập", "kind"),
        required=True,
        type=CHOICE,
        choices={
            "family": ("Gia đình", "gia đình học tập", "gđht", "hộ gia đình"),
            "clan": ("Dòng họ", "dòng họ học tập", "dhht"),
            "community": ("Cộng đồng", "cộng đồng học tập", "cđht", "thôn"),
            "unit": ("Đơn vị", "đơn vị học tập", "đvht"),
            "citizen": ("Công dân", "công dân học tập", "cdht"),
        },
    ),
    Column("year", "Năm đánh giá", ("năm", "year"), required=True, type=INT),
    Column(
        "criteria_set",
        "Mã bộ tiêu chí",
        ("bộ tiêu chí", "mã bộ", "criteria set"),
        required=True,
        note="Mã của bộ tiêu chí (xem trong mục Bộ tiêu chí), ví dụ gdht-448.",
    ),
    COMMUNE,
    DISTRICT,
    Column(**{**VILLAGE.__dict__, "required": False, "note": "Bắt buộc với gia đình, cộng đồng và công dân."}),
    Column(
        "subject_name",
        "Tên",
        ("tên mô hình", "họ tên", "họ và tên", "họ tên chủ hộ", "chủ hộ", "tên dòng họ", "tên đơn vị"),
        note="Tên chủ hộ, dòng họ, đơn vị hoặc công dân (hoặc ghi Mã).",
    ),
    Column(**{**CODE.__dict__, "note": "Mã của gia đình, dòng họ, đơn vị hoặc công dân (hoặc ghi Tên)."}),
    Column(
        "total", "Tổng điểm", ("tổng", "total"), note="Không bắt buộc: nếu ghi, phải bằng tổng tính từ các chỉ số."
    ),
]

#: Indicator columns of a results file: "1.1", "Chỉ số 1.1", "CS 2.3".
INDICATOR_RE = re.compile(r"^(?:chiso|cs|tieuchi)?(\d+(?:\.\d+)*)$")


def indicator_code(label) -> str | None:
    """``"Chỉ số 1.1"`` -> ``"1.1"``; None for a heading that is not an indicator code."""
    text = re.sub(r"[^0-9a-z.]", "", fold(str(label or "")))
    match = INDICATOR_RE.match(text)
    return match.group(1) if match else None


#: Kinds whose rows name a village (the others are attached to the commune).
VILLAGE_KINDS = {ImportKind.FAMILY, ImportKind.COMMUNITY, ImportKind.CITIZEN}

KIND_TITLES = {
    ImportKind.FAMILY: "DANH SÁCH HỘ GIA ĐÌNH",
    ImportKind.CLAN: "DANH SÁCH DÒNG HỌ",
    ImportKind.COMMUNITY: "DANH SÁCH THÔN, KHU PHỐ",
    ImportKind.UNIT: "DANH SÁCH ĐƠN VỊ",
    ImportKind.CITIZEN: "DANH SÁCH CÔNG DÂN",
    ImportKind.RESULT: "KẾT QUẢ ĐÁNH GIÁ",
}

ERROR_HEADING = "Lỗi cần sửa"
ROW_HEADING = "Dòng trong tệp gốc"


@dataclass
class Header:
    kind: str
    row_index: int  # 0-based index in the sheet
    #: field -> 0-based column index
    positions: dict[str, int]
    labels: list[str]  # the header row as written

    def letter(self, field_name: str) -> str:
        return column_letter(self.positions[field_name]) if field_name in self.positions else ""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@cache
def _choice_lookup(column: Column) -> dict[str, str]:
    lookup = {}
    for value, words in column.choices.items():
        for word in (value, *words):
            lookup.setdefault(key(word), value)
    return lookup


@cache
def _header_lookup(kind: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in KINDS[kind]:
        for k in sorted(column.keys):
            lookup.setdefault(k, column.field)
    return lookup


def match_header(row: list, kind: str) -> dict[str, int]:
    """field -> column index for the cells of ``row`` that name a column of ``kind``; the first match wins."""
    lookup = _header_lookup(kind)
    positions: dict[str, int] = {}
    for index, cell in enumerate(row):
        field_name = lookup.get(key(cell)) if cell not in (None, "") else None
        if field_name and field_name not in positions:
            positions[field_name] = index
    return positions


def find_header(rows: list[list], kind: str | None = None) -> Header | None:
    """The header among the first rows: the row naming all required columns of a kind and most columns."""
    best: tuple[int, Header] | None = None
    kinds = [kind] if kind else list(KINDS)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for k in kinds:
            columns = KINDS[k]
            positions = match_header(row, k)
            required = [c.field for c in columns if c.required]
            if not all(f in positions for f in required):
                continue
            score = len(positions) * 10 + len(required)
            if best is None or score > best[0]:
                labels = ["" if c is None else str(c) for c in row]
                best = (score, Header(kind=k, row_index=index, positions=positions, labels=labels))
    return best[1] if best else None
