"""The demo city's enforcement: a running campaign, a random draw, inspections with findings, cases
with every kind of measure, a blacklisted vendor and escalations, all through the real services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from inspections.choices import CampaignPhase, InspectionKind, MeasureKind
from inspections.models import Alert, AlertState, Case, InspectionFinding, Measure
from inspections.selectors import attended_counts
from inspections.services import campaigns, cases, escalation, inspections, measures, replies
from inspections.services.casework import project_manager_of
from inspections.services.measures import MeasureIn
from projects.choices import ParticipantRole, ProjectStatus, RegionLevel
from projects.models import Project, Region, User
from projects.scope import scope_of
from projects.selectors import start_in_force
from reports.services import submission_prepare, submission_submit

INSPECTORS = ["李明、张华", "王芳、陈强", "赵磊、孙丽", "周杰、吴敏"]


def _staff(project: Project, users: dict[str, User]) -> User:
    """The demo's staff account of the project's district (the city's where the district has none)."""
    for user in users.values():
        if scope_of(user).allows(project, "enforce") and scope_of(user).can("district_home"):
            return user
    return users["city"]


def _case(project: Project, title: str, staff: User, rules: list[str]) -> Case:
    alerts = list(
        Alert.objects.filter(project=project, rule__in=rules)
        .exclude(state=AlertState.DISMISSED)
        .values_list("pk", flat=True)
    )
    findings = list(
        InspectionFinding.objects.filter(inspection__project=project, case__isnull=True).values_list("pk", flat=True)
    )
    return cases.case_open(user=staff, project=project, title=title, alert_ids=alerts, finding_ids=findings)


def _issue(case: Case, staff: User, kind: str, day: dt.date, **fields) -> Measure:
    return measures.measure_issue(user=staff, case=case, data=MeasureIn(kind=kind, issued_on=day, **fields))


def _campaign_and_draw(today: dt.date, users: dict[str, User]):
    """The running campaign (its four phases around today) and a 双随机 draw in Haishu. The campaign is
    Ningbo's: its districts are Haishu's city's, not the demo's second city's."""
    haishu = users["haishu"].district
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT, parent=haishu.parent).order_by("code"))
    start = today - dt.timedelta(days=30)
    phases = [
        campaigns.PhaseIn(CampaignPhase.SELF_INSPECTION, start, start + dt.timedelta(days=9)),
        campaigns.PhaseIn(CampaignPhase.LOCAL_INSPECTION, start + dt.timedelta(days=10), today + dt.timedelta(days=5)),
        campaigns.PhaseIn(
            CampaignPhase.MUNICIPAL_SUPERVISION, today + dt.timedelta(days=6), today + dt.timedelta(days=20)
        ),
        campaigns.PhaseIn(CampaignPhase.SUMMARY, today + dt.timedelta(days=21), today + dt.timedelta(days=30)),
    ]
    campaign = campaigns.campaign_create(
        user=users["city"],
        name=f"{today.year}年房屋市政工程实名制管理“固本清源”专项整治行动",
        starts_on=start,
        ends_on=today + dt.timedelta(days=30),
        districts=districts,
        phases=phases,
    )
    draw = campaigns.random_draw_make(
        user=users["haishu"], district=haishu, size=2, seed=f"{today:%Y%m%d}-海曙-双随机", campaign=campaign
    )
    return campaign, draw, start


def _visits(rng, today, users, planted, campaign, draw, start) -> dict[int, Project]:
    """Site visits and online patrols: every planted project, the drawn ones, and a few clean ones."""
    visited = {p.pk: p for p in planted.values()}
    for project in Project.objects.filter(permit_no__in=draw.drawn):
        visited[project.pk] = project
    ningbo = users["haishu"].district.parent  # the second demo city's projects are not Ningbo's to visit
    for project in Project.objects.filter(district__parent=ningbo).exclude(pk__in=visited).order_by("?")[:6]:
        visited[project.pk] = project
    # Visits fall after the start in force (the permit's, or an approved change), as the rules judge it.
    starts = dict(Project.objects.filter(pk__in=visited).annotate(start=start_in_force()).values_list("pk", "start"))
    for project in visited.values():
        if starts[project.pk] is None or starts[project.pk] > today - dt.timedelta(days=3):
            continue
        day = today - dt.timedelta(days=rng.randint(2, 12))
        day = max(day, starts[project.pk], start)
        rule = next((r for r, p in planted.items() if p.pk == project.pk), None)
        findings = (
            [inspections.FindingIn(rule, f"现场核查确认：{project.name.split('（')[-1].rstrip('）')}")] if rule else []
        )
        kind = (
            InspectionKind.SITE_VISIT if rng.random() < 0.7 or rule in ("R06", "R15") else InspectionKind.ONLINE_PATROL
        )
        headcount = None
        if kind == InspectionKind.SITE_VISIT:
            attended = attended_counts(project_ids=[project.pk], day=day).get(project.pk, 0)
            headcount = attended + (rng.randint(2, 8) if rule else 0)
        tests = []
        if kind == InspectionKind.SITE_VISIT:
            device = project.devices.order_by("pk").first()
            if device is not None:
                tests = [inspections.DeviceTestIn(device.serial, refuses_photo=rule != "R06", refuses_video=True)]
        inspections.inspection_record(
            user=_staff(project, users),
            project=project,
            kind=kind,
            day=day,
            inspectors=rng.choice(INSPECTORS),
            headcount=headcount,
            findings=findings,
            device_tests=tests,
            campaign=campaign,
            draw=draw if project.permit_no in draw.drawn else None,
            notes="专项整治行动属地检查",
        )

    return visited


