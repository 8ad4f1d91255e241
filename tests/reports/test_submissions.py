"""报送 (issue 15): on the last day of a campaign's local inspection the night prepares each district's
Annex 1 draft; district staff submit it and it is frozen as filed; a correction is a new version that
keeps the old one; the city sees per district on time, late or missing; nobody files for another."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, transaction

from inspections.choices import MeasureKind
from inspections.services.cases import case_open
from inspections.services.measures import MeasureIn, measure_issue
from reports.models import Submission
from reports.tasks import prepare_submission_drafts_task
from smz_platform.common import pii
from smz_platform.common.models import AuditEvent
from tests.dashboard.pages import signed_in, text
from tests.factories import november_campaign

pytestmark = pytest.mark.django_db


def on(day: str, hour: int = 10):
    return time_machine.travel(f"{day} {hour:02d}:00 +0800", tick=False)


@pytest.fixture
def campaign(city):
    """A campaign over November 2026 whose local inspection ends on 25 November (the Annex 1 deadline)."""
    with on("2026-11-01"):
        return november_campaign(city)


def drafts_of_the_night(day: str) -> int:
    with on(day, 4):
        return prepare_submission_drafts_task(day)


def submit(client, draft: Submission, **fields):
    data = {"sha256": draft.sha256, "confirm": "yes", **fields}
    return client.post(f"/submissions/{draft.pk}/submit/", data, follow=True, secure=True)


def test_the_beat_prepares_the_drafts_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["prepare-submission-drafts"]
    assert entry["task"] == "reports.tasks.prepare_submission_drafts_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {10})


def test_the_night_prepares_each_districts_draft_on_the_last_day_of_local_inspection(city, campaign):
    assert drafts_of_the_night("2026-11-24") == 0
    assert drafts_of_the_night("2026-11-25") == 2
    assert drafts_of_the_night("2026-11-26") == 0  # once: the next nights find the drafts there
    drafts = list(Submission.objects.order_by("district__code"))
    assert [(d.district, d.state, d.version, d.deadline) for d in drafts] == [
        (city.haishu, "draft", 1, dt.date(2026, 11, 25)),
        (city.jiangbei, "draft", 1, dt.date(2026, 11, 25)),
    ]
    assert drafts[0].figures["rows"][0] == 1  # Haishu's one project under construction (row 1)
    with drafts[0].file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == drafts[0].sha256


def test_a_district_submits_its_draft_and_the_city_sees_it_on_time(city, campaign):
    drafts_of_the_night("2026-11-25")
    draft = Submission.objects.get(district=city.haishu)
    with on("2026-11-25", 16):
        haishu = signed_in(city, "haishu")
        page = text(haishu.get("/submissions/", secure=True))
        assert "待报送" in page and "报送至市住建局" in page and "江北区" not in page
        # 报送 cannot be taken back: without the box ticked nothing is filed, and the page says why.
        unticked = text(submit(haishu, draft, confirm=""))
        assert "未报送" in unticked and "勾选" in unticked
        assert Submission.objects.get(pk=draft.pk).state == "draft"
        assert "已报送至市住建局" in text(submit(haishu, draft))
        city_page = text(signed_in(city, "city").get("/submissions/", secure=True))
    draft.refresh_from_db()
    assert (draft.state, draft.submitted_by, draft.signature != "") == ("submitted", city.users["haishu"], True)
    assert "按时报送" in city_page and "待报送" in city_page  # Haishu on time; Jiangbei's still open today
    assert " ".join(city_page.split()).count("在建项目数 1") == 1  # Haishu's filed figures, not Jiangbei's draft
    jiangbei_draft = Submission.objects.get(district=city.jiangbei)
    with on("2026-11-25", 16):
        assert signed_in(city, "city").get(f"/submissions/{jiangbei_draft.pk}/download", secure=True).status_code == 404
        assert (
            signed_in(city, "jiangbei").get(f"/submissions/{jiangbei_draft.pk}/download", secure=True).status_code
            == 200
        )
    download = signed_in(city, "city").get(f"/submissions/{draft.pk}/download", secure=True)
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == draft.sha256
    assert AuditEvent.objects.filter(username="city", action="export", what__contains="报送").count() == 1
    with on("2026-11-26"):
        assert "未报送（已逾期）" in text(signed_in(city, "city").get("/submissions/", secure=True))


def filed_by_haishu(city) -> Submission:
    """The night's drafts, and Haishu's submitted on the afternoon of its deadline."""
    drafts_of_the_night("2026-11-25")
    draft = Submission.objects.get(district=city.haishu)
    with on("2026-11-25", 16):
        submit(signed_in(city, "haishu"), draft)
    draft.refresh_from_db()
    return draft


def test_a_submitted_workbook_is_frozen_and_a_correction_is_a_new_version(city, campaign):
    first = filed_by_haishu(city)
    filed = (first.sha256, first.figures, first.file.name)
    # Later data: a stop-work order in Haishu. The filed workbook does not move.
    with on("2026-11-27"):
        haishu = signed_in(city, "haishu")
        case = case_open(user=city.users["haishu"], project=city.project, title="考勤数据造假")
        measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind=MeasureKind.STOP_WORK, issued_on=dt.date(2026, 11, 20), basis="R07", deadline=dt.date(2026, 12, 5)
            ),
        )
        again = haishu.post(
            "/submissions/prepare/", {"kind": "annex1", "campaign": campaign.pk}, follow=True, secure=True
        )
        assert "草稿已生成" in text(again)
        correction = Submission.objects.get(district=city.haishu, state="draft")
        assert correction.version == 2 and correction.figures["rows"][4] == 1  # row 5: stop-work orders
        assert "更正" in text(submit(haishu, correction))  # a correction says what it corrects
        correction.refresh_from_db()
        assert correction.state == "draft"
        submit(haishu, correction, correction_note="补报11月20日责令停工整改1项")
    first.refresh_from_db()
    correction.refresh_from_db()
    assert (first.sha256, first.figures, first.file.name) == filed and first.state == "submitted"
    assert correction.state == "submitted"
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=first.pk).update(figures={"rows": [0] * 9})
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=first.pk).delete()
    with on("2026-11-27", 12):
        page = text(signed_in(city, "city").get("/submissions/", secure=True))
    assert "按时报送" in page  # the first filing was on time; a later correction does not make it late
    assert "第2版" in page and "版本1" in page and "补报11月20日责令停工整改1项" in page


def test_a_late_filing_shows_late_and_a_stale_draft_is_not_submitted(city, campaign):
    drafts_of_the_night("2026-11-25")
    draft = Submission.objects.get(district=city.jiangbei)
    with on("2026-11-28"):
        jiangbei = signed_in(city, "jiangbei")
        stale = submit(jiangbei, draft, sha256="0" * 64)
        assert "重新生成" in text(stale)
        draft.refresh_from_db()
        assert draft.state == "draft"
        submit(jiangbei, draft)
        page = text(signed_in(city, "city").get("/submissions/", secure=True))
    assert "逾期报送" in page


def test_nobody_files_or_reads_another_districts_reports(city, campaign):
    drafts_of_the_night("2026-11-25")
    draft = Submission.objects.get(district=city.haishu)
    with on("2026-11-25", 16):
        assert submit(signed_in(city, "jiangbei"), draft).status_code == 404
        # The city receives what districts file, and never reads a district's draft: not there for it.
        assert submit(signed_in(city, "city"), draft).status_code == 404
        assert signed_in(city, "jiangbei").get(f"/submissions/{draft.pk}/download", secure=True).status_code == 404
        assert signed_in(city, "contractor").get("/submissions/", secure=True).status_code == 403
        prepared = signed_in(city, "city").post(
            "/submissions/prepare/", {"kind": "annex1", "campaign": campaign.pk}, secure=True
        )
        assert prepared.status_code == 403
    draft.refresh_from_db()
    assert draft.state == "draft" and Submission.objects.count() == 2


def test_a_typical_case_is_filed_with_annex_2_by_its_own_district_only(city, campaign):
    with on("2026-11-27"):
        case = case_open(user=city.users["haishu"], project=city.project, title="借用他人身份考勤")
        refused = signed_in(city, "jiangbei").post(
            "/submissions/prepare/",
            {"kind": "annex2", "campaign": campaign.pk, "case": case.pk},
            follow=True,
            secure=True,
        )
        assert "本区县的案件" in text(refused) and not Submission.objects.exists()
        haishu = signed_in(city, "haishu")
        haishu.post("/submissions/prepare/", {"kind": "annex2", "campaign": campaign.pk, "case": case.pk}, secure=True)
        typical = Submission.objects.get(kind="annex2")
        assert (typical.case, typical.deadline, typical.figures["title"]) == (
            case,
            dt.date(2026, 12, 31),
            "借用他人身份考勤",
        )
        submit(haishu, typical)
        page = text(signed_in(city, "city").get("/submissions/", secure=True))
    assert "借用他人身份考勤" in page and "按时报送" in page


def test_a_file_changed_on_disk_after_submission_is_not_served(city, campaign):
    draft = filed_by_haishu(city)
    with on("2026-11-25", 16):
        draft.file.storage.write_raw(draft.file.name, pii.file_encrypt(b"PK\x03\x04 another workbook"))
        answer = signed_in(city, "city").get(f"/submissions/{draft.pk}/download", secure=True)
    assert answer.status_code == 409 and "不一致" in text(answer)


def test_annex_1_is_not_filed_before_the_local_inspection_has_begun(city, campaign):
    with on("2026-11-05"):
        haishu = signed_in(city, "haishu")
        haishu.post("/submissions/prepare/", {"kind": "annex1", "campaign": campaign.pk}, secure=True)
        draft = Submission.objects.get()
        assert draft.period_end == dt.date(2026, 11, 5)
        refused = text(submit(haishu, draft))
        assert "检查阶段开始（2026年11月10日）后方可报送" in refused
        assert "统计期间2026年11月1日至2026年11月5日" in refused
    draft.refresh_from_db()
    assert draft.state == "draft"
