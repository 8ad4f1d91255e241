"""R02 — device not directly connected (seed 000 #2): a device bound through a vendor's platform
without an approved platform-docking permit for that vendor covering the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R02"


@dataclass(frozen=True)
class PlatformDevice:
    device_id: int
    serial: str
    project_id: int
    vendor_id: int
    vendor: str
    # Approved docking permits of the project for this vendor: (from, to or None).
    permits: tuple[tuple[dt.date, dt.date | None], ...] = ()


def evaluate(devices: list[PlatformDevice], *, day: dt.date) -> list[Finding]:
    def permitted(d: PlatformDevice) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in d.permits)

    return [
        Finding(
            CODE,
            d.project_id,
            "device",
            d.device_id,
            d.serial,
            day,
            day,
            evidence={"connection": "platform", "vendor": d.vendor, "approved_permits": len(d.permits)},
        )  # fmt: skip
        for d in devices
        if not permitted(d)
    ]
