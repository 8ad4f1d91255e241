"""The one scope (管辖范围, 杭建市发〔2016〕39号 四): built from an account, it answers for every model of the
platform which rows the account may read and which it may change, and by which action.

This module and its package are the only places that read an account's role and jurisdiction
(`make lint` checks it: scripts/check_scope.py). Every page, API route, admin class, report, search,
export and task asks here: `scope_of(user).restrict(qs, "view")`, `Model.objects.restrict(user, "view")`,
`scope_of(user).authorize(obj, "triage")`, `scope_of(user).can("regulate")`.
"""

from __future__ import annotations

import contextlib
import enum
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from projects.choices import Role

NOTHING = Q(pk__in=[])


def q_or(*parts: Q) -> Q:
    """OR of conditions where Q() means every row (Django's `Q(a=1) | Q()` would drop the empty one)."""
    kept = [part for part in parts if part != NOTHING]
    if not kept:
        return NOTHING
    if any(not part for part in kept):
        return Q()
    combined = kept[0]
    for part in kept[1:]:
        combined |= part
    return combined


def q_and(*parts: Q) -> Q:
    """AND of conditions where Q() means every row and NOTHING none."""
    if any(part == NOTHING for part in parts):
        return NOTHING
    combined = Q()
    for part in parts:
        if part:
            combined &= part
    return combined


class Kind(enum.StrEnum):
    """The kinds of account, each a column of the matrix (docs/access.md)."""

    OPERATOR = "operator"  # the platform's operator (createsuperuser): every row, every action
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    ENTERPRISE = "enterprise"  # a firm's account: owner, general contractor, subcontractor, supervision firm
    VENDOR = "vendor"  # a device vendor's account
    ANONYMOUS = "anonymous"  # nobody signed in, or an account switched off

    @property
    def label(self) -> str:
        return KIND_NAMES[self]


KIND_NAMES = {
    Kind.OPERATOR: "运营方（超级管理员）",
    Kind.PROVINCE: "省住建厅",
    Kind.CITY: "市住建局",
    Kind.DISTRICT: "区县住建局",
    Kind.ENTERPRISE: "企业（建设、总包、分包、监理）",
    Kind.VENDOR: "设备供应商",
    Kind.ANONYMOUS: "未登录",
}
_ROLE_KINDS = {
    Role.PROVINCE: Kind.PROVINCE,
    Role.CITY: Kind.CITY,
    Role.DISTRICT: Kind.DISTRICT,
    Role.ENTERPRISE: Kind.ENTERPRISE,
    Role.VENDOR: Kind.VENDOR,
}
REGULATOR_KINDS = frozenset({Kind.PROVINCE, Kind.CITY, Kind.DISTRICT})
FIRM_KINDS = frozenset({Kind.ENTERPRISE, Kind.VENDOR})


def kind_of(user) -> Kind:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Kind.ANONYMOUS
    if user.is_superuser:
        return Kind.OPERATOR
    return _ROLE_KINDS.get(getattr(user, "role", None), Kind.ANONYMOUS)


