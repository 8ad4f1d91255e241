"""Background workbooks (a city-wide Annex 1 over a long period)."""

from __future__ import annotations

from celery import shared_task

from reports.services import report_job_run


@shared_task(acks_late=True)
def generate_report_task(job_id: str) -> str | None:
    job = report_job_run(job_id=job_id)
    return job.state if job else None
