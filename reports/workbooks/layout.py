"""Print-ready sheets for regulators who file them: A4 in the notice's orientation, widths that fit
Chinese text, wrapped and bordered cells, bold headers, frozen header rows repeated on every printed
page, and the generation time in the footer."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

FONT = "宋体"
TITLE_FONT = "黑体"
A4 = "9"  # paperSize code of A4 in SpreadsheetML
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def workbook() -> Workbook:
    return Workbook(write_only=True)


def sheet(
    wb: Workbook, title: str, *, widths: Sequence[float], landscape: bool, generated_at: dt.datetime,
    header_rows: int,
):  # fmt: skip
    """A sheet whose first `header_rows` rows are frozen and printed on every page."""
    ws = wb.create_sheet(title[:31])
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.freeze_panes = f"A{header_rows + 1}"
    ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.left.text = f"生成时间：{generated_at:%Y-%m-%d %H:%M}"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    ws.oddFooter.right.size = 9
    return ws


def cell(ws, value, *, bold: bool = False, size: int = 11, align: str = "left", border: bool = True,
         font: str = FONT, number_format: str | None = None) -> WriteOnlyCell:  # fmt: skip
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


def merge(ws, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merged_cells.add(CellRange(min_row=row, max_row=row, min_col=first, max_col=last))


def title(ws, row: int, text: str, span: int, *, size: int = 16) -> None:
    """A centred title across `span` columns (call before appending row `row`)."""
    merge(ws, row, 1, span)
    ws.append([cell(ws, text, bold=True, size=size, align="center", border=False, font=TITLE_FONT)])
    ws.row_dimensions[row].height = 30


def line(ws, row: int, text: str, span: int) -> None:
    """A free line of the header (填报单位：…) across `span` columns, without borders."""
    merge(ws, row, 1, span)
    ws.append([cell(ws, text, border=False)])


def header(ws, titles: Iterable[str]) -> None:
    ws.append([cell(ws, t, bold=True, align="center") for t in titles])


def row(ws, values: Iterable, *, centred: Sequence[int] = ()) -> None:
    ws.append([cell(ws, v, align="center" if n in centred else "left") for n, v in enumerate(values)])


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{chinese_date(start)}至{chinese_date(end)}"
