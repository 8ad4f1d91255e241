"""Accounts in the admin. The operator (superuser) manages every account with Django's full form. A
regulator manages the accounts inside its own jurisdiction (projects.scope: `manage`): it creates them,
sets their role and jurisdiction within its own, locks and unlocks them, ends their API tokens and hands
their holder a one-time link to set a password. It never sees or posts Django's permission fields, and
never sets another account's password."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from knox.models import AuthToken

from projects.admin.base import ScopedAdmin
from projects.models import User
from projects.scope import scope_of
from projects.scope.accounts import (
    JURISDICTION_FIELDS,
    account_jurisdiction_check,
    assignable_districts,
    assignable_enterprises,
    assignable_regions,
    assignable_roles,
)
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction


class _JurisdictionChecked:
    """The role's jurisdiction checked as create_account checks it, as a form error (never a 500 from
    the database's constraint)."""

    def clean(self):
        data = super().clean()
        role = data.get("role", getattr(self.instance, "role", "")) or ""
        values = {
            name: data.get(name, getattr(self.instance, name, None)) for name in ("district", "enterprise", "region")
        }
        try:
            account_jurisdiction_check(role=role, **values)
        except ValidationError as exc:
            for field, texts in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, texts)
        return data


class OperatorCreationForm(_JurisdictionChecked, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "role", "region", "district", "enterprise", "phone"]


