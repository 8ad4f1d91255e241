"""The table of the one scope: for every model the platform keeps (and every model its admin shows), how
its rows lead to a project, a district, a firm or an account, and for each action which rows each kind
of account reaches. The operator reaches every row for every action; a kind not named reaches none.

docs/access.md is generated from this table (`python manage.py access_matrix`), and a test holds it to it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

from projects.choices import ParticipantRole
from projects.scope.core import NOTHING, Kind, Scope, q_or
from projects.scope.reaches import (
    ACCOUNTS_INSIDE,
    ANSWERABLE,
    ANY_PART,
    BELOW,
    CITY_FIRMS,
    CONTRACTOR,
    EVERYTHING,
    GOVERNED,
    IN_GOVERNED_DISTRICTS,
    JURISDICTION,
    OPERATES,
    OWN,
    OWN_ENTERPRISE,
    OWN_REGION,
    PARTNERS,
    PEOPLE,
    PLATFORM,
    SELF,
    SUPERVISOR,
    Paths,
    Reach,
    fk,
    takes_part,
    via,
)

# The operator runs the platform: it reads every row and administers (the admin's changes, accounts,
# regions, settings); the regulators' and the firms' acts (approving, triaging, issuing, replying, filing,
# registering on a project) are theirs, never a technical account's.
ADMIN_ACTIONS = frozenset({"view", "change", "add", "delete"})
OPERATOR_ACTIONS = frozenset(
    {"view", "read_reports", "see_everyone", "print_board", "examine", "change", "add", "delete", "manage"}
)


@dataclass(frozen=True)
class Access:
    """One action on a model's rows: its words, the reaches of each kind, and the refusal a row inside
    what the account reads but outside this action gets (403)."""

    words: str
    reaches: dict[Kind, tuple[Reach, ...]]
    refusal: str
    operator: bool = True  # whether the operator may (every row) or not (no row)


@dataclass(frozen=True)
class Rule:
    label: str
    name: str
    paths: Paths
    actions: dict[str, Access] = field(default_factory=dict)
    # Settings and reference data: read through the pages and the API by those the table names, but their
    # admin page is for those who change them.
    setting: bool = False

    def action(self, name: str) -> Access:
        """The access of an action; the admin's own actions (view, change, add, delete) that the rule does not
        name are nobody's but the operator's. Any other unknown action is an error in the caller."""
        if name in self.actions:
            return self.actions[name]
        if name in ADMIN_ACTIONS:
            return Access("（仅运营方）", {}, _("You may not do this here."), operator=True)
        raise KeyError(f"{self.label} has no action {name!r} in projects.scope.table")


def access(words: str, refusal=None, **kinds) -> Access:
    """`access("处置预警", city=JURISDICTION, district=JURISDICTION)`: a keyword per kind of account."""
    reaches = {}
    for name, value in kinds.items():
        reaches[Kind(name)] = value if isinstance(value, tuple) else (value,)
    return Access(words, reaches, refusal or _("You may not do this here."))


REGULATORS = {"province": JURISDICTION, "city": JURISDICTION, "district": JURISDICTION}
STAFF = {"city": JURISDICTION, "district": JURISDICTION}  # regulators who act: the province reads only
SIGNED_IN = {kind.value: EVERYTHING for kind in Kind if kind not in (Kind.OPERATOR, Kind.ANONYMOUS)}
NOBODY: dict = {}
READERS = ("province", "city", "district", "enterprise", "vendor")


def each(reach: Reach, *kinds: str) -> dict[str, Reach]:
    """The same reach for several kinds: `**each(OWN, *READERS)`."""
    return dict.fromkeys(kinds or READERS, reach)


def _choice(choices: str, member: str) -> str:
    """A member of an app's choices, named by its dotted path and read when the query is built: the
    scope is the ground floor and names the upper apps' values as Django names their models, by string."""
    module, name = choices.rsplit(".", 1)
    return getattr(getattr(importlib.import_module(module), name), member)


