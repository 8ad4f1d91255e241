"""manage.py create_account: a user with a role and jurisdiction (docs/operations.md)."""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects.models import Enterprise, Region
from projects.scope.accounts import ACCOUNT_ROLES, role_words
from projects.services.accounts import account_create
from smz_platform.common.errors import Conflict


class Command(BaseCommand):
    help = (
        "Create an account with a role and jurisdiction. The password is asked for, or read from "
        "SMZ_ACCOUNT_PASSWORD; with --token the API token is printed as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
        parser.add_argument("--district", help="GB/T 2260 code of the district (role district)")
        parser.add_argument("--region", help="GB/T 2260 code of the province (role province) or city (role city)")
        parser.add_argument("--enterprise", help="unified social credit code (roles enterprise and vendor)")
        parser.add_argument("--phone", default="", help="contact phone, printed on the workbooks the user downloads")
        parser.add_argument("--token", action="store_true", help="create an API token and print it last")

    def handle(
        self,
        *args,
        username: str,
        role: str,
        district: str | None,
        enterprise: str | None,
        region: str | None = None,
        phone: str,
        token: bool,
        **options,
    ):
        district_obj = None
        if district:
            district_obj = Region.objects.filter(code=district).first()
            if district_obj is None:
                raise CommandError(f"--district: no region with code {district}.")
        region_obj = None
        if region:
            region_obj = Region.objects.filter(code=region).first()
            if region_obj is None:
                raise CommandError(f"--region: no region with code {region}.")
        enterprise_obj = None
        if enterprise:
            enterprise_obj = Enterprise.objects.filter(uscc=enterprise.strip().upper()).first()
            if enterprise_obj is None:
                raise CommandError(f"--enterprise: no enterprise with credit code {enterprise}.")
        password = os.environ.get("SMZ_ACCOUNT_PASSWORD") or self._ask_password()
        try:
            user, key = account_create(
                username=username,
                role=role,
                password=password,
                district=district_obj,
                enterprise=enterprise_obj,
                phone=phone,
                with_token=token,
                region=region_obj,
            )
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(problems) from exc
        except Conflict as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from exc
        self.stdout.write(f"Created {user.username} ({role_words(user)}).")
        if key:
            self.stdout.write(key)

    def _ask_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("No password: set SMZ_ACCOUNT_PASSWORD or run the command in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
