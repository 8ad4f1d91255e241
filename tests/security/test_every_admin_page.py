"""Every admin page, as every kind of account (issue 23): the changelist opens for those it names (403 for
the others), a change form opens only on a row the account reads (the admin index or 403 for the others),
a posted change by an account that may not change the row changes nothing, and no non-operator ever sees
or sets Django's permission fields. The table fails on an admin page missing from it.

The world is the two-province one of tests/security/conftest.py (see test_every_route.py)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.test import Client

from devices.models import Device
from inspections.models import (
    Alert,
    Campaign,
    Case,
    CreditDeduction,
    Inspection,
    Measure,
    Policy,
    RandomDraw,
    RectificationReply,
)
from projects.models import (
    Engagement,
    IdentityConflict,
    Person,
    ReferenceCode,
    Region,
    StatusRequest,
    User,
)
from tests.security.test_every_route import ROLES, SECRETS, secrets_for
from wages.models import LabourContract, WageSheet

pytestmark = pytest.mark.django_db

PROVINCES = {"province", "jiangsu"}
CITIES = {"city", "hangzhou", "nanjing"}
DISTRICTS = {"haishu", "jiangbei", "xihu"}
REGULATORS = PROVINCES | CITIES | DISTRICTS
FIRMS = {"contractor", "other_contractor", "hangzhou_contractor", "subcontractor", "supervisor", "owner"}
SIGNED_IN = REGULATORS | FIRMS | {"vendor", "operator"}
NINGBO = {"operator", "province", "city", "haishu"}  # who reads Haishu's project's records as regulators
# Who reads every name of Haishu's project in the admin: its regulators and its general contractor; the
# supervision firm also the compliance records it answers for (alerts, inspections, cases).
SEES_ALL = NINGBO | {"contractor"}
ANSWERABLE_MODELS = {"inspections.alert", "inspections.inspection", "inspections.case"}

# Who opens each admin page's list (the operator opens every one). Settings (regions, code tables,
# deductions, policies) open for those who set them; the platform-wide ones are the operator's.
CHANGELIST = {
    "auth.group": set(),
    "axes.accessattempt": PROVINCES | CITIES,
    "axes.accessfailurelog": set(),
    "axes.accesslog": set(),
    "knox.authtoken": PROVINCES | CITIES,
    "common.auditevent": PROVINCES | CITIES,
    "common.operationalalert": set(),
    "projects.region": PROVINCES | CITIES,
    "projects.referencecode": set(),
    "projects.enterprise": SIGNED_IN,
    "projects.person": REGULATORS | FIRMS,
    "projects.engagement": REGULATORS | FIRMS,
    "projects.identityconflict": REGULATORS,
    "projects.project": SIGNED_IN,
    "projects.statusrequest": REGULATORS | FIRMS,
    "projects.projectstatuschange": SIGNED_IN,
    "projects.user": SIGNED_IN,
    "devices.device": SIGNED_IN,
    # 平台对接: a setting the city keeps (it registers and disables vendors' platforms).
    "devices.vendorplatform": CITIES,
    "attendance.punch": REGULATORS | FIRMS,
    "attendance.dailypresence": REGULATORS | FIRMS,
    "inspections.policy": CITIES,
    "inspections.policyversion": set(),  # written by policy changes only; the policy page shows them
    "inspections.alert": REGULATORS | FIRMS,
    "inspections.rulerun": set(),
    "inspections.nightlyrun": set(),
    "inspections.exportgrant": CITIES,
    "inspections.inspection": REGULATORS | FIRMS,
    "inspections.case": SIGNED_IN,
    "inspections.measure": SIGNED_IN,
    "inspections.rectificationreply": SIGNED_IN,
    "inspections.creditdeduction": set(),
    "inspections.creditrecord": SIGNED_IN,
    "inspections.campaign": REGULATORS,
    "inspections.randomdraw": REGULATORS,
    # The wage records, read-only: the regulators, and the firms whose people or projects they are.
    "wages.wageaccount": REGULATORS | FIRMS,
    "wages.labourcostdeposit": REGULATORS | FIRMS,
    "wages.wagesheet": REGULATORS | FIRMS,
    "wages.labourcontract": REGULATORS | FIRMS,
    "wages.exitsettlement": REGULATORS | FIRMS,
    "upward.receiver": CITIES,
    "upward.outboxitem": PROVINCES | CITIES,
}


def _object(label: str, city, world):
    """The world's row of each admin page, and who reads it (its change form opens for them)."""
    users = city.users
    rows = {
        "projects.region": (city.haishu, {"operator"} | PROVINCES | CITIES),
        "projects.referencecode": (ReferenceCode.objects.order_by("pk").first(), {"operator"}),
        "projects.enterprise": (
            city.contractor,
            {
                "operator",
                "province",
                "jiangsu",
                "city",
                "hangzhou",
                "nanjing",
                "haishu",
                "contractor",
                "subcontractor",
                "supervisor",
                "owner",
                "vendor",
            },
        ),
        "projects.person": (Person.objects.get(pk=world.manager_person), NINGBO | {"contractor"}),
        "projects.engagement": (Engagement.objects.get(pk=world.manager_engagement), NINGBO | {"contractor"}),
        "projects.identityconflict": (IdentityConflict.objects.get(pk=world.conflict), NINGBO),
        "projects.project": (city.project, NINGBO | {"contractor", "subcontractor", "supervisor", "owner", "vendor"}),
        "projects.statusrequest": (
            StatusRequest.objects.get(pk=world.request),
            NINGBO | {"contractor", "subcontractor", "supervisor", "owner"},
        ),
        "projects.user": (users["contractor"], {"operator", "province", "city", "contractor"}),
        "devices.device": (
            Device.objects.get(serial=world.serial),
            NINGBO | {"contractor", "subcontractor", "supervisor", "owner", "vendor"},
        ),
        "inspections.policy": (Policy.objects.filter(district__isnull=True).first(), {"operator"} | CITIES),
        "inspections.alert": (Alert.objects.get(pk=world.alert), NINGBO | {"contractor", "supervisor"}),
        "inspections.inspection": (Inspection.objects.get(pk=world.inspection), NINGBO | {"contractor", "supervisor"}),
        "inspections.case": (Case.objects.get(pk=world.case), NINGBO | {"contractor", "supervisor"}),
        "inspections.measure": (Measure.objects.get(pk=world.measure), NINGBO | {"contractor"}),
        "inspections.rectificationreply": (RectificationReply.objects.get(pk=world.reply), NINGBO | {"contractor"}),
        "inspections.creditdeduction": (CreditDeduction.objects.order_by("pk").first(), {"operator"}),
        "inspections.campaign": (Campaign.objects.get(pk=world.campaign), NINGBO | {"jiangbei"}),
        "inspections.randomdraw": (RandomDraw.objects.get(pk=world.draw), NINGBO),
        "wages.wagesheet": (WageSheet.objects.get(pk=world.wage_sheet), NINGBO | {"contractor", "subcontractor"}),
        "wages.labourcontract": (LabourContract.objects.get(pk=world.contract), NINGBO | {"contractor"}),
    }
    return rows.get(label, (None, set()))


