"""Each kind of upward record: how it is named in the outbox (its key), what the receiver must have accepted
before it (its prerequisites), which method carries it, and its payload in the national standard's fields
(../shared/docs/national.md), built when it is sent from the registry as it then stands. Codes come from the
national code tables the city edits (projects.ReferenceCode.national_code), never from constants here.

Keys: a firm's credit code; a project's id; "project:enterprise:role" for a participant; "project:employer:team"
for a team; an engagement's id for a worker; "in:engagement" or "out:engagement" for an entry or exit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from attendance.models import Punch
from projects.choices import Category, CodeTable, ParticipantRole
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, ReferenceCode
from smz_platform.common import pii
from upward.models import RecordKind
from wages.choices import ContractPeriod, PayUnit
from wages.models import LabourContract, WageSheet

SHANGHAI = ZoneInfo("Asia/Shanghai")
Record = tuple[str, str]  # (kind, key)
NO_TEAM = "未分班组"  # the national Team.Add needs a name; a worker registered without one
MANAGERS_TEAM = "管理人员"
# The national Project.Add's `category`: 01 房屋建筑, 02 市政, 03 轨道交通 (the standard's project categories).
CATEGORY = {"building": "01", "municipal": "02", "rail": "03"}


def team_name(engagement: Engagement) -> str:
    if engagement.category == Category.MANAGER:
        return MANAGERS_TEAM
    return engagement.team.strip() or NO_TEAM


def team_key(engagement: Engagement) -> str:
    return f"{engagement.project_id}:{engagement.employer_id}:{team_name(engagement)}"


def project_records(project: Project) -> list[Record]:
    """A whole project, in order: its firms, itself, its participants, its teams, workers, entries and exits."""
    participants = list(ProjectParticipant.objects.filter(project=project).select_related("enterprise"))
    records: list[Record] = [(RecordKind.CORP, p.enterprise.uscc) for p in participants if reported_role(p.role)]
    records.append((RecordKind.PROJECT, str(project.pk)))
    records += [participant_record(p) for p in participants if reported_role(p.role)]
    for engagement in Engagement.objects.filter(project=project).select_related("employer").order_by("pk"):
        records += engagement_records(engagement)
    return list(dict.fromkeys(records))


def reported_role(role: str) -> bool:
    """Roles with a national participant type (a device vendor has none: it is not reported)."""
    return bool(national_codes(CodeTable.PARTICIPANT_TYPE).get(role))


def participant_record(participant: ProjectParticipant) -> Record:
    return RecordKind.PARTICIPANT, f"{participant.project_id}:{participant.enterprise_id}:{participant.role}"


def engagement_records(engagement: Engagement) -> list[Record]:
    records: list[Record] = [
        (RecordKind.CORP, engagement.employer.uscc),
        (RecordKind.TEAM, team_key(engagement)),
        (RecordKind.WORKER, str(engagement.pk)),
        (RecordKind.ENTRY_EXIT, f"in:{engagement.pk}"),
    ]
    if engagement.exited_on is not None:
        records.append((RecordKind.ENTRY_EXIT, f"out:{engagement.pk}"))
    return records


_CODES: ContextVar[dict[str, dict[str, str]] | None] = ContextVar("upward_codes", default=None)


@contextmanager
def codes_read_once():
    """Within it, each code table is read once (a claim prepares thousands of records), not once a record."""
    token = _CODES.set({})
    try:
        yield
    finally:
        _CODES.reset(token)


def national_codes(table: str) -> dict[str, str]:
    memo = _CODES.get()
    if memo is not None and table in memo:
        return memo[table]
    codes = dict(ReferenceCode.objects.filter(table=table, active=True).values_list("code", "national_code"))
    if memo is not None:
        memo[table] = codes
    return codes


# --- what a record needs first, and its payload --------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A record ready to go: the records it needs (whose receiver ids its payload reads), and how to build it."""

    needs: tuple[Record, ...]
    group: tuple  # records of one call share it (same method, project, team)
    build: Callable[[dict[Record, str], Callable[[str], str]], dict]  # (references, encrypt) -> payload part


def _area(project: Project) -> str:
    return project.district.code


def _corp(uscc: str) -> Prepared | None:
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        return None
    project = (
        Project.objects.filter(participants__enterprise=enterprise).select_related("district").order_by("pk").first()
    )

    def build(_references, _encrypt) -> dict:
        return {
            "corpCode": enterprise.uscc,
            "corpName": enterprise.name,
            "areaCode": _area(project) if project is not None else "",
        }

    return Prepared((), ("Corp.Upload", uscc), build)


