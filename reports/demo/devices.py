"""The demo city's devices (manage.py seed_demo): one to three per project, of the projects' vendors."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from zoneinfo import ZoneInfo

from devices.choices import Connection, DeviceKind, Location
from devices.models import Device, DeviceFlip, FlipField
from projects.choices import ParticipantRole, ProjectKind, ProjectStatus
from projects.models import Project
from smz_platform.common import pii


def seed_devices(*, rng: random.Random, projects: list[Project]) -> list[Device]:
    devices = []
    for index, project in enumerate(projects):
        if project.status == ProjectStatus.NOT_STARTED:
            continue
        vendor = project.participants.get(role=ParticipantRole.VENDOR).enterprise
        count = 1 if project.kind == ProjectKind.MUNICIPAL else rng.randint(2, 3)
        for n in range(count):
            devices.append(
                Device(
                    serial=f"NB{project.district.code[-2:]}-{index:03d}-{n + 1}",
                    vendor=vendor,
                    model=rng.choice(["FaceGate-3", "ZK-F22", "HikFace-K1T"]),
                    kind=DeviceKind.GATE if n == 0 else DeviceKind.TERMINAL,
                    connection=Connection.DIRECT,
                    project=project,
                    location=Location.ENTRANCE if n == 0 else Location.OFFICE,
                    lat=29.87 + rng.uniform(-0.2, 0.2),
                    lon=121.55 + rng.uniform(-0.3, 0.3),
                    fence_m=300,
                    # Demo secrets are random and never shown; a vendor re-registers to test (README).
                    secret_encrypted=pii.secret_encrypt(secrets.token_urlsafe(32)),
                    liveness_enabled=True,
                )
            )
    return Device.objects.bulk_create(devices)


def devices_in_contact(devices, *, since: dt.date, now: dt.datetime) -> None:
    """Online with liveness on since the demo's first day (06:00) and in contact `now`: the flips are what
    R03, R06 and the overview's online rate read, the last contact what the device page shows."""
    start = dt.datetime.combine(since, dt.time(6), tzinfo=ZoneInfo("Asia/Shanghai"))
    devices = list(devices)
    DeviceFlip.objects.bulk_create(
        [
            DeviceFlip(device=device, at=start, field=field, value=True, detected_at=start)
            for device in devices
            for field in (FlipField.ONLINE, FlipField.LIVENESS)
        ]
    )
    Device.objects.filter(pk__in=[d.pk for d in devices]).update(
        online=True, last_contact_at=now, last_heartbeat_at=now, offline_after=now + dt.timedelta(minutes=30)
    )