def _admin_models() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry)


def test_every_admin_page_is_in_the_table():
    assert set(_admin_models()) - set(CHANGELIST) == set(), "admin pages nobody said who opens"
    assert set(CHANGELIST) - set(_admin_models()) == set(), "table rows for admin pages that no longer exist"


def _url(label: str, suffix: str = "") -> str:
    app, model = label.split(".")
    return f"/admin/{app}/{model}/{suffix}"


@pytest.mark.parametrize("label", _admin_models())
def test_each_admin_page_opens_for_those_it_names_and_shows_only_their_rows(provinces, signed_in, label):
    city, world = provinces
    clients = {role: signed_in.page(role) for role in ROLES}
    for role in ROLES:
        response = clients[role].get(_url(label))
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], (label, role)
            continue
        opens = role == "operator" or role in CHANGELIST[label]
        assert response.status_code == (200 if opens else 403), (label, role, response.status_code)
        body = response.content.decode("utf-8", "replace")
        if role in SEES_ALL or (role == "supervisor" and label in ANSWERABLE_MODELS):
            continue
        assert not [word for word in secrets_for(role) if word in body], (label, role)


# The pages the world holds a row of (the others, a lockout or a night's run, have none to open).
ROW_PAGES = [
    "projects.region",
    "projects.referencecode",
    "projects.enterprise",
    "projects.person",
    "projects.engagement",
    "projects.identityconflict",
    "projects.project",
    "projects.statusrequest",
    "projects.user",
    "devices.device",
    "inspections.policy",
    "inspections.alert",
    "inspections.inspection",
    "inspections.case",
    "inspections.measure",
    "inspections.rectificationreply",
    "inspections.creditdeduction",
    "inspections.campaign",
    "inspections.randomdraw",
    "wages.wagesheet",
    "wages.labourcontract",
]


