"""Reads of the rights board: the live board of an address, and what a board says (its facts), read from
the registry as it stands (the board is printed again when it changes; the page is always current)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse

from inspections.choices import CaseState, MeasureState
from inspections.models import Case, Inspection, Measure, RandomDraw
from inspections.rules import rule
from inspections.services.campaigns import random_draw_verify
from projects.choices import Category, ParticipantRole, RegionLevel
from projects.models import Engagement, Project, ProjectParticipant, Region
from rights.models import RightsBoard
from wages.models import WageAccount

# 12345 政务服务便民热线: takes wage complaints in every city; printed where no region gave its own line.
DEFAULT_COMPLAINT_PHONE = "12345"
TOKEN = re.compile(r"[0-9a-f]{48}")  # what board tokens are (secrets.token_hex(24))
LABOUR_CLERK = "labour_clerk"  # 劳资专管员 (the national code table's position)
# How long the public page of a board is kept rendered. The changes of what it shows clear it at once: the board's
# own (its phone, a revocation) and the registry's (a new clerk, a firm's name: rights/receivers.py); only a bulk
# write that sends no signal waits for it. Kept for five minutes before, the city's 1,000 boards and forms were
# rendered again 3 times a second under a crowd (make bench-load).
BOARD_CACHE_SECONDS = 3600


def board_addresses(token: str) -> tuple[str, str]:
    """The public pages a board's address opens (its page and its complaint form), kept for the crowd."""
    return reverse("rights:board", args=[token]), reverse("rights:board-complaint", args=[token])


def board_live(token: str) -> RightsBoard | None:
    """The board a public address shows: a live one (a revoked or unknown token is the same: none)."""
    if not TOKEN.fullmatch(token or ""):
        return None  # not one the platform issues (a NUL byte, a path, a guess of the wrong shape)
    return (
        RightsBoard.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("project__district__parent")
        .first()
    )


def board_of(project: Project) -> RightsBoard | None:
    """The project's live board, if one was issued."""
    return RightsBoard.objects.filter(project=project, revoked_at__isnull=True).first()


@dataclass(frozen=True)
class BoardFacts:
    """What a rights board shows: firms and one contact, never a worker's name, an ID or an account number."""

    project_name: str
    permit_no: str
    district: str
    address: str
    builders: tuple[str, ...]
    contractors: tuple[str, ...]
    labour_clerk: str
    contact_phone: str
    bank: str
    complaint_phone: str


def complaint_phone(district: Region) -> str:
    """The nearest region's complaint line: the district's, its city's, its province's, else 12345."""
    region: Region | None = district
    while region is not None:
        if region.complaint_phone:
            return region.complaint_phone
        region = region.parent
    return DEFAULT_COMPLAINT_PHONE


def board_facts(board: RightsBoard) -> BoardFacts:
    project = board.project
    firms = project.participants.filter(role__in=[ParticipantRole.OWNER, ParticipantRole.CONTRACTOR]).values_list(
        "role", "enterprise__name"
    )
    clerk = (
        Engagement.objects.filter(
            project=project, category=Category.MANAGER, position=LABOUR_CLERK, exited_on__isnull=True
        )
        .values_list("person__name", flat=True)
        .first()
    )
    bank = WageAccount.objects.filter(project=project).values_list("bank", flat=True).first()
    return BoardFacts(
        project_name=project.name,
        permit_no=project.permit_no,
        district=project.district.name,
        address=project.address,
        builders=tuple(sorted(name for role, name in firms if role == ParticipantRole.OWNER)),
        contractors=tuple(sorted(name for role, name in firms if role == ParticipantRole.CONTRACTOR)),
        labour_clerk=clerk or "",
        contact_phone=board.contact_phone,
        bank=bank or "",
        complaint_phone=complaint_phone(project.district),
    )


# --- 一公开: the results of the random inspection draws, published per city ------------------------------


def published_city(code: str) -> Region | None:
    """The city whose results a public address names (a district's or an unknown code: none)."""
    return Region.objects.filter(code=code, level=RegionLevel.CITY).first() if code.isdigit() else None


