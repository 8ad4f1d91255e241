"""Accounts with their role and jurisdiction (manage.py create_account, docs/operations.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from projects.models import Enterprise, Region, User
from projects.scope.accounts import account_jurisdiction_check
from smz_platform.common.errors import Conflict
from smz_platform.common.phones import PHONE, PHONE_MESSAGE


def account_create(
    *,
    username: str,
    role: str,
    password: str,
    district: Region | None = None,
    enterprise: Enterprise | None = None,
    phone: str = "",
    with_token: bool = False,
    check_password: bool = True,
    region: Region | None = None,
) -> tuple[User, str | None]:
    """Create a user whose jurisdiction matches the role; return it and, if asked, its API token."""
    account_jurisdiction_check(role=role, district=district, enterprise=enterprise, region=region)
    if User.objects.filter(username=username).exists():
        raise Conflict("username", _("The username %(name)s is taken.") % {"name": username})
    user = User(username=username, role=role, district=district, enterprise=enterprise, phone=phone, region=region)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    # Every role may sign in to the admin, which shows only its jurisdiction (projects.admin).
    user.is_staff = True
    with transaction.atomic():
        user.save()
        token = token_issue(user=user) if with_token else None
    return user, token


def token_issue(*, user: User, days: int | None = None) -> str:
    """A new API token for the user, valid `days` (default SMZ_API_TOKEN_DAYS): only its digest is
    stored (knox), so this is the one time it is seen."""
    return _token_create(user=user, days=days)[1]


def _token_create(*, user: User, days: int | None) -> tuple[AuthToken, str]:
    ttl = dt.timedelta(days=days if days is not None else settings.SMZ_API_TOKEN_DAYS)
    return AuthToken.objects.create(user=user, expiry=ttl)


def token_rotate(*, current: AuthToken, days: int | None = None) -> tuple[AuthToken, str]:
    """The holder of a token replaces it: a new one is issued and the presented one stops working."""
    with transaction.atomic():
        AuthToken.objects.filter(pk=current.pk).delete()
        return _token_create(user=current.user, days=days)


def account_language_set(*, user: User, language: str) -> None:
    """The language of the account's pages (the header's switch)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": [_("Choose one of the languages offered.")]})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def account_contact_set(*, user: User, name: str, phone: str) -> None:
    """The account holder's own name and phone: the 填报人 and 联系方式 of the workbooks it files."""
    name, phone = " ".join(name.split()), phone.strip()
    errors = {}
    if not 2 <= len(name) <= 30:
        errors["name"] = [_("Give your full name (2 to 30 characters).")]
    if phone and not PHONE.match(phone):
        errors["phone"] = [str(PHONE_MESSAGE)]
    if errors:
        raise ValidationError(errors)
    # Chinese names read family name first: the whole name is kept as the family name (reporter_of joins them).
    User.objects.filter(pk=user.pk).update(last_name=name, first_name="", phone=phone)
    user.last_name, user.first_name, user.phone = name, "", phone