def _project(key: str) -> Prepared | None:
    project = Project.objects.filter(pk=int(key)).select_related("district").first()
    if project is None:
        return None
    firms = dict(
        ProjectParticipant.objects.filter(project=project, role__in=[ParticipantRole.CONTRACTOR, ParticipantRole.OWNER])
        .order_by("pk")
        .values_list("role", "enterprise__uscc")
    )
    statuses = national_codes(CodeTable.PROJECT_STATUS)

    def build(_references, _encrypt) -> dict:
        return {
            "name": project.name,
            "category": CATEGORY.get(project.kind, "99"),
            "contractorCorpCode": firms.get(ParticipantRole.CONTRACTOR, ""),
            "buildCorpCode": firms.get(ParticipantRole.OWNER, ""),
            "areaCode": _area(project),
            "invest": str(project.contract_cost_yuan),
            "buildingArea": str(project.building_area_m2),
            "startDate": (project.actual_start or project.planned_start).isoformat(),
            "completeDate": project.completed_on.isoformat() if project.completed_on else "",
            "prjStatus": statuses.get(project.status, ""),
            "lng": project.lon,
            "lat": project.lat,
            "builderLicenses": [{"builderLicenseNum": project.permit_no}],
        }

    return Prepared(tuple((RecordKind.CORP, uscc) for uscc in firms.values()), ("Project.Add", key), build)


def _participant(key: str) -> Prepared | None:
    project_id, enterprise_id, role = key.split(":", 2)
    participant = (
        ProjectParticipant.objects.filter(project_id=project_id, enterprise_id=enterprise_id, role=role)
        .select_related("enterprise", "project")
        .first()
    )
    if participant is None:
        return None
    types = national_codes(CodeTable.PARTICIPANT_TYPE)
    needs = ((RecordKind.PROJECT, project_id), (RecordKind.CORP, participant.enterprise.uscc))

    def build(references, _encrypt) -> dict:
        return {
            "projectCode": references[needs[0]],
            "corpCode": participant.enterprise.uscc,
            "corpName": participant.enterprise.name,
            "corpType": types.get(role, ""),
        }

    return Prepared(needs, ("ProjectSubContractor.Add", key), build)


def _team(key: str) -> Prepared | None:
    project_id, employer_id, name = key.split(":", 2)
    employer = Enterprise.objects.filter(pk=employer_id).first()
    if employer is None:
        return None
    needs = ((RecordKind.PROJECT, project_id), (RecordKind.CORP, employer.uscc))

    def build(references, _encrypt) -> dict:
        return {
            "projectCode": references[needs[0]],
            "corpCode": employer.uscc,
            "corpName": employer.name,
            "teamName": name,
        }

    return Prepared(needs, ("Team.Add", key), build)


def _engagements(ids: Iterable[int]) -> dict[int, Engagement]:
    """The engagements of a claim's worker or entry/exit records, with their people and employers, in one query
    (a project's registration sends them by the hundred)."""
    return {e.pk: e for e in Engagement.objects.filter(pk__in=set(ids)).select_related("person", "employer")}


def _worker_many(keys: list[str]) -> dict[str, Prepared | str | None]:
    engagements = _engagements(int(key) for key in keys)
    return {key: _worker(engagements.get(int(key))) for key in keys}


def _worker(engagement: Engagement | None) -> Prepared | None:
    if engagement is None:
        return None
    trades = national_codes(CodeTable.WORK_TYPE)
    documents = national_codes(CodeTable.ID_DOCUMENT_TYPE)
    team = (RecordKind.TEAM, team_key(engagement))
    manager = engagement.category == Category.MANAGER

    def build(_references, encrypt) -> dict:
        return {
            "workerName": engagement.person.name,
            "idCardType": documents.get("resident_id", "01"),
            "idCardNumber": encrypt(engagement.person.reveal_id_number()),
            "workType": "900" if manager else trades.get(engagement.trade, "1000"),
            "workRole": "10" if manager else "20",
            "isTeamLeader": 0,
        }

    return Prepared((team,), ("ProjectWorker.Add", team[1]), build)


def _entry_exit_many(keys: list[str]) -> dict[str, Prepared | str | None]:
    """Keys `in:<engagement>` and `out:<engagement>`."""
    split = {key: key.split(":", 1) for key in keys}
    engagements = _engagements(int(engagement_id) for _direction, engagement_id in split.values())
    return {key: _entry_exit(direction, engagements.get(int(pk))) for key, (direction, pk) in split.items()}


