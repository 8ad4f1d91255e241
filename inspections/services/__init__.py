"""Writes of the inspections app: alerts from the rules (alerts), their triage (triage), the punches they
find false (verdicts), inspections, cases and measures (enforcement), credit, campaigns and random draws."""

from inspections.services.alerts import AlertCounts, alerts_apply

__all__ = ["AlertCounts", "alerts_apply"]
