"""The rights board as people see it: its QR code (the board's public address) and the printable board, an
A4-landscape workbook page that the general contractor prints (or has enlarged to A3) and puts up on site."""

from __future__ import annotations

import io

import segno
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font

from rights.selectors import BoardFacts

TITLE = "建筑工人维权告示牌"
# The worker's rights in short: 保障农民工工资支付条例 第十一、十二、二十八、三十一条, and seed 003 §三(五).
RIGHTS = (
    "用人单位应当与您订立书面劳动合同并进行用工实名登记，未登记人员不得进入施工现场。",
    "工资至少每月支付一次，由施工总承包单位通过农民工工资专用账户直接发放到您本人的银行卡，任何单位和个人不得克扣、拖欠。",
    "您的出勤以实名制考勤记录为准，您有权查询本人的考勤和工资发放情况。",
    "退场时，用人单位应与您确认工作量、结清工资，并由您本人签字确认。",
    "工资被拖欠或权益受到侵害，可向本工地劳资专管员反映，或拨打监督投诉电话。",
)


def board_lines(facts: BoardFacts) -> list[tuple[str, str]]:
    """The board's labelled lines, in the order the page and the printed board show them."""
    return [
        ("工程名称", facts.project_name),
        ("施工许可证号", facts.permit_no),
        ("工程地址", facts.address or facts.district),
        ("建设单位", "、".join(facts.builders) or "—"),
        ("施工总承包单位", "、".join(facts.contractors) or "—"),
        ("劳资专管员", facts.labour_clerk or "—"),
        ("联系电话", facts.contact_phone or "—"),
        ("工资专用账户开户银行", facts.bank or "—"),
        ("监督投诉电话", facts.complaint_phone),
    ]


def qr_svg(url: str) -> str:
    """The address as an inline SVG QR code (medium error correction: a board weathers)."""
    return segno.make(url, error="m").svg_inline(scale=6, title="维权告示牌地址")


def board_workbook(facts: BoardFacts, url: str) -> bytes:
    """One A4-landscape page, fitted to it: the title, the lines, the rights, the QR code and its address."""
    book = Workbook()
    sheet = book.active
    sheet.title = "维权告示牌"
    sheet.column_dimensions["A"].width = 34  # the longest label (工资专用账户开户银行) on one line at 14 pt
    sheet.column_dimensions["B"].width = 56
    sheet.column_dimensions["C"].width = 32
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(size=26, bold=True)
    sheet.merge_cells("A1:C1")
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.row_dimensions[1].height = 40
    row = 3
    for label, value in board_lines(facts):
        sheet.cell(row, 1, label).font = Font(size=14, bold=True)
        sheet.cell(row, 2, value).font = Font(size=14)
        sheet.row_dimensions[row].height = 22  # 14 pt and its leading, in any CJK font
        row += 1
    row += 1
    sheet.cell(row, 1, "您的权利").font = Font(size=16, bold=True)
    sheet.row_dimensions[row].height = 24
    for n, text in enumerate(RIGHTS, start=1):
        row += 1
        cell = sheet.cell(row, 1, f"{n}. {text}")
        cell.font = Font(size=13)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.row_dimensions[row].height = 40  # two lines of 13 pt: the longest right wraps once
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=6, border=2)
    png.seek(0)
    image = Image(png)
    sheet.add_image(image, "C3")
    sheet.cell(12, 3, "扫码查看本告示牌").font = Font(size=11)
    row += 2  # the address in full across the page, under the rights (a QR code that will not scan)
    sheet.cell(row, 1, f"告示牌地址：{url}").font = Font(size=10)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    sheet.page_setup.paperSize = "9"  # A4; enlarged to A3 at the print shop keeps the proportions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:C{row}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
