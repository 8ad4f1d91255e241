"""Writes of the reports app: the workbooks as files (a report's bytes, name and how many records it
carries, for the audit log), the background jobs for the long ones, and 报送: the districts' drafts,
their submission as frozen, signed-off snapshots, and corrections as new versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import STANDING
from inspections.models import Campaign, CampaignPhaseDates, Case
from projects.choices import RegionLevel
from projects.models import Project, Region, User
from projects.scope import scope_of
from projects.scope.accounts import district_signers
from projects.scope.areas import first_city
from reports import selectors
from reports.annex1 import measure_name
from reports.models import DUE_AT_END_OF, ReportJob, ReportJobState, Submission, SubmissionKind, SubmissionState
from reports.workbooks.annex1 import annex1_workbook
from reports.workbooks.monthly import (
    Header,
    annex2_workbook,
    circular_workbook,
    ledger_workbook,
    presence_workbook,
)
from smz_platform.common.dates import period_text
from smz_platform.common.errors import Conflict

logger = logging.getLogger("smz.reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Report:
    filename: str
    content: bytes
    records: int
    what: str
    project_permit_no: str = ""

    @property
    def content_disposition(self) -> str:
        return f"attachment; filename*=UTF-8''{quote(self.filename)}"


def city_region() -> Region:
    """The platform's first city (a one-city deployment's only one)."""
    return first_city()


def _header(user: User | None, unit: str) -> Header:
    reporter, phone = selectors.reporter_of(user)
    return Header(
        unit=unit, reporter=reporter, phone=phone, filled_on=timezone.localdate(), generated_at=timezone.localtime()
    )


def _scope(district: Region | None, city: Region | None = None) -> tuple[list[Region], str, str]:
    city = city or city_region()
    if district is not None:
        return [district], selectors.bureau(district), district.name
    return list(Region.objects.filter(parent=city).order_by("code")), selectors.bureau(city), city.name


def annex1_report(
    *,
    user: User,
    district: Region | None,
    start: dt.date,
    end: dt.date,
    districts: list[Region] | None = None,
    city: Region | None = None,
) -> Report:
    city = city or (district.parent if district else city_region())
    assert city is not None  # a district has its city; city_region() is the deployment's
    book = selectors.annex1_book(user=user, city=city, district=district, start=start, end=end, districts=districts)
    where = district.name if district else (city.name if city != city_region() or _cities() > 1 else "全市")
    return Report(
        f"附件1_实名制管理专项整治行动查处情况统计表_{where}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        annex1_workbook(book),
        len(book.projects),
        f"下载附件1（{where}，{period_text(start, end)}）",
    )


def _cities() -> int:
    return Region.objects.filter(level=RegionLevel.CITY).count()


def annex1_province_report(*, user: User, province: Region, start: dt.date, end: dt.date) -> Report:
    """The province's Annex 1: a sheet per city and the province's total (selectors.annex1_province_book)."""
    book = selectors.annex1_province_book(user=user, province=province, start=start, end=end)
    return Report(
        f"附件1_实名制管理专项整治行动查处情况统计表_{province.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        annex1_workbook(book),
        len(book.projects),
        f"下载附件1（{province.name}，{period_text(start, end)}）",
    )


def annex2_report(*, user: User, case: Case) -> Report:
    dossier = selectors.case_dossier(case=case)
    content = annex2_workbook(
        header=_header(user, dossier.unit),
        case_title=dossier.title,
        blocks=(dossier.project_info, dossier.behaviour, dossier.measures),
    )
    return Report(
        f"附件2_实名制管理负面典型案例_{case.project.permit_no}_{case.pk}.xlsx",
        content,
        1,
        f"下载附件2（案件{case.pk}）",
        case.project.permit_no,
    )


def manager_presence_report(
    *, user: User, district: Region | None, month: dt.date, city: Region | None = None, province: Region | None = None
) -> Report:
    if province is not None:
        raise ValidationError({"city": [_("The monthly manager presence report is a city's: name the city.")]})
    districts, unit, where = _scope(district, city)
    rows = selectors.manager_rows(districts=districts, month=month)
    content = presence_workbook(header=_header(user, unit), month=month, rows=rows)
    return Report(
        f"管理人员月度考勤_{where}_{month:%Y%m}.xlsx",
        content,
        len(rows),
        f"下载管理人员月度考勤表（{where}，{month.year}年{month.month}月）",
    )


def circular_report(
    *, user: User, district: Region | None, month: dt.date, city: Region | None = None, province: Region | None = None
) -> Report:
    """The monthly circular of a district, a city, or a province (a sheet per city and the summary)."""
    names = [measure_name(k) for k in selectors.CIRCULAR_MEASURES]
    if province is not None:
        rows, cities, named = selectors.circular_province_rows(province=province, month=month)
        content = circular_workbook(
            header=_header(user, selectors.bureau(province)),
            month=month,
            rows=rows,
            named=named,
            measure_names=names,
            cities=cities,
        )
        return Report(
            f"实名制管理月度通报_{province.name}_{month:%Y%m}.xlsx",
            content,
            len(named),
            f"下载月度通报（{province.name}，{month.year}年{month.month}月）",
        )
    districts, unit, where = _scope(district, city)
    rows, named = selectors.circular_rows(districts=districts, month=month)
    content = circular_workbook(header=_header(user, unit), month=month, rows=rows, named=named, measure_names=names)
    return Report(
        f"实名制管理月度通报_{where}_{month:%Y%m}.xlsx",
        content,
        len(named),
        f"下载月度通报（{where}，{month.year}年{month.month}月）",
    )


def ledger_report(*, user: User, project: Project, months: list[dt.date]) -> Report:
    people = selectors.ledger_rows(project=project, months=months)
    content = ledger_workbook(
        header=_header(user, selectors.bureau(project.district)),
        project_name=project.name,
        permit_no=project.permit_no,
        months=months,
        people=people,
    )
    return Report(
        f"实名制管理台账_{project.permit_no}_{months[0]:%Y%m}-{months[-1]:%Y%m}.xlsx",
        content,
        len(people),
        f"下载实名制管理台账（{project.permit_no}）",
        project.permit_no,
    )


def report_job_run(*, job_id: str) -> ReportJob | None:
    """Generate a queued job's workbook; a job taken by another worker first is left alone."""
    if ReportJob.objects.filter(pk=job_id, state=ReportJobState.PENDING).update(state=ReportJobState.RUNNING) != 1:
        return None
    job = ReportJob.objects.select_related("user").get(pk=job_id)
    try:
        params = job.params
        district = Region.objects.get(code=params["district"]) if params.get("district") else None
        city = Region.objects.get(code=params["city"]) if params.get("city") else None
        districts = (
            list(Region.objects.filter(code__in=params["districts"]).order_by("code"))
            if params.get("districts")
            else None
        )
        report = annex1_report(
            user=job.user,
            district=district,
            start=dt.date.fromisoformat(params["from"]),
            end=dt.date.fromisoformat(params["to"]),
            districts=districts,
            city=city,
        )
    except Exception as exc:  # the job records the failure for its status page; the worker stays up
        logger.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            state=ReportJobState.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return ReportJob.objects.get(pk=job_id)
    job.file.save(f"{job.pk}.xlsx", ContentFile(report.content), save=False)
    ReportJob.objects.filter(pk=job_id).update(
        state=ReportJobState.DONE, file=job.file.name, filename=report.filename, finished_at=timezone.now()
    )
    return ReportJob.objects.get(pk=job_id)


