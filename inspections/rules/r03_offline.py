"""R03 — device offline, not reaching the platform (甬建函〔2023〕82号 三(三)): at some moment of the day
the device had been out of contact for longer than the policy's limit (r03_offline_hours).

Judged from contact times: the silences in the device's history (recorded by the offline sweep, or by
the contact that ends a silence the sweep did not see) and the silence since its last contact, or since
its registration when it never reached the platform. The nightly figure never depends on the sweep."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from devices.models import DeviceFlip, FlipField
from inspections.presets import DEFAULT
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, RuleSpec

CODE = "R03"


@dataclass(frozen=True)
class Silence:
    """One stretch without contact: from the last contact until it came back (None: not yet)."""

    device_id: int
    serial: str
    project_id: int
    since: dt.datetime
    until: dt.datetime | None


def evaluate(
    silences: list[Silence], *, day_start: dt.datetime, day_end: dt.datetime, limit_hours: int
) -> list[Finding]:
    limit = dt.timedelta(hours=limit_hours)
    findings, seen = [], set()
    for s in sorted(silences, key=lambda s: s.since):
        # Out of contact for more than the limit at some moment t of the day: t > since + limit,
        # t before the device came back, and t within [day_start, day_end).
        over_from = max(s.since + limit, day_start)
        over_until = min(s.until or day_end, day_end)
        if over_from < over_until and s.device_id not in seen:
            seen.add(s.device_id)
            day = day_start.date()
            findings.append(
                Finding(
                    CODE,
                    s.project_id,
                    "device",
                    s.device_id,
                    s.serial,
                    day,
                    day,
                    evidence={
                        "last_contact": s.since.isoformat(),
                        "back_online": s.until.isoformat() if s.until else None,
                        "limit_hours": limit_hours,
                    },
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    devices = {d.pk: d for items in ctx.devices_in_service().values() for d in items}
    window_start = ctx.day_start - dt.timedelta(days=30)
    flips = defaultdict(list)
    for device_id, at, value in (
        DeviceFlip.objects.filter(
            device_id__in=devices, field=FlipField.ONLINE, at__gte=window_start, at__lt=ctx.day_end
        )
        .order_by("at", "id")
        .values_list("device_id", "at", "value")
    ):
        flips[device_id].append((at, value))
    silences = []
    for device_id, device in devices.items():
        since = None
        for at, value in flips[device_id]:
            if value is False:
                since = at
            elif since is not None:
                silences.append(Silence(device_id, device.serial, device.project_id, since, at))
                since = None
        if since is None:
            # Silent since the last contact (or, never heard from, since its registration), online flag or not.
            last = device.last_contact_at or device.registered_at
            if last < ctx.day_end:
                since = last
        if since is not None:
            silences.append(Silence(device_id, device.serial, device.project_id, since, None))
    findings = []
    for silence in silences:
        limit = ctx.policy(devices[silence.device_id].project_id).r03_offline_hours
        findings += evaluate([silence], day_start=ctx.day_start, day_end=ctx.day_end, limit_hours=limit)
    return list({f.key: f for f in findings}.values())


def describe(item) -> str:
    e = item.evidence
    back = f"，{words.moment(e['back_online'])}恢复" if e.get("back_online") else "，至今未恢复"
    return (
        f"考勤设备{item.subject}自{words.moment(e.get('last_contact'))}起未与平台联系，超过"
        f"{e.get('limit_hours', DEFAULT['r03_offline_hours'])}小时{back}。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="考勤设备离线",
    label=_("Device offline (考勤设备离线)"),
    title="实名制考勤设备离线，未接入建筑工人信息管理平台",
    source="甬建函〔2023〕82号 三(三)；吉建管〔2021〕6号 附件1第1项",
    category=3,
    annex1_row=2,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.CHECKLIST,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r03_offline_hours",),
)
