"""manage.py issue_token: a new API token for an account, printed once (docs/security.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken

from projects.models import User
from projects.services.accounts import token_issue


class Command(BaseCommand):
    help = (
        "Issue a new API token for an account (only its digest is stored; it is printed once, as the last "
        "line). --revoke-others ends the account's other tokens (after a leak, or to rotate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="validity in days (default SMZ_API_TOKEN_DAYS)")
        parser.add_argument("--revoke-others", action="store_true", help="end every other token of the account")

    def handle(self, *args, username: str, days: int | None, revoke_others: bool, **options):
        if days is not None and not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account {username}.")
        if revoke_others:
            ended, _ = AuthToken.objects.filter(user=user).delete()
            self.stdout.write(f"Ended {ended} earlier token(s) of {username}.")
        token = token_issue(user=user, days=days)
        self.stdout.write(token)
