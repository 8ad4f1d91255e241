"""Writes of the rights board: issued to the project (its general contractor prints it), its contact phone
set by the general contractor, its address revoked by the district (a new one issued at once)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from projects.models import Project, User
from projects.scope import scope_of
from rights.models import RightsBoard
from rights.selectors import board_addresses
from smz_platform.common.phones import PHONE, PHONE_MESSAGE
from smz_platform.common.publicpages import public_page_forget


def _new_token() -> str:
    return secrets.token_hex(24)  # 192 bits: not guessed, not enumerated; hex reads and prints plainly


def board_issue(*, user: User, project: Project) -> RightsBoard:
    """The project's live board, issued now if it has none (idempotent: two first visits give one board,
    by the constraint of one live board per project)."""
    scope_of(user).authorize(project, "print_board")
    board = RightsBoard.objects.filter(project=project, revoked_at__isnull=True).first()
    if board is not None:
        return board
    try:
        with transaction.atomic():
            return RightsBoard.objects.create(
                project=project, token=_new_token(), issued_at=timezone.now(), issued_by=user
            )
    except IntegrityError:  # issued meanwhile by another request
        return RightsBoard.objects.get(project=project, revoked_at__isnull=True)


def board_contact_set(*, user: User, project: Project, phone: str) -> RightsBoard:
    """The labour clerk's phone printed on the board: the general contractor's to give."""
    scope_of(user).authorize(project, "keep_board")
    phone = phone.strip()
    if not PHONE.match(phone):
        raise ValidationError({"contact_phone": [str(PHONE_MESSAGE)]})
    board = board_issue(user=user, project=project)
    RightsBoard.objects.filter(pk=board.pk).update(contact_phone=phone)
    board.contact_phone = phone
    transaction.on_commit(lambda: public_page_forget(*board_addresses(board.token)))
    return board


def board_revoke(*, user: User, project: Project) -> RightsBoard:
    """The district ends the board's address (a board copied or put up elsewhere) and issues a new one: the old
    address answers 404 from now on; the contact phone carries over. A conditional update: of two revocations
    at once, one revokes."""
    scope_of(user).authorize(project, "revoke_board")
    now = timezone.now()
    with transaction.atomic():
        live = RightsBoard.objects.select_for_update().filter(project=project, revoked_at__isnull=True).first()
        phone = live.contact_phone if live else ""
        if live is not None:
            RightsBoard.objects.filter(pk=live.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=user)
            token = live.token
            transaction.on_commit(lambda: public_page_forget(*board_addresses(token)))
        return RightsBoard.objects.create(
            project=project, token=_new_token(), contact_phone=phone, issued_at=now, issued_by=user
        )


def board_pages_forget(*, where: Q, at_once: bool = False) -> None:
    """The registry changed what some live boards show (a firm's name, the labour clerk, the bank, the district's
    complaint line): their kept pages go when the change commits, so that the next visitor reads it at once.
    `where` selects the boards (a lookup on RightsBoard); nothing is forgotten when no live board matches. The
    boards are looked up when the change commits (a registration's writes look up nothing while they run, and a
    change rolled back nothing at all), or at once for a delete (`at_once`: the boards may go with the row)."""
    if at_once:
        tokens = _live_boards(where)
        if tokens:
            transaction.on_commit(lambda: _forget(tokens))
    else:
        transaction.on_commit(lambda: _forget(_live_boards(where)), robust=True)


def _live_boards(where: Q) -> list[str]:
    return list(RightsBoard.objects.filter(where, revoked_at__isnull=True).values_list("token", flat=True))


def _forget(tokens: list[str]) -> None:
    if tokens:
        public_page_forget(*[path for token in tokens for path in board_addresses(token)])
