"""Writes of the inspections app: alerts from the rules (alerts), inspections, cases and measures
(enforcement), credit, campaigns and random draws."""

from inspections.services.alerts import AlertCounts, alert_acknowledge, alert_dismiss, alerts_apply

__all__ = ["AlertCounts", "alert_acknowledge", "alert_dismiss", "alerts_apply"]