class OperatorChangeForm(_JurisdictionChecked, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


REGULATOR_FIELDS = ["first_name", "last_name", "email", "phone", "language", *JURISDICTION_FIELDS]


class AccountChangeForm(_JurisdictionChecked, forms.ModelForm):
    """A regulator's form: names, contact, language, and role and jurisdiction within its own."""

    class Meta:
        model = User
        fields = REGULATOR_FIELDS


class AccountCreationForm(_JurisdictionChecked, forms.ModelForm):
    """A new account without a password: its holder sets one through the link shown once afterwards."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "phone", *JURISDICTION_FIELDS]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        user.is_staff = True  # every account signs in to the admin, which shows only its scope
        if commit:
            user.save()
        return user


def reset_link(request, user: User) -> str:
    """A one-time link for the holder to set a password (Django's reset token: it stops working once the
    password is set, or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("password_reset_confirm", args=[uid, token]))


def _record(request, what: str, count: int) -> None:
    audit_event_record(
        user=request.user, action=AuditAction.MANAGE_ACCOUNT, what=what[:200], record_count=count, request=request
    )


def _managed(request, queryset):
    return scope_of(request.user).restrict(queryset, "manage")


@admin.action(description=gettext_lazy("Lock the selected accounts (they can no longer sign in)"))
def lock_accounts(modeladmin, request, queryset):
    accounts = _managed(request, queryset).exclude(pk=request.user.pk)
    names = list(accounts.values_list("username", flat=True))
    with transaction.atomic():
        accounts.update(is_active=False)
        AuthToken.objects.filter(user__username__in=names).delete()
        _record(request, f"锁定账号：{'、'.join(names)}", len(names))
    modeladmin.message_user(request, _("%(n)d accounts locked.") % {"n": len(names)}, messages.SUCCESS)


@admin.action(description=gettext_lazy("Unlock the selected accounts (and clear their failed logins)"))
def unlock_accounts(modeladmin, request, queryset):
    accounts = _managed(request, queryset)
    names = list(accounts.values_list("username", flat=True))
    with transaction.atomic():
        accounts.update(is_active=True)
        for name in names:
            axes_reset(username=name)
        _record(request, f"解锁账号：{'、'.join(names)}", len(names))
    modeladmin.message_user(request, _("%(n)d accounts unlocked.") % {"n": len(names)}, messages.SUCCESS)


@admin.action(description=gettext_lazy("End the selected accounts' API tokens"))
def end_tokens(modeladmin, request, queryset):
    accounts = _managed(request, queryset)
    names = list(accounts.values_list("username", flat=True))
    with transaction.atomic():
        ended, _by_model = AuthToken.objects.filter(user__in=accounts).delete()
        _record(request, f"注销API令牌：{'、'.join(names)}", ended)
    modeladmin.message_user(request, _("%(n)d API tokens ended.") % {"n": ended}, messages.SUCCESS)


@admin.action(description=gettext_lazy("Give a one-time link to set a password"))
def password_links(modeladmin, request, queryset):
    """Shown once, to hand to each holder: the regulator never knows, nor sets, anyone's password."""
    accounts = list(_managed(request, queryset).exclude(pk=request.user.pk))
    for user in accounts:
        modeladmin.message_user(
            request,
            _("One-time link for %(name)s to set a password: %(link)s")
            % {"name": user.username, "link": reset_link(request, user)},
            messages.WARNING,
        )
    _record(request, f"发放设置密码链接：{'、'.join(u.username for u in accounts)}", len(accounts))


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "region", "district", "enterprise", "phone", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "phone"]
    actions = [lock_accounts, unlock_accounts, end_tokens, password_links]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (gettext_lazy("Role and jurisdiction"), {"fields": [*JURISDICTION_FIELDS, "phone", "language"]}),
    ]
    add_form = OperatorCreationForm
    form = OperatorChangeForm
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (gettext_lazy("Role and jurisdiction"), {"fields": [*JURISDICTION_FIELDS, "phone"]}),
    ]

    def _operator(self, request) -> bool:
        return scope_of(request.user).is_operator

    def get_fieldsets(self, request, obj=None):
        if self._operator(request):
            return super().get_fieldsets(request, obj)
        if obj is None:
            return [
                (None, {"fields": ["username", "first_name", "last_name", "phone"]}),
                (gettext_lazy("Role and jurisdiction"), {"fields": list(JURISDICTION_FIELDS)}),
            ]
        return [
            (None, {"fields": ["username", "first_name", "last_name", "email", "phone", "language"]}),
            (gettext_lazy("Role and jurisdiction"), {"fields": list(JURISDICTION_FIELDS)}),
            (gettext_lazy("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        if not self._operator(request):
            kwargs["form"] = AccountCreationForm if obj is None else AccountChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if self._operator(request):
            return super().get_readonly_fields(request, obj)
        readonly = ["last_login", "date_joined", "is_active"]
        if obj is not None:
            readonly.append("username")
            if obj.pk == request.user.pk:  # nobody widens its own jurisdiction
                readonly.extend(JURISDICTION_FIELDS)
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.name == "role" and not self._operator(request):
            allowed = set(assignable_roles(scope_of(request.user)))
            field.choices = [(value, label) for value, label in field.choices if value in allowed or value == ""]
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {"region": assignable_regions, "district": assignable_districts, "enterprise": assignable_enterprises}
        if db_field.name in choices and not self._operator(request):
            kwargs["queryset"] = choices[db_field.name](scope_of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        return super().get_actions(request) if scope_of(request.user).can("administer") else {}

    def save_model(self, request, obj, form, change):
        """A regulator's save: the account stays (or lands) inside its jurisdiction, and its own account
        keeps its jurisdiction (those fields are read-only there). Django's permission fields are not on a
        regulator's form: posted, they are ignored."""
        with transaction.atomic():
            super(ScopedAdmin, self).save_model(request, obj, form, change)
            scope = scope_of(request.user)
            obj.__dict__.pop("_smz_allowed", None)  # asked afresh of the account as saved
            if obj.pk != request.user.pk and not self._operator(request) and not scope.allows(obj, "manage"):
                raise PermissionDenied

    def response_add(self, request, obj, post_url_continue=None):
        if not self._operator(request):
            self.message_user(
                request,
                _("One-time link for %(name)s to set a password: %(link)s")
                % {"name": obj.username, "link": reset_link(request, obj)},
                messages.WARNING,
            )
            _record(request, f"新建账号并发放设置密码链接：{obj.username}", 1)
        return super().response_add(request, obj, post_url_continue)

    def user_change_password(self, request, id, form_url=""):
        """Setting another account's password is the operator's alone; a regulator gives a one-time link."""
        if not self._operator(request):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
