"""The demo city's devices (manage.py seed_demo): one to three per project, of the projects' vendors."""

from __future__ import annotations

import random
import secrets

from devices.choices import Connection, DeviceKind, Location
from devices.models import Device
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