def _state_is_not(words: str, choices: str, member: str) -> Reach:
    """Rows not in a state."""

    def build(scope: Scope, paths: Paths) -> Q:
        return ~Q(state=_choice(choices, member))

    return Reach(words, build)


def _kind_is(words: str, path: str, member: str) -> Reach:
    def build(scope: Scope, paths: Paths) -> Q:
        return Q(**{path: _choice("inspections.choices.MeasureKind", member)})

    return Reach(words, build)


def _addressed(scope: Scope, paths: Paths) -> Q:
    """A measure addressed to the firm (its target), or one the firm issued (a supervision notice)."""
    if scope.enterprise_id is None:
        return NOTHING
    return q_or(Q(target_enterprise_id=scope.enterprise_id), Q(issued_by__enterprise_id=scope.enterprise_id))


ADDRESSED = Reach("发给本企业的措施，或本企业签发的（监理通知）", _addressed)
NOT_PROPOSED = _state_is_not("不含升级建议（待确认的是监管部门内部的）", "inspections.choices.MeasureState", "PROPOSED")
NOT_DRAFT = _state_is_not("已报送的（草稿是区县自己的）", "reports.models.SubmissionState", "DRAFT")


def _with_addressed_measure(scope: Scope, paths: Paths) -> Q:
    measure = apps.get_model("inspections", "Measure")
    addressed = measure.objects.filter(_addressed(scope, paths)).filter(NOT_PROPOSED.build(scope, paths))
    return Q(pk__in=addressed.values("case_id"))


HAS_ADDRESSED_MEASURE = Reach("有发给本企业的措施的案件（只见其中发给本企业的措施）", _with_addressed_measure)
SUBMITTED_BY_OWN_FIRM = Reach(
    "本企业提交的申请",
    lambda s, p: Q(submitted_by__enterprise_id=s.enterprise_id) if s.enterprise_id else NOTHING,
)
NOTICE = _kind_is("监理通知", "kind", "SUPERVISION_NOTICE")
NOTICE_REPLY = _kind_is("对监理通知的回复", "measure__kind", "SUPERVISION_NOTICE")
REGISTERS_STAFF = takes_part(ParticipantRole.CONTRACTOR, ParticipantRole.SUBCONTRACTOR, ParticipantRole.SUPERVISOR)
SERVES = takes_part(ParticipantRole.VENDOR)


def _held(label: str, column: str, words: str) -> Reach:
    """Rows whose key appears in `column` of `label`'s rows the account reads (a person: in an engagement)."""

    def build(scope: Scope, paths: Paths) -> Q:
        return Q(pk__in=scope.restrict(apps.get_model(label), "view").values(column))

    return Reach(words, build)


PERSON_ENGAGED = _held("projects.engagement", "person_id", "所见进场登记中的人员")


def _managed_usernames(scope: Scope, paths: Paths) -> Q:
    user = apps.get_model("projects", "User")
    return Q(username__in=scope.restrict(user, "manage").values("username"))


MANAGED_USERNAMES = Reach("所管账号的登录记录", _managed_usernames)
MANAGED_ACCOUNTS = via("projects.user", "user", "manage", "所管账号的")


def _grant_reach(scope: Scope, paths: Paths) -> Q:
    """A grant of one project of the city's, or a grant without a project to an account it manages."""
    user = apps.get_model("projects", "User")
    whole = Q(project__isnull=True, user_id__in=scope.restrict(user, "manage").values("pk"))
    return q_or(JURISDICTION.build(scope, paths), whole)


GRANTS = Reach("本辖区项目的授权；或授予所管账号的全辖区授权", _grant_reach)

# --- the models ---------------------------------------------------------------------------------------

PROJECT = Paths(project="project")
RULES: dict[str, Rule] = {}


