"""Each rule's inputs, loaded by set-based queries for one day, and its evaluation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Max, Q

from attendance.models import Punch
from devices.choices import Connection, DeviceState
from devices.models import Device, DeviceFlip, FlipField
from inspections.calendar import construction_days, manager_days, month_days
from inspections.engine.context import STREAK_LOOKBACK_DAYS, Context, _permits
from inspections.models import LIVE_STATES, Alert, ExportGrant, Inspection
from inspections.monthly import month_presence, policy_settings
from inspections.rules import (
    r01_no_device,
    r02_not_direct,
    r03_offline,
    r04_unregistered,
    r05_unapproved_status,
    r06_liveness_off,
    r07_forgery,
    r08_mobile_unapproved,
    r09_low_score,
    r10_manager_elsewhere,
    r11_manager_absent,
    r12_silent_days,
    r13_backfilled,
    r14_unapproved_export,
    r15_worker_shortfall,
    r16_worker_rate,
)
from inspections.rules.base import Finding
from inspections.selectors import attended_workers, project_presence
from projects.choices import Category, CodeTable, ParticipantRole, StatusRequestKind
from projects.models import Engagement, ProjectParticipant, ProjectStatusChange, ReferenceCode
from smz_platform.common.models import AuditAction, AuditEvent
from smz_platform.common.rawsql import as_date, as_datetime


def collect_r01(ctx: Context) -> list[Finding]:
    active = ctx.active()
    counts = dict(
        Device.objects.filter(project_id__in=[p.pk for p in active], state=DeviceState.ACTIVE)
        .values("project_id").annotate(n=Count("id")).values_list("project_id", "n")
    )  # fmt: skip
    findings = []
    for project in active:
        findings += r01_no_device.evaluate(
            [r01_no_device.ProjectDevices(project.pk, project.name, project.actual_start, counts.get(project.pk, 0))],
            day=ctx.day, grace_days=ctx.policies[project.pk].r01_grace_days,
        )  # fmt: skip
    return findings


def collect_r02(ctx: Context) -> list[Finding]:
    active = {p.pk for p in ctx.active()}
    permits = _permits(StatusRequestKind.PLATFORM_DOCKING)
    devices = [
        r02_not_direct.PlatformDevice(d.pk, d.serial, d.project_id, d.vendor_id, d.vendor.name,
                                      tuple(permits.get((d.project_id, d.vendor_id), ())))  # fmt: skip
        for d in Device.objects.filter(project_id__in=active, state=DeviceState.ACTIVE, connection=Connection.PLATFORM)
        .select_related("vendor")
    ]  # fmt: skip
    return r02_not_direct.evaluate(devices, day=ctx.day)


def collect_r03(ctx: Context) -> list[Finding]:
    active = {p.pk for p in ctx.active()}
    devices = {d.pk: d for d in Device.objects.filter(project_id__in=active, state=DeviceState.ACTIVE)}
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
                silences.append(r03_offline.Silence(device_id, device.serial, device.project_id, since, at))
                since = None
        if since is None and not flips[device_id]:
            # No change in the window: silent since the last contact (or registration) if offline now,
            # or if its last contact precedes the day by the whole window.
            last = device.last_contact_at or device.registered_at
            if not device.online or last < window_start:
                since = last
        if since is not None:
            silences.append(r03_offline.Silence(device_id, device.serial, device.project_id, since, None))
    limits = {pk: ctx.policies[d.project_id].r03_offline_hours for pk, d in devices.items()}
    findings = []
    for silence in silences:
        findings += r03_offline.evaluate(
            [silence], day_start=ctx.day_start, day_end=ctx.day_end, limit_hours=limits[silence.device_id]
        )
    return list({f.key: f for f in findings}.values())


def collect_r05(ctx: Context) -> list[Finding]:
    changes = [
        r05_unapproved_status.StatusChange(
            c.pk, c.project_id, c.field, c.old_value, c.new_value, c.changed_at,
            c.changed_by.username if c.changed_by else "", c.status_request_id,
        )
        for c in ProjectStatusChange.objects.filter(changed_at__gte=ctx.day_start, changed_at__lt=ctx.day_end)
        .select_related("changed_by")
    ]  # fmt: skip
    return r05_unapproved_status.evaluate(changes, day=ctx.day)


def collect_r06(ctx: Context) -> list[Finding]:
    active = {p.pk for p in ctx.active()}
    devices = {d.pk: d for d in Device.objects.filter(project_id__in=active, state=DeviceState.ACTIVE)}
    before = dict(
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.LIVENESS, at__lt=ctx.day_start)
        .values("device_id").annotate(last=Max("at")).values_list("device_id", "last")
    )  # fmt: skip
    setting_at_start = {
        device_id: value
        for device_id, at, value in DeviceFlip.objects.filter(field=FlipField.LIVENESS, device_id__in=before)
        .values_list("device_id", "at", "value")
        if at == before[device_id]
    }  # fmt: skip
    off_during = set(
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.LIVENESS, value=False,
                                  at__gte=ctx.day_start, at__lt=ctx.day_end).values_list("device_id", flat=True)
    )  # fmt: skip
    unchecked = dict(
        Punch.objects.filter(device_id__in=devices, flag_no_liveness=True, punched_at__gte=ctx.day_start,
                             punched_at__lt=ctx.day_end)
        .values("device_id").annotate(n=Count("id")).values_list("device_id", "n")
    )  # fmt: skip
    return r06_liveness_off.evaluate(
        [r06_liveness_off.DeviceLiveness(pk, d.serial, d.project_id,
                                         setting_at_start.get(pk) is False or pk in off_during, unchecked.get(pk, 0))
         for pk, d in devices.items()],
        day=ctx.day,
    )  # fmt: skip


def collect_r08(ctx: Context) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    counts = dict(
        Punch.objects.filter(project_id__in=active, flag_mobile=True, punched_at__gte=ctx.day_start,
                             punched_at__lt=ctx.day_end)
        .values("project_id").annotate(n=Count("id")).values_list("project_id", "n")
    )  # fmt: skip
    permits = _permits(StatusRequestKind.MOBILE_ATTENDANCE)
    return r08_mobile_unapproved.evaluate(
        [r08_mobile_unapproved.MobilePunches(pk, active[pk].name, n, tuple(permits.get((pk, None), ())))
         for pk, n in counts.items()],
        day=ctx.day,
    )  # fmt: skip


def _month_end(ctx: Context) -> dt.date | None:
    """The month judged by this run (R11, R16): the day's month, if the day is its last."""
    return ctx.day.replace(day=1) if (ctx.day + dt.timedelta(days=1)).day == 1 else None


