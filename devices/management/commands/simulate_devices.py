"""manage.py simulate_devices: drive the device API of a running platform as N site devices would.

Example, against `make run` with the demo data (a token of the project's general contractor):

    .venv/bin/python manage.py issue_token contractor
    .venv/bin/python manage.py simulate_devices --token <token> --project <permit_no> \\
        --devices 3 --workers 30 --rate 5 --duration 60 --offline-for 20 --broken 8
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from devices.simulator import BROKEN_KINDS, DeviceClient, IntegrationClient, PunchFactory, make_id_number


class Command(BaseCommand):
    help = "Sign and push heartbeats and punches for simulated devices of a project (vendor integration test)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="platform base URL")
        parser.add_argument("--token", help="API token of the project's general contractor (to register)")
        parser.add_argument("--project", help="permit number of the project")
        parser.add_argument("--devices", type=int, default=1, help="devices to register and simulate")
        parser.add_argument(
            "--device", action="append", default=[], metavar="SERIAL:SECRET", help="an already registered device"
        )
        parser.add_argument("--workers", type=int, default=20, help="workers to register (with generated ID numbers)")
        parser.add_argument("--rate", type=float, default=2.0, help="punches per second, all devices together")
        parser.add_argument("--duration", type=float, default=30.0, help="seconds to run")
        parser.add_argument("--batch", type=int, default=1, help="punches per request (1–500)")
        parser.add_argument("--heartbeat-every", type=float, default=30.0, help="seconds between heartbeats")
        parser.add_argument("--offline-for", type=float, default=0.0, help="go offline this long mid-run, then flush")
        parser.add_argument("--broken", type=int, default=0, help="deliberately broken requests to send")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **o):
        if not 1 <= o["batch"] <= 500:
            raise CommandError("--batch must be between 1 and 500.")
        if o["rate"] <= 0 or o["duration"] <= 0:
            raise CommandError("--rate and --duration must be positive.")
        rng = random.Random(o["seed"])
        devices, id_numbers = self._setup(o, rng)
        factories = [PunchFactory(d.serial, id_numbers, seed=o["seed"] + i) for i, d in enumerate(devices)]
        statuses, latencies = Counter(), []
        backlog: dict[str, list[dict]] = {d.serial: [] for d in devices}
        started = time.monotonic()
        offline_from = started + o["duration"] / 3 if o["offline_for"] else None
        next_heartbeat = 0.0
        interval = o["batch"] / o["rate"]
        tick = 0
        while (now := time.monotonic()) - started < o["duration"]:
            offline = offline_from is not None and offline_from <= now < offline_from + o["offline_for"]
            if not offline and now >= next_heartbeat:
                for device in devices:
                    statuses[f"heartbeat {device.heartbeat().status}"] += 1
                next_heartbeat = now + o["heartbeat_every"]
            device, factory = devices[tick % len(devices)], factories[tick % len(devices)]
            punches = [factory.make() for _ in range(o["batch"])]
            if offline:
                backlog[device.serial].extend(punches)
            else:
                self._flush(device, backlog[device.serial], statuses, latencies)
                answer = device.push(punches)
                self._count(answer, statuses, latencies)
            tick += 1
            time.sleep(max(0.0, started + tick * interval - time.monotonic()))
        for device in devices:
            self._flush(device, backlog[device.serial], statuses, latencies)
        for n in range(o["broken"]):
            kind = BROKEN_KINDS[n % len(BROKEN_KINDS)]
            device = devices[n % len(devices)]
            if kind == "replayed_nonce":
                device.push([factories[0].make()])
            answer = device.push([factories[0].make()], broken=kind)
            statuses[f"broken {kind} → {answer.status} {answer.body.get('code', answer.body.get('rejected', ''))}"] += 1
        self._report(statuses, latencies)

    def _setup(self, o, rng):
        if o["device"]:
            devices = []
            for spec in o["device"]:
                serial, _, secret = spec.partition(":")
                if not serial or not secret:
                    raise CommandError(f"--device {spec!r}: give SERIAL:SECRET.")
                devices.append(DeviceClient(o["url"], serial, secret))
            return devices, [make_id_number(rng) for _ in range(max(1, o["workers"]))]
        if not o["token"] or not o["project"]:
            raise CommandError("Give --token and --project to register devices, or --device SERIAL:SECRET.")
        api = IntegrationClient(o["url"], o["token"])
        status, project = api.call("GET", f"/api/v1/projects/{o['project']}/")
        if status != 200:
            raise CommandError(f"Project {o['project']}: HTTP {status} {project}")
        roles = {p["role"]: p["uscc"] for p in project["participants"]}
        if "vendor" not in roles or "contractor" not in roles:
            raise CommandError("The project needs a contractor and a vendor among its participants.")
        devices = []
        for n in range(o["devices"]):
            serial = f"SIM-{o['project'][-6:]}-{int(time.time()) % 100000:05d}-{n}"
            status, answer = api.call(
                "POST",
                f"/api/v1/projects/{o['project']}/devices/",
                {
                    "serial": serial,
                    "vendor": roles["vendor"],
                    "model": "simulator",
                    "kind": "gate",
                    "connection": "direct",
                    "location": "entrance",
                },
            )
            if status != 201:
                raise CommandError(f"Registering {serial}: HTTP {status} {answer}")
            self.stdout.write(f"registered {serial} (secret {answer['secret']})")
            devices.append(DeviceClient(o["url"], serial, answer["secret"]))
        id_numbers = []
        for n in range(o["workers"]):
            number = make_id_number(rng)
            status, answer = api.call(
                "POST",
                f"/api/v1/projects/{o['project']}/engagements/",
                {
                    "id_number": number,
                    "name": f"模拟工人{n + 1}",
                    "employer": roles["contractor"],
                    "category": "worker",
                    "trade": "390",
                    "entered_on": time.strftime("%Y-%m-%d"),
                },
            )
            if status == 201:
                id_numbers.append(number)
        self.stdout.write(f"engaged {len(id_numbers)} simulated workers")
        return devices, id_numbers or [make_id_number(rng)]

    def _flush(self, device, backlog, statuses, latencies):
        while backlog:
            chunk, backlog[:] = backlog[:500], backlog[500:]
            self._count(device.push(chunk), statuses, latencies, label="flush")

    def _count(self, answer, statuses, latencies, label="push"):
        latencies.append(answer.seconds)
        if answer.status == 200:
            for result in answer.body["results"]:
                statuses[f"{label} {result['status']}"] += 1
        else:
            statuses[f"{label} HTTP {answer.status} {answer.body.get('code', '')}"] += 1

    def _report(self, statuses, latencies):
        for key, count in sorted(statuses.items()):
            self.stdout.write(f"{count:>8}  {key}")
        if latencies:
            ordered = sorted(latencies)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            self.stdout.write(
                f"requests {len(latencies)}, latency p50 {statistics.median(ordered) * 1000:.1f} ms, "
                f"p99 {p99 * 1000:.1f} ms"
            )
