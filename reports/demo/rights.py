"""The demo city's rights boards (manage.py seed_demo): a live board on every project under construction,
its labour clerk's phone given, and the districts' complaint lines (the city's for the districts without
one of their own); a worker who can sign in to his own records (his phone registered, the code on the
console); and complaints in each state (received, replied, closed, and one past its deadline that the nights
find overdue, C1)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from attendance.models import Punch
from attendance.verdicts import counts_q
from inspections.selectors.timelines import projects_active_between
from projects.choices import Category, ParticipantRole
from projects.models import Engagement, Region, User
from rights.models import Complaint, ComplaintReply, ComplaintSource, RightsBoard
from rights.services import board_issue
from rights.services.complaints import ComplaintForm, complaint_close, complaint_file, complaint_reply
from smz_platform.common import pii
from wages.models import WageLine

DEMO_WORKER_PHONE = "13800000000"


def seed_boards(*, rng: random.Random) -> RightsBoard | None:
    """Returns the board of the first Haishu project, whose address seed_demo prints."""
    Region.objects.filter(code="330200").update(complaint_phone="0574-89182345")
    Region.objects.filter(code="330203").update(complaint_phone="0574-87162345")
    city = User.objects.get(username="city")
    today = timezone.localdate()
    first = None
    ningbo = projects_active_between(today, today).filter(district__parent__code="330200").select_related("district")
    for project in ningbo.order_by("id"):
        board = board_issue(user=city, project=project)
        phone = f"0574-8{rng.randint(1000000, 9999999)}"
        RightsBoard.objects.filter(pk=board.pk).update(contact_phone=phone)
        if first is None and project.district.code == "330203":
            first = board
    return first


@dataclass(frozen=True)
class DemoWorker:
    id_number: str
    name: str
    phone: str
    project: str


def seed_worker() -> DemoWorker | None:
    """The Ningbo worker the demo signs in as (chosen after the nights, whose findings make punches not count):
    one with both a punch the platform did not count and wage lines if there is one, then either; his
    engagement on that project gets a phone."""
    workers = Engagement.objects.filter(
        project__district__parent__code="330200", category=Category.WORKER, exited_on__isnull=True
    )
    uncounted = set(
        Punch.objects.filter(project__district__parent__code="330200", person__isnull=False)
        .filter(~counts_q())
        .values_list("person_id", "project_id")
        .distinct()
    )
    paid = set(WageLine.objects.filter(engagement__in=workers).values_list("person_id", "sheet__project_id"))
    engaged = set(workers.values_list("person_id", "project_id"))
    chosen = min((uncounted & paid) or (uncounted & engaged) or paid or engaged, default=None)
    if chosen is None:
        return None
    engagement = workers.select_related("person", "project").get(person_id=chosen[0], project_id=chosen[1])
    phone = DEMO_WORKER_PHONE
    Engagement.objects.filter(pk=engagement.pk).update(
        phone_encrypted=pii.encrypt_as(phone, pii.PHONE), phone_masked=pii.mask_phone(phone)
    )
    person = engagement.person
    return DemoWorker(person.reveal_id_number(), person.name, phone, engagement.project.name)


# (kind, text, days ago, what the district did: "" nothing yet, "reply", "close")
COMPLAINTS = (
    ("wages", "班组上月工资到现在还没发，老板说等甲方拨款。", 2, ""),
    ("no_contract", "我们班组十几个人进场一个月了，都没签劳动合同。", 5, "reply"),
    ("wages", "退场时说好的工钱少结了两千元。", 20, "close"),
    ("attendance", "有人让我们用别人的身份证刷脸打卡。", 12, ""),  # past its 7 days: C1 on the nights after
)


def seed_complaints(*, board: RightsBoard, rng: random.Random) -> list[Complaint]:
    """Complaints on the board's project, back-dated, in each state; the district's staff (`haishu`) answer
    and close through the services the pages use."""
    staff = User.objects.get(username="haishu")
    firm = board.project.participants.filter(role=ParticipantRole.SUBCONTRACTOR).values_list("enterprise", flat=True)
    firm_id = firm.first() or board.project.participants.values_list("enterprise", flat=True).first()
    made = []
    for n, (kind, text, days_ago, act) in enumerate(COMPLAINTS):
        complaint = complaint_file(
            project=board.project,
            form=ComplaintForm(kind=kind, text=text, enterprise_id=firm_id if kind == "wages" else None),
            source=ComplaintSource.BOARD,
            address=f"198.51.100.{n + 1}",
        )
        filed = timezone.now() - dt.timedelta(days=days_ago, hours=rng.randint(1, 8))
        # The project's policy's days, counted from the back-dated day as the service counted them from today.
        deadline = timezone.localtime(filed).date() + (complaint.deadline - timezone.localdate())
        Complaint.objects.filter(pk=complaint.pk).update(filed_at=filed, deadline=deadline)
        if act in ("reply", "close"):
            complaint_reply(user=staff, complaint=complaint, text="已转劳务公司核实，将于三个工作日内答复处理结果。")
        if act == "close":
            complaint_close(user=staff, complaint=complaint, upheld=True, reason="经核查属实，已责令补发2000元。")
        # The district's acts back-dated with the complaint: a reply the next day, the closing three days on.
        ComplaintReply.objects.filter(complaint=complaint).update(at=filed + dt.timedelta(days=1))
        closed = Complaint.objects.filter(pk=complaint.pk, closed_at__isnull=False)
        closed.update(closed_at=filed + dt.timedelta(days=3))
        complaint.refresh_from_db()
        made.append(complaint)
    return made