@pytest.mark.parametrize("label", ROW_PAGES)
def test_a_change_form_opens_only_on_a_row_the_account_reads_and_a_refused_post_changes_nothing(
    provinces, signed_in, label
):
    city, world = provinces
    row, readers = _object(label, city, world)
    assert row is not None, f"{label}: the world holds no row of it"
    model = type(row)
    clients = {role: signed_in.page(role) for role in ROLES}
    url = _url(label, f"{row.pk}/change/")
    before = model_to_dict(model.objects.get(pk=row.pk))
    for role in ROLES:
        if role == "anonymous":
            continue
        response = clients[role].get(url)
        body = response.content.decode("utf-8", "replace")
        if role in readers:
            assert response.status_code == 200, (label, role, response.status_code)
            if role != "operator":  # Django's permission fields are the operator's alone, on every form
                assert not [field for field in PERMISSION_FIELDS if field in body], (label, role)
        else:
            # Not there for it: the admin's "does not exist" (back to the index), or no page at all.
            assert response.status_code in (302, 403, 404), (label, role, response.status_code)
            assert not [word for word in SECRETS if word in body and word in secrets_for(role)], (label, role)
        if role == "operator":
            continue
        # A change posted by whoever may not change the row leaves it as it was (the permission fields,
        # a jurisdiction and a name among what is posted).
        clients[role].post(url, HOSTILE_CHANGE)
        after = model_to_dict(model.objects.get(pk=row.pk))
        if not _may_change(role, label):
            assert after == before, (label, role, "changed")
        before = after


HOSTILE_CHANGE = {
    "name": "改名",
    "title": "改名",
    "username": "hijacked",
    "is_superuser": "on",
    "is_staff": "on",
    "role": "city",
    "region": "",
    "parent": "",
    "district": "",
}


def _region(client: Client, url: str, code: str, name: str, level: str, parent: Region):
    return client.post(url, {"code": code, "name": name, "level": level, "parent": parent.pk})


def _may_change(role: str, label: str) -> bool:
    """Who may change the world's row in the admin (a post of odd fields is refused as invalid anyway)."""
    return (role, label) in {
        ("city", "projects.project"),
        ("city", "projects.region"),
        ("city", "projects.user"),
        ("city", "projects.enterprise"),
        ("city", "projects.person"),
        ("city", "projects.engagement"),
        ("city", "devices.device"),
        ("province", "projects.region"),
        ("province", "projects.user"),
        ("contractor", "projects.user"),
    }


PERMISSION_FIELDS = ('name="is_superuser"', 'name="is_staff"', 'name="groups"', 'name="user_permissions"')


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("operator", "anonymous")])
def test_no_admin_form_shows_a_permission_field_to_anyone_but_the_operator(provinces, signed_in, role):
    city, _world = provinces
    client = signed_in.page(role)
    user = city.users[role]
    forms = [
        f"/admin/projects/user/{user.pk}/change/",
        "/admin/projects/user/add/",
        f"/admin/projects/user/{city.users['contractor'].pk}/change/",
        f"/admin/projects/user/{city.users['haishu'].pk}/change/",
        "/admin/auth/group/add/",
    ]
    for url in forms:
        body = client.get(url).content.decode("utf-8", "replace")
        assert not [field for field in PERMISSION_FIELDS if field in body], (role, url)
    # Posted on its own account with everything else valid, is_superuser changes nothing.
    client.post(
        f"/admin/projects/user/{user.pk}/change/",
        {
            "first_name": "改名",
            "last_name": "",
            "email": "",
            "phone": "",
            "language": "zh-hans",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [Group.objects.create(name=f"g-{role}").pk],
            "user_permissions": [1],
            "role": "city",
            "region": "",
            "district": "",
            "enterprise": "",
        },
    )
    user.refresh_from_db()
    assert not user.is_superuser and user.groups.count() == 0 and user.user_permissions.count() == 0, role
    assert (user.role, user.region_id, user.district_id, user.enterprise_id) == (
        city.users[role].role,
        city.users[role].region_id,
        city.users[role].district_id,
        city.users[role].enterprise_id,
    )


def test_the_operator_alone_sets_permissions(provinces, signed_in):
    city, _world = provinces
    operator = signed_in.page("operator")
    body = operator.get(f"/admin/projects/user/{city.users['haishu'].pk}/change/").content.decode()
    assert 'name="is_superuser"' in body and 'name="user_permissions"' in body
    assert operator.get("/admin/auth/group/").status_code == 200


