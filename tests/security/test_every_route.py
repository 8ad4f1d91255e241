"""Every route of the platform, asked by every kind of account (issues 14 and 23): allowed, or refused (401,
403, 404) without a name of the project's people in the answer; a refused write changes nothing. The
table below says who may; a route that is not in it fails the test, so a new route must say who may use
it. The admin's pages are test_every_admin_page.py's.

The world (tests/security/conftest.py): two provinces. Zhejiang holds Ningbo (Haishu and Jiangbei) and
Hangzhou (Xihu); Jiangsu holds Nanjing (Xuanwu); each with projects and their firms. The accounts: the
platform's operator; Zhejiang's and Jiangsu's regulators; Ningbo's, Hangzhou's and Nanjing's; the staff
of Haishu (the project's district), Jiangbei and Xihu; Haishu's project's general contractor,
subcontractor, supervision firm, owner and device vendor; Jiangbei's and Hangzhou's contractors; nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
import time_machine
from django.db import connection
from django.db.models import QuerySet
from django.urls import URLResolver, get_resolver

from inspections.models import Alert, Case, InspectionPhoto, Measure, MeasureDocument, RectificationReply
from projects.models import Engagement, IdentityConflict, Project, StatusRequest, StatusRequestAttachment
from rights.models import Complaint, ComplaintReply, RightsBoard
from tests.factories import id_number
from tests.security import world as w
from upward.models import OutboxItem
from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
ROLES = (
    "operator",
    "province",
    "jiangsu",
    "city",
    "hangzhou",
    "nanjing",
    "haishu",
    "jiangbei",
    "xihu",
    "contractor",
    "other_contractor",
    "hangzhou_contractor",
    "subcontractor",
    "supervisor",
    "owner",
    "vendor",
    "anonymous",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
REGULATORS = frozenset({"city", "haishu"})  # the project's regulators who act
PARTIES = frozenset({"contractor", "subcontractor", "supervisor", "owner", "vendor"})  # the project's firms
FIRMS = PARTIES - {"vendor"}  # the firms that file and read the project's status requests
ANSWERABLE = REGULATORS | {"contractor", "supervisor"}  # who answers for the project's compliance
ADDRESSEE = REGULATORS | {"contractor"}  # the regulators and the firm the order is addressed to
NOBODY: frozenset = frozenset()
SECRETS = (w.PROJECT_NAME, w.MANAGER, w.WORKER)
OTHER_REGULATORS = frozenset({"hangzhou", "nanjing", "jiangsu", "jiangbei", "xihu"})


def secrets_for(role: str) -> tuple[str, ...]:
    """The project's words a refused role must not read: its name (the parties take part in it), its
    manager's, its subcontractor's worker's (the subcontractor employs him)."""
    if role in ("province", "operator"):
        return ()  # they read everything of Ningbo (they act on none of it: the snapshot holds that)
    known = {w.PROJECT_NAME} if role in REGULATORS | PARTIES else set()
    if role == "subcontractor":
        known.add(w.WORKER)
    return tuple(word for word in SECRETS if word not in known)


REFUSED = {401, 403, 404}


@dataclass(frozen=True)
class Route:
    """Who may use the route (`may`), and the word an allowed answer shows (`shows`)."""

    may: frozenset
    method: str = "GET"
    query: str = ""
    shows: str | None = None
    data: dict = field(default_factory=dict)
    # Besides 401/403/404, a refusal may be a 400 naming the bad filter (the reports' district/project).
    refused_also: frozenset = frozenset()