def rule(label: str, name: str, paths: Paths, setting: bool = False, **actions: Access) -> None:
    actions = {name_: replace(a, operator=name_ in OPERATOR_ACTIONS) for name_, a in actions.items()}
    RULES[label] = Rule(label, name, replace(paths, label=label), actions, setting)


# Regions (GB/T 2260): reference data every account reads; each level registers the one below its own.
rule(
    "projects.region",
    "行政区划",
    Paths(region="", district=""),
    setting=True,
    view=access("查看", **SIGNED_IN),
    change=access(
        "修改（含改变上级）", _("You may change only the regions below your own."), province=BELOW, city=BELOW
    ),
    add=access(
        "在其下登记区划",
        _("You may register regions only below your own."),
        province=OWN_REGION | BELOW,
        city=OWN_REGION | BELOW,
    ),
    register_project=access(
        "在该区县登记项目",
        _("You may register projects of your own district only."),
        city=JURISDICTION,
        district=JURISDICTION,
        enterprise=EVERYTHING,
    ),
    draw=access("双随机抽查", _("Draws are made by the city or by the district's own staff."), **STAFF),
    launch_campaign=access(
        "发起专项行动", _("Campaigns are launched by the city, for its own districts."), city=JURISDICTION
    ),
    file_reports=access(
        "报送附件1、附件2", _("A district's reports are filed by its own staff."), district=JURISDICTION
    ),
    read_reports=access(
        "下载报表、查看总览",
        _("The district is outside your jurisdiction."),
        province=GOVERNED,
        city=GOVERNED,
        district=JURISDICTION,
    ),
)
rule(
    "projects.referencecode",
    "代码表",
    Paths(),
    setting=True,
    view=access("查看", **SIGNED_IN),
    change=access("修改", city=PLATFORM),
    add=access("新增", city=PLATFORM),
)
rule(
    "projects.enterprise",
    "企业",
    Paths(enterprise=""),
    view=access("查看", province=EVERYTHING, city=EVERYTHING, district=PARTNERS, enterprise=PARTNERS, vendor=PARTNERS),
    change=access("修改", _("You may change only the firms of your own projects."), city=CITY_FIRMS),
    add=access("新增", city=EVERYTHING),
)
rule(
    "projects.person",
    "人员",
    Paths(person=""),
    view=access(
        "查看（身份证号脱敏）",
        province=PERSON_ENGAGED,
        city=PERSON_ENGAGED,
        district=PERSON_ENGAGED,
        enterprise=PERSON_ENGAGED,
    ),
    change=access("修改", city=PERSON_ENGAGED),
)
rule(
    "projects.engagement",
    "进场登记",
    Paths(project="project", person="person", employer="employer"),
    view=access("查看", **REGULATORS, enterprise=PEOPLE),
    change=access("修改", city=JURISDICTION),
    exit=access(
        "退场登记", _("You may record exits of your own enterprise's staff only."), city=JURISDICTION, enterprise=PEOPLE
    ),
)
rule(
    "projects.identityconflict",
    "身份冲突",
    PROJECT,
    view=access("查看", **REGULATORS),
    review=access("核查", _("The province reads its cities' records; their regulators act on them."), **STAFF),
)
rule(
    "projects.project",
    "项目",
    Paths(project=""),
    view=access("查看", **REGULATORS, enterprise=ANY_PART, vendor=ANY_PART),
    change=access("修改登记信息", _("Only the city changes a project's registration."), city=JURISDICTION),
    manage_project=access(
        "管理项目（参建单位、设备、全部人员、状态申请）",
        _("Only the project's city or its general contractor manages its registry."),
        city=JURISDICTION,
        enterprise=CONTRACTOR,
    ),
    register_people=access(
        "人员进场登记",
        _("You may register only your own enterprise's staff on this project."),
        city=JURISDICTION,
        enterprise=REGISTERS_STAFF,
    ),
    register_device=access(
        "登记设备",
        _("Only the project's city, its general contractor or its device vendor registers its devices."),
        city=JURISDICTION,
        enterprise=CONTRACTOR,
        vendor=SERVES,
    ),
    enforce=access("检查、立案、处置", _("Only the regulators of the project's district handle its cases."), **STAFF),
    supervise=access(
        "监理检查", _("Only the project's supervision firm records its own checks."), enterprise=SUPERVISOR
    ),
    keep_wage_account=access(
        "登记工资专用账户与人工费拨付",
        _("The project's general contractor keeps its wage special account."),
        enterprise=CONTRACTOR,
    ),
    prepare_wages=access(
        "编制本企业工资支付表",
        _("You may prepare wage sheets only for your own enterprise's workers on this project."),
        enterprise=REGISTERS_STAFF,
    ),
    print_board=access(
        "查看、打印维权告示牌",
        _("The project's general contractor prints its rights board; its regulators read it."),
        **REGULATORS,
        enterprise=CONTRACTOR,
    ),
    keep_board=access(
        "填写告示牌联系电话",
        _("The project's general contractor gives its labour clerk's phone for the board."),
        enterprise=CONTRACTOR,
    ),
    revoke_board=access(
        "作废告示牌地址",
        _("Only the regulators of the project's district revoke its rights board's address."),
        **STAFF,
    ),
    see_everyone=access(
        "查看全部人员与台账",
        _("The ledger is kept by the general contractor and read by the regulators."),
        **REGULATORS,
        enterprise=CONTRACTOR,
    ),
)
rule(
    "projects.projectparticipant",
    "参建单位",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANY_PART, vendor=ANY_PART),
    change=access("修改", city=JURISDICTION),
    add=access("新增", city=JURISDICTION),
    delete=access("删除", city=JURISDICTION),
)
rule(
    "projects.statusrequest",
    "状态变更申请",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANY_PART),
    decide_first=access(
        "区县初审", _("The first approval belongs to the staff of the project's district."), district=JURISDICTION
    ),
    decide_second=access("市级复审", _("The second approval belongs to the city."), city=JURISDICTION),
    as_submitter=access(
        "撤回、补充附件",
        _("Only the submitting enterprise adds attachments."),
        city=JURISDICTION,
        enterprise=SUBMITTED_BY_OWN_FIRM,
    ),
)
rule(
    "projects.statusrequestattachment",
    "申请附件",
    Paths(project="status_request__project"),
    view=access(
        "查看、下载",
        **each(via("projects.statusrequest", "status_request"), "province", "city", "district", "enterprise"),
    ),
)
rule(
    "projects.projectstatuschange",
    "项目状态变更记录",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANY_PART, vendor=ANY_PART),
)
rule(
    "projects.user",
    "账号",
    Paths(account=""),
    view=access(
        "查看",
        province=ACCOUNTS_INSIDE | SELF,
        city=ACCOUNTS_INSIDE | SELF,
        district=SELF,
        enterprise=SELF,
        vendor=SELF,
    ),
    change=access(
        "修改（姓名、电话、语言；他人的角色与辖区限于本辖区）",
        _("You may change only accounts inside your own jurisdiction."),
        province=ACCOUNTS_INSIDE | SELF,
        city=ACCOUNTS_INSIDE | SELF,
        district=SELF,
        enterprise=SELF,
        vendor=SELF,
    ),
    add=access(
        "新建账号",
        _("You may create accounts only inside your own jurisdiction."),
        province=ACCOUNTS_INSIDE,
        city=ACCOUNTS_INSIDE,
    ),
    manage=access(
        "锁定、解锁、注销令牌、发放重设密码链接",
        _("You may manage only accounts inside your own jurisdiction."),
        province=ACCOUNTS_INSIDE,
        city=ACCOUNTS_INSIDE,
    ),
)
rule(
    "devices.device",
    "设备",
    Paths(project="project", vendor="vendor"),
    view=access("查看", **REGULATORS, enterprise=ANY_PART, vendor=OPERATES),
    change=access("修改", city=JURISDICTION),
)
rule(
    "devices.deviceflip",
    "设备状态变化",
    Paths(project="device__project", vendor="device__vendor"),
    view=access("查看", **each(via("devices.device", "device"))),
)
rule(
    "devices.vendorplatform",
    "设备厂商平台（平台对接）",
    Paths(vendor="vendor"),
    setting=True,
    view=access("查看", province=EVERYTHING, city=EVERYTHING, vendor=OPERATES),
    change=access("修改", _("The city registers and disables vendors' platforms."), city=EVERYTHING),
    add=access("新增", _("The city registers and disables vendors' platforms."), city=EVERYTHING),
)
rule("devices.vendorplatformnonce", "设备厂商平台请求随机数（内部）", Paths())
rule("devices.devicenonce", "设备请求随机数（内部）", Paths())
rule("devices.deviceratewindow", "设备请求频率（内部）", Paths())
rule(
    "attendance.punch",
    "考勤记录",
    Paths(project="project", person="person"),
    view=access("查看（身份证号脱敏）", **REGULATORS, enterprise=PEOPLE),
    examine=access(
        "查看考勤详情与照片", _("A punch and its photo are read by the project's regulators."), **REGULATORS
    ),
)
rule("attendance.punchkey", "考勤幂等键（内部）", Paths())
rule(
    "attendance.dailypresence",
    "每日出勤",
    Paths(project="project", person="person"),
    view=access("查看", **REGULATORS, enterprise=PEOPLE),
)
rule(
    "attendance.punchverdict",
    "考勤不计认定",
    Paths(project="project", person="person"),
    view=access("查看", **REGULATORS, enterprise=PEOPLE),
)
rule(
    "rights.rightsboard",
    "维权告示牌",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=CONTRACTOR),
)
rule("rights.onetimecode", "短信验证码（内部）", Paths())
rule(
    "rights.complaint",
    "举报投诉",
    PROJECT,
    # Never the firms': a complaint names who complained and what about them.
    view=access("查看", **REGULATORS),
    handle=access(
        "答复、关联案件、办结",
        _("Only the regulators of the project's district handle its complaints."),
        **STAFF,
    ),
)
rule(
    "rights.complaintphoto",
    "投诉照片",
    Paths(project="complaint__project"),
    view=access("查看", **each(via("rights.complaint", "complaint"), "province", "city", "district")),
)
rule(
    "rights.complaintreply",
    "投诉答复",
    Paths(project="complaint__project"),
    view=access("查看", **each(via("rights.complaint", "complaint"), "province", "city", "district")),
)
rule(
    "upward.receiver",
    "上报接收平台",
    Paths(region="region"),
    setting=True,
    view=access("查看", province=GOVERNED, city=PLATFORM | GOVERNED),
    change=access("修改", _("A city configures the receivers it reports to."), city=PLATFORM | OWN_REGION),
    add=access("新增", _("A city configures the receivers it reports to."), city=PLATFORM | OWN_REGION),
)
rule(
    "upward.projectcredential",
    "上报项目凭证",
    Paths(region="receiver__region"),
    setting=True,
    view=access("查看", province=GOVERNED, city=PLATFORM | GOVERNED),
    change=access("修改", _("A city configures the receivers it reports to."), city=PLATFORM | OWN_REGION),
    add=access("新增", _("A city configures the receivers it reports to."), city=PLATFORM | OWN_REGION),
    delete=access("删除", _("A city configures the receivers it reports to."), city=PLATFORM | OWN_REGION),
)
rule(
    "upward.outboxitem",
    "上报记录",
    Paths(project="project", region="receiver__region"),
    view=access("查看", province=GOVERNED, city=PLATFORM | GOVERNED),
)
rule(
    "wages.wageaccount",
    "工资专用账户",
    PROJECT,
    view=access("查看（账号脱敏）", **REGULATORS, enterprise=ANY_PART),
)
rule(
    "wages.labourcostdeposit",
    "人工费用拨付",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANY_PART),
)
rule(
    "wages.wagesheet",
    "工资支付表",
    Paths(project="project", employer="employer"),
    view=access("查看（银行卡号脱敏）", **REGULATORS, enterprise=PEOPLE),
    confirm=access("总包确认", _("The project's general contractor confirms its wage sheets."), enterprise=CONTRACTOR),
    record_bank_results=access(
        "导入银行代发结果",
        _("The project's general contractor, who holds the wage special account, records the bank's results."),
        enterprise=CONTRACTOR,
    ),
)
rule(
    "wages.labourcontract",
    "劳动合同",
    Paths(project="engagement__project", person="engagement__person", employer="engagement__employer"),
    view=access("查看、下载扫描件", **REGULATORS, enterprise=PEOPLE),
)
rule(
    "wages.exitsettlement",
    "退场结算",
    Paths(project="engagement__project", person="engagement__person", employer="engagement__employer"),
    view=access("查看、下载退场确认书", **REGULATORS, enterprise=PEOPLE),
)
rule(
    "wages.wageline",
    "工资支付明细",
    Paths(project="sheet__project", person="person", employer="sheet__employer"),
    view=access("查看（银行卡号脱敏）", **REGULATORS, enterprise=PEOPLE),
)
rule(
    "inspections.campaign",
    "专项行动",
    Paths(districts="districts"),
    view=access("查看", **each(IN_GOVERNED_DISTRICTS, "province", "city", "district")),
)
rule(
    "inspections.campaignphasedates",
    "专项行动阶段",
    Paths(),
    view=access("查看", **each(via("inspections.campaign", "campaign"), "province", "city", "district")),
)
rule("inspections.randomdraw", "双随机抽取", Paths(district="district"), view=access("查看、复核", **REGULATORS))
rule(
    "inspections.inspection",
    "检查记录",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANSWERABLE),
    add_photo=access("补充照片", _("Only the regulators of the project's district record inspections."), **STAFF),
)
_BY_INSPECTION = {
    k: via("inspections.inspection", "inspection") for k in ("province", "city", "district", "enterprise")
}
rule(
    "inspections.inspectionfinding",
    "检查发现",
    Paths(project="inspection__project"),
    view=access("查看", **_BY_INSPECTION),
)
rule("inspections.devicetest", "设备抽测", Paths(project="inspection__project"), view=access("查看", **_BY_INSPECTION))
rule(
    "inspections.inspectionphoto",
    "检查照片",
    Paths(project="inspection__project"),
    view=access("查看", **_BY_INSPECTION),
)
rule(
    "inspections.case",
    "案件",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANSWERABLE | HAS_ADDRESSED_MEASURE, vendor=HAS_ADDRESSED_MEASURE),
    handle=access(
        "办理（关联、下达措施、结案）", _("Only the regulators of the project's district handle its cases."), **STAFF
    ),
    issue_notice=access(
        "下达监理通知",
        _("Supervision notices are issued by the project's supervision firm."),
        **STAFF,
        enterprise=SUPERVISOR,
    ),
)
rule(
    "inspections.measure",
    "处理措施",
    Paths(project="case__project", enterprise="target_enterprise"),
    view=access("查看", **REGULATORS, enterprise=ADDRESSED & NOT_PROPOSED, vendor=ADDRESSED & NOT_PROPOSED),
    handle=access("确认、撤销", _("Only the regulators of the project's district handle its cases."), **STAFF),
    add_document=access(
        "补充文书", _("Only the issuing side adds the measure's documents."), **STAFF, enterprise=SUPERVISOR & NOTICE
    ),
    reply=access("整改回复", _("Only the project's general contractor answers its orders."), enterprise=CONTRACTOR),
)
_BY_MEASURE = {
    k: via("inspections.measure", "measure") for k in ("province", "city", "district", "enterprise", "vendor")
}
rule(
    "inspections.rectificationreply",
    "整改回复",
    Paths(project="measure__case__project"),
    view=access("查看", **_BY_MEASURE),
    review=access(
        "审核",
        _("Only the issuing side reviews a rectification report."),
        **STAFF,
        enterprise=SUPERVISOR & NOTICE_REPLY,
    ),
)
rule(
    "inspections.measuredocument",
    "措施文书",
    Paths(project="measure__case__project"),
    view=access("查看、下载", **_BY_MEASURE),
)
rule(
    "inspections.caseevent",
    "案件记录",
    Paths(project="case__project"),
    view=access("查看", **REGULATORS, enterprise=_BY_MEASURE["enterprise"], vendor=_BY_MEASURE["vendor"]),
)
rule(
    "inspections.creditdeduction",
    "扣分标准",
    Paths(),
    setting=True,
    view=access("查看", province=EVERYTHING, city=EVERYTHING, district=EVERYTHING),
    change=access("修改", city=PLATFORM),
)
rule(
    "inspections.creditrecord",
    "诚信扣分记录",
    Paths(project="measure__case__project", enterprise="enterprise"),
    view=access("查看", **REGULATORS, enterprise=OWN_ENTERPRISE, vendor=OWN_ENTERPRISE),
)
rule(
    "inspections.policy",
    "检查规则参数",
    Paths(region="district"),
    setting=True,
    view=access("查看", province=EVERYTHING, city=EVERYTHING, district=EVERYTHING),
    change=access("修改", _("A city sets its own policy and its districts'."), city=PLATFORM | GOVERNED),
    add=access("新增", _("A city sets its own policy and its districts'."), city=PLATFORM | GOVERNED),
)
rule(
    "inspections.policyversion",
    "检查规则参数版本",
    Paths(region="policy__district"),
    setting=True,
    view=access("查看", province=EVERYTHING, city=EVERYTHING, district=EVERYTHING),
)
rule(
    "inspections.alert",
    "预警",
    PROJECT,
    view=access("查看", **REGULATORS, enterprise=ANSWERABLE),
    triage=access("确认、排除", _("Only regulators triage alerts."), **STAFF),
)
rule("inspections.rulerun", "规则运行记录", Paths(), view=access("查看", city=PLATFORM))
rule("inspections.nightlyrun", "夜间运行", Paths(), view=access("查看", city=PLATFORM))
rule(
    "inspections.exportgrant",
    "导出授权",
    Paths(project="project"),
    view=access("查看", city=GRANTS),
    change=access("修改", city=GRANTS),
    add=access("新增", city=GRANTS),
    delete=access("撤销", city=GRANTS),
)
rule("reports.reportjob", "后台报表", Paths(owner="user"), view=access("查看、下载", **each(OWN)))
rule("reports.districtday", "区县每日统计", Paths(district="district"), view=access("查看", **REGULATORS))
rule(
    "reports.submission",
    "报送",
    Paths(district="district"),
    view=access("查看、下载", province=JURISDICTION & NOT_DRAFT, city=JURISDICTION & NOT_DRAFT, district=JURISDICTION),
    submit=access("报送", _("A district's reports are filed by its own staff."), district=JURISDICTION),
)
rule(
    "common.auditevent",
    "审计日志",
    Paths(owner="user"),
    view=access("查看", province=MANAGED_ACCOUNTS | OWN, city=MANAGED_ACCOUNTS | OWN),
)
rule(
    "common.operationalalert",
    "运行告警",
    Paths(),
    view=access("查看", city=PLATFORM),
    change=access("处理", city=PLATFORM),
)
rule("common.keyrotationprogress", "密钥轮换进度（内部）", Paths())
rule("common.scheduledrun", "定时任务记录（内部）", Paths())
# The admin pages of the libraries the platform uses.
rule("auth.group", "权限组（运营方）", Paths())
rule("auth.permission", "权限（运营方）", Paths())
rule(
    "axes.accessattempt",
    "登录失败锁定",
    Paths(),
    view=access("查看", province=MANAGED_USERNAMES, city=MANAGED_USERNAMES),
    delete=access(
        "解锁",
        _("You may manage only accounts inside your own jurisdiction."),
        province=MANAGED_USERNAMES,
        city=MANAGED_USERNAMES,
    ),
)
rule("axes.accesslog", "登录日志（运营方）", Paths())
rule("axes.accessfailurelog", "登录失败日志（运营方）", Paths())
rule(
    "knox.authtoken",
    "API令牌",
    Paths(owner="user"),
    view=access("查看", province=MANAGED_ACCOUNTS | OWN, city=MANAGED_ACCOUNTS | OWN),
    delete=access(
        "注销",
        _("You may manage only accounts inside your own jurisdiction."),
        province=MANAGED_ACCOUNTS,
        city=MANAGED_ACCOUNTS,
    ),
)


