"""R04 — project personnel not all registered (seed 000 #4, seed 004 §一(七)): a required position
without an engaged manager, a participating contractor, subcontractor or supervision firm with
nobody engaged, or punches from ID numbers not engaged on the project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R04"


@dataclass(frozen=True)
class Registration:
    project_id: int
    name: str
    required_positions: tuple[str, ...]
    filled_positions: frozenset[str]
    # Participating firms that should have staff on site: (enterprise id, name, engaged count).
    firms: tuple[tuple[int, str, int], ...]
    unregistered_punches: int
    unregistered_numbers: tuple[str, ...] = ()  # masked


def evaluate(projects: list[Registration], *, day: dt.date) -> list[Finding]:
    findings = []
    for p in projects:
        for position in p.required_positions:
            if position not in p.filled_positions:
                findings.append(
                    Finding(CODE, p.project_id, "position", None, position, day, day,
                            evidence={"required_position": position}, period_key=f"position:{position}")
                )  # fmt: skip
        for firm_id, firm, engaged in p.firms:
            if engaged == 0:
                findings.append(Finding(CODE, p.project_id, "enterprise", firm_id, firm, day, day,
                                        evidence={"enterprise": firm, "engaged": 0}))  # fmt: skip
        if p.unregistered_punches:
            findings.append(
                Finding(CODE, p.project_id, "project", p.project_id, f"{p.name}（未登记人员考勤）", day, day,
                        evidence={"punches": p.unregistered_punches, "id_numbers": list(p.unregistered_numbers)},
                        period_key="unregistered")
            )  # fmt: skip
    return findings
