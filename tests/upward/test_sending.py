"""Upward data (issue 29) through the real client to the simulated receiver over HTTP: a project's records go up in
the receiver's order and each kind is accepted with the ID numbers encrypted as the standard asks; a wrong secret
or cipher fails with the receiver's message; an outage loses nothing and sends nothing twice; a record refused for
a rule fails with its reason while the rest go on; two workers sending at once keep the order."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from projects.services.people import engagement_create
from smz_platform.common.national import Cipher
from tests.factories import engage, id_number, person
from upward.models import OutboxItem, OutboxState
from upward.records import project_records
from upward.sending import outbox_send
from upward.services import outbox_resend, outbox_write

pytestmark = pytest.mark.django_db

WORKER, MANAGER, LEAVER = id_number(seq=101), id_number(seq=102), id_number(seq=103)


@pytest.fixture
def site(city):
    """Haishu's project with a rebar team of two (one has left) and its project manager."""
    engage(city.project, city.subcontractor, who=person(WORKER, "张钢筋"), team="钢筋班", trade="020")
    engage(
        city.project,
        city.subcontractor,
        who=person(LEAVER, "李离场"),
        team="钢筋班",
        trade="020",
        exited_on=dt.date(2026, 10, 15),
    )
    engage(city.project, city.contractor, who=person(MANAGER, "王经理"), category="manager", position="project_manager")
    return city


def states(receiver) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in OutboxItem.objects.filter(receiver=receiver).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def first_call(simulated, method: str) -> int:
    return [m for m, _appid in simulated.store.calls].index(method)


def test_a_project_goes_up_in_the_receivers_order_and_every_kind_is_accepted(site, receiver, simulated):
    written = outbox_write(project=site.project, items=project_records(site.project))
    assert written == 4 + 1 + 4 + 2 + 3 + 4  # firms, project, participants, teams, workers, 3 entries and 1 exit
    done = outbox_send(receiver=receiver)
    assert states(receiver) == {OutboxState.ACCEPTED: written} and done.accepted == written
    store = simulated.store
    # The firms the project names (a device vendor has no national participant type: not reported).
    assert set(store.corps) == {site.contractor.uscc, site.subcontractor.uscc, site.supervisor.uscc, site.owner.uscc}
    (project,) = store.projects.values()
    assert project["builderLicenses"] == [{"builderLicenseNum": site.project.permit_no}]
    assert project["areaCode"] == "330203" and project["contractorCorpCode"] == site.contractor.uscc
    assert {p["corpType"] for p in store.participants} == {"009", "001", "007", "008"}
    assert sorted(t["teamName"] for t in store.teams.values()) == ["管理人员", "钢筋班"]
    # The receiver decrypted the ID numbers it was sent: they were encrypted with its secret, as it expects.
    workers = {number: w for (_code, number), w in store.workers.items()}
    assert set(workers) == {WORKER, MANAGER, LEAVER}
    assert workers[MANAGER]["workRole"] == "10" and workers[WORKER]["workType"] == "020"
    assert sorted((m["idCardNumber"], m["type"]) for m in store.movements) == sorted(
        [(WORKER, 1), (MANAGER, 1), (LEAVER, 1), (LEAVER, 0)]
    )
    order = ["Corp.Upload", "Project.Add", "Team.Add", "ProjectWorker.Add", "WorkerEntryExit.Add"]
    assert [first_call(simulated, m) for m in order] == sorted(first_call(simulated, m) for m in order)
    # What the receiver assigned is kept: the project's code and the teams' numbers.
    project_item = OutboxItem.objects.get(receiver=receiver, kind="project")
    assert project_item.reference == project["projectCode"]
    assert {int(i.reference) for i in OutboxItem.objects.filter(kind="team")} == set(store.teams)
    # Sent once: a second round sends nothing, and writing the project again writes nothing new.
    assert outbox_send(receiver=receiver).calls == 0
    assert outbox_write(project=site.project, items=project_records(site.project)) == 0


