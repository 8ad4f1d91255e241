"""Who is judged, by the project's cohort (中山 2019 上线通知 四(一)–(三)): the one answer that the month's
presence (R11, Annex 1, the presence API, the dashboard), the project page's calendar and R02 ask.

Zhongshan judges the attendance of the general contractor's and the supervisor's managers
("施工总承包企业及监理企业", 四(一)) on projects filed from 1 February 2020; on projects whose filing (施工报建)
was complete before it, the managers keep attending on the old 诚信管理系统 until the works end (四(三)) and
only the workers are judged (四(二)), and the project may choose platform docking (四(二), R02).

A project without a filing date belongs to the current cohort: leaving the date out never escapes a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def filed_before(project, day: dt.date | None) -> bool:
    """The project's filing was complete before `day` (never, without a day or a filing date)."""
    return day is not None and project.filed_on is not None and project.filed_on < day


def managers_judged(project, policy) -> bool:
    """Whether the project's managers are judged on attendance at all (四(二)–(三))."""
    return not filed_before(project, policy.managers_filed_from)


def manager_judged(project, policy, firm_roles: Iterable[str]) -> bool:
    """Whether a manager, employed by a firm taking part in the project in `firm_roles`, is judged on
    attendance: on a project whose managers are judged, and by a firm of the roles the policy names (all
    firms when it names none)."""
    if not managers_judged(project, policy):
        return False
    roles = policy.managers_judged_roles
    return not roles or bool(set(roles) & set(firm_roles))


def docking_allowed(project, policy) -> bool:
    """中山 2019 上线通知 四(二): projects filed before a day may choose platform docking; Ningbo asks direct
    connection everywhere (no day)."""
    return filed_before(project, policy.r02_docking_filed_before)
