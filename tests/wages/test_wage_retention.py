"""Retention (seed 003 §三(五)): the wage records of a project are kept 2 years after its completion (the
policy's years), then `manage.py wage_records_purge` lists them, and removes them only with --apply,
each project in the audit log; nothing of a project still within its years, or not completed, goes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from inspections.models import Policy
from projects.models import Project
from smz_platform.common.models import AuditEvent
from tests.wages.conftest import CARDS, CHEN, LI
from tests.wages.test_labour_contracts import body, path
from wages.models import LabourContract, WageAccount, WageLine, WageSheet

pytestmark = pytest.mark.django_db


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("wage_records_purge", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def completed(october, settings):
    """Haishu's site: October's sheet and a contract with its signed scan, then completed on 1 November 2026."""
    city = october
    lines = [{"id_number": n, "due": "900", "card": CARDS[n]} for n in (CHEN, LI)]
    body_ = {"project": city.project.permit_no, "employer": city.subcontractor.uscc, "month": "2026-10", "lines": lines}
    assert city.client("subcontractor").post("/api/v1/wage-sheets/", body_, format="json").status_code == 201
    worker = city.project.engagements.get(person__name="陈大勇")
    assert city.client("subcontractor").post(path(city, worker), body(), format="multipart").status_code == 201
    Project.objects.filter(pk=city.project.pk).update(status="completed", completed_on=dt.date(2026, 11, 1))
    return city


def test_kept_two_years_after_completion_then_listed_and_removed_only_with_apply(
    completed, settings, django_capture_on_commit_callbacks
):
    city = completed
    scan = Path(settings.MEDIA_ROOT, LabourContract.objects.get().file.name)
    assert scan.exists()
    with time_machine.travel(dt.datetime(2028, 11, 1, 12), tick=False):  # the anniversary: still kept
        assert "没有超过保存期限" in purge()
    with time_machine.travel(dt.datetime(2028, 11, 2, 12), tick=False):
        listed = purge()
        assert city.project.permit_no in listed and "保存至 2028-11-01" in listed, listed
        assert "工资支付表 1" in listed and "工资明细 2" in listed and "劳动合同 1" in listed
        assert "未做任何删除" in listed
        assert WageLine.objects.count() == 2 and LabourContract.objects.count() == 1 and scan.exists()
        with django_capture_on_commit_callbacks(execute=True):  # the scans go once the removal is committed
            done = purge("--apply", "--operator", "档案管理员")
    assert "已删除" in done
    assert not WageSheet.objects.exists() and not WageLine.objects.exists() and not LabourContract.objects.exists()
    assert not scan.exists()  # the encrypted scan goes with its record
    event = AuditEvent.objects.get(action="purge")
    assert event.username == "档案管理员" and event.project_permit_no == city.project.permit_no
    assert event.record_count == 4


def test_the_policys_years_decide_and_an_active_project_is_never_purged(completed):
    city = completed
    Policy.objects.filter(district__isnull=True).update(wage_retention_years=3)
    with time_machine.travel(dt.datetime(2028, 11, 2, 12), tick=False):
        assert "没有超过保存期限" in purge("--apply")
    assert WageLine.objects.count() == 2
    Policy.objects.filter(district__isnull=True).update(wage_retention_years=2)
    Project.objects.filter(pk=city.project.pk).update(status="active", completed_on=None)
    WageAccount.objects.all().delete()
    with time_machine.travel(dt.datetime(2030, 1, 1, 12), tick=False):
        assert "没有超过保存期限" in purge("--apply")
    assert WageLine.objects.count() == 2 and LabourContract.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"), [(["--date", "2026-13-01"], "is not a date"), (["--date", "2099-01-01"], "in the future")]
)
def test_a_bad_date_is_refused_and_nothing_is_removed(completed, args, message):
    with pytest.raises(CommandError, match=message):
        purge("--apply", *args)
    assert WageLine.objects.count() == 2