def _r15_visit(today, users, campaign, visited) -> None:
    """A site visit that finds 18 more workers on site than attended: R15 at the penalty level."""
    day = today - dt.timedelta(days=2)
    site = (
        Project.objects.filter(status=ProjectStatus.ACTIVE, district__parent=users["haishu"].district.parent)
        .annotate(start=start_in_force())
        .filter(start__lte=day)
        .exclude(pk__in=visited)
    )
    busiest = site.order_by("-district_id").first()
    counted = attended_counts(project_ids=[busiest.pk], day=day).get(busiest.pk, 0)
    inspections.inspection_record(
        user=_staff(busiest, users),
        project=busiest,
        kind=InspectionKind.SITE_VISIT,
        day=day,
        inspectors="李明、张华",
        headcount=counted + 18,
        campaign=campaign,
        notes="现场清点作业人员，与考勤人数差异较大",
    )


def _cases(today, users, planted) -> None:
    """Cases with every measure of 甬建函〔2023〕82号 五(三), and orders with deadlines."""
    ten_days_ago = today - dt.timedelta(days=10)
    # Forgery: every measure of 甬建函〔2023〕82号 五(三) short of the blacklist.
    forged = planted["R07"]
    staff = _staff(forged, users)
    case = _case(forged, "考勤照片造假", staff, ["R07"])
    _issue(case, staff, MeasureKind.STOP_WORK, ten_days_ago, basis="R07", document_no="甬建停〔2026〕7号")
    _issue(case, staff, MeasureKind.CREDIT, ten_days_ago, basis="R07")
    _issue(case, staff, MeasureKind.CIRCULAR, ten_days_ago, basis="R07", document_no="甬建通〔2026〕21号")
    _issue(case, staff, MeasureKind.KEY_SUPERVISION, ten_days_ago, basis="R07")
    _issue(
        case,
        staff,
        MeasureKind.PENALTY,
        ten_days_ago,
        basis="R07",
        fine_yuan=Decimal(80_000),
        target_person=project_manager_of(forged),
        document_no="甬建罚〔2026〕5号",
    )
    _issue(case, staff, MeasureKind.AWARD_EXCLUSION, ten_days_ago, basis="R07")

    # Liveness off and devices through an unapproved platform: the vendor is blacklisted.
    for rule, title in (("R06", "关闭活体检测，使用照片考勤"), ("R02", "设备未直连，经第三方平台对接")):
        project = planted[rule]
        staff = _staff(project, users)
        case = _case(project, title, staff, [rule])
        vendor = project.participants.filter(role=ParticipantRole.VENDOR).first().enterprise
        _issue(case, staff, MeasureKind.VENDOR_BLACKLIST, ten_days_ago, basis=rule, target_enterprise=vendor)
        _issue(case, staff, MeasureKind.CIRCULAR, ten_days_ago, basis=rule)

    # Orders with deadlines: overdue while the rule still fires (escalated tonight), answered, accepted.
    for rule, title in (
        ("R01", "未安装考勤设备"),
        ("R03", "考勤设备离线"),
        ("R11", "项目经理未到岗履职"),
        ("R12", "连续4天无考勤"),
        ("R04", "人员未全部纳入实名制管理"),
    ):
        project = planted[rule]
        staff = _staff(project, users)
        case = _case(project, title, staff, [rule])
        deadline = today - dt.timedelta(days=3) if rule != "R04" else today + dt.timedelta(days=7)
        _issue(
            case,
            staff,
            MeasureKind.RECTIFICATION,
            ten_days_ago,
            basis=rule,
            deadline=deadline,
            document_no=f"整改〔{today.year}〕{rule[1:]}号",
        )


def _contractors_own(today, users) -> None:
    """The demo contractor's own project: an order to answer, and a supervision notice."""
    own = Project.objects.get(pk=users["contractor"].enterprise.participations.order_by("pk").first().project_id)
    case = _case(own, "实名制登记不完整", _staff(own, users), ["R04"])
    order = _issue(
        case,
        _staff(own, users),
        MeasureKind.RECTIFICATION,
        today - dt.timedelta(days=4),
        basis="R04",
        deadline=today + dt.timedelta(days=10),
        document_no=f"海建整〔{today.year}〕18号",
    )
    reply = replies.reply_submit(user=users["contractor"], measure=order, text="已补录12名工人进场登记，附花名册。")
    replies.reply_review(user=_staff(own, users), reply=reply, accept=False, note="花名册缺少劳动合同，请补充。")
    measures.measure_issue(
        user=users["supervisor"],
        case=case,
        data=MeasureIn(
            kind=MeasureKind.SUPERVISION_NOTICE,
            issued_on=today - dt.timedelta(days=2),
            basis="R04",
            deadline=today + dt.timedelta(days=5),
            note="督促总包对分包人员进场校验登记",
        ),
    )


def seed_enforcement(*, rng: random.Random, planted: dict[str, Project]) -> None:
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.all()}
    campaign, draw, start = _campaign_and_draw(today, users)
    visited = _visits(rng, today, users, planted, campaign, draw, start)
    _r15_visit(today, users, campaign, visited)
    _cases(today, users, planted)
    _contractors_own(today, users)
    escalation.measures_escalate(today=today)
    _filings(campaign, users)


def _filings(campaign, users) -> None:
    """报送 under way: Haishu has submitted its Annex 1 and has a typical case's Annex 2 in draft; the
    other districts have not filed yet (their deadline is the end of the local inspection)."""

    staff = users["haishu"]
    annex1 = submission_prepare(user=staff, campaign=campaign, district=staff.district, kind="annex1")
    submission_submit(user=staff, submission=annex1, sha256=annex1.sha256)
    typical = Case.objects.filter(project__district=staff.district).order_by("opened_at", "pk").first()
    if typical is not None:
        submission_prepare(user=staff, campaign=campaign, district=staff.district, kind="annex2", case=typical)
