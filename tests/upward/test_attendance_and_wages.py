"""Attendance, labour contracts and payrolls upward (issue 29), through the real client to the simulated receiver:
attendance goes up once the night has judged it, and only what counts (a back-filled punch the night found false
never reaches the province as the platform's word); a contract follows its worker, a payroll the bank's results."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from tests.wages.conftest import CARDS, CHEN, LI, NAMES, ZHAO
from upward.models import OutboxItem, OutboxState, RecordKind
from upward.records import project_records
from upward.selectors import record_labels
from upward.sending import outbox_send
from upward.services import attendance_enqueue, outbox_write
from wages.services import LineInput, labour_contract_record, wage_sheet_prepare

pytestmark = pytest.mark.django_db


def chen_masked(city) -> str:
    return city.project.engagements.get(person__name=NAMES[CHEN]).person.id_number_masked


def test_attendance_goes_up_once_judged_and_only_what_counts(october, receiver, simulated):
    receiver.attendance_through = dt.date(2026, 10, 11)
    receiver.save()
    outbox_write(project=october.project, items=project_records(october.project))
    # Nights judged the 12th, 13th, 14th and 20th: 陈 three days, 李 two; 赵's punch of the 14th came on the 20th
    # and that night found it back-filled (R13), so it does not count and is not reported.
    assert attendance_enqueue(receiver=receiver) == 5
    receiver.refresh_from_db()
    assert receiver.attendance_through == dt.date(2026, 10, 20)
    assert attendance_enqueue(receiver=receiver) == 0  # a second round writes nothing twice

    done = outbox_send(receiver=receiver)
    assert done.failed == 0
    assert set(OutboxItem.objects.filter(receiver=receiver).values_list("state", flat=True)) == {OutboxState.ACCEPTED}
    received = sorted((r["idCardNumber"], r["date"]) for r in simulated.store.attendance)
    assert received == sorted(
        [(CHEN, f"2026-10-{d} 07:30:00") for d in (12, 13, 14)] + [(LI, f"2026-10-{d} 07:30:00") for d in (12, 13)]
    )
    assert ZHAO not in {number for number, _day in received}
    labels = record_labels(list(OutboxItem.objects.filter(kind=RecordKind.ATTENDANCE)))
    assert f"{chen_masked(october)} 2026-10-12 07:30" in labels.values()
    assert {(r["direction"], r["attendType"]) for r in simulated.store.attendance} == {("01", "001")}
    # The receiver's team numbers head the calls: the workers' team, which the receiver assigned.
    assert {r["teamSysNo"] for r in simulated.store.attendance} == {
        OutboxItem.objects.get(receiver=receiver, kind=RecordKind.TEAM, key__endswith=":未分班组").reference
    }


def test_a_punch_counted_after_the_workers_exit_is_not_reported_and_says_why(october, receiver, simulated):
    """李 left on the 12th (his exit recorded afterwards): his punch of the 13th still counts here, but the receiver
    knows him on the project only until his exit; the item says so in Chinese, and the rest goes up."""
    from upward.records import NOT_ENGAGED

    october.project.engagements.filter(person__name=NAMES[LI]).update(exited_on=dt.date(2026, 10, 12))
    receiver.attendance_through = dt.date(2026, 10, 11)
    receiver.save()
    outbox_write(project=october.project, items=project_records(october.project))
    assert attendance_enqueue(receiver=receiver) == 5

    done = outbox_send(receiver=receiver)
    received = sorted((r["idCardNumber"], r["date"]) for r in simulated.store.attendance)
    assert received == sorted([(CHEN, f"2026-10-{d} 07:30:00") for d in (12, 13, 14)] + [(LI, "2026-10-12 07:30:00")])
    left = OutboxItem.objects.get(kind=RecordKind.ATTENDANCE, state=OutboxState.WITHHELD)
    assert left.message == NOT_ENGAGED and "不上报" in left.message
    assert record_labels([left])[left.pk].endswith("2026-10-13 07:30")
    assert done.failed == 0  # the receiver refused nothing: the platform held it back
    assert not OutboxItem.objects.filter(state=OutboxState.FAILED).exists()

    # The city reads it as this platform's decision, never as the province's refusal.
    client = Client()
    client.force_login(october.users["city"])
    page = client.get(f"/upward/?project={october.project.permit_no}").content.decode()
    refused = page[page.index("被退回的记录") : page.index("本平台未上报的记录")]
    withheld = page[page.index("本平台未上报的记录") :]
    assert "没有被退回的记录" in refused and NOT_ENGAGED not in refused
    assert NOT_ENGAGED in withheld and "2026-10-13 07:30" in withheld and "重发" in withheld
    attendance_row = next(row for row in page.split("<tr>") if row.startswith("<th>上报记录：考勤"))
    assert attendance_row.endswith("<td>0</td><td>1</td></tr>")  # refused 0, withheld 1


def test_nights_not_complete_hold_attendance_back(october, receiver):
    receiver.attendance_through = dt.date(2026, 10, 20)  # the last complete night was the 20th
    receiver.save()
    assert attendance_enqueue(receiver=receiver) == 0
    assert not OutboxItem.objects.filter(kind=RecordKind.ATTENDANCE).exists()


def test_a_contract_follows_its_worker_and_a_payroll_the_banks_results(october, receiver, simulated):
    outbox_write(project=october.project, items=project_records(october.project))
    chen = october.project.engagements.get(person__name=NAMES[CHEN])
    li = october.project.engagements.get(person__name=NAMES[LI])
    labour_contract_record(
        user=october.users["subcontractor"],
        engagement=chen,
        code="HT-1",
        signed_on=dt.date(2026, 9, 1),
        period="fixed_term",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 8, 31),
        pay_unit="day",
        unit_price="300",
    )
    sheet = wage_sheet_prepare(
        user=october.users["subcontractor"],
        project=october.project,
        employer=october.subcontractor,
        month=dt.date(2026, 10, 1),
        lines=[
            LineInput(person=chen.person, due="900", paid="900", paid_on=dt.date(2026, 11, 10), card=CARDS[CHEN]),
            LineInput(person=li.person, due="600", paid="600", paid_on=dt.date(2026, 11, 10), card=CARDS[LI]),
        ],
    )
    assert not OutboxItem.objects.filter(kind=RecordKind.PAYROLL).exists()  # not before the bank says it paid
    upload = io.BytesIO(
        f"账号,户名,金额,状态,日期\n{CARDS[CHEN]},陈大勇,900.00,成功,2026-11-10\n{CARDS[LI]},李小军,600,失败,".encode()
    )
    upload.name = "代发结果.csv"
    answer = october.client("contractor").post(
        f"/api/v1/wage-sheets/{sheet.pk}/bank-results/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 200, answer.content

    done = outbox_send(receiver=receiver)
    assert done.failed == 0, done.messages
    (contract,) = simulated.store.contracts
    assert (contract["idCardNumber"], contract["contractPeriodType"], contract["unit"]) == (CHEN, 0, "80")
    assert (contract["startDate"], contract["endDate"], contract["unitPrice"]) == ("2026-09-01", "2027-08-31", "300.00")
    (payroll,) = simulated.store.payrolls.values()
    assert payroll["payMonth"] == "2026-10"
    lines = {line["idCardNumber"]: line for line in payroll["detailList"]}
    # The card numbers reached the receiver encrypted and were decrypted there; the amounts are the bank's.
    assert lines[CHEN]["payRollBankCardNumber"] == CARDS[CHEN] and lines[CHEN]["actualAmount"] == "900.00"
    assert (lines[LI]["totalPayAmount"], lines[LI]["actualAmount"]) == ("600.00", "0.00")  # the bank refused it
    item = OutboxItem.objects.get(receiver=receiver, kind=RecordKind.PAYROLL)
    assert item.state == OutboxState.ACCEPTED and item.reference.startswith("PR")
    # The city's page names them in words: the worker and the contract's number, the firm and the month.
    labels = record_labels(list(OutboxItem.objects.filter(kind__in=[RecordKind.CONTRACT, RecordKind.PAYROLL])))
    assert sorted(labels.values()) == sorted(
        [f"陈大勇 {chen.person.id_number_masked} HT-1", f"{october.subcontractor.name} 2026-10"]
    )
