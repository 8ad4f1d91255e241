"""Reads of the inspections app: policies, timelines, presence and valid days, enforcement records."""

from inspections.selectors.enforcement import (
    CREDIT_FULL_SCORE,
    CampaignProgress,
    CreditPoint,
    campaign_progress,
    credit_history,
    open_findings_by_project,
)
from inspections.selectors.policies import PolicyBook, policies_in_force, policy_for
from inspections.selectors.presence import (
    ProjectPresence,
    attended_counts,
    attended_days,
    attended_presence,
    attended_q,
    last_attended,
    month_presence,
    people_on_site,
    project_presence,
    uncounted_punches,
)
from inspections.selectors.timelines import (
    approved_permits,
    project_timeline,
    projects_active_between,
    projects_judged,
    timeline_from,
    timelines_for,
)

__all__ = [
    "CREDIT_FULL_SCORE",
    "CampaignProgress",
    "CreditPoint",
    "PolicyBook",
    "ProjectPresence",
    "approved_permits",
    "attended_counts",
    "attended_days",
    "attended_presence",
    "attended_q",
    "campaign_progress",
    "credit_history",
    "last_attended",
    "month_presence",
    "open_findings_by_project",
    "people_on_site",
    "policies_in_force",
    "policy_for",
    "project_presence",
    "project_timeline",
    "projects_active_between",
    "projects_judged",
    "timeline_from",
    "timelines_for",
    "uncounted_punches",
]
