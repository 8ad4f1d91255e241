"""Background workbooks (a city-wide Annex 1 over a long period)."""

from __future__ import annotations

from celery import shared_task

from reports.services import report_job_run
from smz_platform.common.beat import OncePerSlot


@shared_task(acks_late=True)
def generate_report_task(job_id: str) -> str | None:
    job = report_job_run(job_id=job_id)
    return job.state if job else None


@shared_task(base=OncePerSlot, acks_late=True)
def refresh_province_overviews_task() -> int:
    """Each province's overview figures, counted and kept for its page (every minute; a one-city
    deployment has none). Returns the provinces counted."""
    from django.utils import timezone

    from projects.choices import RegionLevel
    from projects.models import Region
    from reports.dashboard.selectors import overview_refresh, province_districts

    provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE))
    for province in provinces:
        overview_refresh(districts=province_districts(province), today=timezone.localdate())
    return len(provinces)


@shared_task(base=OncePerSlot, acks_late=True)
def dashboard_roll_up_task(day: str | None = None) -> int:
    """Yesterday's (or `day`'s) figures per district for the dashboard's trends."""
    import datetime as dt

    from django.utils import timezone

    from reports.dashboard.rollup import district_days_roll_up

    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    return district_days_roll_up(day=target)


@shared_task(base=OncePerSlot, acks_late=True)
def prepare_submission_drafts_task(day: str | None = None) -> int:
    """报送: the Annex 1 drafts of the districts whose campaign's local inspection ends today (or ended
    lately and they have none yet), for their staff to review and submit."""
    import datetime as dt

    from django.utils import timezone

    from reports.services import submission_drafts_prepare

    return submission_drafts_prepare(today=dt.date.fromisoformat(day) if day else timezone.localdate())
