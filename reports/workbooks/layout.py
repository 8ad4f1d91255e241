"""Print-ready sheets for regulators who file them: A4 in the notice's orientation, widths that fit
Chinese text, wrapped and bordered cells, bold headers, frozen header rows repeated on every printed
page, and the generation time in the footer.

Every row is given an explicit height computed from its text (`row_height`): Excel, WPS and
LibreOffice do not grow a row for wrapped text in a file they did not lay out themselves, so without it
a three-line note prints in one line's space over the next row. Widths are Excel's units (the width of
a "0" of the default 11 pt font); a CJK or full-width character counts two, and the line height allows
for the CJK fonts a printer substitutes for 宋体 (Noto CJK's lines are 1.45 em)."""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from smz_platform.common.dates import chinese_date, chinese_datetime, period_text  # noqa: F401 (re-exported)

FONT = "宋体"
TITLE_FONT = "黑体"
A4 = "9"  # paperSize code of A4 in SpreadsheetML
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def workbook() -> Workbook:
    return Workbook(write_only=True)


def sheet(
    wb: Workbook,
    title: str,
    *,
    widths: Sequence[float],
    landscape: bool,
    generated_at: dt.datetime,
    header_rows: int,
    one_page: bool = False,
):
    """A sheet whose first `header_rows` rows are frozen and printed on every page; `one_page` fits the
    whole sheet on one page (a form filed as one sheet of paper, Annex 2)."""
    ws = wb.create_sheet(title[:31])
    ws.smz_widths = list(widths)  # what put() wraps the text of each column into
    ws.smz_rows = 0  # rows put so far (a write-only sheet does not count them)
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.freeze_panes = f"A{header_rows + 1}"
    ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.left.text = f"生成时间：{chinese_datetime(generated_at)}"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    ws.oddFooter.right.size = 9
    return ws


def cell(
    ws,
    value,
    *,
    bold: bool = False,
    size: int = 11,
    align: str = "left",
    border: bool = True,
    font: str = FONT,
    number_format: str | None = None,
) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        # A name or subject typed as "=…" is text, never a formula run in the regulator's Excel.
        c.data_type = "s"
    c.font = Font(name=font, bold=bold, size=size)
    c.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if border:
        c.border = BORDER
    if number_format:
        c.number_format = number_format
    return c


# --- row heights ---------------------------------------------------------------------------------

DEFAULT_HEIGHT = 15.0  # points: one line of 11 pt text
LINE_SPACING = 1.5  # a line's height, in multiples of the font size (CJK fonts' ascent + descent, and air)
PADDING = 6.0  # points above and below the text of a cell


def char_units(ch: str) -> float:
    """A character's width in Excel width units at 11 pt: CJK and full-width characters two."""
    return 2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0


def text_lines(text: str, width: float, size: float = 11) -> int:
    """How many lines `text` wraps into in a column `width` wide at `size` points: CJK text breaks
    anywhere, a run of Latin letters and digits only at its ends (as the spreadsheets wrap)."""
    capacity = max((width - 1.5) * 11 / size, 2.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for token in _tokens(paragraph):
            need = sum(char_units(ch) for ch in token)
            if used + need <= capacity:
                used += need
            elif need <= capacity:  # the token starts a new line
                lines += 1
                used = need
            else:  # longer than a line: broken where it must be
                for ch in token:
                    if used + char_units(ch) > capacity:
                        lines += 1
                        used = 0.0
                    used += char_units(ch)
    return lines


def _tokens(paragraph: str):
    word = ""
    for ch in paragraph:
        if ch.isascii() and ch.isalnum():
            word += ch
            continue
        if word:
            yield word
            word = ""
        yield ch
    if word:
        yield word


def row_height(cells: Sequence, widths: Sequence[float], span: int = 1) -> float:
    """The height in points a row of `cells` needs (its first cell across `span` columns)."""
    needed = DEFAULT_HEIGHT
    column = 0
    for n, c in enumerate(cells):
        columns = span if n == 0 else 1
        width = sum(widths[column : column + columns]) if column < len(widths) else 10
        column += columns
        if c.value is None or c.value == "":
            continue
        size = float(c.font.size or 11) if c.font is not None else 11.0
        text = c.value if isinstance(c.value, str) else str(c.value)
        needed = max(needed, text_lines(text, width, size) * size * LINE_SPACING + PADDING)
    return math.ceil(needed)


def put(ws, cells: list, *, span: int = 1, minimum: float = 0) -> None:
    """Append a row of cells at the height its text needs."""
    widths = getattr(ws, "smz_widths", [])
    height = max(row_height(cells, widths, span), minimum)
    ws.smz_rows += 1
    ws.row_dimensions[ws.smz_rows].height = height  # write-only: set before the row is written
    ws.append(cells)


def merge(ws, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merged_cells.add(CellRange(min_row=row, max_row=row, min_col=first, max_col=last))


def title(ws, row: int, text: str, span: int, *, size: int = 16) -> None:
    """A centred title across `span` columns (call before appending row `row`)."""
    merge(ws, row, 1, span)
    put(
        ws, [cell(ws, text, bold=True, size=size, align="center", border=False, font=TITLE_FONT)], span=span, minimum=30
    )


def line(ws, row: int, text: str, span: int) -> None:
    """A free line of the header (填报单位：…) across `span` columns, without borders."""
    merge(ws, row, 1, span)
    put(ws, [cell(ws, text, border=False)], span=span)


def header(ws, titles: Iterable[str]) -> None:
    put(ws, [cell(ws, t, bold=True, align="center") for t in titles])


def row(ws, values: Iterable, *, centred: Sequence[int] = ()) -> None:
    put(ws, [cell(ws, v, align="center" if n in centred else "left") for n, v in enumerate(values)])


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