def month_results(ctx: Context, month: dt.date, *, until: dt.date, project_ids=None) -> dict[int, tuple[list, object]]:
    """Managers' and workers' presence of `month` up to `until` for the context's projects (or some of
    them): set-based on PostgreSQL, project by project on the embedded default. Projects without a
    construction day in the span are left out."""
    days = month_days(month, until=until)
    judged = {}
    for pk in ctx.projects if project_ids is None else project_ids:
        policy = ctx.policies[pk]
        built = construction_days(ctx.timelines[pk], days, count_sundays=policy.count_sundays,
                                  count_holidays=policy.count_holidays)  # fmt: skip
        if built:
            judged[pk] = (built, manager_days(ctx.timelines[pk], built, grace_days=policy.manager_grace_days))
    if connection.vendor == "postgresql":
        settings = {pk: policy_settings(ctx.policies[pk]) for pk in judged}
        return month_presence(month_days_by_project=judged, settings=settings)
    results = {}
    for pk in judged:
        presence = project_presence(project=ctx.projects[pk], month=month, today=until)
        results[pk] = (presence.managers, presence.workers)
    return results


def collect_r11_r16(ctx: Context) -> dict[str, list[Finding]]:
    month = _month_end(ctx)
    findings = {"R11": [], "R16": []}
    if month is None:
        return findings
    positions = dict(ReferenceCode.objects.filter(table=CodeTable.POSITION).values_list("code", "name"))
    for pk, (managers, workers) in month_results(ctx, month, until=ctx.day).items():
        findings["R11"] += r11_manager_absent.evaluate(pk, managers, month=month, last_day=ctx.day, positions=positions)
        findings["R16"] += r16_worker_rate.evaluate(pk, ctx.projects[pk].name, workers, month=month, last_day=ctx.day)
    return findings


