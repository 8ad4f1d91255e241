"""Choices of the enforcement side: inspection kinds, finding categories, measures and their states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    ONLINE_PATROL = "online_patrol", _("Online patrol (线上巡查)")
    SITE_VISIT = "site_visit", _("Site visit (线下检查)")
    SUPERVISION_CHECK = "supervision_check", _("Supervision firm's periodic check (监理检查)")


class FindingCategory(models.TextChoices):
    """The 14 categories of seed 000 §三 (the rules R01–R14 follow them one for one) and the checklist
    items of seed 001 Annex 1 that the city's rules add (R15, R16)."""

    R01 = "R01", _("No attendance device installed (未按规定安装考勤设备)")
    R02 = "R02", _("Device not directly connected (考勤设备未完成数据直连)")
    R03 = "R03", _("Device offline (考勤设备离线)")
    R04 = "R04", _("Staff not registered (人员未全部纳入实名制管理)")
    R05 = "R05", _("Project status changed without approval (擅自更改项目状态)")
    R06 = "R06", _("Liveness detection off, photo attendance (关闭活体检测)")
    R07 = "R07", _("Forged photos or records (伪造考勤照片和记录)")
    R08 = "R08", _("Mobile attendance without approval (擅自采用手机考勤)")
    R09 = "R09", _("Someone else punching in (他人顶替考勤)")
    R10 = "R10", _("Managers punching on devices elsewhere (项目部以外设备考勤)")
    R11 = "R11", _("Managers not on duty (管理人员未到岗履职)")
    R12 = "R12", _("4 or more days without attendance (连续4天无考勤)")
    R13 = "R13", _("Back-filled attendance (补传历史考勤数据)")
    R14 = "R14", _("Attendance data released without approval (数据擅自外传)")
    R15 = "R15", _("Fewer workers attending than seen on site (考勤人数少于实际用工人数)")
    R16 = "R16", _("Workers' attendance rate below target (工人考勤率不足)")


class MeasureKind(models.TextChoices):
    """The measures of seed 000 §五(三) and seed 001 §五(四) and Annex 1, and the supervision firm's
    notice of seed 004 §一(六)."""

    RECTIFICATION = "rectification", _("Rectification order with deadline (责令限期整改)")
    STOP_WORK = "stop_work", _("Stop-work order (责令停工整改)")
    CREDIT = "credit", _("Credit punishment / bad-conduct record (信用惩戒、不良行为记录)")
    CIRCULAR = "circular", _("Circular criticism (通报批评)")
    KEY_SUPERVISION = "key_supervision", _("Key supervision (重点监管)")
    VENDOR_BLACKLIST = "vendor_blacklist", _("Vendor blacklisted (列入“黑名单”)")
    PENALTY = "penalty", _("Administrative penalty (行政处罚)")
    AWARD_EXCLUSION = "award_exclusion", _("Excluded from awards (限制创优创杯)")
    SUPERVISION_NOTICE = "supervision_notice", _("Supervision notice (监理通知单)")


# Orders that the contractor answers with a rectification report before a deadline.
ANSWERABLE = (MeasureKind.RECTIFICATION, MeasureKind.STOP_WORK, MeasureKind.SUPERVISION_NOTICE)


class MeasureState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (待确认)")
    ISSUED = "issued", _("Issued (已下达)")
    ANSWERED = "answered", _("Answered, awaiting review (已回复待审核)")
    ESCALATED = "escalated", _("Overdue, escalated (逾期升级)")
    CLOSED = "closed", _("Closed (已办结)")
    WITHDRAWN = "withdrawn", _("Withdrawn (已撤销)")


# Measures that stand: counted in the reports, shown to the contractor.
STANDING = (MeasureState.ISSUED, MeasureState.ANSWERED, MeasureState.ESCALATED, MeasureState.CLOSED)


class ReplyState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted (待审核)")
    ACCEPTED = "accepted", _("Accepted (通过)")
    REJECTED = "rejected", _("Rejected (退回)")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open (办理中)")
    CLOSED = "closed", _("Closed (已结案)")


class CampaignPhase(models.TextChoices):
    """The four phases of seed 000 §四."""

    SELF_INSPECTION = "self_inspection", _("Self-inspection (企业自查自纠)")
    LOCAL_INSPECTION = "local_inspection", _("Local inspection (属地管理部门检查)")
    MUNICIPAL_SUPERVISION = "municipal_supervision", _("Municipal supervision (市级督导检查)")
    SUMMARY = "summary", _("Summary (总结提升)")


class CreditBasis(models.TextChoices):
    CATEGORY = "category", _("Finding category")
    MEASURE = "measure", _("Measure")