def _entry_exit(direction: str, engagement: Engagement | None) -> Prepared | None:
    if engagement is None or (direction == "out" and engagement.exited_on is None):
        return None
    engagement_id = str(engagement.pk)
    documents = national_codes(CodeTable.ID_DOCUMENT_TYPE)
    team = (RecordKind.TEAM, team_key(engagement))
    needs: tuple[Record, ...] = (team, (RecordKind.WORKER, engagement_id))
    if direction == "out":
        needs += ((RecordKind.ENTRY_EXIT, f"in:{engagement_id}"),)
    day = engagement.entered_on if direction == "in" else engagement.exited_on
    assert day is not None  # an exit is prepared only once recorded (above)

    def build(_references, encrypt) -> dict:
        return {
            "idCardType": documents.get("resident_id", "01"),
            "idCardNumber": encrypt(engagement.person.reveal_id_number()),
            "date": day.isoformat(),
            "type": 1 if direction == "in" else 0,
        }

    return Prepared(needs, ("WorkerEntryExit.Add", team[1]), build)


# The national WorkerContract's `unit` (计量单位) and `contractPeriodType`.
CONTRACT_UNIT = {PayUnit.DAY: "80", PayUnit.MONTH: "81", PayUnit.PIECE: "82"}
CONTRACT_PERIOD = {ContractPeriod.FIXED_TERM: 0, ContractPeriod.TASK: 1}
OTHER_METHOD = "011"  # the national attendType for a method its table has no code for


def _contract(key: str) -> Prepared | None:
    contract = (
        LabourContract.objects.filter(pk=int(key)).select_related("engagement__person", "engagement__employer").first()
    )
    if contract is None:
        return None
    engagement = contract.engagement
    documents = national_codes(CodeTable.ID_DOCUMENT_TYPE)
    needs = ((RecordKind.PROJECT, str(engagement.project_id)), (RecordKind.WORKER, str(engagement.pk)))

    def build(_references, encrypt) -> dict:
        return {
            "corpCode": engagement.employer.uscc,
            "corpName": engagement.employer.name,
            "idCardType": documents.get("resident_id", "01"),
            "idCardNumber": encrypt(engagement.person.reveal_id_number()),
            "contractPeriodType": CONTRACT_PERIOD[contract.period],
            "startDate": contract.starts_on.isoformat(),
            "endDate": contract.ends_on.isoformat() if contract.ends_on else "",
            "unit": CONTRACT_UNIT[contract.pay_unit],
            "unitPrice": str(contract.unit_price),
        }

    return Prepared(needs, ("WorkerContract.Add", str(engagement.project_id)), build)


def _payroll(key: str) -> Prepared | None:
    """A wage sheet's lines as the bank paid them (a payroll is reported once the bank's results are in)."""
    sheet = WageSheet.objects.filter(pk=int(key)).select_related("employer", "project__wage_account").first()
    if sheet is None:
        return None
    lines = list(sheet.lines.select_related("engagement", "person").order_by("pk"))
    if not lines:
        return None
    documents = national_codes(CodeTable.ID_DOCUMENT_TYPE)
    team = (RecordKind.TEAM, team_key(lines[0].engagement))
    needs = (team, *((RecordKind.WORKER, str(line.engagement_id)) for line in lines))
    account = getattr(sheet.project, "wage_account", None)

    def build(references, encrypt) -> dict:
        return {
            "projectCode": references[(RecordKind.PROJECT, str(sheet.project_id))],
            "corpCode": sheet.employer.uscc,
            "corpName": sheet.employer.name,
            "teamSysNo": references[team],
            "payMonth": f"{sheet.month:%Y-%m}",
            "detailList": [
                {
                    "idCardType": documents.get("resident_id", "01"),
                    "idCardNumber": encrypt(line.person.reveal_id_number()),
                    "days": line.attended_days,
                    "workHours": line.attended_days * 8,
                    "payRollBankCardNumber": encrypt(line.reveal_card()),
                    "payRollBankName": "",
                    "payBankCardNumber": encrypt(account.reveal_number()) if account else "",
                    "payBankName": account.bank if account else "",
                    "totalPayAmount": str(line.due),
                    # What the bank says was paid, once it said it ("paid" is the bank's word, not the sheet's).
                    "actualAmount": str(line.bank_amount if line.bank_result_at else line.paid),
                    "isBackPay": 0,
                    "balanceDate": (line.bank_paid_on or line.paid_on or sheet.month).isoformat(),
                }
                for line in lines
            ],
        }

    return Prepared(((RecordKind.PROJECT, str(sheet.project_id)), *needs), ("Payroll.Add", key), build)


# Why a record is not reported although it exists: kept as the item's message (the page shows it beside the item).
NOT_ENGAGED = "打卡当日不在该项目的进场至退场期间，接收平台无此人的在场记录，不上报"