def test_the_operators_account_is_nobodys_to_see_or_manage(provinces, signed_in):
    city, _world = provinces
    operator = city.users["operator"]
    for role in ("city", "province", "hangzhou"):
        client = signed_in.page(role)
        listed = client.get("/admin/projects/user/").content.decode()
        assert ">operator<" not in listed, role
        assert client.get(f"/admin/projects/user/{operator.pk}/change/").status_code in (302, 404), role
    assert User.objects.get(pk=operator.pk).is_superuser


def test_regions_are_registered_and_moved_only_below_ones_own_level(provinces, signed_in):
    city, _world = provinces
    clients = {role: signed_in.page(role) for role in ROLES}
    hangzhou_city = Region.objects.get(code="330100")
    xihu = Region.objects.get(code="330106")
    # Hangzhou's regulator adds a district under Ningbo, and moves Haishu under itself: refused, nothing kept.
    add, haishu = "/admin/projects/region/add/", f"/admin/projects/region/{city.haishu.pk}/change/"
    _region(clients["hangzhou"], add, "330299", "假区", "district", city.city)
    _region(clients["hangzhou"], haishu, "330203", "海曙区", "district", hangzhou_city)
    assert not Region.objects.filter(code="330299").exists()
    assert Region.objects.get(pk=city.haishu.pk).parent_id == city.city.pk
    # Ningbo moves one of its districts under Hangzhou, or takes Xihu: refused.
    _region(clients["city"], haishu, "330203", "海曙区", "district", hangzhou_city)
    _region(clients["city"], f"/admin/projects/region/{xihu.pk}/change/", "330106", "西湖区", "district", city.city)
    assert Region.objects.get(pk=city.haishu.pk).parent_id == city.city.pk
    assert Region.objects.get(pk=xihu.pk).parent_id == hangzhou_city.pk
    # Its own: a new district of Ningbo is registered; a province registers a city of its own.
    added = _region(clients["city"], add, "330212", "鄞州区", "district", city.city)
    assert added.status_code == 302 and Region.objects.get(code="330212").parent_id == city.city.pk
    zhejiang = Region.objects.get(code="330000")
    _region(clients["province"], add, "330300", "温州市", "city", zhejiang)
    assert Region.objects.get(code="330300").parent.code == "330000"
    _region(clients["jiangsu"], add, "330400", "嘉兴市", "city", zhejiang)
    assert not Region.objects.filter(code="330400").exists()


def test_accounts_are_managed_only_inside_ones_jurisdiction(provinces, signed_in):
    city, _world = provinces
    clients = {role: signed_in.page(role) for role in ROLES}
    contractor = city.users["contractor"]
    action = {"action": "lock_accounts", "_selected_action": [contractor.pk]}
    clients["hangzhou"].post("/admin/projects/user/", action)
    clients["jiangsu"].post("/admin/projects/user/", action)
    assert User.objects.get(pk=contractor.pk).is_active
    clients["city"].post("/admin/projects/user/", action)
    assert not User.objects.get(pk=contractor.pk).is_active
    clients["city"].post("/admin/projects/user/", {"action": "unlock_accounts", "_selected_action": [contractor.pk]})
    assert User.objects.get(pk=contractor.pk).is_active
    # Nobody but the operator sets another account's password; a regulator gives a one-time link.
    for role in ("city", "hangzhou", "province"):
        page = clients[role].post(
            f"/admin/projects/user/{contractor.pk}/password/",
            {"password1": "Taken-Over-2026!", "password2": "Taken-Over-2026!"},
        )
        assert page.status_code == 403, role
    assert not User.objects.get(pk=contractor.pk).check_password("Taken-Over-2026!")
    Client().post("/login/", {"username": "contractor", "password": "Taken-Over-2026!"})
    # A city creates an account only inside its own jurisdiction: Hangzhou's district is not on offer.
    made = clients["city"].post(
        "/admin/projects/user/add/",
        {"username": "xihu.staff", "role": "district", "district": Region.objects.get(code="330106").pk},
    )
    assert made.status_code == 200 and not User.objects.filter(username="xihu.staff").exists()


# Who may delete the world's row through the admin's action (nobody deletes these records but the operator).
@pytest.mark.parametrize("label", ROW_PAGES)
def test_the_delete_action_deletes_nothing_outside_what_the_account_may_delete(provinces, signed_in, label):
    city, world = provinces
    row, _readers = _object(label, city, world)
    model = type(row)
    clients = {role: signed_in.page(role) for role in ROLES}
    for role in ROLES:
        if role in ("operator", "anonymous"):
            continue
        clients[role].post(_url(label), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
        assert model.objects.filter(pk=row.pk).exists(), (label, role, "deleted")
