"""Background workbooks started: a job row and its task (the task runs services.report_job_run).

Apart from reports.services so that the services never import the tasks that import them."""

from __future__ import annotations

from projects.models import User
from reports.models import ReportJob
from reports.tasks import generate_report_task


def report_job_start(*, user: User, kind: str, params: dict) -> ReportJob:
    job = ReportJob.objects.create(kind=kind, params=params, user=user)
    generate_report_task.delay(str(job.pk))
    job.refresh_from_db()
    return job