def published_draws(city: Region) -> QuerySet[RandomDraw]:
    """The city's districts' draws, the latest first."""
    return RandomDraw.objects.filter(district__parent=city).select_related("district", "campaign")


@dataclass(frozen=True)
class PublishedVisit:
    day: dt.date
    kind: str
    findings: tuple[str, ...]  # the rules' names, never the inspectors' words (they may name people)


@dataclass(frozen=True)
class PublishedMeasure:
    kind: str
    issued_on: dt.date | None
    issuing_body: str
    document_no: str
    firm: str  # the firm a measure names; a person it names is never published
    fine_yuan: Decimal | None
    points: int | None


@dataclass(frozen=True)
class PublishedProject:
    name: str
    permit_no: str
    contractors: tuple[str, ...]
    visits: tuple[PublishedVisit, ...]
    measures: tuple[PublishedMeasure, ...]  # of the cases closed since the draw
    open_cases: int  # cases opened since the draw and still open: their measures are published at closing


@dataclass(frozen=True)
class PublishedDraw:
    draw: RandomDraw
    candidates: tuple[tuple[str, str, int], ...]  # permit number, project name, weight
    projects: tuple[PublishedProject, ...]
    verified: bool  # the draw re-run from its seed and candidates gives the same projects and inspectors


def published_draw(draw: RandomDraw) -> PublishedDraw:
    """A draw as the public reads it: the seed and the weighted candidates (anyone can re-run it), the projects
    drawn with their firms, each visit of the draw with its findings' categories, and the measures of the
    cases closed since the draw. Inspectors are counted, never named; people are never named."""
    permits = [permit for permit, _weight in draw.candidates]
    projects = {p.permit_no: p for p in Project.objects.filter(permit_no__in=permits)}
    drawn = [projects[permit] for permit in draw.drawn if permit in projects]
    contractors: dict[int, list[str]] = defaultdict(list)
    for project_id, name in ProjectParticipant.objects.filter(
        project__in=drawn, role=ParticipantRole.CONTRACTOR
    ).values_list("project_id", "enterprise__name"):
        contractors[project_id].append(name)
    visits: dict[int, list[PublishedVisit]] = defaultdict(list)
    for inspection in (
        Inspection.objects.filter(draw=draw, project__in=drawn).prefetch_related("findings").order_by("day", "pk")
    ):
        categories = sorted({finding.category for finding in inspection.findings.all()})
        visits[inspection.project_id].append(
            PublishedVisit(inspection.day, inspection.get_kind_display(), tuple(_rule_name(c) for c in categories))
        )
    measures: dict[int, list[PublishedMeasure]] = defaultdict(list)
    open_cases: dict[int, int] = defaultdict(int)
    cases = Case.objects.filter(project__in=drawn, opened_at__gte=draw.drawn_at)
    for project_id in cases.filter(state=CaseState.OPEN).values_list("project_id", flat=True):
        open_cases[project_id] += 1
    for measure in (
        Measure.objects.filter(case__in=cases.filter(state=CaseState.CLOSED))
        .exclude(state__in=[MeasureState.PROPOSED, MeasureState.WITHDRAWN])
        .select_related("case", "target_enterprise")
        .order_by("issued_on", "pk")
    ):
        measures[measure.case.project_id].append(
            PublishedMeasure(
                measure.get_kind_display(),
                measure.issued_on,
                measure.issuing_body,
                measure.document_no,
                measure.target_enterprise.name if measure.target_enterprise else "",
                measure.fine_yuan,
                measure.points,
            )
        )
    return PublishedDraw(
        draw=draw,
        candidates=tuple(
            (permit, projects[permit].name if permit in projects else "", int(weight))
            for permit, weight in draw.candidates
        ),
        projects=tuple(
            PublishedProject(
                p.name,
                p.permit_no,
                tuple(sorted(contractors[p.pk])),
                tuple(visits[p.pk]),
                tuple(measures[p.pk]),
                open_cases[p.pk],
            )
            for p in drawn
        ),
        verified=random_draw_verify(draw=draw),
    )


def _rule_name(code: str) -> str:
    try:
        return f"{code} {rule(code).name}"
    except KeyError:
        return code
