"""The PDF side of printed documents: A4 pages with the margins, font and blocks of an administrative
document (Decree 30/2020/NĐ-CP), on fpdf2 (pure Python; fonts embedded and subset, so any reader shows the
diacritics) with Noto Serif from the ``fontpkg-noto-serif`` package (installed by pip like the rest)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import fontpkg_noto_serif
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FAMILY = "Serif"
#: Decree 30/2020's margins for A4 (mm): top and bottom 20, left 30, right 15.
MARGINS = {"left": 30, "top": 20, "right": 15, "bottom": 20}


#: The four styles: (variable font file, weight). The package ships the variable font only.
STYLES = {
    "": ("NotoSerif[wdth,wght].ttf", 400),
    "B": ("NotoSerif[wdth,wght].ttf", 700),
    "I": ("NotoSerif-Italic[wdth,wght].ttf", 400),
    "BI": ("NotoSerif-Italic[wdth,wght].ttf", 700),
}


@functools.cache
def font_files() -> dict[str, Path]:
    """The four styles as static fonts, instanced once from the variable font and kept on disk
    (``DOCUMENT_FONT_CACHE``): instancing takes seconds, far too long to repeat for every download."""
    from django.conf import settings

    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    folder = Path(settings.DOCUMENT_FONT_CACHE)
    folder.mkdir(parents=True, exist_ok=True)
    version = getattr(fontpkg_noto_serif, "__version__", "") or _package_version()
    files = {}
    for style, (source, weight) in STYLES.items():
        target = folder / f"NotoSerif-{version}-latin-{style or 'R'}.ttf"
        if not target.exists():
            font = instantiateVariableFont(
                TTFont(fontpkg_noto_serif.ROOT / "files" / source), {"wght": weight, "wdth": 100}
            )
            font = _latin_only(font)
            partial = target.with_suffix(f".{os.getpid()}.part")
            font.save(partial)
            partial.replace(target)  # atomic: another process never reads half a font
        files[style] = target
    return files


#: What documents write: Latin with every Vietnamese letter, combining marks, punctuation, currency (₫) and
#: common symbols. The font's Greek, Cyrillic and the rest are left out of the cached copy, so that each
#: document loads a fifth of the glyphs (less time and memory for every download).
LATIN_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x215F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x25A0, 0x25FF),
)


def _latin_only(font):
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[code for start, end in LATIN_RANGES for code in range(start, end + 1)])
    subsetter.subset(font)
    return font


def _package_version() -> str:
    from importlib.metadata import version

    return version("fontpkg-noto-serif")


class DocumentPDF(FPDF):
    """An A4 document in the embedded serif font, with the blocks official papers are made of."""

    def __init__(self, *, title: str = "", landscape: bool = False, margins: dict | None = None):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        margins = {**MARGINS, **(margins or {})}
        self.set_margins(margins["left"], margins["top"], margins["right"])
        self.set_auto_page_break(True, margin=margins["bottom"])
        for style, path in font_files().items():
            self.add_font(FAMILY, style, path)
        self.set_font(FAMILY, size=13)
        self.set_lang("vi")
        self.set_creator("Hội Khuyến học")
        if title:
            self.set_title(title)
        self.page_numbers = False

    # --- page furniture --------------------------------------------------------------------------------

    def footer(self):
        """Page numbers ("2/5") at the foot, for documents of several pages that ask for them."""
        if self.page_numbers:
            self.set_y(-12)
            self.set_font(FAMILY, size=9)
            self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="C")

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    # --- blocks ----------------------------------------------------------------------------------------

    def centred(self, text: str, *, size: float, style: str = "", height: float | None = None, width: float = 0):
        """A centred line, wrapped only when it does not fit (a plain cell is many times quicker to lay out
        than a wrapped one, which matters on a thousand certificates)."""
        self.set_font(FAMILY, style=style, size=size)
        height = height or size * 0.5
        available = width or (self.w - self.r_margin - self.get_x())
        if self.get_string_width(text) <= available - 2 * self.c_margin:
            self.cell(available, height, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        else:
            self.multi_cell(available, height, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)

    def text_line(
        self, text: str, *, size: float = 13, style: str = "", align: str = "L", height: float | None = None
    ):
        """One paragraph across the text width (wrapped), then the next line."""
        self.set_font(FAMILY, style=style, size=size)
        self.multi_cell(0, height or size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def underline_below(self, x_center: float, width: float, gap: float = 1.3):
        """The short rule drawn under the issuing body and under the motto."""
        y = self.get_y() + gap
        self.set_line_width(0.3)
        self.line(x_center - width / 2, y, x_center + width / 2, y)

    def official_header(self, *, issuer: list[str], number: str | None, place_date: str, left_width: float = 72):
        """The top of an administrative document: the issuing body (its superior, then itself, bold, a rule
        under) and the number on the left; the national emblem line, the motto (a rule under) and the place
        and date on the right."""
        top = self.get_y()
        x_left = self.l_margin - 12  # the header may reach into the wide left margin, as printed papers do
        right_x = x_left + left_width + 4  # a gutter, so that two full lines never touch
        right_width = self.w - self.r_margin - right_x

        self.set_xy(x_left, top)
        for index, line in enumerate(issuer):
            last = index == len(issuer) - 1
            self.set_x(x_left)
            self.centred(line, size=12, style="B" if last or len(issuer) == 1 else "", height=5.5, width=left_width)
        self.underline_below(x_left + left_width / 2, min(28, left_width / 2))
        self.set_y(self.get_y() + 3)
        if number is not None:
            self.set_x(x_left)
            self.set_font(FAMILY, size=12.5)
            self.cell(left_width, 6, number, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        left_bottom = self.get_y()

        from .formats import motto, national_name

        self.set_xy(right_x, top)
        self.set_font(FAMILY, style="B", size=11.5)
        self.cell(right_width, 5.5, national_name(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FAMILY, style="B", size=13)
        motto_text = motto()
        self.set_x(right_x)
        self.cell(right_width, 6, motto_text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.underline_below(right_x + right_width / 2, self.get_string_width(motto_text))
        self.set_xy(right_x, self.get_y() + 3)
        if place_date:  # a long place name wraps rather than running past the margin
            self.centred(place_date, size=13, style="I", height=6, width=right_width)
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)

    def signature_block(self, *, authority: list[str], name: str, note: str = "", recipients: list[str] | None = None):
        """The signature on the right half (authority in capitals, room to sign, the signer's name) and, on
        the left half, where the document is sent ("Nơi nhận")."""
        from django.utils.translation import gettext as _

        half = self.content_width / 2
        if self.will_page_break(45):
            self.add_page()
        top = self.get_y() + 4
        right_x = self.l_margin + half
        self.set_xy(right_x, top)
        for line in authority:
            self.set_font(FAMILY, style="B", size=13)
            self.set_x(right_x)
            self.multi_cell(half, 6, line, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if note:
            self.set_font(FAMILY, style="I", size=11)
            self.set_x(right_x)
            self.multi_cell(half, 5, note, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(self.get_y() + 22)
        self.set_font(FAMILY, style="B", size=13)
        self.set_x(right_x)
        self.multi_cell(half, 6, name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = self.get_y()
        if recipients is not None:
            self.set_xy(self.l_margin, top)
            self.set_font(FAMILY, style="BI", size=12)
            self.cell(half, 6, _("Recipients:"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FAMILY, size=11)
            for line in recipients:
                self.set_x(self.l_margin)
                self.multi_cell(half - 4, 5, f"- {line}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_y(bottom)

    def qr_code(self, content: str, *, x: float, y: float, size: float):
        """A QR code of ``content`` (error correction M) drawn as vector squares at (x, y), ``size`` mm wide
        with its quiet zone: sharp at any print size, and far quicker than an image per page."""
        import segno

        # A fixed mask pattern: every mask makes a valid code, and trying all eight is most of the time it
        # takes to encode a hundred certificates.
        matrix = segno.make(content, error="m", micro=False, mask=2).matrix
        modules = len(matrix) + 8  # four modules of quiet zone on each side
        unit = size * self.k / modules  # points per module
        left, top = x * self.k + 4 * unit, (self.h - y) * self.k - 4 * unit
        runs = []
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if cells[column]:
                    start = column
                    while column < len(cells) and cells[column]:
                        column += 1
                    # One rectangle per run of dark modules in a row (PDF's y axis points up).
                    runs.append(
                        f"{left + start * unit:.3f} {top - (row + 1) * unit:.3f} "
                        f"{(column - start) * unit:.3f} {unit:.3f} re"
                    )
                else:
                    column += 1
        self._out("q 0 g " + " ".join(runs) + " f Q")

    def output_bytes(self) -> bytes:
        return bytes(self.output())
