"""Annex 1 of 甬建函〔2023〕82号 as a workbook: one sheet per district (and a total sheet for the city), laid
out as the notice's table, then the counted projects and the blacklisted vendors, so each number can be
checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.annex1 import LABELS, BlacklistedVendor, CountedProject
from reports.workbooks import layout

TITLE = "实名制管理专项整治行动查处情况统计表"
DETAIL_SHEET = "查处项目明细"
VENDOR_SHEET = "黑名单服务商明细"
HEADER_ROWS = 6


@dataclass(frozen=True)
class Annex1Sheet:
    title: str  # the sheet's tab: the district, or 全市合计
    unit: str  # 填报单位
    counts: tuple[int, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Annex1Book:
    reporter: str
    phone: str
    filled_on: dt.date
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    sheets: list[Annex1Sheet]
    projects: list[CountedProject]
    vendors: list[BlacklistedVendor]


def annex1_workbook(book: Annex1Book) -> bytes:
    wb = layout.workbook()
    for sheet in book.sheets:
        _statistics(wb, book, sheet)
    _projects(wb, book)
    _vendors(wb, book)
    return layout.to_bytes(wb)


def _statistics(wb, book: Annex1Book, sheet: Annex1Sheet) -> None:
    ws = layout.sheet(
        wb,
        sheet.title,
        widths=[8, 34, 10, 52],
        landscape=False,
        generated_at=book.generated_at,
        header_rows=HEADER_ROWS,
    )
    layout.line(ws, 1, "附件1", 4)
    layout.title(ws, 2, TITLE, 4)
    layout.line(ws, 3, f"填报单位：{sheet.unit}", 4)
    layout.line(
        ws,
        4,
        f"填报人：{book.reporter}　　联系方式：{book.phone or '—'}　　填报日期：{layout.chinese_date(book.filled_on)}",
        4,
    )
    layout.line(ws, 5, f"统计期间：{layout.period_text(book.start, book.end)}", 4)
    layout.header(ws, ["序号", "基本情况", "数量", "备注"])
    for n, (label, count, note) in enumerate(zip(LABELS, sheet.counts, sheet.notes, strict=True), start=1):
        layout.put(
            ws,
            [
                layout.cell(ws, n, align="center"),
                layout.cell(ws, label),
                layout.cell(ws, int(count), align="center", number_format="0"),
                layout.cell(ws, note, size=9),
            ],
        )


def _projects(wb, book: Annex1Book) -> None:
    ws = layout.sheet(
        wb,
        DETAIL_SHEET,
        widths=[6, 10, 34, 22, 10, 52, 44],
        landscape=True,
        generated_at=book.generated_at,
        header_rows=2,
    )
    layout.title(ws, 1, f"查处项目明细（统计期间：{layout.period_text(book.start, book.end)}）", 7, size=14)
    layout.header(ws, ["序号", "区县", "项目名称", "施工许可证编号", "计入行次", "问题（预警与检查）", "处理措施"])
    for n, p in enumerate(book.projects, start=1):
        layout.row(
            ws,
            [n, p.district, p.name, p.permit_no, "、".join(map(str, p.rows)), p.findings, p.measures],
            centred=(0, 4),
        )


def _vendors(wb, book: Annex1Book) -> None:
    ws = layout.sheet(
        wb, VENDOR_SHEET, widths=[6, 10, 32, 22, 52], landscape=True, generated_at=book.generated_at, header_rows=2
    )
    layout.title(
        ws, 1, f"被列入“黑名单”的第三方服务商（统计期间：{layout.period_text(book.start, book.end)}）", 5, size=14
    )
    layout.header(ws, ["序号", "区县", "服务商名称", "统一社会信用代码", "列入情况"])
    for n, v in enumerate(book.vendors, start=1):
        layout.row(ws, [n, v.district, v.name, v.uscc, v.measures], centred=(0,))
