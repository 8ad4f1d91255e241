"""Reaches: the sets of rows an account reaches, each built for one model from the paths that lead
from its rows to a project, a district, a firm, a person or an account (projects.scope.table).

A reach is a condition, never a loop: every one is a Q of joins and subqueries, so that a list, a
count and a workbook over a city read it in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from projects.choices import ParticipantRole, RegionLevel, Role
from projects.scope.core import NOTHING, Kind, Scope, q_and, q_or


@dataclass(frozen=True)
class Paths:
    """How a model's rows lead to what jurisdiction is about ("" is the row itself; None: it does not)."""

    label: str = ""  # the model's (filled in by the table)
    project: str | None = None
    district: str | None = None  # a Region of district level (else derived from the project)
    region: str | None = None  # a Region of any level (regions themselves, policies)
    districts: str | None = None  # a many-to-many to districts (campaigns)
    person: str | None = None
    employer: str | None = None  # the employing firm of an engagement
    enterprise: str | None = None  # the firm the row is about (enterprises themselves, credit records)
    vendor: str | None = None  # the vendor operating a device
    owner: str | None = None  # the account the row belongs to (report jobs)
    account: str | None = None  # the row's account ("" for accounts themselves), for accounts' own records

    @property
    def district_path(self) -> str | None:
        if self.district is not None:
            return self.district
        return None if self.project is None else join(self.project, "district")


def join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def fk(path: str) -> str:
    """The column holding the related row's key: "project" → "project_id", "" → "pk"."""
    return f"{path}_id" if path else "pk"


@dataclass(frozen=True)
class Reach:
    """Rows an account reaches, with the words the matrix shows for it (per kind of account, where the
    same reach reads differently for a province, a city and a district)."""

    words: str
    build: Callable[[Scope, Paths], Q]
    by_kind: tuple[tuple[Kind, str], ...] = ()

    def words_for(self, kind: Kind) -> str:
        return dict(self.by_kind).get(kind, self.words)

    def __or__(self, other: Reach) -> Reach:
        return _combined(self, other, "；或", lambda s, p: q_or(self.build(s, p), other.build(s, p)))

    def __and__(self, other: Reach) -> Reach:
        return _combined(self, other, "，且", lambda s, p: q_and(self.build(s, p), other.build(s, p)))


def _combined(first: Reach, second: Reach, joint: str, build) -> Reach:
    kinds = {kind for kind, _words in (*first.by_kind, *second.by_kind)}
    return Reach(
        f"{first.words}{joint}{second.words}",
        build,
        tuple((k, f"{first.words_for(k)}{joint}{second.words_for(k)}") for k in kinds),
    )


# --- everything, nothing, the platform --------------------------------------------------------------

EVERYTHING = Reach("全部", lambda s, p: Q())
PLATFORM = Reach("全部（仅未指定城市的市级账号：单城市部署）", lambda s, p: Q() if s.governs_platform else NOTHING)


# --- regions: what a regulator governs ---------------------------------------------------------------


def _jurisdiction(scope: Scope, paths: Paths) -> Q:
    """The rows of the districts a regulator governs: a province's cities' districts, a city's (every
    one for a city account without a city), a district's own."""
    district = paths.district_path
    if district is None:
        return NOTHING
    if scope.is_operator:
        return Q()
    if scope.kind is Kind.PROVINCE:
        return Q(**{join(district, "parent__parent_id"): scope.region_id})
    if scope.kind is Kind.CITY:
        return Q() if scope.region_id is None else Q(**{join(district, "parent_id"): scope.region_id})
    if scope.kind is Kind.DISTRICT:
        return Q(**{fk(district): scope.district_id})
    return NOTHING


JURISDICTION = Reach(
    "本辖区",
    _jurisdiction,
    ((Kind.PROVINCE, "所辖各市的各区县"), (Kind.CITY, "本市各区县"), (Kind.DISTRICT, "本区县")),
)


def governed_districts(scope: Scope):
    region = apps.get_model("projects", "Region")
    return region.objects.filter(level=RegionLevel.DISTRICT).filter(_jurisdiction(scope, Paths(district="")))


def _below(scope: Scope, paths: Paths) -> Q:
    """Regions below the account's own: a province's cities (and theirs), a city's districts (and their towns)."""
    path = paths.region or ""
    own = scope.region_id
    if scope.is_operator or (scope.kind is Kind.CITY and own is None):
        return Q()
    if scope.kind not in (Kind.PROVINCE, Kind.CITY):
        return NOTHING
    levels = ("parent", "parent__parent", "parent__parent__parent")
    return q_or(*(Q(**{join(path, f"{level}_id"): own}) for level in levels))


