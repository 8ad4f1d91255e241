"""Annex 2 (a negative case), the monthly manager presence report, the monthly circular and the
project ledger (实名制管理台账) as workbooks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.workbooks import layout
from smz_platform.common.dates import EXCEL_DATE, chinese_date


@dataclass(frozen=True)
class Header:
    unit: str
    reporter: str
    phone: str
    filled_on: dt.date
    generated_at: dt.datetime


def _reporter_line(header: Header) -> str:
    return (
        f"填报人：{header.reporter}　　联系方式：{header.phone or '—'}　　"
        f"填报日期：{layout.chinese_date(header.filled_on)}"
    )


# --- Annex 2 ---------------------------------------------------------------------------------------

ANNEX2_TITLE = "实名制管理负面典型案例基本情况"
ANNEX2_LABELS = (
    "工程基本信息\n（包括工程名称、建设各方主体名称、第三方服务商名称等信息）",
    "实名制管理负面行为基本情况\n（详细描述实名制管理负面行为具体情况）",
    "惩戒措施\n（停工整改、信用扣分、通报批评、重点监管、列入“黑名单”、行政处罚等惩戒落实情况）",
)


def annex2_workbook(*, header: Header, case_title: str, blocks: tuple[str, str, str]) -> bytes:
    """甬建函〔2023〕82号 附件2: the three blocks, label on the left, the case's facts on the right (portrait)."""
    wb = layout.workbook()
    ws = layout.sheet(
        wb,
        "负面典型案例",
        widths=[28, 70],
        landscape=False,
        generated_at=header.generated_at,
        header_rows=4,
        one_page=True,
    )
    layout.line(ws, 1, "附件2", 2)
    layout.title(ws, 2, ANNEX2_TITLE, 2)
    layout.line(ws, 3, f"填报单位：{header.unit}", 2)
    layout.line(ws, 4, _reporter_line(header), 2)
    for label, text in zip(ANNEX2_LABELS, blocks, strict=True):
        layout.put(ws, [layout.cell(ws, label, bold=True, align="center"), layout.cell(ws, text)])
    layout.put(ws, [layout.cell(ws, "案件名称", bold=True, align="center"), layout.cell(ws, case_title)])
    return layout.to_bytes(wb)


# --- Monthly manager presence ----------------------------------------------------------------------

PRESENCE_TITLE = "项目管理人员月度考勤（到岗履职）情况表"
PRESENCE_COLUMNS = [
    "序号",
    "区县",
    "项目名称",
    "施工许可证编号",
    "姓名",
    "身份证号",
    "岗位",
    "出勤天数",
    "施工天数",
    "出勤率",
    "考核标准",
    "是否达标",
]


def presence_workbook(*, header: Header, month: dt.date, rows: list) -> bytes:
    """吉建管〔2021〕6号 附件1第2项: every manager of every project under construction (landscape)."""
    wb = layout.workbook()
    ws = layout.sheet(
        wb,
        f"{month:%Y年%m月}",
        widths=[6, 8, 30, 20, 8, 20, 14, 8, 8, 8, 8, 8],
        landscape=True,
        generated_at=header.generated_at,
        header_rows=4,
    )
    layout.title(ws, 1, f"{PRESENCE_TITLE}（{month.year}年{month.month}月）", len(PRESENCE_COLUMNS))
    layout.line(ws, 2, f"填报单位：{header.unit}", len(PRESENCE_COLUMNS))
    layout.line(ws, 3, _reporter_line(header), len(PRESENCE_COLUMNS))
    layout.header(ws, PRESENCE_COLUMNS)
    for n, r in enumerate(rows, start=1):
        layout.put(
            ws,
            [
                layout.cell(ws, n, align="center"),
                layout.cell(ws, r.district),
                layout.cell(ws, r.project),
                layout.cell(ws, r.permit_no),
                layout.cell(ws, r.name),
                layout.cell(ws, r.id_number),
                layout.cell(ws, r.position),
                layout.cell(ws, r.attended_days, align="center", number_format="0"),
                layout.cell(ws, r.construction_days, align="center", number_format="0"),
                layout.cell(ws, r.ratio, align="center", number_format="0.0%"),
                layout.cell(ws, r.threshold, align="center", number_format="0%"),
                layout.cell(ws, "达标" if r.passed else "不达标", align="center", bold=not r.passed),
            ],
        )
    return layout.to_bytes(wb)


# --- Monthly circular ------------------------------------------------------------------------------

CIRCULAR_TITLE = "建筑工人实名制管理工作月度通报"


def circular_workbook(
    *, header: Header, month: dt.date, rows: list, named: list, measure_names: list[str], cities: list | None = None
) -> bytes:
    """吉建管〔2021〕6号 五(二), 杭建市发〔2016〕39号 五(三)2: per district, then the projects named. A
    province's (`cities`: each city with its district rows): the summary per city, then a sheet per city."""
    wb = layout.workbook()
    _circular_sheet(wb, "通报汇总", header, month, rows, measure_names, unit="市" if cities else "区县")
    for city, city_rows in cities or ():
        _circular_sheet(wb, city.name, header, month, city_rows, measure_names, unit="区县", title=city.name)
    _named_sheet(wb, header, month, named)
    return layout.to_bytes(wb)