def rule_for(model: type[Model] | str) -> Rule:
    label = model if isinstance(model, str) else model._meta.label_lower
    try:
        return RULES[label]
    except KeyError:
        raise KeyError(f"{label} is not in projects.scope.table: say who may see and do what with it") from None


# --- capabilities of a kind of account (no row involved) --------------------------------------------


@dataclass(frozen=True)
class Capability:
    words: str
    kinds: frozenset[Kind]
    refusal: str
    # The operator holds every capability but those that need an area of one's own (a district to file
    # for, a province to open): it has none.
    operator: bool = True


def capability(words: str, *kinds: Kind, refusal=None, operator: bool = True) -> Capability:
    return Capability(words, frozenset(kinds), refusal or _("You may not do this here."), operator)


CAPABILITIES: dict[str, Capability] = {
    "regulate": capability(
        "监管页面（总览、预警、报表、抽查、报送）",
        Kind.PROVINCE,
        Kind.CITY,
        Kind.DISTRICT,
        refusal=_("This page is for the regulators."),
    ),
    "act": capability(
        "处置（预警、案件、审批）",
        Kind.CITY,
        Kind.DISTRICT,
        refusal=_("The province reads its cities' records; their regulators act on them."),
        operator=False,
    ),
    "register_enterprise": capability(
        "登记企业",
        Kind.CITY,
        Kind.DISTRICT,
        Kind.ENTERPRISE,
        refusal=_("This account cannot register enterprises."),
        operator=False,
    ),
    "set_project_status": capability(
        "登记项目时设定状态（存量项目迁移）",
        Kind.CITY,
        refusal=_("Only a city-level user may set the status; it changes through status requests."),
        operator=False,
    ),
    "launch_campaign": capability(
        "发起专项行动",
        Kind.CITY,
        refusal=_("Campaigns are launched by the city, for its own districts."),
        operator=False,
    ),
    "file_reports": capability(
        "报送（区县）", Kind.DISTRICT, refusal=_("A district's reports are filed by its own staff."), operator=False
    ),
    "province_home": capability("首页：全省总览", Kind.PROVINCE, operator=False),
    "city_home": capability("首页：全市总览", Kind.CITY),
    "district_home": capability("首页：本区县", Kind.DISTRICT, operator=False),
    "reports_by_city": capability("报表按市选择", Kind.PROVINCE, operator=False),
    "reports_whole_city": capability("报表：全市汇总", Kind.CITY),
    "short_sessions": capability("较短的空闲登出时间", Kind.PROVINCE, Kind.CITY, Kind.DISTRICT),
    "administer": capability("后台管理入口（区划、账号、规则参数）", Kind.PROVINCE, Kind.CITY),
    "follow_upward": capability(
        "上报状态（接收平台、失败记录、重发）",
        Kind.PROVINCE,
        Kind.CITY,
        refusal=_("Upward data is followed by the city and the province."),
    ),
}

__all__ = ["CAPABILITIES", "RULES", "Access", "Capability", "Rule", "fk", "rule_for"]