class Scope:
    """What one account reaches. Built from the account's own fields: no query until a question is asked."""

    def __init__(self, user) -> None:
        self.user = user
        self.kind = kind_of(user)
        self.user_id = user.pk if self.kind is not Kind.ANONYMOUS else None
        # The province of a provincial regulator, the city of a city regulator (None: every city).
        self.region_id = user.region_id if self.kind in (Kind.PROVINCE, Kind.CITY) else None
        self.district_id = user.district_id if self.kind is Kind.DISTRICT else None
        self.enterprise_id = user.enterprise_id if self.kind in FIRM_KINDS else None

    @property
    def key(self) -> tuple:
        """Who is asking, as a row's kept answers are filed (two objects of one account answer alike)."""
        return (self.kind, self.user_id, self.region_id, self.district_id, self.enterprise_id)

    def __repr__(self) -> str:
        return f"<Scope {self.kind} region={self.region_id} district={self.district_id} firm={self.enterprise_id}>"

    # --- who the account is, in the words the pages need ------------------------------------------

    @property
    def is_operator(self) -> bool:
        return self.kind is Kind.OPERATOR

    @property
    def is_regulator(self) -> bool:
        """The province, a city, a district (and the operator): the regulators' pages are theirs."""
        return self.kind in REGULATOR_KINDS or self.is_operator

    @property
    def governs_platform(self) -> bool:
        """Platform-wide settings (code tables, the platform's policy, the night's runs): the operator, and
        a city account without a city (a one-city deployment's bureau)."""
        return self.is_operator or (self.kind is Kind.CITY and self.region_id is None)

    @property
    def role_label(self) -> str:
        """The account's role as its header shows it."""
        if self.is_operator:
            return _("Platform operator")
        role = getattr(self.user, "role", "")
        return str(Role(role).label) if role in Role.values else ""

    @cached_property
    def region(self):
        """The account's own province or city (a Region), or None."""
        from projects.models import Region

        return Region.objects.filter(pk=self.region_id).first() if self.region_id else None

    @cached_property
    def district(self):
        """A district account's district (a Region), or None."""
        from projects.models import Region

        return Region.objects.filter(pk=self.district_id).first() if self.district_id else None

    @cached_property
    def firm(self):
        """A firm's account's enterprise (an Enterprise), or None."""
        from projects.models import Enterprise

        return Enterprise.objects.filter(pk=self.enterprise_id).first() if self.enterprise_id else None

    def can(self, capability: str) -> bool:
        """A capability of the account's kind (projects.scope.table.CAPABILITIES), not of a row."""
        from projects.scope.table import CAPABILITIES

        if capability not in CAPABILITIES:
            raise KeyError(f"unknown capability {capability!r}")
        granted = CAPABILITIES[capability]
        return (self.is_operator and granted.operator) or self.kind in granted.kinds

    @cached_property
    def caps(self) -> dict[str, bool]:
        """Every capability, for templates: `{% if scope.caps.regulate %}`."""
        from projects.scope.table import CAPABILITIES

        return {name: self.can(name) for name in CAPABILITIES}

    # --- rows -------------------------------------------------------------------------------------

    def q(self, model: type[Model], action: str = "view") -> Q:
        """The condition on `model`'s rows for `action` (the table's reaches of the account's kind, OR-ed)."""
        from projects.scope.table import rule_for

        rule = rule_for(model)
        access = rule.action(action)
        if self.is_operator:
            return Q() if access.operator else NOTHING
        return q_or(*(reach.build(self, rule.paths) for reach in access.reaches.get(self.kind, ())))

    def restrict(self, queryset: QuerySet | type[Model], action: str = "view") -> QuerySet:
        qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
        condition = self.q(qs.model, action)
        if condition == NOTHING:
            return qs.none()
        return qs.filter(condition) if condition else qs

    def allows(self, obj: Model, action: str = "view") -> bool:
        """Whether the account may do `action` on the saved row `obj` (one query at most)."""
        return action in self.allowed(obj, action)

    def allowed(self, obj: Model, *actions: str) -> set[str]:
        """Which of `actions` the account may do on `obj`: one query for all of them. The answers are kept
        on the row object, so that a page asking again of the same object pays once, and a row fetched
        afresh (after a write) is asked afresh."""
        answers = obj.__dict__.setdefault("_smz_allowed", {})
        for action in actions:  # answered already by the query that fetched the row (with_allowed)
            if f"_may_{action}" in obj.__dict__:
                answers[(self.key, action)] = bool(obj.__dict__[f"_may_{action}"])
        unknown = [a for a in actions if (self.key, a) not in answers]
        if unknown and obj.pk is not None:
            conditions = {a: self.q(type(obj), a) for a in unknown}
            for action, condition in conditions.items():
                if condition == NOTHING or not condition:  # none, or every row: no query needed
                    answers[(self.key, action)] = condition != NOTHING
            asked = {a: c for a, c in conditions.items() if c != NOTHING and c}
            if asked:
                annotations = {f"may_{a}": ExpressionWrapper(c, output_field=BooleanField()) for a, c in asked.items()}
                row = type(obj)._default_manager.filter(pk=obj.pk).values(**annotations).first() or {}
                for action in asked:
                    answers[(self.key, action)] = bool(row.get(f"may_{action}"))
        return {a for a in actions if answers.get((self.key, a), False)}

    def with_allowed(self, queryset: QuerySet, *actions: str) -> QuerySet:
        """The rows the account reads, each carrying whether it may do each of `actions` on it, asked in the
        same query (a page that fetches a row and asks what it may do with it pays one query)."""
        rows = self.restrict(queryset, "view")
        annotations = {}
        for action in actions:
            condition = self.q(rows.model, action)
            value = Value(False) if condition == NOTHING else condition if condition else Value(True)
            annotations[f"_may_{action}"] = ExpressionWrapper(value, output_field=BooleanField())
        return rows.annotate(**annotations)

    def authorize(self, obj: Model, action: str, message: str | None = None) -> None:
        """A row outside what the account reads is not there (404); one it reads but may not act on is
        refused (403) with the action's reason."""
        from projects.scope.table import rule_for

        allowed = self.allowed(obj, "view", action)
        if "view" not in allowed:
            raise Http404(_("Not found in your jurisdiction."))
        if action not in allowed:
            raise PermissionDenied(message or rule_for(type(obj)).action(action).refusal)

    # --- questions that need more than one row ------------------------------------------------------

    def districts(self) -> QuerySet:
        """The districts the account governs (its forms and filters offer these): none for a firm."""
        from projects.scope.reaches import governed_districts

        return governed_districts(self)

    def may_register_staff(self, project, employer) -> bool:
        """An engagement on `project` employed by `employer`: the project's city or general contractor for
        anyone, a subcontractor or supervision firm taking part in it for its own staff."""
        if self.allows(project, "manage_project"):
            return True
        return employer is not None and employer.pk == self.enterprise_id and self.allows(project, "register_people")

    def may_prepare_wages(self, project, employer) -> bool:
        """A wage sheet of `employer` on `project` (工资支付表, seed 004 §一(五)): prepared by the employer itself,
        a firm taking part in the project (the general contractor for its own workers too), never by a
        regulator or by another firm."""
        return employer is not None and employer.pk == self.enterprise_id and self.allows(project, "prepare_wages")

    def may_register_device(self, project, vendor) -> bool:
        """A device on `project`: its city or general contractor; a vendor serving it, for its own devices."""
        if self.allows(project, "manage_project"):
            return True
        return vendor is not None and vendor.pk == self.enterprise_id and self.allows(project, "register_device")

    def registers_as_contractor(self, contractors) -> bool:
        """A firm registers a project only as its general contractor (`contractors`: the firms named so);
        a regulator registers any."""
        if self.kind in FIRM_KINDS:
            return any(firm.pk == self.enterprise_id for firm in contractors)
        return True

    def may_admin(self, model, action: str) -> bool:
        """Whether the account opens `model`'s admin page for `action` (it reaches rows of it for that action)."""
        from projects.scope.backend import admin_permissions

        opts = model._meta
        return self.is_operator or f"{opts.app_label}.{action}_{opts.model_name}" in admin_permissions(self)

    def may_reveal_id_numbers(self) -> bool:
        """Full ID numbers: never implied by a role, granted to individual accounts (or groups) by the operator."""
        return self.kind is not Kind.ANONYMOUS and self.user.has_perm("projects.view_full_id_number")

    def is_submitter(self, status_request) -> bool:
        return self.allows(status_request, "as_submitter")

    def require(self, capability: str, message: str | None = None) -> None:
        from projects.scope.table import CAPABILITIES

        if not self.can(capability):
            raise PermissionDenied(message or CAPABILITIES[capability].refusal)


_CACHE_ATTR = "_smz_scope"


def scope_of(user) -> Scope:
    """The account's scope, kept on the account object for the request (rebuilt if the account changed)."""
    if user is None:
        return Scope(None)
    key = (
        getattr(user, "pk", None),
        getattr(user, "is_active", False),
        getattr(user, "is_superuser", False),
        getattr(user, "role", None),
        getattr(user, "region_id", None),
        getattr(user, "district_id", None),
        getattr(user, "enterprise_id", None),
    )
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = Scope(user)
    with contextlib.suppress(AttributeError):  # AnonymousUser and the like may refuse new attributes
        setattr(user, _CACHE_ATTR, (key, scope))
    return scope