def _attendance_many(keys: list[str]) -> dict[str, Prepared | str | None]:
    """Punches by the thousand: the punches, the engagements that held them and their people, in three queries;
    each person's number decrypted once."""
    punches = list(
        Punch.objects.filter(pk__in=[int(key) for key in keys]).values_list(
            "pk", "person_id", "project_id", "punched_at", "direction", "method", "lat", "lon"
        )
    )
    people = {p for _pk, p, *_rest in punches}
    engagements: dict[tuple[int, int], list[Engagement]] = {}
    for engagement in Engagement.objects.filter(person_id__in=people, project_id__in={row[2] for row in punches}).only(
        "pk", "person_id", "project_id", "employer_id", "category", "team", "entered_on", "exited_on"
    ):
        engagements.setdefault((engagement.person_id, engagement.project_id), []).append(engagement)
    numbers = dict(Person.objects.filter(pk__in=people).values_list("pk", "id_number_encrypted"))
    clear: dict[int, str] = {}
    methods = national_codes(CodeTable.ATTENDANCE_METHOD)
    directions = national_codes(CodeTable.DIRECTION)
    document = national_codes(CodeTable.ID_DOCUMENT_TYPE).get("resident_id", "01")
    prepared: dict[str, Prepared | str | None] = dict.fromkeys(keys)
    for pk, person_id, project_id, punched_at, direction, method, lat, lon in punches:
        local = punched_at.astimezone(SHANGHAI)
        held = [
            e
            for e in engagements.get((person_id, project_id), [])
            if e.entered_on <= local.date() and (e.exited_on is None or local.date() <= e.exited_on)
        ]
        if not held:
            prepared[str(pk)] = NOT_ENGAGED  # counted here (a rule judged it), but the receiver knows no one there
            continue
        engagement = held[-1]
        team = (RecordKind.TEAM, team_key(engagement))

        def build(
            _references,
            encrypt,
            *,
            person_id=person_id,
            local=local,
            direction=direction,
            method=method,
            lat=lat,
            lon=lon,
        ) -> dict:
            if person_id not in clear:
                clear[person_id] = pii.decrypt(numbers[person_id])
            return {
                "idCardType": document,
                "idCardNumber": encrypt(clear[person_id]),
                "date": local.strftime("%Y-%m-%d %H:%M:%S"),
                "direction": directions.get(direction, "01"),
                "attendType": methods.get(method) or OTHER_METHOD,
                "lng": lon,
                "lat": lat,
            }

        prepared[str(pk)] = Prepared(
            (team, (RecordKind.WORKER, str(engagement.pk))), ("WorkerAttendance.Add", team[1]), build
        )
    return prepared


PREPARE_MANY: dict[str, Callable[[list[str]], dict[str, Prepared | str | None]]] = {
    RecordKind.ATTENDANCE: _attendance_many,
    RecordKind.WORKER: _worker_many,
    RecordKind.ENTRY_EXIT: _entry_exit_many,
}

PREPARE: dict[str, Callable[[str], Prepared | None]] = {
    RecordKind.CORP: _corp,
    RecordKind.PROJECT: _project,
    RecordKind.PARTICIPANT: _participant,
    RecordKind.TEAM: _team,
    RecordKind.CONTRACT: _contract,
    RecordKind.PAYROLL: _payroll,
}

# The methods whose records travel in a list, up to the receiver's batch size: under a team's head (its
# project, firm and team number: one call per team) or a project's; the others carry one record a call.
LISTS = {
    "ProjectWorker.Add": "workerList",
    "WorkerEntryExit.Add": "workerList",
    "WorkerAttendance.Add": "dataList",
}
PROJECT_LISTS = {"WorkerContract.Add": "contractList"}


def call_data(method: str, group_key: str, parts: list[dict], references: dict[Record, str]) -> dict:
    """The `data` of one call: a single record as it is, or a list under its head (project, firm, team)."""
    if method in PROJECT_LISTS:
        return {"projectCode": references[(RecordKind.PROJECT, group_key)], PROJECT_LISTS[method]: parts}
    if method not in LISTS:
        return parts[0]
    project_id, employer_id, _name = group_key.split(":", 2)
    head = {
        "projectCode": references[(RecordKind.PROJECT, project_id)],
        "teamSysNo": references[(RecordKind.TEAM, group_key)],
    }
    if method != "WorkerAttendance.Add":  # the standard's attendance head names no firm
        employer = Enterprise.objects.get(pk=employer_id)
        head |= {"corpCode": employer.uscc, "corpName": employer.name}
    return {**head, LISTS[method]: parts}


def list_needs(method: str, group_key: str) -> Iterable[Record]:
    """What the head of a list call reads (its project's code and its team's number)."""
    if method in PROJECT_LISTS:
        return ((RecordKind.PROJECT, group_key),)
    if method not in LISTS:
        return ()
    project_id = group_key.split(":", 1)[0]
    return ((RecordKind.PROJECT, project_id), (RecordKind.TEAM, group_key))