def test_a_registration_writes_its_records_in_its_own_transaction(site, receiver, simulated):
    outbox_write(project=site.project, items=project_records(site.project))
    outbox_send(receiver=receiver)
    number = id_number(seq=104)
    with pytest.raises(RuntimeError), transaction.atomic():
        engagement_create(
            user=site.users["contractor"],
            project=site.project,
            employer=site.subcontractor,
            id_number=number,
            name="赵回滚",
            category="worker",
            team="钢筋班",
            trade="020",
            entered_on=dt.date(2026, 11, 2),
        )
        raise RuntimeError("the registration fails after its insert")
    assert not OutboxItem.objects.filter(state=OutboxState.PENDING).exists()  # rolled back with it
    result = engagement_create(
        user=site.users["contractor"],
        project=site.project,
        employer=site.subcontractor,
        id_number=number,
        name="赵新人",
        category="worker",
        team="钢筋班",
        trade="020",
        entered_on=dt.date(2026, 11, 2),
    )
    pending = set(OutboxItem.objects.filter(state=OutboxState.PENDING).values_list("kind", "key"))
    assert pending == {("worker", str(result.engagement.pk)), ("entry_exit", f"in:{result.engagement.pk}")}
    outbox_send(receiver=receiver)
    assert any(number == n for (_code, n) in simulated.store.workers)
    assert states(receiver) == {OutboxState.ACCEPTED: 18 + 2}


def test_a_wrong_secret_fails_with_the_receivers_message_and_a_resend_after_the_fix_goes_up(site, receiver, simulated):
    receiver.set_secret("0" * 32)
    receiver.save()
    outbox_write(project=site.project, items=project_records(site.project))
    outbox_send(receiver=receiver)
    failed = OutboxItem.objects.filter(receiver=receiver, state=OutboxState.FAILED)
    assert failed.exists() and {i.message for i in failed} == {"-2 签名验证失败"}
    assert not simulated.store.corps
    receiver.set_secret("24484b262dd63dd584902a266bdbdca0")
    receiver.save()
    outbox_resend(user=site.users["city"], receiver=receiver, project=site.project)
    outbox_send(receiver=receiver)
    assert OutboxItem.objects.filter(receiver=receiver, state=OutboxState.ACCEPTED).count() == 18
    assert len(simulated.store.workers) == 3


def test_a_cipher_the_receiver_does_not_use_fails_the_records_that_carry_an_id_number(site, receiver, simulated):
    simulated.cipher = Cipher.AES128_HEAD  # the province decrypts with its variant; the city encrypts AES-256
    outbox_write(project=site.project, items=project_records(site.project))
    outbox_send(receiver=receiver)
    workers = OutboxItem.objects.filter(receiver=receiver, kind="worker")
    assert {(i.state, i.message) for i in workers} == {
        (OutboxState.FAILED, "-1 idCardNumber解密失败，请检查加密方式与密钥")
    }
    assert OutboxItem.objects.get(receiver=receiver, kind="project").state == OutboxState.ACCEPTED
    entries = OutboxItem.objects.filter(receiver=receiver, kind="entry_exit")
    assert {i.state for i in entries} == {OutboxState.PENDING}  # waiting for their workers, saying so
    assert all(i.message.startswith("等待前序记录被接收平台接收") for i in entries)


def test_an_outage_of_several_minutes_loses_nothing_and_sends_nothing_twice(site, receiver, simulated):
    outbox_write(project=site.project, items=project_records(site.project))
    simulated.mode = "drop"  # the receiver takes the request and never answers
    start = timezone.now()
    with time_machine.travel(start, tick=True) as clock:
        done = outbox_send(receiver=receiver)
        assert done.retried > 0 and done.accepted == 0
        waiting = OutboxItem.objects.filter(receiver=receiver, state=OutboxState.PENDING)
        assert waiting.count() == 18 and all(i.message.startswith("接收平台无应答") for i in waiting if i.attempts)
        for minute in range(1, 6):  # five minutes of outage: each round backs off further
            clock.move_to(start + dt.timedelta(minutes=minute))
            outbox_send(receiver=receiver)
        assert not simulated.store.corps and OutboxItem.objects.filter(state=OutboxState.PENDING).count() == 18
        simulated.mode = "normal"
        clock.move_to(start + dt.timedelta(hours=2))  # past the longest backoff
        outbox_send(receiver=receiver)
    assert states(receiver) == {OutboxState.ACCEPTED: 18}
    store = simulated.store
    assert len(store.workers) == 3 and len(store.movements) == 4 and len(store.teams) == 2
    assert sum(1 for m, _a in store.calls if m == "Project.Add") == 1


