"""The escalation ladder (吉建管〔2021〕6号 附件1): an overdue order whose rule still fires proposes the next
measures; one whose rule stopped firing closes. Run by calling the nightly task and the service."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from devices.services import device_register
from inspections.engine import rules_run
from inspections.models import Alert, CaseEvent, CreditRecord, Measure
from inspections.services.cases import case_open
from inspections.services.escalation import measures_escalate
from inspections.services.measures import MeasureIn, measure_issue
from inspections.tasks import escalate_overdue_measures_task
from tests.factories import engage, person

pytestmark = pytest.mark.django_db


def _order(city, *, basis: str, deadline: dt.date, issued_on: dt.date):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False):
        alerts = list(Alert.objects.filter(project=city.project, rule=basis).values_list("pk", flat=True))
        case = case_open(user=city.users["haishu"], project=city.project, title=f"{basis} 整改", alert_ids=alerts)
        return measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(kind="rectification", issued_on=issued_on, basis=basis, deadline=deadline),
        )


@pytest.fixture
def manager(city):
    return engage(city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager")


def test_an_overdue_order_whose_rule_still_fires_proposes_the_next_measures(city, manager):
    rules_run(day=dt.date(2026, 11, 24))  # R01: no device on the site
    order = _order(city, basis="R01", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 11, 26))
    rules_run(day=dt.date(2026, 11, 27))  # still no device after the deadline
    counts = measures_escalate(today=dt.date(2026, 11, 28))
    assert (counts.escalated, counts.proposed, counts.closed) == (1, 2, 0)
    order.refresh_from_db()
    assert order.state == "escalated"
    proposals = {m.kind: m for m in Measure.objects.filter(escalated_from=order)}
    assert set(proposals) == {"penalty", "credit"}  # 吉建管〔2021〕6号 附件1第1项
    assert all(m.state == "proposed" and m.basis == "R01" for m in proposals.values())
    assert proposals["penalty"].target_enterprise == city.contractor
    assert proposals["penalty"].target_person == manager.person
    assert proposals["penalty"].fine_yuan == 50_000  # article 55: 50,000 to 100,000 yuan
    # Proposals are the regulators' business until confirmed; a second night proposes nothing new.
    assert measures_escalate(today=dt.date(2026, 11, 29)).proposed == 0
    contractor_view = city.client("contractor").get("/api/v1/measures/").json()
    assert [m["state"] for m in contractor_view["results"]] == ["escalated"]
    assert list(CaseEvent.objects.filter(measure=order, action="measure_escalated").values_list("by", flat=True)) == [
        None
    ]


def test_staff_confirm_a_proposal_and_it_stands(city, manager):
    rules_run(day=dt.date(2026, 11, 24))
    order = _order(city, basis="R01", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 11, 26))
    rules_run(day=dt.date(2026, 11, 27))
    measures_escalate(today=dt.date(2026, 11, 28))
    credit = Measure.objects.get(escalated_from=order, kind="credit")
    with time_machine.travel("2026-11-28 09:00 +0800", tick=False):
        response = city.client("haishu").post(
            f"/api/v1/measures/{credit.pk}/confirm/", {"document_no": "海建罚〔2026〕3号"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["issued_on"]) == ("issued", "2026-11-28")
    assert {(r.enterprise_id, r.person_id, r.points) for r in CreditRecord.objects.filter(measure=credit)} == {
        (city.contractor.pk, None, 5),
        (None, manager.person_id, 5),
    }
    with time_machine.travel("2026-11-28 09:00 +0800", tick=False):
        again = city.client("haishu").post(f"/api/v1/measures/{credit.pk}/confirm/", {}, format="json")
    assert again.status_code == 409


def test_an_overdue_order_whose_rule_stopped_firing_closes(city):
    rules_run(day=dt.date(2026, 11, 24))
    order = _order(city, basis="R01", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 11, 26))
    device_register(
        user=city.users["contractor"],
        project=city.project,
        serial="HS-GATE-09",
        vendor=city.vendor,
        model="FaceGate-3",
        kind="gate",
        connection="direct",
        location="entrance",
    )
    rules_run(day=dt.date(2026, 11, 27))
    counts = measures_escalate(today=dt.date(2026, 11, 28))
    assert (counts.escalated, counts.closed, counts.proposed) == (0, 1, 0)
    order.refresh_from_db()
    assert order.state == "closed" and order.closed_at is not None
    assert not Measure.objects.filter(escalated_from=order).exists()


def test_an_order_not_yet_due_or_answered_is_left_alone(city):
    rules_run(day=dt.date(2026, 11, 24))
    order = _order(city, basis="R01", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 11, 30))
    assert measures_escalate(today=dt.date(2026, 11, 28)).escalated == 0
    city.client("contractor").post(f"/api/v1/measures/{order.pk}/replies/", {"text": "已安装"}, format="json")
    assert measures_escalate(today=dt.date(2026, 12, 5)).escalated == 0
    order.refresh_from_db()
    assert order.state == "answered"  # the regulators review the answer first


def test_a_monthly_rule_waits_for_the_first_whole_month_after_the_deadline(city, manager):
    # 吉建管〔2021〕6号 附件1 item 2, "限期整改后，考勤仍不足": judged on the first whole month after the
    # deadline (December for a deadline of 10 November), once the night has judged that month.
    order = _order(city, basis="R11", issued_on=dt.date(2026, 11, 3), deadline=dt.date(2026, 11, 10))
    assert measures_escalate(today=dt.date(2026, 11, 20)).waiting == 1
    rules_run(day=dt.date(2026, 11, 30))  # November (partly before the deadline) is not the month judged
    assert measures_escalate(today=dt.date(2026, 12, 1)).waiting == 1
    order.refresh_from_db()
    assert order.state == "issued"
    rules_run(day=dt.date(2026, 12, 31))  # the project manager never punched in December: R11 fires
    assert measures_escalate(today=dt.date(2027, 1, 1)).escalated == 1
    proposals = {m.kind: m for m in Measure.objects.filter(escalated_from=order)}
    assert set(proposals) == {"penalty", "credit"}
    # The project manager's item: the penalty and the bad-conduct record fall on the project manager.
    assert {(m.target_person, m.target_enterprise) for m in proposals.values()} == {(manager.person, None)}


def test_a_stop_work_order_and_a_supervision_notice_climb_their_own_ladders(city):
    rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False):
        case = case_open(user=city.users["haishu"], project=city.project, title="未落实实名制")
        notice = measure_issue(
            user=city.users["supervisor"],
            case=case,
            data=MeasureIn(
                kind="supervision_notice", issued_on=dt.date(2026, 11, 24), basis="R01", deadline=dt.date(2026, 11, 25)
            ),
        )
    rules_run(day=dt.date(2026, 11, 26))
    measures_escalate(today=dt.date(2026, 11, 27))
    (proposal,) = Measure.objects.filter(escalated_from=notice)
    assert (proposal.kind, proposal.deadline, proposal.issuing_body) == (
        "rectification",
        dt.date(2026, 12, 4),
        "海曙区住房和城乡建设局",
    )  # 鄂建文〔2019〕27号 一(六): reported to the regulator


def test_the_nightly_task_runs_the_ladder_and_is_scheduled_after_the_rules(city):
    rules_run(day=dt.date(2026, 11, 24))
    _order(city, basis="R01", issued_on=dt.date(2026, 11, 24), deadline=dt.date(2026, 11, 26))
    rules_run(day=dt.date(2026, 11, 27))
    assert escalate_overdue_measures_task("2026-11-28") == {"escalated": 1, "closed": 0, "proposed": 2, "waiting": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["escalate-overdue-measures"]
    rules = settings.CELERY_BEAT_SCHEDULE["run-rules-nightly"]["schedule"]
    assert entry["task"] == "inspections.tasks.escalate_overdue_measures_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert min(entry["schedule"].hour) > min(rules.hour)
