"""Writes of the inspections app: alerts from the rules (alerts), inspections, cases and measures
(enforcement), credit, campaigns and random draws."""

from inspections.services.alerts import EVENT_RULES, AlertCounts, alert_acknowledge, alert_dismiss, alerts_apply

__all__ = ["EVENT_RULES", "AlertCounts", "alert_acknowledge", "alert_dismiss", "alerts_apply"]
