"""A receiver of the national interface on a local port (upward/simulator.py): for trying the upward client by hand
and for `make bench-sync`. It prints what it accepts once a second when anything changed."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from smz_platform.common.national import Cipher
from upward.simulator import Receiver, serve_in_thread


class Command(BaseCommand):
    help = "Serve a simulated national-interface receiver (签名校验、字段解密、异步处理) on a local port."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8790)
        parser.add_argument("--appid", required=True, help="the appid the receiver issued")
        parser.add_argument("--secret", required=True, help="its app secret (32 characters for AES-256)")
        parser.add_argument("--cipher", choices=[c.value for c in Cipher], default=Cipher.AES256.value)
        parser.add_argument("--calls-per-minute", type=int, default=600)
        parser.add_argument("--processing-seconds", type=float, default=0.0)
        parser.add_argument("--mode", choices=["normal", "fail", "slow", "drop"], default="normal")
        parser.add_argument("--head-image-required", action="store_true")

    def handle(self, *args, **options) -> None:
        if options["cipher"] == Cipher.AES256 and len(options["secret"].encode()) != 32:
            raise CommandError("--secret must be 32 ASCII characters for AES-256 (the standard's key length).")
        if options["port"] < 0 or options["port"] > 65535:
            raise CommandError("--port must be between 0 and 65535.")
        receiver = Receiver(
            credentials={options["appid"]: options["secret"]},
            cipher=Cipher(options["cipher"]),
            calls_per_minute=options["calls_per_minute"],
            processing_seconds=options["processing_seconds"],
            head_image_required=options["head_image_required"],
        )
        receiver.mode = options["mode"]
        try:
            server = serve_in_thread(receiver, options["host"], options["port"])
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from None
        self.stdout.write(f"national receiver at {server.url} (appid {options['appid']}, mode {receiver.mode})")
        seen = None
        try:
            while True:
                time.sleep(1)
                store = receiver.store
                now = (
                    len(store.corps),
                    len(store.projects),
                    len(store.teams),
                    len(store.workers),
                    len(store.movements),
                )
                if now != seen:
                    seen = now
                    self.stdout.write(
                        "received: {} enterprises, {} projects, {} teams, {} workers, {} entries and exits".format(*now)
                    )
        except KeyboardInterrupt:
            server.shutdown()