# The formatter is off for this table only: one route a line, so that a reader (and a diff) sees each
# route with who may use it side by side, and a missing route is a missing line.
# fmt: off
ROUTES = {
    "/healthz": Route(EVERYONE),
    # Loopback (the test client's address) or a bearer of SMZ_METRICS_TOKEN: figures, never names.
    "/metrics": Route(EVERYONE),
    "/api/schema/": Route(SIGNED_IN),
    "/api/docs/": Route(SIGNED_IN),
    "/api/redoc/": Route(SIGNED_IN),
    "/api-auth/login/": Route(EVERYONE),
    "/api-auth/logout/": Route(EVERYONE, method="POST"),
    # Device routes answer signed devices only: an account's request is refused as unsigned.
    "/api/device/v1/heartbeat": Route(NOBODY, method="POST"),
    "/api/device/v1/punches": Route(NOBODY, method="POST"),
    "/api/device/v1/platform/punches": Route(NOBODY, method="POST"),  # a vendor platform's signature, no account
    "/api/v1/me/": Route(SIGNED_IN),
    "/api/v1/auth/token/rotate/": Route(SIGNED_IN, method="POST"),
    "/api/v1/projects/{permit_no}/engagements/": Route(REGULATORS | {"contractor"}, shows=w.MANAGER),
    "/api/v1/projects/{permit_no}/engagements/ POST": Route(
        frozenset({"city", "contractor", "subcontractor", "supervisor"}), method="POST"),
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/exit/": Route(
        frozenset({"city", "contractor"}), method="POST"),
    # Full numbers need the permission, which no role implies.
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/id-number/": Route(NOBODY),
    "/api/v1/projects/{permit_no}/status-history/": Route(REGULATORS | PARTIES),
    # The request waits for the district's approval: the city's comes second.
    "/api/v1/status-requests/{request_id}/approve/": Route(frozenset({"haishu"}), method="POST"),
    "/api/v1/status-requests/{request_id}/reject/": Route(frozenset({"haishu"}), method="POST"),
    "/api/v1/status-requests/{request_id}/withdraw/": Route(frozenset({"city", "contractor"}), method="POST"),
    "/api/v1/status-requests/{request_id}/attachments/": Route(frozenset({"city", "contractor"}), method="POST"),
    "/api/v1/status-requests/{request_id}/attachments/{attachment_id}/": Route(REGULATORS | FIRMS),
    "/api/v1/regions/": Route(SIGNED_IN),
    "/api/v1/regions/{code}/": Route(SIGNED_IN),
    "/api/v1/enterprises/": Route(SIGNED_IN),
    "/api/v1/enterprises/{uscc}/": Route(REGULATORS | PARTIES),
    "/api/v1/projects/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    "/api/v1/projects/{permit_no}/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    "/api/v1/status-requests/": Route(REGULATORS | FIRMS, shows="停工待料"),
    "/api/v1/status-requests/{pk}/": Route(REGULATORS | FIRMS, shows="停工待料"),
    "/api/v1/projects/{permit_no}/devices/": Route(REGULATORS | PARTIES, shows="HS-GATE-01"),
    "/api/v1/devices/": Route(REGULATORS | PARTIES, shows="HS-GATE-01"),
    "/api/v1/devices/{serial}/": Route(REGULATORS | PARTIES, shows="HS-GATE-01"),
    # Every party reads the project's figures; only those who see everybody read the managers' names.
    "/api/v1/projects/{permit_no}/presence/": Route(REGULATORS | {"contractor"}, shows=w.MANAGER),
    "/api/v1/alerts/{alert_id}/acknowledge/": Route(REGULATORS, method="POST"),
    "/api/v1/alerts/{alert_id}/dismiss/": Route(REGULATORS, method="POST"),
    "/api/v1/inspections/{inspection_id}/photos/": Route(REGULATORS, method="POST"),
    "/api/v1/cases/{case_id}/attach/": Route(REGULATORS, method="POST"),
    "/api/v1/cases/{case_id}/close/": Route(REGULATORS, method="POST"),
    # The supervision firm issues its supervision notice on the project's case.
    "/api/v1/cases/{case_id}/measures/": Route(REGULATORS | {"supervisor"}, method="POST"),
    "/api/v1/measures/{measure_id}/confirm/": Route(REGULATORS, method="POST"),
    "/api/v1/measures/{measure_id}/withdraw/": Route(REGULATORS, method="POST"),
    "/api/v1/measures/{measure_id}/documents/": Route(REGULATORS, method="POST"),
    # A measure is read by its project's regulators and the firm it is addressed to (the order: the
    # general contractor), never by the other firms of the case.
    "/api/v1/measures/{measure_id}/documents/{document_id}/": Route(ADDRESSEE),
    "/api/v1/measures/{measure_id}/replies/": Route(frozenset({"contractor"}), method="POST"),
    "/api/v1/replies/{reply_id}/accept/": Route(REGULATORS, method="POST"),
    "/api/v1/replies/{reply_id}/reject/": Route(REGULATORS, method="POST"),
    # Wages: the account and deposits read by the project's regulators and firms (numbers masked), kept by
    # its general contractor; a wage sheet read by the regulators, the general contractor and its employer,
    # prepared by a firm for its own workers (an empty body: 400), confirmed by the general contractor.
    "/api/v1/projects/{permit_no}/wage-account/": Route(REGULATORS | FIRMS, shows="3310 **** **** 2345"),
    "/api/v1/projects/{permit_no}/wage-account/ POST": Route(frozenset({"contractor"}), method="POST"),
    "/api/v1/projects/{permit_no}/labour-deposits/": Route(REGULATORS | FIRMS, shows="\"amount\":80000.0"),
    "/api/v1/projects/{permit_no}/labour-deposits/ POST": Route(frozenset({"contractor"}), method="POST"),
    # A labour contract: read with its engagement (here the manager's: the general contractor's staff), recorded
    # by who registers the engagement's staff (an empty body: 400); its scan's every download is logged.
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/contracts/": Route(REGULATORS | {"contractor"},
                                                                               shows="HT-2026-001"),
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/contracts/ POST": Route(
        frozenset({"city", "contractor"}), method="POST"),
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/contracts/{contract_id}/scan": Route(
        REGULATORS | {"contractor"}),
    # An exit settlement: read with its engagement, recorded once by who registers the engagement's staff (an
    # empty body: 400); its signed confirmation's every download is logged.
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/settlement/": Route(REGULATORS | {"contractor"},
                                                                                shows="项目管理12个月"),
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/settlement/ POST": Route(
        frozenset({"city", "contractor"}), method="POST"),
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/settlement/confirmation": Route(
        REGULATORS | {"contractor"}),
    "/api/v1/wage-sheets/": Route(REGULATORS | {"contractor", "subcontractor"}, shows=w.WORKER),
    "/api/v1/wage-sheets/ POST": Route(frozenset({"contractor", "subcontractor", "supervisor"}), method="POST",
                                       data={"project": "330203202609010101"}, refused_also=frozenset({400})),
    "/api/v1/wage-sheets/import/": Route(frozenset({"contractor", "subcontractor", "supervisor"}), method="POST",
                                         data={"project": "330203202609010101"}, refused_also=frozenset({400})),
    "/api/v1/wage-sheets/template.xlsx": Route(SIGNED_IN),
    "/api/v1/wage-sheets/{pk}/": Route(REGULATORS | {"contractor", "subcontractor"}, shows=w.WORKER),
    # Full card numbers need the permission of full ID numbers, which no role implies.
    "/api/v1/wage-sheets/{sheet_id}/lines/{line_id}/card/": Route(NOBODY),
    "/api/v1/wage-sheets/{sheet_id}/confirm/": Route(frozenset({"contractor"}), method="POST"),
    "/api/v1/wage-sheets/{sheet_id}/bank-results/": Route(frozenset({"contractor"}), method="POST"),
    "/api/v1/credit/enterprises/{uscc}/": Route(REGULATORS | PARTIES),
    "/api/v1/credit/people/{person_id}/": Route(REGULATORS, shows=w.MANAGER),
    # The campaign covers Haishu and Jiangbei.
    "/api/v1/campaigns/{campaign_id}/progress/": Route(REGULATORS | {"jiangbei"}),
    "/api/v1/draws/{draw_id}/verify/": Route(REGULATORS),
    "/api/v1/alerts/": Route(ANSWERABLE, shows=w.MANAGER),
    "/api/v1/alerts/{pk}/": Route(ANSWERABLE, shows=w.MANAGER),
    "/api/v1/inspections/": Route(ANSWERABLE, shows=w.MANAGER),
    "/api/v1/inspections/{pk}/": Route(ANSWERABLE, shows=w.MANAGER),
    "/api/v1/cases/": Route(ANSWERABLE, shows="项目经理缺勤"),
    "/api/v1/cases/{pk}/": Route(ANSWERABLE, shows="项目经理缺勤"),
    "/api/v1/measures/": Route(ADDRESSEE, shows="rectification"),
    "/api/v1/measures/{pk}/": Route(ADDRESSEE, shows="rectification"),
    "/api/v1/credit/records/": Route(SIGNED_IN),
    "/api/v1/campaigns/": Route(REGULATORS | {"jiangbei"}, shows="专项整治"),
    "/api/v1/campaigns/{pk}/": Route(REGULATORS | {"jiangbei"}, shows="专项整治"),
    "/api/v1/draws/": Route(REGULATORS, shows=None),
    "/api/v1/draws/{pk}/": Route(REGULATORS),
    "/reports/": Route(REGULATORS | {"jiangbei"}),
    "/reports/annex1.xlsx": Route(REGULATORS, query="district=330203&from=2026-11-01&to=2026-11-30",
                                  refused_also=frozenset({400})),
    "/reports/annex2.xlsx": Route(REGULATORS, query="case={case_id}", refused_also=frozenset({400})),
    "/reports/manager-presence.xlsx": Route(REGULATORS, query="district=330203&month=2026-11",
                                            refused_also=frozenset({400})),
    "/reports/circular.xlsx": Route(REGULATORS, query="district=330203&month=2026-11", refused_also=frozenset({400})),
    "/reports/ledger.xlsx": Route(REGULATORS | {"contractor"}, query="project={permit_no}",
                                  refused_also=frozenset({400})),
    # A background workbook is its requester's alone (Haishu's staff asked for this one).
    "/reports/jobs/{job_id}/": Route(frozenset({"haishu"})),
    "/reports/jobs/{job_id}/download": Route(frozenset({"haishu"})),
    "/": Route(SIGNED_IN),
    # Everyone's own 待办: each group is what the scope lets the account act on (reports/dashboard/todo.py).
    "/todo/": Route(SIGNED_IN),
    # The cases the account reads: an empty list for whom the scope gives none.
    "/cases/": Route(SIGNED_IN),
    # Everyone's own name and phone (the 填报人 of its workbooks); nobody reaches another's.
    "/account/": Route(SIGNED_IN),
    "/login/": Route(EVERYONE),
    "/logout/": Route(EVERYONE, method="POST"),
    # Every account chooses its own pages' language (it changes nothing of anyone else's).
    "/language/": Route(SIGNED_IN, method="POST", data={"language": "zh-hans", "next": "/"}),
    # The manager's full ID number searched: only those whose people scope holds him find him (the
    # others are answered, with nobody in it); every such search is audit-logged.
    "/search/": Route(REGULATORS | {"contractor"}, method="POST", data={"q": id_number("330203", "19700101", 21)},
                      shows=w.MANAGER),
    "/districts/{code}/": Route(REGULATORS, shows=w.PROJECT_NAME),
    # Ningbo's overview: its own regulators' (and the province's, below); not Hangzhou's.
    "/cities/{code}/": Route(frozenset({"city"}), shows="海曙区"),
    # The project page's status-request forms: the general contractor files, the district decides first.
    "/projects/{permit_no}/status-requests/": Route(frozenset({"contractor"}), method="POST", data={
        "kind": "resumption", "reason": "复工", "effective_from": "2026-11-25", "attachment_kind": "other"}),
    "/status-requests/{request_id}/decide/": Route(frozenset({"haishu"}), method="POST",
                                                   data={"action": "approve", "comment": "已核实",
                                                                                    "confirm": "yes"}),
    "/identity-conflicts/{conflict_id}/review/": Route(REGULATORS, method="POST"),
    # Casework in the pages: the API's own rules (the world's order is answered, awaiting review).
    "/cases/{case_id}/": Route(ANSWERABLE, shows="项目经理缺勤"),
    # 立案 from ticked findings: none ticked here, so the district is answered with the message and nothing opens.
    "/projects/{permit_no}/cases/": Route(REGULATORS, method="POST", data={"title": "新案件"}),
    "/cases/{case_id}/measures/": Route(REGULATORS, method="POST", data={
        "kind": "circular", "issued_on": "2026-11-25", "basis": "R02", "confirm": "on"}),
    "/cases/{case_id}/close/": Route(REGULATORS, method="POST", data={"note": "结案"}),
    "/measures/{measure_id}/confirm/": Route(REGULATORS, method="POST", data={"confirm": "on"}),
    "/measures/{measure_id}/withdraw/": Route(REGULATORS, method="POST", data={"reason": "复核撤销"}),
    "/measures/{measure_id}/reply/": Route(frozenset({"contractor"}), method="POST", data={"text": "再次整改"}),
    "/replies/{reply_id}/review/": Route(REGULATORS, method="POST", data={"action": "accept"}),
    "/projects/{permit_no}/inspections/new/": Route(REGULATORS, shows="HS-GATE-01"),
    "/draws/": Route(REGULATORS | {"jiangbei"}),
    # 考核口径: every regulator reads the policies over its own districts.
    "/policies/": Route(REGULATORS | {"jiangbei"}, shows="考核口径"),
    # Changing one: the city that sets it (here Ningbo's own policy);
    # a district, the province and another city are refused its form, its preview and its save.
    "/policies/{policy_id}/edit/": Route(frozenset({"city"}), shows="变更理由"),
    "/policies/{policy_id}/preview/": Route(frozenset({"city"}), method="POST", refused_also=frozenset({400})),
    # A preview's progress: each regulator reads its own previews' (keyed by account), nobody's else.
    "/policies/preview/{preview_job}/": Route(REGULATORS),
    # 报送: each district files its own; the city reads them all, and files none.
    "/submissions/": Route(REGULATORS | {"jiangbei"}),
    "/submissions/prepare/": Route(frozenset({"haishu", "jiangbei"}), method="POST"),
    "/submissions/{submission_id}/submit/": Route(frozenset({"haishu"}), method="POST",
                                                             data={"sha256": "0" * 64, "confirm": "yes"}),
    "/submissions/{submission_id}/download": Route(REGULATORS),
    "/projects/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    "/projects/{permit_no}/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    "/alerts/": Route(REGULATORS | {"jiangbei"}),
    "/alerts/export.xlsx": Route(REGULATORS | {"jiangbei"}),
    "/alerts/triage/": Route(REGULATORS, method="POST"),
    "/alerts/{alert_id}/": Route(REGULATORS, shows=w.MANAGER),
    "/devices/{serial}/": Route(REGULATORS | PARTIES, shows="HS-GATE-01"),
    # The lists (reports.dashboard.listings): the rows the API's lists give the same account; anyone else
    # is answered with an empty list. The roster: the project's, through the people scope.
    "/devices/": Route(REGULATORS | PARTIES, shows="HS-GATE-01"),
    "/inspections/": Route(ANSWERABLE, shows=w.PROJECT_NAME),
    "/measures/": Route(ADDRESSEE, shows=w.PROJECT_NAME),
    "/projects/{permit_no}/people/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    # The wage tab and its ledger: the project's regulators and firms (each reading the lines its scope reads);
    # a sheet imported by a firm for its workers, confirmed and its bank file recorded by the general
    # contractor (an empty form: the page names the missing file). The arrears overview: regulators.
    "/projects/{permit_no}/wages/": Route(REGULATORS | PARTIES, shows=w.PROJECT_NAME),
    "/projects/{permit_no}/wages/ledger.xlsx": Route(REGULATORS | PARTIES),
    "/projects/{permit_no}/wages/sheets/": Route(frozenset({"contractor", "subcontractor", "supervisor"}),
                                                 method="POST"),
    "/wage-sheets/{sheet_id}/confirm/": Route(frozenset({"contractor"}), method="POST"),
    "/wage-sheets/{sheet_id}/bank-results/": Route(frozenset({"contractor"}), method="POST"),
    "/arrears/": Route(REGULATORS | {"jiangbei"}),
    # The rights board: its public page for anyone at its address (no login, no personal data); the board's
    # page and printable workbook for the project's regulators and general contractor, who gives the
    # board's phone; its address revoked (a new one issued) by the district's staff.
    "/board/{token}/": Route(EVERYONE, shows=w.PROJECT_NAME),
    # 一公开: a city's random draws and their results, for anyone (firms and projects named, people never).
    "/public/{code}/draws/": Route(EVERYONE, shows="海曙区"),
    "/public/{code}/draws/{draw_id}/": Route(EVERYONE, shows="world"),
    "/public/{code}/circulars/": Route(EVERYONE, shows="2026-10"),
    "/public/{code}/circulars/{month}/": Route(EVERYONE, shows="海曙区"),
    "/projects/{permit_no}/board/": Route(REGULATORS | {"contractor"}, shows=w.PROJECT_NAME),
    "/projects/{permit_no}/board.xlsx": Route(REGULATORS | {"contractor"}),
    "/projects/{permit_no}/board/contact/": Route(frozenset({"contractor"}), method="POST",
                                                  data={"contact_phone": "0574-88886666"}),
    "/projects/{permit_no}/board/revoke/": Route(REGULATORS, method="POST"),
    # The worker's side (no account): the complaint forms under a board and on a city's public site, the
    # tracking page, a worker's sign-in with his code. His records answer only the person his code proved: to
    # every account here (none is a worker signed in) they are a redirect to the sign-in, and change nothing.
    "/board/{token}/complaint/": Route(EVERYONE, shows=w.PROJECT_NAME),
    "/public/{code}/complaint/": Route(EVERYONE, shows="施工许可证编号"),
    "/complaints/track/": Route(EVERYONE, shows="查询码"),
    "/worker/": Route(EVERYONE, shows="身份证号"),
    "/worker/code/": Route(EVERYONE),
    "/worker/sign-out/": Route(EVERYONE, method="POST"),
    "/worker/records/": Route(EVERYONE),
    "/worker/records/{engagement_id}/": Route(EVERYONE),
    "/worker/records/{engagement_id}/settlement/": Route(EVERYONE, method="POST", data={"answer": "confirmed"}),
    # 举报投诉 land with the project's regulators: read by them (its photos audit-logged), answered, linked to a
    # case and closed by the district's and the city's staff. Never the firms'.
    "/complaints/": Route(REGULATORS),
    "/complaints/{complaint_id}/": Route(REGULATORS, shows="班组三个月工资未发"),
    "/complaints/{complaint_id}/photos/{photo_id}": Route(REGULATORS),
    "/complaints/{complaint_id}/{act}/": Route(REGULATORS, method="POST", data={"text": "已约谈劳务公司"}),
    # A firm's page with its integrity information: whoever reads the firm (the enterprise API's readers).
    "/firms/{uscc}/": Route(REGULATORS | PARTIES),
    # 上报: the city follows what went up to its receivers and resends what was refused (the province reads; the
    # operator, who runs the platform and its credentials, may resend too).
    "/upward/": Route(frozenset({"city"}), shows="idCardNumber解密失败"),
    "/upward/{receiver_id}/resend/": Route(frozenset({"city", "operator"}), method="POST",
                                           data={"project": "330203202609010101"}),
    # A punch and its face: the project's regulators only (each photo view audit-logged).
    "/punches/{punch_id}/": Route(REGULATORS, shows=w.WORKER),
    "/punches/{punch_id}/photo": Route(REGULATORS, shows="the worker's face"),
}
# fmt: on
# Who reads what the city reads, and writes nothing: the province (of Ningbo) and the operator each GET
# the city may use; the operator also reads the district's own pages and files (it runs the platform).
# Another city's or province's regulator, and another district's staff, read only the lists every
# regulator has (empty of Ningbo's projects).
LISTS = {
    "/reports/",
    "/arrears/",
    "/complaints/",
    "/draws/",
    "/policies/",
    "/submissions/",
    "/alerts/",
    "/alerts/export.xlsx",
    "/",
}
RECORDING = {"/projects/{permit_no}/inspections/new/", "/policies/{policy_id}/edit/"}  # forms for those who record
READ_BY_POST = {"/search/"}  # a search sends the ID number in the body, never in a URL
OPERATOR_READS = {
    "/reports/jobs/{job_id}/",
    "/reports/jobs/{job_id}/download",
    "/districts/{code}/",
    "/submissions/{submission_id}/download",
}
for _key, _route in list(ROUTES.items()):
    extra = set()
    reads = _route.method == "GET" or _key in READ_BY_POST
    if reads and ("city" in _route.may or _key in READ_BY_POST) and _key not in RECORDING:
        extra |= {"province", "operator"}
    if reads and (_key in OPERATOR_READS or "haishu" in _route.may) and _key not in RECORDING:
        extra.add("operator")
    if _key in LISTS:
        extra |= OTHER_REGULATORS
    if extra:
        ROUTES[_key] = Route(
            _route.may | extra, _route.method, _route.query, _route.shows, _route.data, _route.refused_also
        )


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path).replace("^", "").replace("$", "")
            yield "/" + path