def collect_r12(ctx: Context) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    since = ctx.day - dt.timedelta(days=STREAK_LOOKBACK_DAYS)
    # The last day with presence, per project and category, in one query over daily presence.
    last_present = _last_presence(active, since, ctx.day)
    engaged = set(
        Engagement.objects.filter(project_id__in=active, entered_on__lte=ctx.day)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=ctx.day))
        .values_list("project_id", "category").distinct()
    )  # fmt: skip
    # A streak longer than the lookback goes on from the start its alert already has (so the alert's
    # key, which names the start, stays the same night after night, and a dismissal holds).
    ongoing = {}
    for project_id, key, start in Alert.objects.filter(
        rule="R12", project_id__in=active, state__in=LIVE_STATES, period_end__gte=since
    ).values_list("project_id", "key", "period_start"):
        who = key.rsplit(":", 2)[-2]
        ongoing[(project_id, who)] = min(start, ongoing.get((project_id, who), start))
    streaks = []
    for pk, project in active.items():
        policy = ctx.policies[pk]
        for category, who in ((Category.WORKER, "workers"), (Category.MANAGER, "managers")):
            if (pk, category) not in engaged:
                continue
            after = last_present.get((pk, category))
            if after is None:
                after = since - dt.timedelta(days=1)
                start = ongoing.get((pk, who))
                if start is not None and start <= after:
                    after = start - dt.timedelta(days=1)
            span = [after + dt.timedelta(days=n) for n in range(1, (ctx.day - after).days + 1)]
            empty = construction_days(ctx.timelines[pk], span, count_sundays=policy.count_sundays,
                                      count_holidays=policy.count_holidays)  # fmt: skip
            if empty:
                streaks.append(r12_silent_days.Streak(pk, project.name, who, tuple(empty)))
    findings = []
    for streak in streaks:
        findings += r12_silent_days.evaluate([streak], min_days=ctx.policies[streak.project_id].r12_silent_days)
    return findings


def _last_presence(projects, since: dt.date, day: dt.date) -> dict[tuple[int, str], dt.date]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.project_id, e.category, MAX(p.day) FROM attendance_dailypresence p "
            "JOIN projects_engagement e ON e.person_id = p.person_id AND e.project_id = p.project_id "
            f"WHERE p.project_id IN ({', '.join(['%s'] * len(projects)) or 'NULL'}) "
            "AND p.day >= %s AND p.day <= %s AND p.valid_count >= 1 GROUP BY p.project_id, e.category",
            [*projects, since, day],
        )
        return {(project_id, category): as_date(last) for project_id, category, last in cursor.fetchall()}


def _engaged_on(ctx: Context, projects) -> Q:
    return Q(project_id__in=projects, entered_on__lte=ctx.day) & (Q(exited_on__isnull=True) | Q(exited_on__gte=ctx.day))


