from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.choices import Role
from projects.scope.queryset import RestrictedQuerySet


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):
    def create_user(self, username, email=None, password=None, **extra_fields):
        if not extra_fields.get("role"):
            raise ValueError("An account needs its role and jurisdiction (manage.py create_account).")
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """manage.py createsuperuser: the platform operator's account (city-wide, every permission), for
        running the platform, never for regulators' daily work (docs/security.md)."""
        extra_fields["role"] = Role.CITY
        extra_fields.pop("district", None)
        extra_fields.pop("region", None)
        extra_fields.pop("enterprise", None)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account (账号) with a role and the jurisdiction that role implies (杭建市发〔2016〕39号 四).

    province: reads every city of its province (`region`), writes nothing; city: its city (`region`;
    none: every city of the platform, as a one-city deployment and the operator have it); district:
    one district; enterprise: one enterprise's projects (a contractor manages them, a subcontractor or
    supervision firm only its own staff); vendor: the devices it operates. Every queryset of the
    platform is cut by the one scope (projects.scope).
    """

    # No default: an account's reach is always chosen (a forgotten field must not make it city-wide).
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    district = models.ForeignKey(
        "projects.Region",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The province of a provincial regulator, the city of a city regulator (省、市).
    region = models.ForeignKey(
        "projects.Region",
        verbose_name=_("province or city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    # The pages' language is the account's, never the browser's (an English browser must not turn a
    # Chinese regulator's pages English); smz_platform.common.language activates it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    objects = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                name="user_jurisdiction_matches_role",
                condition=(
                    Q(role=Role.PROVINCE, region__isnull=False, district__isnull=True, enterprise__isnull=True)
                    | Q(role=Role.CITY, district__isnull=True, enterprise__isnull=True)
                    | Q(role=Role.DISTRICT, region__isnull=True, district__isnull=False, enterprise__isnull=True)
                    | Q(
                        role__in=[Role.ENTERPRISE, Role.VENDOR],
                        region__isnull=True,
                        district__isnull=True,
                        enterprise__isnull=False,
                    )
                ),
            )
        ]
