"""The escalation ladder's steps that rules share, as their specs declare them (what follows an overdue
rectification order while the same subject still fails)."""

from __future__ import annotations

from inspections.choices import MeasureKind
from inspections.rules.base import Step, Target

_ON_BOTH = (Target.CONTRACTOR, Target.PROJECT_MANAGER)

# 吉建管〔2021〕6号 附件1 items 1–3: "拒不整改或整改不合格的 / 限期整改后仍不足的" → an administrative penalty
# (保障农民工工资支付条例 art. 55; 注册建造师管理规定) and a bad-conduct record (诚信不良行为记录).
CHECKLIST = {"": (Step(MeasureKind.PENALTY, _ON_BOTH), Step(MeasureKind.CREDIT, _ON_BOTH))}

# 吉建管〔2021〕6号 五(四), after article 55 of the wage payment regulation: "责令限期改正，逾期不改正的，责令项目
# 停工，并处以5万以上10万以下的罚款".
STOP_WORK_AND_PENALTY = {"": (Step(MeasureKind.STOP_WORK), Step(MeasureKind.PENALTY, _ON_BOTH))}

# 吉建管〔2021〕6号 附件1 item 2, position by position: "限期整改后，考勤仍不足": the project manager and the
# other managers → an administrative penalty on the project manager (注册建造师管理规定) and a bad-conduct
# record; the chief supervisor → bad-conduct records on the chief supervisor and the supervision firm.
_ON_THE_PM = (Step(MeasureKind.PENALTY, (Target.PROJECT_MANAGER,)), Step(MeasureKind.CREDIT, (Target.PROJECT_MANAGER,)))
MANAGERS = {
    "project_manager": _ON_THE_PM,
    "chief_supervisor": (Step(MeasureKind.CREDIT, (Target.SUBJECT, Target.SUBJECT_EMPLOYER)),),
    "": _ON_THE_PM,
}

# Nothing follows the order: 吉建管〔2021〕6号 附件1 item 3 prescribes only the rectification for a shortfall
# of up to 15 (a larger one is penalised at once, not after an order); an indicator escalates nothing.
NOTHING = {"": ()}

# 杭建市发〔2016〕39号 六: "责令相关企业及项目负责人限期整改并予以信用扣分；对整改不力的应予以通报批评；
# 对拒不实施实名制管理的建设工程施工现场，取消该项目参与……样板工地资格及相关施工企业、监理企业和
# 项目负责人参与我市相关先进的评选资格".
HANGZHOU = {
    "": (
        Step(MeasureKind.CREDIT, _ON_BOTH),
        Step(MeasureKind.CIRCULAR, _ON_BOTH),
        Step(MeasureKind.AWARD_EXCLUSION, _ON_BOTH),
    )
}
