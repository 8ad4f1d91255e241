"""One record of every kind on Haishu's project, for the every-route jurisdiction test: what each route
is asked about, and the words that must not reach anyone outside its scope."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from attendance.models import Punch
from attendance.photos import photo_store
from devices.models import Device
from inspections.models import Alert, Policy
from inspections.services.campaigns import PhaseIn, campaign_create, random_draw_make
from inspections.services.cases import case_open
from inspections.services.inspections import FindingIn, inspection_photo_add, inspection_record
from inspections.services.measures import MeasureIn, measure_document_add, measure_issue
from inspections.services.replies import reply_submit
from projects.choices import ParticipantRole, RegionLevel, Role
from projects.models import IdentityConflict, User
from projects.services.status import status_request_attachment_add, status_request_submit
from reports.models import ReportJob
from reports.services import submission_prepare, submission_submit
from rights.services import board_issue
from rights.services.complaints import ComplaintForm, Photo, complaint_file
from smz_platform.common import pii
from tests.factories import (
    EnterpriseFactory,
    ProjectFactory,
    RegionFactory,
    account,
    engage,
    id_number,
    participate,
    province_of,
)
from tests.factories import person as make_person
from upward.models import OutboxItem, Receiver
from wages.services import (
    LineInput,
    exit_settlement_record,
    labour_contract_record,
    labour_deposit_record,
    wage_account_open,
    wage_sheet_prepare,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0 the worker's face"
# Words of Haishu's project that nobody outside its scope may read in any answer.
PROJECT_NAME = "海曙中心小学迁建工程"
MANAGER = "王建国"
WORKER = "分包工人乙"


@dataclass
class World:
    permit_no: str
    manager_engagement: int
    worker_engagement: int
    manager_person: int
    request: int
    attachment: int
    serial: str
    alert: int
    inspection: int
    case: int
    measure: int
    document: int
    reply: int
    campaign: int
    draw: int
    job: str
    conflict: int
    contractor_uscc: str
    submission: int
    punch: int
    policy: int  # Ningbo's own policy (its city account sets it)
    wage_sheet: int  # the subcontractor's October sheet with its worker's line
    contract: int  # the project manager's labour contract, with its scan
    wage_line: int  # the worker's line of that sheet
    board_token: str  # the project's rights board's public address
    complaint: int  # an anonymous complaint about the project, with a photo
    complaint_photo: int
    receiver: int  # Ningbo's upward receiver (the province's platform)
    outbox_item: int  # the manager's record it refused


def two_provinces(city) -> None:
    """Ningbo under 浙江省 beside 杭州市 (西湖区, its project and contractor), and 江苏省 with 南京市 (玄武区 and its
    project): the accounts of each level and party the every-route table asks, added to `city.users`:
    the platform's operator, Zhejiang's and Jiangsu's regulators, Hangzhou's and Nanjing's, Xihu's staff,
    Hangzhou's contractor, and Haishu's project owner."""
    _zhejiang, _hangzhou, xihu_project = province_of(city)
    builder = xihu_project.participants.get(role=ParticipantRole.CONTRACTOR).enterprise
    city.users["xihu"] = account("xihu", Role.DISTRICT, district=xihu_project.district)
    city.users["hangzhou_contractor"] = account("hangzhou_contractor", Role.ENTERPRISE, enterprise=builder)
    jiangsu = RegionFactory(code="320000", name="江苏省", level=RegionLevel.PROVINCE)
    nanjing = RegionFactory(code="320100", name="南京市", level=RegionLevel.CITY, parent=jiangsu)
    xuanwu = RegionFactory(code="320102", name="玄武区", level=RegionLevel.DISTRICT, parent=nanjing)
    project = ProjectFactory(permit_no="320102202609010303", name="玄武湖隧道工程", district=xuanwu)
    participate(project, EnterpriseFactory(name="南京玄武建设有限公司"), ParticipantRole.CONTRACTOR)
    city.users["jiangsu"] = account("jiangsu", Role.PROVINCE, region=jiangsu)
    city.users["nanjing"] = account("nanjing", Role.CITY, region=nanjing)
    city.users["owner"] = account("owner", Role.ENTERPRISE, enterprise=city.owner)
    city.users["operator"] = User.objects.create_superuser("operator", password="Operator-2026!long")


def build(city, gate) -> World:
    users = city.users
    manager = engage(
        city.project,
        city.contractor,
        make_person(id_number("330203", "19700101", 21), MANAGER),
        category="manager",
        position="project_manager",
    )
    worker = engage(city.project, city.subcontractor, make_person(id_number("330203", "19910101", 41), WORKER))
    request = status_request_submit(
        user=users["contractor"],
        project=city.project,
        kind="suspension",
        reason="停工待料",
        effective_from=dt.date(2026, 11, 25),
    )
    attachment = status_request_attachment_add(
        user=users["contractor"], status_request=request, kind="form_scan", name="申请表.pdf", content=PDF
    )
    now = timezone.now()
    alert = Alert.objects.create(
        key=f"R11:{city.project.pk}:w",
        subject_key=f"R11:{city.project.pk}:w",
        rule="R11",
        project=city.project,
        subject_type="engagement",
        subject_id=manager.pk,
        subject=f"{MANAGER}（项目经理）",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        first_detected=now,
        last_seen=now,
        evidence={"name": MANAGER, "attended_days": 10, "construction_days": 31},
    )
    inspection = inspection_record(
        user=users["haishu"],
        project=city.project,
        kind="site_visit",
        day=dt.date(2026, 11, 24),
        inspectors="李明",
        headcount=3,
        findings=[FindingIn("R11", f"{MANAGER}未到岗")],
    )
    inspection_photo_add(user=users["haishu"], inspection=inspection, caption="大门", content=PNG)
    case = case_open(user=users["haishu"], project=city.project, title="项目经理缺勤", alert_ids=[alert.pk])
    order = MeasureIn(
        kind="rectification", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 12, 10), basis="R11"
    )
    measure = measure_issue(user=users["haishu"], case=case, data=order)
    document = measure_document_add(user=users["haishu"], measure=measure, name="整改通知书.pdf", content=PDF)
    reply = reply_submit(user=users["contractor"], measure=measure, text="已落实项目经理到岗")
    phases = ["self_inspection", "local_inspection", "municipal_supervision", "summary"]
    campaign = campaign_create(
        user=users["city"],
        name="专项整治",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 12, 31),
        districts=[city.haishu, city.jiangbei],
        phases=[
            PhaseIn(phase, dt.date(2026, 11, 1 + 7 * n), dt.date(2026, 11, 7 + 7 * n)) for n, phase in enumerate(phases)
        ],
    )
    draw = random_draw_make(user=users["haishu"], district=city.haishu, size=1, seed="world")
    # The worker's punch at the gate, with its photo: a face nobody outside the project's regulators sees.
    # Written as the intake stores it, not posted: a request through the test client would reconnect
    # the connection-closing signals the fuzz test disconnects.
    number = id_number("330203", "19910101", 41)
    sha = hashlib.sha256(JPEG).hexdigest()
    photo_store(sha256=sha, content=JPEG)
    punch = Punch.objects.create(
        device=Device.objects.get(serial=gate.serial),
        project=city.project,
        person=worker.person,
        record_id="W-1",
        id_number_digest=pii.lookup_digest(number),
        id_number_masked=pii.mask_id_number(number),
        punched_at=dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        received_at=now,
        direction="in",
        method="face",
        liveness=True,
        match_score=0.95,
        photo_sha256=sha,
        photo_stored=True,
    )
    submission = submission_prepare(user=users["haishu"], campaign=campaign, district=city.haishu, kind="annex1")
    submission_submit(user=users["haishu"], submission=submission, sha256=submission.sha256)  # the city reads it
    job = ReportJob.objects.create(
        kind="annex1",
        params={"from": "2026-01-01", "to": "2026-11-30"},
        user=users["haishu"],
        state="done",
        filename="附件1.xlsx",
    )
    job.file.save("job.xlsx", ContentFile(b"PK-not-really"), save=True)
    conflict = IdentityConflict.objects.create(
        project=city.project, person=manager.person, offered_name="冒名者", offered_by=users["other_contractor"]
    )
    wage_account_open(
        user=users["contractor"],
        project=city.project,
        bank="建设银行",
        account_name="宁波海曙建工集团有限公司",
        number="33101995301050012345",
        opened_on=dt.date(2026, 9, 1),
    )
    labour_deposit_record(
        user=users["contractor"],
        project=city.project,
        paid_on=dt.date(2026, 10, 8),
        amount="80000",
        first_month=dt.date(2026, 10, 1),
        last_month=dt.date(2026, 10, 1),
    )
    sheet = wage_sheet_prepare(
        user=users["subcontractor"],
        project=city.project,
        employer=city.subcontractor,
        month=dt.date(2026, 10, 1),
        lines=[
            LineInput(
                person=worker.person, due="5200", paid="5200", paid_on=dt.date(2026, 11, 10), card="6222021234567890128"
            )
        ],
    )
    contract = labour_contract_record(
        user=users["contractor"],
        engagement=manager,
        code="HT-2026-001",
        signed_on=dt.date(2026, 8, 28),
        period="fixed_term",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 8, 31),
        pay_unit="month",
        unit_price="18000",
        scan=PDF,
        scan_name="劳动合同.pdf",
    )
    exit_settlement_record(
        user=users["contractor"],
        engagement=manager,
        workload="项目管理12个月",
        amount="18000",
        settled_on=dt.date(2026, 11, 1),
        worker_confirmed=True,
        scan=PDF,
        scan_name="退场确认书.pdf",
    )
    complaint = complaint_file(
        project=city.project,
        form=ComplaintForm(
            kind="wages",
            text="班组三个月工资未发",
            enterprise_id=city.subcontractor.pk,
            photos=(Photo("现场.png", PNG),),
        ),
        source="board",
        address="203.0.113.1",
    )
    receiver = Receiver(
        region=city.city,
        name="浙江省建筑工人管理服务信息平台",
        level="provincial",
        url="http://127.0.0.1:9/api",
        appid="a",
    )
    receiver.set_secret("24484b262dd63dd584902a266bdbdca0")
    receiver.save()
    refused = OutboxItem.objects.create(
        receiver=receiver,
        kind="worker",
        rank=4,
        key=str(manager.pk),
        project=city.project,
        state="failed",
        due_at=timezone.now(),
        done_at=timezone.now(),
        message="-1 idCardNumber解密失败，请检查加密方式与密钥",
    )
    return World(
        permit_no=city.project.permit_no,
        manager_engagement=manager.pk,
        worker_engagement=worker.pk,
        manager_person=manager.person_id,
        request=request.pk,
        attachment=attachment.pk,
        serial=gate.serial,
        alert=alert.pk,
        inspection=inspection.pk,
        case=case.pk,
        measure=measure.pk,
        document=document.pk,
        reply=reply.pk,
        campaign=campaign.pk,
        draw=draw.pk,
        job=str(job.pk),
        conflict=conflict.pk,
        contractor_uscc=city.contractor.uscc,
        submission=submission.pk,
        punch=punch.pk,
        policy=Policy.objects.create(district=city.city, name="宁波市考核口径", preset="ningbo_2023", in_force=True).pk,
        wage_sheet=sheet.pk,
        contract=contract.pk,
        wage_line=sheet.lines.get().pk,
        board_token=board_issue(user=users["contractor"], project=city.project).token,
        complaint=complaint.pk,
        complaint_photo=complaint.photos.get().pk,
        receiver=receiver.pk,
        outbox_item=refused.pk,
    )
