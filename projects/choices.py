"""Choices of the registry, beside their models (style.md: never bare strings across files)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Account roles and their jurisdiction (杭建市发〔2016〕39号 四)."""

    PROVINCE = "province", _("Provincial regulator")
    CITY = "city", _("City regulator")
    DISTRICT = "district", _("District staff")
    ENTERPRISE = "enterprise", _("Enterprise user")
    VENDOR = "vendor", _("Device vendor")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town")


class EnterpriseKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    CONTRACTOR = "contractor", _("General contractor")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    SUPERVISOR = "supervisor", _("Supervision firm")
    VENDOR = "vendor", _("Device vendor or service provider")


# A participant's role on a project is one of the enterprise kinds.
ParticipantRole = EnterpriseKind


class ProjectKind(models.TextChoices):
    BUILDING = "building", _("Building")
    MUNICIPAL = "municipal", _("Municipal works")
    RAIL = "rail", _("Rail transit")


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")


class StatusOnDay(models.TextChoices):
    """A project's status on a given day as the approved requests make it (projects.selectors.status_on):
    the recorded statuses, and the stop of attendance, after which nobody is held to attend."""

    NOT_STARTED = "not_started", _("Not started")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    ATTENDANCE_STOPPED = "attendance_stopped", _("Attendance stopped")


class Category(models.TextChoices):
    WORKER = "worker", _("Worker")
    MANAGER = "manager", _("Manager")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class CodeTable(models.TextChoices):
    """The national platform's code tables (全国建筑工人管理服务信息平台 数据标准), kept as data."""

    WORK_TYPE = "work_type", _("Work type")
    POSITION = "position", _("Manager position")
    PARTICIPANT_TYPE = "participant_type", _("Participant type")
    PROJECT_STATUS = "project_status", _("Project status")
    ATTENDANCE_METHOD = "attendance_method", _("Attendance method")
    DIRECTION = "direction", _("Direction")
    ID_DOCUMENT_TYPE = "id_document_type", _("ID document type")


class StatusRequestKind(models.TextChoices):
    """Requests that change a project's status or grant an exception (中山 2019 上线通知 三(八)–(十二))."""

    START_DATE_CHANGE = "start_date_change", _("Start date change")
    SUSPENSION = "suspension", _("Suspension")
    RESUMPTION = "resumption", _("Resumption")
    STOP_ATTENDANCE = "stop_attendance", _("Stop attendance")
    # 中山 2019 上线通知 三(十二)2: the project manager's attendance ends on the quality supervision
    # completion notice, not on the safety evaluation report that stops everyone else's.
    STOP_MANAGER_ATTENDANCE = "stop_manager_attendance", _("Stop the project manager's attendance")
    COMPLETION = "completion", _("Completion")
    MOBILE_ATTENDANCE = "mobile_attendance", _("Mobile attendance permit")
    PLATFORM_DOCKING = "platform_docking", _("Platform docking permit")
    MANAGER_REPLACEMENT = "manager_replacement", _("Replacement of a required manager")


class StatusRequestState(models.TextChoices):
    """Two-level approval: the district (or town) first, the city centre second."""

    PENDING_DISTRICT = "pending_district", _("Awaiting district approval")
    PENDING_CITY = "pending_city", _("Awaiting city approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AttachmentKind(models.TextChoices):
    FORM_SCAN = "form_scan", _("Stamped form scan")
    SITE_PHOTO = "site_photo", _("Dated site photo")
    REPORT = "report", _("Report or certificate")
    OTHER = "other", _("Other")