# --- 报送: what the districts file to the city ------------------------------------------------------

# How long after its phase ended the nightly job still prepares a missing Annex 1 draft (a missed night).
CATCH_UP_DAYS = 30


def submission_deadline(*, campaign: Campaign, kind: str) -> dt.date:
    return campaign.phases.get(phase=DUE_AT_END_OF[kind]).ends_on


def _require_district_staff(user: User, district: Region) -> None:
    scope = scope_of(user)
    scope.require("file_reports")
    scope.authorize(district, "file_reports")


def _render(
    *, kind: str, campaign: Campaign, district: Region, case: Case | None, user: User | None, today: dt.date
) -> tuple[str, bytes, dict, dt.date, dt.date]:
    """The workbook of the moment, with the figures it shows (for the city's view and the audit)."""
    if kind == SubmissionKind.ANNEX1:
        start = campaign.starts_on
        end = max(start, min(submission_deadline(campaign=campaign, kind=kind), today))
        book = selectors.annex1_book(user=user, city=city_region(), district=district, start=start, end=end)
        figures = {"rows": list(book.sheets[0].counts), "projects": len(book.projects)}
        name = f"附件1_实名制管理专项整治行动查处情况统计表_{district.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        return name, annex1_workbook(book), figures, start, end
    assert case is not None  # an Annex 2 is of a case (submission_draft_prepare refuses one without)
    dossier = selectors.case_dossier(case=case)
    content = annex2_workbook(
        header=_header(user, dossier.unit),
        case_title=dossier.title,
        blocks=(dossier.project_info, dossier.behaviour, dossier.measures),
    )
    figures = {
        "title": case.title,
        "project": case.project.name,
        "permit_no": case.project.permit_no,
        "measures": case.measures.filter(state__in=STANDING).count(),
    }
    name = f"附件2_实名制管理负面典型案例_{case.project.permit_no}_{case.pk}.xlsx"
    return name, content, figures, campaign.starts_on, submission_deadline(campaign=campaign, kind=kind)