# The one-time link to set a password: its token is the route's whole authorization (tested in
# test_scope_attacks.py), not an account's scope.
OUTSIDE_ACCOUNTS = {"/password/set/{uidb64}/{token}/", "/password/set/done/"}


def configured_routes() -> set[str]:
    return {
        p
        for p in _routes(get_resolver().url_patterns)
        if not p.startswith("/admin/") and "{format}" not in p and "(?P<format>" not in p and p not in OUTSIDE_ACCOUNTS
    }


def test_every_route_is_in_the_table():
    routes = configured_routes()
    table = {key.split(" ")[0] for key in ROUTES}
    assert routes - table == set(), "routes nobody said who may use"
    assert table - routes == set(), "table rows for routes that no longer exist"


def _snapshot_parts(world) -> list[tuple[str, QuerySet]]:
    """What a refused write must leave as it was: a value of a row, a table's count, or some rows' columns."""
    return [
        ("value", Alert.objects.filter(pk=world.alert).values("state")),
        ("value", StatusRequest.objects.filter(pk=world.request).values("state")),
        ("value", Case.objects.filter(pk=world.case).values("state")),
        ("value", Measure.objects.filter(pk=world.measure).values("state")),
        ("value", RectificationReply.objects.filter(pk=world.reply).values("state")),
        ("value", Engagement.objects.filter(pk=world.manager_engagement).values("exited_on")),
        ("count", Engagement.objects.all()),
        ("count", StatusRequestAttachment.objects.all()),
        ("count", MeasureDocument.objects.all()),
        ("count", RectificationReply.objects.all()),
        ("count", InspectionPhoto.objects.all()),
        ("count", Measure.objects.all()),
        ("value", IdentityConflict.objects.filter(pk=world.conflict).values("reviewed_at")),
        ("count", Project.objects.all()),
        ("value", WageSheet.objects.filter(pk=world.wage_sheet).values("state")),
        ("count", WageSheet.objects.all()),
        ("count", WageAccount.objects.all()),
        ("count", LabourCostDeposit.objects.all()),
        ("count", LabourContract.objects.all()),
        ("rows", WageLine.objects.values("pk", "bank_status", "bank_result_at")),
        ("rows", RightsBoard.objects.values("pk", "token", "revoked_at", "contact_phone")),
        ("rows", Complaint.objects.values("pk", "state", "case_id", "closed_at")),
        ("count", ComplaintReply.objects.all()),
        ("rows", ExitSettlement.objects.values("pk", "worker_answer", "worker_confirmed")),
        ("count", OutboxItem.objects.all()),
    ]


