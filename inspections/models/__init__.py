"""The rules' records (policies, alerts, runs, export grants) and enforcement's (inspections, cases,
measures, credit, campaigns, random draws)."""

from inspections.models.campaigns import Campaign, CampaignPhaseDates, RandomDraw
from inspections.models.enforcement import (
    Case,
    CaseEvent,
    CreditDeduction,
    CreditRecord,
    DeviceTest,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    Measure,
    MeasureDocument,
    RectificationReply,
)
from inspections.models.rules import (
    LIVE_STATES,
    Alert,
    AlertState,
    ExportGrant,
    NightlyRun,
    Policy,
    PolicyVersion,
    RuleRun,
    RunState,
)

__all__ = [
    "LIVE_STATES",
    "Alert",
    "AlertState",
    "Campaign",
    "CampaignPhaseDates",
    "Case",
    "CaseEvent",
    "CreditDeduction",
    "CreditRecord",
    "DeviceTest",
    "ExportGrant",
    "Inspection",
    "InspectionFinding",
    "InspectionPhoto",
    "Measure",
    "MeasureDocument",
    "NightlyRun",
    "Policy",
    "PolicyVersion",
    "RandomDraw",
    "RectificationReply",
    "RuleRun",
    "RunState",
]
