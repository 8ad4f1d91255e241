"""Writes of the reports app: the workbooks as files (a report's bytes, name and how many records it
carries, for the audit log), and the background jobs for the long ones."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.utils import timezone

from inspections.models import Case
from projects.choices import RegionLevel
from projects.models import Project, Region, User
from reports import selectors
from reports.annex1 import measure_name
from reports.models import ReportJob, ReportJobState
from reports.workbooks.annex1 import annex1_workbook
from reports.workbooks.monthly import (
    Header,
    annex2_workbook,
    circular_workbook,
    ledger_workbook,
    presence_workbook,
)

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
    return Region.objects.filter(level=RegionLevel.CITY).order_by("code").first()


def _header(user: User, unit: str) -> Header:
    reporter, phone = selectors.reporter_of(user)
    return Header(unit=unit, reporter=reporter, phone=phone, filled_on=timezone.localdate(),
                  generated_at=timezone.localtime())  # fmt: skip


def _scope(district: Region | None) -> tuple[list[Region], str, str]:
    city = city_region()
    if district is not None:
        return [district], selectors.bureau(district), district.name
    return list(Region.objects.filter(parent=city).order_by("code")), selectors.bureau(city), city.name


def annex1_report(*, user: User, district: Region | None, start: dt.date, end: dt.date,
                  districts: list[Region] | None = None) -> Report:  # fmt: skip
    book = selectors.annex1_book(user=user, city=city_region(), district=district, start=start, end=end,
                                 districts=districts)  # fmt: skip
    where = district.name if district else "全市"
    return Report(f"附件1_实名制管理专项整治行动查处情况统计表_{where}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
                  annex1_workbook(book), len(book.projects),
                  f"下载附件1（{where}，{start}至{end}）")  # fmt: skip


def annex2_report(*, user: User, case: Case) -> Report:
    dossier = selectors.case_dossier(case=case)
    content = annex2_workbook(header=_header(user, dossier.unit), case_title=dossier.title,
                              blocks=(dossier.project_info, dossier.behaviour, dossier.measures))  # fmt: skip
    return Report(f"附件2_实名制管理负面典型案例_{case.project.permit_no}_{case.pk}.xlsx", content, 1,
                  f"下载附件2（案件{case.pk}）", case.project.permit_no)  # fmt: skip


def manager_presence_report(*, user: User, district: Region | None, month: dt.date) -> Report:
    districts, unit, where = _scope(district)
    rows = selectors.manager_rows(districts=districts, month=month)
    content = presence_workbook(header=_header(user, unit), month=month, rows=rows)
    return Report(f"管理人员月度考勤_{where}_{month:%Y%m}.xlsx", content, len(rows),
                  f"下载管理人员月度考勤表（{where}，{month.year}年{month.month}月）")  # fmt: skip


def circular_report(*, user: User, district: Region | None, month: dt.date) -> Report:
    districts, unit, where = _scope(district)
    rows, named = selectors.circular_rows(districts=districts, month=month)
    content = circular_workbook(header=_header(user, unit), month=month, rows=rows, named=named,
                                measure_names=[measure_name(k) for k in selectors.CIRCULAR_MEASURES])  # fmt: skip
    return Report(f"实名制管理月度通报_{where}_{month:%Y%m}.xlsx", content, len(named),
                  f"下载月度通报（{where}，{month.year}年{month.month}月）")  # fmt: skip


def ledger_report(*, user: User, project: Project, months: list[dt.date]) -> Report:
    people = selectors.ledger_rows(project=project, months=months)
    content = ledger_workbook(header=_header(user, selectors.bureau(project.district)), project_name=project.name,
                              permit_no=project.permit_no, months=months, people=people)  # fmt: skip
    return Report(f"实名制管理台账_{project.permit_no}_{months[0]:%Y%m}-{months[-1]:%Y%m}.xlsx", content, len(people),
                  f"下载实名制管理台账（{project.permit_no}）", project.permit_no)  # fmt: skip


def report_job_start(*, user: User, kind: str, params: dict) -> ReportJob:
    from reports.tasks import generate_report_task

    job = ReportJob.objects.create(kind=kind, params=params, user=user)
    generate_report_task.delay(str(job.pk))
    job.refresh_from_db()
    return job


def report_job_run(*, job_id: str) -> ReportJob | None:
    """Generate a queued job's workbook; a job taken by another worker first is left alone."""
    if ReportJob.objects.filter(pk=job_id, state=ReportJobState.PENDING).update(state=ReportJobState.RUNNING) != 1:
        return None
    job = ReportJob.objects.select_related("user").get(pk=job_id)
    try:
        params = job.params
        district = Region.objects.get(code=params["district"]) if params.get("district") else None
        districts = list(Region.objects.filter(code__in=params["districts"]).order_by("code")) \
            if params.get("districts") else None  # fmt: skip
        report = annex1_report(user=job.user, district=district, start=dt.date.fromisoformat(params["from"]),
                               end=dt.date.fromisoformat(params["to"]), districts=districts)  # fmt: skip
    except Exception as exc:  # the job records the failure for its status page; the worker stays up
        logger.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(state=ReportJobState.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())  # fmt: skip
        return ReportJob.objects.get(pk=job_id)
    job.file.save(f"{job.pk}.xlsx", ContentFile(report.content), save=False)
    ReportJob.objects.filter(pk=job_id).update(state=ReportJobState.DONE, file=job.file.name,
                                               filename=report.filename, finished_at=timezone.now())  # fmt: skip
    return ReportJob.objects.get(pk=job_id)