BELOW = Reach("下级区划", _below, ((Kind.PROVINCE, "所辖各市及其区县"), (Kind.CITY, "本市各区县及乡镇")))
OWN_REGION = Reach(
    "本级区划",
    lambda s, p: Q(**{fk(p.region or ""): s.region_id or s.district_id}) if (s.region_id or s.district_id) else NOTHING,
    ((Kind.PROVINCE, "本省"), (Kind.CITY, "本市"), (Kind.DISTRICT, "本区县")),
)
GOVERNED = OWN_REGION | BELOW


def _in_governed_districts(scope: Scope, paths: Paths) -> Q:
    """Rows tied to several districts (a campaign): any one of them governed. A subquery on the link
    table, not a join, so that a row of two governed districts is listed once."""
    if paths.districts is None:
        return NOTHING
    link = apps.get_model(paths.label)._meta.get_field(paths.districts)
    through = link.remote_field.through.objects.filter(
        **{f"{link.m2m_reverse_field_name()}__in": governed_districts(scope)}
    )
    return Q(pk__in=through.values(link.m2m_field_name()))


IN_GOVERNED_DISTRICTS = Reach("所涉区县之一在本辖区", _in_governed_districts)


# --- firms: the projects they take part in ----------------------------------------------------------


def _participations(scope: Scope, roles: tuple[str, ...]):
    participant = apps.get_model("projects", "ProjectParticipant")
    rows = participant.objects.filter(enterprise_id=scope.enterprise_id)
    return rows.filter(role__in=roles) if roles else rows


PARTY_NAMES = {
    ParticipantRole.OWNER: "建设单位",
    ParticipantRole.CONTRACTOR: "施工总承包",
    ParticipantRole.SUBCONTRACTOR: "分包",
    ParticipantRole.SUPERVISOR: "监理",
    ParticipantRole.VENDOR: "设备供应商",
}


def takes_part(*roles: str) -> Reach:
    """The projects a firm takes part in (in one of `roles`, or any)."""
    words = "、".join(PARTY_NAMES[r] for r in roles) if roles else "任一身份"
    sentence = f"本企业作为{words}参与的项目"

    def build(scope: Scope, paths: Paths) -> Q:
        if scope.enterprise_id is None or paths.project is None:
            return NOTHING
        return Q(**{f"{fk(paths.project)}__in": _participations(scope, roles).values("project_id")})

    return Reach(sentence, build)


ANY_PART = takes_part()
CONTRACTOR = takes_part(ParticipantRole.CONTRACTOR)
SUPERVISOR = takes_part(ParticipantRole.SUPERVISOR)
ANSWERABLE = takes_part(ParticipantRole.CONTRACTOR, ParticipantRole.SUPERVISOR)


def _people(scope: Scope, paths: Paths) -> Q:
    """The people scope of a firm: everybody on a project it manages as general contractor, its own
    staff on the others (a row without a person, an unregistered punch, is the contractor's only)."""
    if scope.enterprise_id is None or paths.project is None:
        return NOTHING
    managed = CONTRACTOR.build(scope, paths)
    if paths.employer is not None:
        own = Q(**{fk(paths.employer): scope.enterprise_id}) & ANY_PART.build(scope, paths)
        return q_or(managed, own)
    engagement = apps.get_model("projects", "Engagement")
    employs = engagement.objects.filter(
        employer_id=scope.enterprise_id, project_id=OuterRef(fk(paths.project)), person_id=OuterRef(fk(paths.person))
    )
    return q_or(managed, Q(Exists(employs)))


PEOPLE = Reach("总包：所管项目的全部人员；其他企业：本企业在所参与项目上的人员", _people)


def _own_enterprise(scope: Scope, paths: Paths) -> Q:
    if scope.enterprise_id is None or paths.enterprise is None:
        return NOTHING
    return Q(**{fk(paths.enterprise): scope.enterprise_id})


OWN_ENTERPRISE = Reach("本企业自己的", _own_enterprise)
OPERATES = Reach(
    "本企业运维的设备",
    lambda s, p: Q(**{fk(p.vendor): s.enterprise_id}) if s.enterprise_id and p.vendor is not None else NOTHING,
)


