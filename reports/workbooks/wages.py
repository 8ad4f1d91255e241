"""The project's wage ledger (工资台账, 鄂建文〔2019〕27号 一(五)): month by month, worker by worker, the valid
attended days beside what was due and paid, when, and whether through the special account; in the layout
of the other workbooks (A4 landscape, headers repeated on every page)."""

from __future__ import annotations

import datetime as dt

from reports.workbooks import layout

TITLE = "工资台账"
# Each column with its width (Excel units), declared together so that they cannot drift apart.
SPEC = (
    ("序号", 6),
    ("月份", 10),
    ("用工单位", 24),
    ("班组", 10),
    ("姓名", 10),
    ("身份证号", 22),
    ("有效考勤天数", 10),
    ("应发（元）", 12),
    ("银行实发（元）", 12),
    ("发放日期", 16),
    ("经专用账户", 10),
    ("银行结果", 12),
)
COLUMNS = tuple(name for name, _width in SPEC)
WIDTHS = tuple(width for _name, width in SPEC)
BANK = {"paid": "已发放", "failed": "银行退回", "": "无银行回单"}


def ledger_workbook(*, project, rows, generated_at: dt.datetime) -> bytes:
    """`rows`: wages.selectors.ledger_rows, in month and employer order."""
    wb = layout.workbook()
    ws = layout.sheet(wb, TITLE, widths=WIDTHS, landscape=True, generated_at=generated_at, header_rows=3)
    layout.title(ws, 1, f"{TITLE}（{project.name}）", len(COLUMNS))
    layout.line(ws, 2, f"施工许可证号：{project.permit_no}", len(COLUMNS))
    layout.header(ws, COLUMNS)
    for n, r in enumerate(rows, start=1):
        layout.put(
            ws,
            [
                layout.cell(ws, n, align="center"),
                layout.cell(ws, f"{r.month:%Y-%m}", align="center"),
                layout.cell(ws, r.employer),
                layout.cell(ws, r.team),
                layout.cell(ws, r.name),
                layout.cell(ws, r.id_number),
                layout.cell(ws, r.days, align="center", number_format="0"),
                layout.cell(ws, r.due, align="right", number_format="#,##0.00"),
                layout.cell(ws, r.bank_amount, align="right", number_format="#,##0.00"),
                layout.cell(ws, layout.chinese_date(r.paid_on) if r.paid_on else "—", align="center"),
                layout.cell(ws, "是" if r.through_special_account else "否", align="center"),
                layout.cell(ws, BANK.get(r.bank_status, r.bank_status), align="center"),
            ],
        )
    return layout.to_bytes(wb)
