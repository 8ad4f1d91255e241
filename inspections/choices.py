"""Choices of the enforcement side: inspection kinds, finding categories, measures and their states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    ONLINE_PATROL = "online_patrol", _("Online patrol (线上巡查)")
    SITE_VISIT = "site_visit", _("Site visit (线下检查)")
    SUPERVISION_CHECK = "supervision_check", _("Supervision firm's periodic check (监理检查)")


def finding_categories() -> list[tuple[str, str]]:
    """The finding categories (检查发现的问题类别): the rules R01–R17 of the registry, each with its label.
    A callable, so that the models' choices follow the registry; the registry is the app's, loaded when
    the apps are ready (inspections/apps.py), so that the choices do not import the rules that import them."""
    from django.apps import apps

    return [(spec.code, spec.label) for spec in apps.get_app_config("inspections").rule_registry()]


class MeasureKind(models.TextChoices):
    """The measures of 甬建函〔2023〕82号 五(三) and 吉建管〔2021〕6号 五(四) and Annex 1, and the supervision firm's
    notice of 鄂建文〔2019〕27号 一(六)."""

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
    """The four phases of 甬建函〔2023〕82号 四."""

    SELF_INSPECTION = "self_inspection", _("Self-inspection (企业自查自纠)")
    LOCAL_INSPECTION = "local_inspection", _("Local inspection (属地管理部门检查)")
    MUNICIPAL_SUPERVISION = "municipal_supervision", _("Municipal supervision (市级督导检查)")
    SUMMARY = "summary", _("Summary (总结提升)")


class CreditBasis(models.TextChoices):
    CATEGORY = "category", _("Finding category")
    MEASURE = "measure", _("Measure")
