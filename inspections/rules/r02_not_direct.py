"""R02 — device not directly connected (甬建函〔2023〕82号 三(二)): a device bound through a vendor's
platform without an approved platform-docking permit for that vendor covering the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from devices.choices import Connection
from inspections.cohorts import docking_allowed
from inspections.rules import ladders
from inspections.rules.base import Cadence, Finding, RuleSpec
from inspections.selectors import approved_permits
from projects.choices import StatusRequestKind

CODE = "R02"


@dataclass(frozen=True)
class PlatformDevice:
    device_id: int
    serial: str
    project_id: int
    vendor_id: int
    vendor: str
    # Approved docking permits of the project for this vendor: (from, to or None).
    permits: tuple[tuple[dt.date, dt.date | None], ...] = ()


def evaluate(devices: list[PlatformDevice], *, day: dt.date) -> list[Finding]:
    def permitted(d: PlatformDevice) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in d.permits)

    return [
        Finding(
            CODE,
            d.project_id,
            "device",
            d.device_id,
            d.serial,
            day,
            day,
            evidence={"connection": "platform", "vendor": d.vendor, "approved_permits": len(d.permits)},
        )
        for d in devices
        if not permitted(d)
    ]


def collect(ctx) -> list[Finding]:
    permits = approved_permits(StatusRequestKind.PLATFORM_DOCKING)
    devices = []
    for project_id, items in ctx.devices_in_service().items():
        if docking_allowed(ctx.projects[project_id], ctx.policy(project_id)):
            continue
        for d in items:
            if d.connection == Connection.PLATFORM:
                devices.append(
                    PlatformDevice(
                        d.pk,
                        d.serial,
                        d.project_id,
                        d.vendor_id,
                        d.vendor.name,
                        tuple(permits.get((d.project_id, d.vendor_id), ())),
                    )
                )
    return evaluate(devices, day=ctx.day)


def describe(item) -> str:
    e = item.evidence
    return (
        f"考勤设备{item.subject}经{e.get('vendor') or '第三方'}的平台转发数据，未与平台直连，也无有效的平台对接许可。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="考勤设备未完成数据直连",
    label=_("Device not directly connected (考勤设备未完成数据直连)"),
    title="实名制考勤设备未完成数据直连",
    source="甬建函〔2023〕82号 三(二)；中山 2019 上线通知 四(二)",
    category=2,
    annex1_row=4,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.CHECKLIST,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r02_docking_filed_before",),
    note="平台对接须经审批（平台对接许可），许可期内的设备不计；中山口径下2020年2月1日前完成施工报建的项目可选择平台对接。",
)