def collect_r04(ctx: Context) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    engagements = Engagement.objects.filter(_engaged_on(ctx, active))
    filled = defaultdict(set)
    for project_id, position in engagements.filter(category=Category.MANAGER).values_list("project_id", "position"):
        filled[project_id].add(position)
    staff = defaultdict(int)
    for project_id, employer_id in engagements.values_list("project_id", "employer_id"):
        staff[(project_id, employer_id)] += 1
    firms = defaultdict(list)
    for project_id, enterprise_id, name in (
        ProjectParticipant.objects.filter(
            project_id__in=active,
            role__in=[ParticipantRole.CONTRACTOR, ParticipantRole.SUBCONTRACTOR, ParticipantRole.SUPERVISOR],
        )
        .values_list("project_id", "enterprise_id", "enterprise__name")
        .distinct()
    ):
        firms[project_id].append((enterprise_id, name, staff[(project_id, enterprise_id)]))
    unregistered = defaultdict(list)
    for project_id, masked in Punch.objects.filter(
        project_id__in=active, flag_unregistered=True, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("project_id", "id_number_masked"):
        unregistered[project_id].append(masked)
    return r04_unregistered.evaluate(
        [r04_unregistered.Registration(pk, p.name, tuple(p.required_positions), frozenset(filled[pk]),
                                       tuple(firms[pk]), len(unregistered[pk]),
                                       tuple(sorted(set(unregistered[pk]))[:20]))
         for pk, p in active.items()],
        day=ctx.day,
    )  # fmt: skip


def collect_r07(ctx: Context) -> list[Finding]:
    day_punches = Punch.objects.filter(punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end)
    shared = defaultdict(list)
    # Photos of the day's punches that any punch, of any day, also carries (the partial photo index).
    for punch_id, project_id, sha, masked in Punch.objects.filter(
        photo_sha256__in=day_punches.exclude(photo_sha256="").values("photo_sha256")
    ).values_list("id", "project_id", "photo_sha256", "id_number_masked"):
        shared[sha].append((punch_id, project_id, masked))
    photos = [
        r07_forgery.SharedPhoto(
            items[-1][1], sha, tuple(i for i, _p, _m in items), tuple(sorted({m for *_x, m in items}))
        )
        for sha, items in shared.items()
        if len(items) > 1
    ]  # fmt: skip
    # Consecutive punches of one person at different places (the phone's coordinates, else the
    # device's): a window over the day's punches in the database returns only the moves.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT project_id, person_id, masked, prev_at, punched_at, prev_lat, prev_lon, lat, lon FROM ("
            "  SELECT p.project_id, p.person_id, p.id_number_masked AS masked, p.punched_at,"
            "    COALESCE(p.lat, d.lat) AS lat, COALESCE(p.lon, d.lon) AS lon,"
            "    LAG(p.punched_at) OVER w AS prev_at, LAG(COALESCE(p.lat, d.lat)) OVER w AS prev_lat,"
            "    LAG(COALESCE(p.lon, d.lon)) OVER w AS prev_lon"
            "  FROM attendance_punch p JOIN devices_device d ON d.id = p.device_id"
            "  WHERE p.punched_at >= %s AND p.punched_at < %s AND p.person_id IS NOT NULL"
            "  WINDOW w AS (PARTITION BY p.person_id ORDER BY p.punched_at)"
            ") moves WHERE lat IS NOT NULL AND prev_lat IS NOT NULL AND (lat <> prev_lat OR lon <> prev_lon)",
            [ctx.day_start, ctx.day_end],
        )
        hops = [
            r07_forgery.Hop(
                project_id, person_id, masked, as_datetime(prev_at), as_datetime(at), (prev_lat, prev_lon), (lat, lon)
            )  # fmt: skip
            for project_id, person_id, masked, prev_at, at, prev_lat, prev_lon, lat, lon in cursor.fetchall()
        ]
    speed = max((p.r07_max_speed_kmh for p in ctx.policies.values()), default=120)
    return r07_forgery.evaluate(photos, hops, day=ctx.day, max_speed_kmh=speed)


def collect_r09(ctx: Context) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    scores = defaultdict(list)
    # Only scores under the highest minimum of any policy leave the database; each project's own
    # minimum is then applied by the rule.
    ceiling = max(float(p.r09_min_match_score) for p in ctx.policies.values()) if ctx.policies else 0
    for project_id, punch_id, score in Punch.objects.filter(
        project_id__in=active, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end, match_score__lt=ceiling
    ).values_list("project_id", "id", "match_score"):
        scores[project_id].append((punch_id, score))
    findings = []
    for pk, items in scores.items():
        findings += r09_low_score.evaluate([r09_low_score.Scores(pk, active[pk].name, tuple(items))], day=ctx.day,
                                           min_score=float(ctx.policies[pk].r09_min_match_score))  # fmt: skip
    return findings