def submission_prepare(
    *, user: User | None, campaign: Campaign, district: Region, kind: str, case: Case | None = None
) -> Submission:
    """Prepare the district's draft from the data of the moment: the one draft is prepared again, or a
    new version is started (after a submission, it is the correction's draft). `user` None: the
    nightly job, which signs the workbook with the district's first staff account."""
    if kind not in SubmissionKind.values:
        raise ValidationError({"kind": [_("Unknown report.")]})
    if user is not None:
        _require_district_staff(user, district)
    if not campaign.districts.filter(pk=district.pk).exists():
        raise ValidationError({"campaign": [_("The district does not take part in this campaign.")]})
    if (kind == SubmissionKind.ANNEX2) != (case is not None):
        raise ValidationError({"case": [_("A typical case is filed with Annex 2, and only with it.")]})
    if case is not None and case.project.district_id != district.pk:
        raise ValidationError({"case": [_("The case is not one of the district's.")]})
    signer = user or district_signers(district).first()
    now = timezone.now()
    name, content, figures, start, end = _render(
        kind=kind, campaign=campaign, district=district, case=case, user=signer, today=timezone.localdate()
    )
    deadline = submission_deadline(campaign=campaign, kind=kind)
    fields = {
        "period_start": start,
        "period_end": end,
        "deadline": deadline,
        "filename": name[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
        "figures": figures,
        "prepared_at": now,
        "prepared_by": user,
    }
    same = Submission.objects.filter(campaign=campaign, district=district, kind=kind, case=case)
    try:
        with transaction.atomic():
            draft = same.select_for_update(of=("self",)).filter(state=SubmissionState.DRAFT).order_by("pk").first()
            if draft is None:
                latest = same.order_by("-version").values_list("version", flat=True).first() or 0
                draft = Submission(campaign=campaign, district=district, kind=kind, case=case, version=latest + 1)
            for field, value in fields.items():
                setattr(draft, field, value)
            draft.file.save(
                f"{campaign.pk}-{district.code}-{kind}-{draft.version}.xlsx", ContentFile(content), save=False
            )
            draft.save()
    except IntegrityError as exc:  # another prepared the same draft at the same moment
        raise Conflict("state", _("Another draft was prepared at the same moment; reload the page.")) from exc
    return draft


def _signature(submission: Submission) -> str:
    # Signed when submitted: both are set together by submission_submit.
    assert submission.submitted_by is not None and submission.submitted_at is not None
    signed = f"{submission.pk}|{submission.sha256}|{submission.submitted_by.username}|"
    return signing.Signer(salt="reports.submission").signature(signed + submission.submitted_at.isoformat())


def submission_submit(*, user: User, submission: Submission, sha256: str, note: str = "") -> Submission:
    """报送: the draft the reviewer saw (named by its SHA-256) is filed, signed off with who and when, and
    frozen from then on. A correction (a version after the first) says what it changes."""
    _require_district_staff(user, submission.district)
    earlier = Submission.objects.filter(
        campaign=submission.campaign_id,
        district=submission.district_id,
        kind=submission.kind,
        case=submission.case_id,
        state=SubmissionState.SUBMITTED,
    ).exists()
    if earlier and not note.strip():
        raise ValidationError({"correction_note": [_("A correction says what it corrects.")]})
    if submission.state != SubmissionState.DRAFT:
        raise Conflict("state", _("This workbook has already been submitted."))
    phase = submission.campaign.phases.get(phase=DUE_AT_END_OF[submission.kind])
    if submission.kind == SubmissionKind.ANNEX1 and timezone.localdate() < phase.starts_on:
        # Annex 1 reports the local inspection: filed before it began, it would report nothing, on time.
        raise ValidationError(
            {
                "state": [
                    _("Annex 1 is submitted once the local inspection has begun (%(day)s).")
                    % {"day": f"{phase.starts_on:%Y年%m月%d日}"}
                ]
            }
        )
    if sha256 != submission.sha256:
        raise Conflict(
            "sha256", _("The draft was prepared again after you opened it: check the new file, then submit.")
        )
    now = timezone.now()
    submission.submitted_by, submission.submitted_at = user, now
    with transaction.atomic():
        updated = Submission.objects.filter(pk=submission.pk, state=SubmissionState.DRAFT, sha256=sha256).update(
            state=SubmissionState.SUBMITTED,
            submitted_by=user,
            submitted_at=now,
            signature=_signature(submission),
            correction_note=note.strip()[:2000],
        )
        if updated != 1:
            raise Conflict("state", _("This workbook has already been submitted."))
    submission.refresh_from_db()
    return submission


def submission_intact(submission: Submission) -> bool:
    """Is the stored file the one submitted (its SHA-256), and the sign-off the platform's own?"""
    with submission.file.open("rb") as stored:
        if hashlib.sha256(stored.read()).hexdigest() != submission.sha256:
            return False
    if submission.state != SubmissionState.SUBMITTED:
        return True
    return hmac.compare_digest(submission.signature, _signature(submission))


def submission_drafts_prepare(*, today: dt.date) -> int:
    """The nightly job: on the last day of each campaign's local inspection (and for a while after, should a
    night be missed), every taking-part district that has no Annex 1 yet gets its draft to review."""
    made = 0
    phases = CampaignPhaseDates.objects.filter(
        phase=DUE_AT_END_OF[SubmissionKind.ANNEX1],
        ends_on__lte=today,
        ends_on__gte=today - dt.timedelta(days=CATCH_UP_DAYS),
    ).select_related("campaign")
    for phase in phases:
        for district in phase.campaign.districts.order_by("code"):
            if Submission.objects.filter(
                campaign=phase.campaign, district=district, kind=SubmissionKind.ANNEX1
            ).exists():
                continue
            try:
                submission_prepare(user=None, campaign=phase.campaign, district=district, kind=SubmissionKind.ANNEX1)
            except Conflict:  # prepared by its staff at the same moment
                continue
            made += 1
    return made