def snapshot(world) -> tuple:
    """What a refused write must leave as it was, read in one statement (the table asks it after every refused
    write, ~1,000 times a run: 25 queries each cost the module seconds). Its SQL is built once per world."""
    if not hasattr(world, "snapshot_sql"):
        columns, params = [], []
        for kind, queryset in _snapshot_parts(world):
            sql, args = queryset.order_by().query.sql_with_params()
            columns.append(
                {
                    "value": f"({sql})",
                    "count": f"(SELECT COUNT(*) FROM ({sql}) AS t)",
                    "rows": f"(SELECT json_agg(t ORDER BY t.pk)::text FROM ({sql}) AS t)",
                }[kind]
            )
            params.extend(args)
        world.snapshot_sql = ("SELECT " + ", ".join(columns), params)
    with connection.cursor() as cursor:
        cursor.execute(*world.snapshot_sql)
        return cursor.fetchone()


def _url(key: str, route: Route, world) -> str:
    values = {
        "permit_no": world.permit_no,
        "engagement_id": world.manager_engagement,
        "request_id": world.request,
        "attachment_id": world.attachment,
        "serial": world.serial,
        "alert_id": world.alert,
        "pk": None,
        "inspection_id": world.inspection,
        "case_id": world.case,
        "measure_id": world.measure,
        "document_id": world.document,
        "reply_id": world.reply,
        "campaign_id": world.campaign,
        "draw_id": world.draw,
        "job_id": world.job,
        "conflict_id": world.conflict,
        "uscc": world.contractor_uscc,
        "person_id": world.manager_person,
        "code": "330203",
        "submission_id": world.submission,
        "punch_id": world.punch,
        "policy_id": world.policy,
        "preview_job": "preview-0123456789",
        "sheet_id": world.wage_sheet,
        "contract_id": world.contract,
        "line_id": world.wage_line,
        "token": world.board_token,
        "month": "2026-10",  # a month that is over on the day the table is asked (25 November)
        "complaint_id": world.complaint,
        "photo_id": world.complaint_photo,
        "act": "reply",
        "receiver_id": world.receiver,
    }
    path = key.split(" ")[0]
    if path.startswith(("/cities/", "/public/")):
        values["code"] = "330200"  # Ningbo
    ids = {
        "alerts": world.alert,
        "inspections": world.inspection,
        "cases": world.case,
        "measures": world.measure,
        "campaigns": world.campaign,
        "draws": world.draw,
        "status-requests": world.request,
        "wage-sheets": world.wage_sheet,
    }
    if "{pk}" in path:
        values["pk"] = ids[path.split("/")[3]]
    url = path.format(**values)
    return url + ("?" + route.query.format(**values) if route.query else "")