def collect_r10(ctx: Context) -> list[Finding]:
    active = {p.pk for p in ctx.active()}
    managers = {
        person_id: (project_id, engagement_id, f"{name}（{position}）")
        for person_id, project_id, engagement_id, name, position in Engagement.objects.filter(
            _engaged_on(ctx, active), category=Category.MANAGER
        ).values_list("person_id", "project_id", "id", "person__name", "position")
    }  # fmt: skip
    devices = {pk: (project_id, location) for pk, project_id, location in Device.objects.values_list(
        "id", "project_id", "location")}  # fmt: skip
    fences = {
        project_id: (lat, lon, fence)
        for project_id, lat, lon, fence in Device.objects.filter(kind="mobile", project_id__in=active)
        .exclude(lat=None).exclude(fence_m=None).values_list("project_id", "lat", "lon", "fence_m")
    }  # fmt: skip
    punches = []
    for punch_id, person_id, device_id, lat, lon in Punch.objects.filter(
        person_id__in=managers, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("id", "person_id", "device_id", "lat", "lon"):
        project_id, engagement_id, who = managers[person_id]
        device_project, location = devices.get(device_id, (None, "other"))
        punches.append(r10_manager_elsewhere.ManagerPunch(
            project_id, engagement_id, who, punch_id, device_project, location,
            (lat, lon) if lat is not None else None, fences.get(project_id),
        ))  # fmt: skip
    return r10_manager_elsewhere.evaluate(punches, day=ctx.day)


def collect_r13(ctx: Context) -> list[Finding]:
    active = {p.pk for p in ctx.active()}
    late = list(
        Punch.objects.filter(project_id__in=active, received_at__gte=ctx.day_start, received_at__lt=ctx.day_end,
                             flag_late=True)
        .values_list("id", "project_id", "device_id", "punched_at", "received_at")
    )  # fmt: skip
    devices = dict(Device.objects.filter(id__in={row[2] for row in late}).values_list("id", "serial"))
    flips = defaultdict(list)
    for device_id, at, value in DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.ONLINE).order_by(
        "at", "id").values_list("device_id", "at", "value"):  # fmt: skip
        flips[device_id].append((at, value))

    def offline_at(device_id: int, moment: dt.datetime) -> bool:
        state = None
        for at, value in flips[device_id]:
            if at > moment:
                break
            state = value
        return state is False

    limits = {pk: ctx.policies[pk].r13_late_hours for pk in active}
    findings = []
    for project_id in {row[1] for row in late}:
        findings += r13_backfilled.evaluate(
            [r13_backfilled.LatePunch(project_id, device_id, devices[device_id], punch_id, punched_at, received_at,
                                      offline_at(device_id, punched_at))
             for punch_id, p_id, device_id, punched_at, received_at in late if p_id == project_id],
            day=ctx.day, limit_hours=limits[project_id],
        )  # fmt: skip
    return findings


def collect_r15(ctx: Context) -> list[Finding]:
    visits = list(Inspection.objects.filter(day=ctx.day, headcount__isnull=False, project_id__in=ctx.projects))
    attended = attended_workers(project_ids={v.project_id for v in visits}, day=ctx.day)
    findings = []
    for visit in visits:
        policy = ctx.policies[visit.project_id]
        findings += r15_worker_shortfall.evaluate(
            [r15_worker_shortfall.SiteCount(visit.pk, visit.project_id, ctx.projects[visit.project_id].name,
                                            ctx.day, visit.headcount, attended.get(visit.project_id, 0))],
            min_shortfall=policy.r15_min_shortfall, penalty_shortfall=policy.r15_penalty_shortfall,
        )  # fmt: skip
    return findings


def collect_r14(ctx: Context) -> list[Finding]:
    projects = {p.permit_no: p.pk for p in ctx.projects.values()}
    events = AuditEvent.objects.filter(at__gte=ctx.day_start, at__lt=ctx.day_end).filter(
        Q(action=AuditAction.EXPORT) | Q(action=AuditAction.VIEW_UNMASKED, record_count__gt=1)
    )
    grants = defaultdict(list)
    for user_id, project_id in ExportGrant.objects.filter(valid_from__lte=ctx.day, valid_to__gte=ctx.day).values_list(
        "user_id", "project_id"):  # fmt: skip
        grants[user_id].append(project_id)
    releases = [
        r14_unapproved_export.DataRelease(
            e.pk,
            projects[e.project_permit_no],
            e.user_id,
            e.username,
            e.what,
            e.record_count,
            e.at,
            granted=any(g is None or g == projects[e.project_permit_no] for g in grants.get(e.user_id, [])),
        )
        for e in events
        if e.project_permit_no in projects
    ]
    return r14_unapproved_export.evaluate(releases, day=ctx.day)
