"""Reads of the rights board: the live board of an address, and what a board says (its facts), read from
the registry as it stands (the board is printed again when it changes; the page is always current)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from projects.choices import Category, ParticipantRole
from projects.models import Engagement, Project, Region
from rights.models import RightsBoard
from wages.models import WageAccount

# 12345 政务服务便民热线: takes wage complaints in every city; printed where no region gave its own line.
DEFAULT_COMPLAINT_PHONE = "12345"
TOKEN = re.compile(r"[0-9a-f]{48}")  # what board tokens are (secrets.token_hex(24))
LABOUR_CLERK = "labour_clerk"  # 劳资专管员 (the national code table's position)
# How long the public page of a board is kept rendered: the registry's changes (a new clerk, a firm's name)
# show within it; the board's own (its phone, a revocation) clear it at once.
BOARD_CACHE_SECONDS = 300


def board_cache_key(token: str) -> str:
    return f"rights:board:{token}"


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