def test_a_record_refused_for_a_rule_fails_with_its_reason_while_the_rest_go_on(site, receiver, simulated):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    engage(
        site.project,
        site.subcontractor,
        who=person(id_number(seq=105), "钱未来"),
        team="钢筋班",
        trade="020",
        entered_on=tomorrow,
    )  # a date written into the future
    outbox_write(project=site.project, items=project_records(site.project))
    outbox_send(receiver=receiver)
    failed = OutboxItem.objects.get(receiver=receiver, state=OutboxState.FAILED)
    assert failed.kind == "entry_exit" and failed.message == f"进退场日期不能晚于当前日期：{tomorrow.isoformat()}"
    assert OutboxItem.objects.filter(receiver=receiver, state=OutboxState.ACCEPTED).count() == 19
    assert len(simulated.store.movements) == 4


def test_the_rate_limit_delays_and_loses_nothing(site, receiver, simulated):
    simulated.calls_per_minute = 3
    outbox_write(project=site.project, items=project_records(site.project))
    start = timezone.now()
    with time_machine.travel(start, tick=True) as clock:
        outbox_send(receiver=receiver)
        limited = OutboxItem.objects.filter(receiver=receiver, state=OutboxState.PENDING, message__contains="限流")
        assert limited.exists()
        simulated.calls_per_minute = 600
        for minute in range(1, 40):
            clock.move_to(start + dt.timedelta(minutes=minute * 10))
            outbox_send(receiver=receiver)
            if states(receiver) == {OutboxState.ACCEPTED: 18}:
                break
    assert states(receiver) == {OutboxState.ACCEPTED: 18}
    assert len(simulated.store.workers) == 3 and len(simulated.store.corps) == 4


def test_the_receivers_calls_a_minute_are_shared_by_every_round_so_it_never_has_to_refuse(site, receiver, simulated):
    """Two rounds in one minute (two workers, or the beat's next run) share the receiver's 4 calls a minute: the
    first spends them and stops, the second makes no call at all, and the receiver never answers -5."""
    receiver.calls_per_minute = simulated.calls_per_minute = 4
    receiver.save(update_fields=["calls_per_minute"])
    outbox_write(project=site.project, items=project_records(site.project))
    first = outbox_send(receiver=receiver, budget_seconds=1)
    # Half a minute on (the records' clock; the window is kept on Redis's), the first round's serials are any
    # round's to poll: the second finds the minute spent.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        second = outbox_send(receiver=receiver, budget_seconds=1)
    assert first.calls + first.polled == 4 and first.paced
    assert (second.calls, second.polled, second.paced) == (0, 0, True)
    assert not OutboxItem.objects.filter(receiver=receiver, message__contains="限流").exists()
    assert OutboxItem.objects.filter(receiver=receiver, state=OutboxState.PENDING).exists()  # waiting, not lost


# serialized_rollback: the national code tables the migrations load survive an earlier transactional test's flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sending_at_once_keep_the_order_and_send_each_record_once(site, receiver, simulated):
    for seq in range(110, 150):
        engage(site.project, site.subcontractor, who=person(id_number(seq=seq), "并发工"), team=f"班组{seq % 4}")
    written = outbox_write(project=site.project, items=project_records(site.project))
    errors = []

    def work() -> None:
        try:
            for _round in range(8):
                outbox_send(receiver=receiver, budget_seconds=20)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # A worker before his team would be refused by the receiver ("班组…不存在"): none was.
    waiting = set(OutboxItem.objects.exclude(state=OutboxState.ACCEPTED).values_list("state", "message"))
    assert states(receiver) == {OutboxState.ACCEPTED: written}, waiting
    store = simulated.store
    assert len(store.workers) == 43 and len(store.movements) == 44 and len(store.teams) == 6
    assert sum(1 for m, _a in store.calls if m == "Team.Add") == 6


def test_the_send_command_runs_a_round_and_says_what_it_did(site, receiver, simulated):
    outbox_write(project=site.project, items=project_records(site.project))
    out = io.StringIO()
    call_command("upward_send", stdout=out)
    assert f"{receiver.name}: " in out.getvalue() and "18 accepted, 0 refused" in out.getvalue()


