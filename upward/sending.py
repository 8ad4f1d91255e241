"""Sending the outbox to a receiver, in its order, and reading its asynchronous answers.

- **Claim**: due pending items are taken `FOR UPDATE SKIP LOCKED` and marked being sent, lowest rank first, so
  two workers never send one item; an item whose prerequisites the receiver has not accepted yet (a worker
  before his team's number) is left for a later round, which is how the order holds under any concurrency.
- **Call**: records of one method, project and team go in one call, up to the receiver's batch size. The
  receiver's serial is kept; a refusal of the call (bad signature, a field it cannot decrypt) fails its records
  with the receiver's message; a rate limit (`-5`) or no answer puts them back, due after a backoff that
  doubles (30 s up to an hour): nothing is lost, and nothing the receiver took is sent again.
- **Poll**: each serial is asked until its status is 20 (the records accepted, their receiver ids kept, the
  refused ones among them failed with the receiver's message) or 10 (all refused).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from upward import records
from upward.client import RATE_LIMITED, NationalClient, Refused, Unreachable
from upward.models import OPEN_STATES, OutboxItem, OutboxState, ProjectCredential, Receiver, RecordKind
from upward.pacing import call_slot_take
from upward.records import Record

CLAIM = 2000  # items looked at per round
ANOTHERS_SERIAL = dt.timedelta(seconds=30)  # polled by any round once its writer had this long to poll it
STALE_CALL = dt.timedelta(minutes=10)  # an item left "being sent" by a worker that died
BACKOFF_FIRST, BACKOFF_MAX = 30, 3600
WAITING = "等待前序记录被接收平台接收"
GONE = "记录已不存在，未上报"


@dataclass
class Round:
    """What one run of the sender did (the task logs it; the tests read it)."""

    calls: int = 0
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    retried: int = 0
    polled: int = 0
    paced: bool = False  # the receiver's calls a minute were spent before the round's time
    serials: set[str] = field(default_factory=set)  # written by this round (it polls them first)
    messages: list[str] = field(default_factory=list)


def client_of(receiver: Receiver) -> NationalClient:
    return NationalClient(
        url=receiver.url,
        appid=receiver.appid,
        secret=receiver.reveal_secret(),
        cipher=receiver.cipher,
        version=receiver.version,
        timeout=receiver.timeout_seconds,
    )


class Clients:
    """A round's clients of one receiver: a project's own credentials where the receiver issued them (they sign
    and encrypt that project's records, and ask after their serials), the receiver's for every other record."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.credentials = {c.project_id: c for c in ProjectCredential.objects.filter(receiver=receiver)}
        self._made: dict[int | None, NationalClient] = {}

    def __call__(self, project_id: int | None) -> NationalClient:
        credential = self.credentials.get(project_id) if project_id is not None else None
        key = credential.pk if credential is not None else None
        if key not in self._made:
            client = client_of(self.receiver)
            if credential is not None:
                client = NationalClient(
                    url=self.receiver.url,
                    appid=credential.appid,
                    secret=credential.reveal_secret(),
                    cipher=self.receiver.cipher,
                    version=self.receiver.version,
                    timeout=self.receiver.timeout_seconds,
                )
            self._made[key] = client
        return self._made[key]


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def _known(receiver: Receiver, needed: set[Record]) -> tuple[dict[Record, str], set[Record]]:
    """Of the needed records: the receiver's ids of those it accepted ("" where it assigned none), and those still
    on their way (open items)."""
    if not needed:
        return {}, set()
    rows = OutboxItem.objects.filter(receiver=receiver, key__in={key for _kind, key in needed}).values_list(
        "kind", "key", "state", "reference"
    )
    accepted, open_ = {}, set()
    for kind, key, state, reference in rows:
        if (kind, key) not in needed:
            continue
        if state == OutboxState.ACCEPTED:
            accepted[(kind, key)] = reference
        elif state in OPEN_STATES:
            open_.add((kind, key))
    return accepted, open_


def _release_stale(receiver: Receiver) -> None:
    OutboxItem.objects.filter(
        receiver=receiver, state=OutboxState.CALLING, sent_at__lt=timezone.now() - STALE_CALL
    ).update(state=OutboxState.PENDING)


def outbox_send(*, receiver: Receiver, budget_seconds: float = 50.0) -> Round:
    """Sends what is due and ready and polls what awaits an answer, again while that moves records on (a team
    accepted lets its workers go) and the round's time and the receiver's calls a minute allow."""
    done = Round()
    deadline = time.monotonic() + budget_seconds
    _release_stale(receiver)
    clients = Clients(receiver)
    while True:
        batches = _claim(receiver, clients)
        for batch in batches:
            if done.paced or not _slot(receiver, deadline):
                done.paced = True  # the receiver's minute is full until the round's end: the rest waits for the next
                _put_back(batch.items, due=timezone.now())
                continue
            _call(clients(batch.items[0].project_id), receiver, batch, done)
        accepted_before = done.accepted + done.failed
        _poll(clients, receiver, done, deadline)
        moved = done.accepted + done.failed > accepted_before
        if not (batches or moved) or done.paced or time.monotonic() >= deadline:
            break
    return done


def _slot(receiver: Receiver, deadline: float) -> bool:
    """A call's place in the receiver's minute, shared with every other sender (upward.pacing)."""
    return call_slot_take(receiver_id=receiver.pk, limit=receiver.calls_per_minute, deadline=deadline)


@dataclass
class Batch:
    method: str
    group_key: str
    items: list[OutboxItem]
    parts: list[dict]
    references: dict[Record, str]


def _claim(receiver: Receiver, clients: Clients) -> list[Batch]:
    """Takes the due items whose prerequisites are accepted, builds their payloads and marks them being sent."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            OutboxItem.objects.select_for_update(skip_locked=True)
            .filter(receiver=receiver, state=OutboxState.PENDING, due_at__lte=now)
            .order_by("rank", "pk")[:CLAIM]
        )
        if not due:
            return []
        with records.codes_read_once():
            prepared = _prepared(due)
        ready_ones = [p for p in prepared.values() if isinstance(p, records.Prepared)]
        needed = {need for p in ready_ones for need in p.needs}
        for p in ready_ones:
            needed.update(records.list_needs(*p.group))
        accepted, on_their_way = _known(receiver, needed)
        groups: dict[tuple, list[Batch]] = defaultdict(list)
        taken: list[int] = []
        left: dict[str, list[int]] = defaultdict(list)  # not reported, by the reason said on the page
        for item in due:
            ready = prepared[item.pk]
            if ready is None or isinstance(ready, str):
                # The record no longer exists (a project deleted), or exists but is not the receiver's to know.
                left[ready or GONE].append(item.pk)
                continue
            missing = [need for need in (*ready.needs, *records.list_needs(*ready.group)) if need not in accepted]
            if missing:
                # Its prerequisites on their way: taken again once they are accepted (this round's poll). Refused
                # or never written: looked at again in a minute, saying what it waits for.
                if not all(need in on_their_way for need in missing):
                    OutboxItem.objects.filter(pk=item.pk).update(
                        message=f"{WAITING}：{'、'.join(f'{RecordKind(k).label} {v}' for k, v in missing)}"[:500],
                        due_at=now + dt.timedelta(minutes=1),
                    )
                continue
            batches = groups[ready.group]
            if not batches or len(batches[-1].items) >= receiver.batch_size:
                batches.append(Batch(ready.group[0], ready.group[1], [], [], accepted))
            batches[-1].items.append(item)
            batches[-1].parts.append(ready.build(accepted, clients(item.project_id).encrypt))
            taken.append(item.pk)
        OutboxItem.objects.filter(pk__in=taken).update(state=OutboxState.CALLING, sent_at=now)
        for reason, pks in left.items():
            OutboxItem.objects.filter(pk__in=pks).update(state=OutboxState.WITHHELD, message=reason, done_at=now)
    return [batch for batches in groups.values() for batch in batches]


def _prepared(due: list[OutboxItem]) -> dict[int, records.Prepared | str | None]:
    """Each item's record, built by the kind's own function: one record at a time, or the whole claim's records of
    a kind at once where the kind comes by the thousand (attendance)."""
    prepared: dict[int, records.Prepared | str | None] = {}
    by_kind: dict[str, list[OutboxItem]] = defaultdict(list)
    for item in due:
        by_kind[item.kind].append(item)
    for kind, items in by_kind.items():
        if kind in records.PREPARE_MANY:
            many = records.PREPARE_MANY[kind]([item.key for item in items])
            prepared |= {item.pk: many.get(item.key) for item in items}
        else:
            prepared |= {item.pk: records.PREPARE[kind](item.key) for item in items}
    return prepared


def _put_back(items: list[OutboxItem], *, due: dt.datetime, message: str = "", attempt: bool = False) -> None:
    for item in items:
        item.attempts += 1 if attempt else 0
    for attempts in {i.attempts for i in items}:
        OutboxItem.objects.filter(pk__in=[i.pk for i in items if i.attempts == attempts]).update(
            state=OutboxState.PENDING,
            attempts=attempts,
            due_at=due + (_backoff(attempts) if attempt else dt.timedelta(0)),
            message=message,
        )


def _call(client: NationalClient, receiver: Receiver, batch: Batch, done: Round) -> None:
    data = records.call_data(batch.method, batch.group_key, batch.parts, batch.references)
    done.calls += 1
    now = timezone.now()
    try:
        serial = client.write(batch.method, data)
    except Unreachable as exc:
        _put_back(batch.items, due=now, message=f"接收平台无应答，稍后重试：{exc}"[:500], attempt=True)
        done.retried += len(batch.items)
        return
    except Refused as refused:
        if refused.code == RATE_LIMITED:
            _put_back(batch.items, due=now, message=f"接收平台限流，稍后重试：{refused.message}"[:500], attempt=True)
            done.retried += len(batch.items)
            return
        OutboxItem.objects.filter(pk__in=[i.pk for i in batch.items]).update(
            state=OutboxState.FAILED, message=f"{refused.code} {refused.message}"[:500], done_at=now
        )
        done.failed += len(batch.items)
        done.messages.append(refused.message)
        return
    # A record's place in its call (the receiver's per-record answers count from 0) is its rank by id among the
    # serial's items: a batch is built in id order.
    OutboxItem.objects.filter(pk__in=[i.pk for i in batch.items]).update(
        state=OutboxState.SENT, serial=serial, sent_at=now, message=""
    )
    done.sent += len(batch.items)
    done.serials.add(serial)


def _poll(clients: Clients, receiver: Receiver, done: Round, deadline: float) -> None:
    waiting: dict[str, list[OutboxItem]] = defaultdict(list)
    # A round polls the serials it wrote itself, and another's only once that one had time to (a worker that
    # died leaves its serials to the others): two workers asking the receiver twice would spend its calls twice.
    sent = OutboxItem.objects.filter(
        Q(serial__in=done.serials) | Q(sent_at__lt=timezone.now() - ANOTHERS_SERIAL),
        receiver=receiver,
        state=OutboxState.SENT,
    ).only("pk", "serial", "project_id")
    for item in sent.order_by("pk"):
        waiting[item.serial].append(item)
    for serial, items in waiting.items():
        if done.paced or not _slot(receiver, deadline):
            done.paced = True
            return
        try:
            result = clients(items[0].project_id).result(serial)  # asked with the credentials that sent it
        except Unreachable:
            continue  # asked again next round
        except Refused as refusal:
            if refusal.code == RATE_LIMITED:
                continue
            # The receiver will not say what became of the call (it lost the serial, or no longer takes our
            # credentials): whether it took the records is unknown, so they are not sent again on our own. They
            # are failed with its words, and the city's 重发 sends them once the cause is known.
            OutboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
                state=OutboxState.FAILED,
                message=f"查询流水号{serial}被接收平台拒绝：{refusal.code} {refusal.message}"[:500],
                done_at=timezone.now(),
            )
            done.failed += len(items)
            continue
        done.polled += 1
        now = timezone.now()
        if result.status == 10:
            OutboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
                state=OutboxState.FAILED, message=result.result[:500], done_at=now
            )
            done.failed += len(items)
            continue
        if result.status != 20:
            continue
        try:
            answer = json.loads(result.result) if result.result else {}
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        refused = {
            int(f.get("index", -1)): str(f.get("message", ""))
            for f in answer.get("failures") or []
            if isinstance(f, dict)
        }
        reference = str(answer.get("projectCode") or answer.get("teamSysNo") or answer.get("payrollCode") or "")
        with transaction.atomic():
            for position, item in enumerate(items):
                if position in refused:
                    OutboxItem.objects.filter(pk=item.pk).update(
                        state=OutboxState.FAILED, message=refused[position][:500], done_at=now
                    )
            accepted = [item.pk for position, item in enumerate(items) if position not in refused]
            OutboxItem.objects.filter(pk__in=accepted).update(
                state=OutboxState.ACCEPTED, reference=reference, message="", done_at=now
            )
            done.failed += len(items) - len(accepted)
            done.accepted += len(accepted)