def _partners(scope: Scope, paths: Paths) -> Q:
    """The firms an account meets: those of the projects it reads, its own, those it registered."""
    project = apps.get_model("projects", "Project")
    participant = apps.get_model("projects", "ProjectParticipant")
    visible = participant.objects.filter(project__in=scope.restrict(project, "view")).values("enterprise_id")
    parts = [Q(pk__in=visible)]
    if scope.user_id is not None:
        parts.append(Q(created_by_id=scope.user_id))
    if scope.enterprise_id is not None:
        parts.append(Q(pk=scope.enterprise_id))
    if scope.kind is Kind.DISTRICT:
        parts.append(Q(created_by__district_id=scope.district_id))
    return q_or(*parts)


PARTNERS = Reach("所见项目的参建企业、本企业、本账号登记的企业", _partners)


def _city_firms(scope: Scope, paths: Paths) -> Q:
    """The firms of the projects a city governs (and those its own accounts registered)."""
    if scope.is_operator or (scope.kind is Kind.CITY and scope.region_id is None):
        return Q()
    project = apps.get_model("projects", "Project")
    participant = apps.get_model("projects", "ProjectParticipant")
    governed = project.objects.filter(_jurisdiction(scope, Paths(project="")))
    return Q(pk__in=participant.objects.filter(project__in=governed).values("enterprise_id"))


CITY_FIRMS = Reach("本辖区项目的参建企业", _city_firms)


# --- accounts --------------------------------------------------------------------------------------

OWN = Reach(
    "本账号自己的", lambda s, p: Q(**{fk(p.owner): s.user_id}) if s.user_id and p.owner is not None else NOTHING
)
SELF = Reach("本账号", lambda s, p: Q(pk=s.user_id) if s.user_id else NOTHING)


def _accounts_inside(scope: Scope, paths: Paths) -> Q:
    """The accounts whose jurisdiction lies inside the regulator's own: a province's cities', districts'
    and firms'; a city's districts' and its projects' firms' (and its own city's). Never the operator's."""
    if scope.is_operator:
        return Q()
    if scope.kind not in (Kind.PROVINCE, Kind.CITY):
        return NOTHING
    if scope.kind is Kind.CITY and scope.region_id is None:
        return ~Q(is_superuser=True)
    region = scope.region_id
    project = apps.get_model("projects", "Project")
    participant = apps.get_model("projects", "ProjectParticipant")
    governed = project.objects.filter(_jurisdiction(scope, Paths(project="")))
    firms = participant.objects.filter(project__in=governed).values("enterprise_id")
    if scope.kind is Kind.PROVINCE:
        regulators = Q(role=Role.CITY, region__parent_id=region) | Q(
            role=Role.DISTRICT, district__parent__parent_id=region
        )
    else:
        regulators = Q(role=Role.CITY, region_id=region) | Q(role=Role.DISTRICT, district__parent_id=region)
    return q_or(regulators, Q(role__in=[Role.ENTERPRISE, Role.VENDOR], enterprise_id__in=firms)) & ~Q(is_superuser=True)


ACCOUNTS_INSIDE = Reach(
    "辖区内的账号",
    _accounts_inside,
    (
        (Kind.PROVINCE, "所辖各市、区县的监管账号，所辖项目参建企业的账号"),
        (Kind.CITY, "本市及其各区县的监管账号，本市项目参建企业的账号"),
    ),
)


# --- through another model's scope ------------------------------------------------------------------


def via(label: str, path: str, action: str = "view", words: str | None = None) -> Reach:
    """The rows whose `path` leads to a row of `label` the account may `action` (as its case, its measure)."""

    def build(scope: Scope, paths: Paths) -> Q:
        related = apps.get_model(label)
        return Q(**{f"{fk(path)}__in": scope.restrict(related, action).values("pk")})

    name = apps_label_words(label)
    return Reach(words or f"随其{name}（{action}）", build)


def where(words: str, **conditions) -> Reach:
    """A plain condition on the row itself (a state, a kind), to narrow another reach with `&`."""
    return Reach(words, lambda s, p: Q(**conditions))


def not_where(words: str, **conditions) -> Reach:
    return Reach(words, lambda s, p: ~Q(**conditions))


MODEL_WORDS = {
    "projects.project": "项目",
    "projects.engagement": "进场登记",
    "projects.statusrequest": "状态变更申请",
    "projects.user": "账号",
    "devices.device": "设备",
    "inspections.case": "案件",
    "inspections.measure": "处理措施",
    "inspections.inspection": "检查记录",
    "inspections.campaign": "专项行动",
}


def apps_label_words(label: str) -> str:
    return MODEL_WORDS.get(label, label)