def test_a_project_with_its_own_credentials_is_signed_and_encrypted_with_them(site, receiver, simulated):
    """Some provinces issue an appid and secret per project: the city enters them on the receiver's admin page
    (the secret write-only), and that project's records, its firms' included, go with them alone."""
    project_appid, project_secret = "33020320261101001", "9f86d081884c7d659a2feaa0c55ad015"
    simulated.credentials = {project_appid: project_secret}  # the receiver knows only the project's credential
    admin = Client()
    admin.force_login(site.users["city"])
    page = admin.get(f"/admin/upward/receiver/{receiver.pk}/change/")
    assert page.status_code == 200 and "credentials-TOTAL_FORMS" in page.content.decode()
    form = {
        "region": receiver.region_id,
        "name": receiver.name,
        "level": receiver.level,
        "url": receiver.url,
        "appid": receiver.appid,
        "cipher": receiver.cipher,
        "version": receiver.version,
        "batch_size": receiver.batch_size,
        "calls_per_minute": receiver.calls_per_minute,
        "timeout_seconds": receiver.timeout_seconds,
        "enabled": "on",
        "credentials-TOTAL_FORMS": "1",
        "credentials-INITIAL_FORMS": "0",
        "credentials-MIN_NUM_FORMS": "0",
        "credentials-MAX_NUM_FORMS": "1000",
        "credentials-0-project": site.project.pk,
        "credentials-0-appid": project_appid,
        "credentials-0-secret": "",
    }
    refused = admin.post(f"/admin/upward/receiver/{receiver.pk}/change/", form)
    assert refused.status_code == 200 and "新增项目凭证须填写接收平台签发的应用密钥" in refused.content.decode()
    assert not receiver.credentials.exists()
    saved = admin.post(
        f"/admin/upward/receiver/{receiver.pk}/change/", {**form, "credentials-0-secret": project_secret}
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    (credential,) = receiver.credentials.all()
    assert credential.reveal_secret() == project_secret and project_secret not in credential.secret_encrypted

    written = outbox_write(project=site.project, items=project_records(site.project))
    done = outbox_send(receiver=receiver)
    assert done.accepted == written and done.failed == 0
    assert {appid for _method, appid in simulated.store.calls} == {project_appid}
    # The ID numbers were encrypted with the project's secret: the receiver decrypted them with it.
    assert {number for (_code, number) in simulated.store.workers} == {WORKER, MANAGER, LEAVER}


def test_a_serial_the_receiver_no_longer_knows_fails_its_records_rather_than_sending_them_twice(
    site, receiver, simulated
):
    """The receiver restarted and lost its serials: whether it took the records is unknown. They are failed with its
    words (never sent again on the sender's own), and the city's resend sends them."""
    simulated.processing_seconds = 60  # the answers are not ready when first asked
    written = outbox_write(project=site.project, items=project_records(site.project))
    outbox_send(receiver=receiver)
    sent = dict(OutboxItem.objects.filter(receiver=receiver, state=OutboxState.SENT).values_list("pk", "serial"))
    assert len(sent) == 4  # the project's four firms, one call each, awaiting their answers
    simulated.jobs.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):  # the beat's next round
        outbox_send(receiver=receiver)
    for item in OutboxItem.objects.filter(pk__in=sent):
        assert item.state == OutboxState.FAILED
        assert item.message == f"查询流水号{sent[item.pk]}被接收平台拒绝：-1 requestSerialCode不存在"
    assert OutboxItem.objects.filter(receiver=receiver, state=OutboxState.ACCEPTED).count() == 0
    simulated.processing_seconds = 0
    outbox_resend(user=site.users["city"], receiver=receiver, project=site.project)
    outbox_send(receiver=receiver)
    assert OutboxItem.objects.filter(receiver=receiver, state=OutboxState.ACCEPTED).count() == written


def test_a_claims_workers_and_entries_are_prepared_in_the_same_queries_however_many(site):
    """A project's registration sends its workers by the hundred: their records are prepared with one read of the
    engagements, not one a worker (a round of 500 workers was 1,000 queries)."""
    from django.test.utils import CaptureQueriesContext

    from upward.records import codes_read_once, engagement_records
    from upward.sending import _prepared

    def prepared_queries() -> tuple[int, int]:
        items = [
            OutboxItem(pk=n, kind=kind, key=key)
            for n, (kind, key) in enumerate(
                (kind, key)
                for engagement in site.project.engagements.all()
                for kind, key in engagement_records(engagement)
                if kind in ("worker", "entry_exit")
            )
        ]
        with CaptureQueriesContext(connection) as captured, codes_read_once():  # as a round reads them
            prepared = _prepared(items)
        assert all(prepared.values()), prepared
        return len(captured), len(items)

    few, items = prepared_queries()
    for seq in range(110, 114):
        engage(site.project, site.subcontractor, who=person(id_number(seq=seq), "新工人"), team="钢筋班", trade="020")
    many, more_items = prepared_queries()
    assert more_items == items + 8 and many == few, (few, many)