def _ask(clients, role: str, key: str, route: Route, world):
    api, pages = clients[role]
    url = _url(key, route, world)
    client = api if url.startswith("/api/") else pages
    if route.method == "POST":  # multipart: every endpoint parses it (JSON ones too)
        return client.post(url, route.data, format="multipart") if client is api else client.post(url, route.data)
    return client.get(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_who_may_use_each_route(provinces, signed_in, key):
    city, world = provinces
    route = ROUTES[key]
    clients = signed_in.clients(ROLES)
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 30, tzinfo=SH), tick=False):
        # The refused first: a write they could make would show in the snapshot, taken once before them (each
        # refused write is held to it, so it stays what the next one must leave).
        before = snapshot(world) if route.method == "POST" else None
        for role in sorted(EVERYONE - route.may) + sorted(route.may):
            response = _ask(clients, role, key, route, world)
            body = _body(response)
            status = response.status_code
            assert status < 500, (role, status, body[:300])
            if role in route.may:
                assert status not in REFUSED, (role, status, body[:300])
                if route.method == "GET":
                    assert status in (200, 302), (role, status, body[:300])
                if route.shows and status == 200:
                    assert route.shows in body, (role, "does not see", route.shows)
                continue
            login_redirect = status == 302 and "/login/" in response.get("Location", "")
            refused = status in REFUSED | route.refused_also or login_redirect
            if not refused:
                # Answered, then with nothing of the project's people in it.
                assert status in (200, 201, 302), (role, status, body[:300])
            assert not [word for word in secrets_for(role) if word in body], (role, status, body[:300])
            if route.method == "POST":
                assert snapshot(world) == before, (role, "changed something", status)
            if route.shows and not refused:
                assert route.shows not in body or route.shows not in SECRETS, (role, "sees", route.shows)