def _circular_sheet(
    wb, name: str, header: Header, month: dt.date, rows: list, measure_names: list[str], *, unit: str, title: str = ""
) -> None:
    columns = [
        "序号",
        unit,
        "在建项目数",
        "检查次数",
        "检查项目数",
        "发现问题数",
        *measure_names,
        "管理人员考核人数",
        "管理人员达标人数",
        "管理人员达标率",
        "工人平均考勤率",
    ]
    ws = layout.sheet(
        wb,
        name,
        widths=[6, 10, 8, 8, 8, 8, *[8] * len(measure_names), 9, 9, 9, 9],
        landscape=True,
        generated_at=header.generated_at,
        header_rows=4,
    )
    layout.title(ws, 1, f"{CIRCULAR_TITLE}（{title}{month.year}年{month.month}月）", len(columns))
    layout.line(ws, 2, f"填报单位：{header.unit}", len(columns))
    layout.line(ws, 3, _reporter_line(header), len(columns))
    layout.header(ws, columns)
    for n, r in enumerate(rows, start=1):
        rate = r.managers_passed / r.managers_judged if r.managers_judged else None
        values = [
            r.active_projects,
            r.inspections,
            r.inspected_projects,
            r.findings,
            *r.measures.values(),
            r.managers_judged,
            r.managers_passed,
        ]
        layout.put(
            ws,
            [
                layout.cell(ws, n, align="center"),
                layout.cell(ws, r.district),
                *(layout.cell(ws, v, align="center", number_format="0") for v in values),
                layout.cell(ws, rate, align="center", number_format="0.0%"),
                layout.cell(ws, r.worker_rate, align="center", number_format="0.0%"),
            ],
        )


def _named_sheet(wb, header: Header, month: dt.date, named: list) -> None:
    named_ws = layout.sheet(
        wb,
        "通报项目",
        widths=[6, 10, 30, 20, 26, 36, 44],
        landscape=True,
        generated_at=header.generated_at,
        header_rows=2,
    )
    layout.title(named_ws, 1, f"{month.year}年{month.month}月被采取处理措施的项目", 7, size=14)
    layout.header(named_ws, ["序号", "区县", "项目名称", "施工许可证编号", "施工总承包单位", "问题", "处理措施"])
    for n, p in enumerate(named, start=1):
        layout.row(
            named_ws, [n, p.district, p.project, p.permit_no, p.contractor, p.findings, p.measures], centred=(0,)
        )


# --- Project ledger --------------------------------------------------------------------------------

LEDGER_TITLE = "建筑工人实名制管理台账"


def ledger_workbook(*, header: Header, project_name: str, permit_no: str, months: list[dt.date], people: list) -> bytes:
    """鄂建文〔2019〕27号 一(五): the project's people, entries and exits, attended days per month."""
    keys = [m.strftime("%Y-%m") for m in months]
    columns = [
        "序号",
        "姓名",
        "身份证号",
        "所在单位",
        "类别",
        "岗位/工种",
        "班组",
        "进场日期",
        "退场日期",
        "劳动合同签订日期",
        *(f"{m.year}年{m.month}月出勤天数" for m in months),
    ]
    wb = layout.workbook()
    ws = layout.sheet(
        wb,
        "人员台账",
        widths=[6, 8, 20, 24, 9, 12, 10, 11, 11, 11, *[9] * len(months)],
        landscape=True,
        generated_at=header.generated_at,
        header_rows=4,
    )
    layout.title(ws, 1, f"{LEDGER_TITLE}（{project_name}）", len(columns))
    layout.line(ws, 2, f"施工许可证编号：{permit_no}　　填报单位：{header.unit}", len(columns))
    layout.line(ws, 3, _reporter_line(header), len(columns))
    layout.header(ws, columns)
    for n, p in enumerate(people, start=1):
        layout.put(
            ws,
            [
                layout.cell(ws, n, align="center"),
                layout.cell(ws, p.name),
                layout.cell(ws, p.id_number),
                layout.cell(ws, p.employer),
                layout.cell(ws, p.category),
                layout.cell(ws, p.role),
                layout.cell(ws, p.team),
                layout.cell(ws, p.entered_on, number_format=EXCEL_DATE),
                layout.cell(ws, p.exited_on, number_format=EXCEL_DATE),
                layout.cell(ws, p.contract_signed_on, number_format=EXCEL_DATE),
                *(layout.cell(ws, p.days_by_month.get(k, 0), align="center", number_format="0") for k in keys),
            ],
        )
    moves = sorted(
        [(p.entered_on, "进场", p) for p in people] + [(p.exited_on, "退场", p) for p in people if p.exited_on],
        key=lambda item: (item[0], item[1] == "退场"),
    )
    log = layout.sheet(
        wb, "进退场记录", widths=[6, 12, 8, 8, 20, 26], landscape=False, generated_at=header.generated_at, header_rows=2
    )
    layout.title(log, 1, f"进退场记录（{project_name}）", 6, size=14)
    layout.header(log, ["序号", "日期", "进/退场", "姓名", "身份证号", "所在单位"])
    for n, (day, what, p) in enumerate(moves, start=1):
        layout.row(log, [n, chinese_date(day), what, p.name, p.id_number, p.employer], centred=(0, 1, 2))
    return layout.to_bytes(wb)
