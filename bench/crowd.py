"""The anonymous crowd of make bench-load (issue 28): phones opening rights boards and the city's published pages.

bench/load.py starts this beside locust's devices and regulators. It is not a locust user: in production the phones
are elsewhere, but here the crowd's generator shares the platform's two cores, and locust (gevent, its
geventhttpclient, its statistics per request) took ~1.1 ms of CPU a request — 66 of the ~210 CPU seconds the crowd
cost the machine in a ten-minute run (docs/benchmarks.md), a third of the load blamed on the platform. This is the
same crowd written on asyncio's streams: each visitor its own keep-alive connection (a phone's), a page every 1–3 s
after the last answer (locust's between(1, 3)), the same pages with the same weights and names, the CSRF cookie kept
as a browser keeps it, ramped up over the first tenth of the visitors a second as locust's spawn rate was. Each
answer is read whole (Content-Length, chunked or to the connection's end) and its time taken from the request's
first byte sent to the answer's last byte read.

It writes the figures bench/load.py reads from a locust run, in locust's CSV shape: `<prefix>_stats.csv` (a row per
page and "Aggregated") and `<prefix>_exceptions.csv` (none: a failed request is counted as a failure, with its
cause in `<prefix>.log`).

    python bench/crowd.py --host http://127.0.0.1:8772 --visitors 200 --seconds 600 --csv var/bench-load/x
Environment: SMZ_LOAD_PLAN (the plan's JSON: its boards, city and month).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

THINK = (1.0, 3.0)  # seconds between a visitor's answer and his next page
TIMEOUT = 60.0  # an answer not whole after this is a failure (locust's FastHttpUser network timeout)
KEEPALIVE = 1.9  # gunicorn closes an idle connection after 2 s (its keepalive): a longer pause opens a new one
STOP_GRACE = 10.0  # requests in flight at the end may finish (locust's --stop-timeout of bench/load.py)


def pages(plan: dict) -> list[tuple[int, str, Callable[[], str]]]:
    """(weight, name, address) of what a visitor opens: the weights of the earlier locust VisitorUser."""
    boards, city, month = plan["boards"], plan["city"], plan["month"]
    return [
        (8, "public: rights board", lambda: f"/board/{random.choice(boards)}/"),
        (2, "public: complaint form", lambda: f"/board/{random.choice(boards)}/complaint/"),
        (2, "public: worker sign-in", lambda: "/worker/"),
        (1, "public: tracking form", lambda: "/complaints/track/"),
        (2, "public: draws", lambda: f"/public/{city}/draws/"),
        (1, "public: circular", lambda: f"/public/{city}/circulars/{month}/"),
    ]


class Answer(Exception):
    """A request that did not end in a whole 200 answer: its cause."""


async def _read(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bool]:
    """Status, headers (last of each name, lower-cased; Set-Cookie's joined by newlines), body, and whether the
    connection may be used again. The head is read in one call: the generator's CPU is the point of this module."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            raise Answer("connection closed before the answer") from None
        raise
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise Answer(f"not an HTTP answer: {lines[0][:80]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value)
        elif name:
            headers[name] = value
    headers["set-cookie"] = "\n".join(cookies)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while size := int((await reader.readline()).split(b";")[0].strip() or b"0", 16):
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return status, headers, bytes(body), _keeps(parts[0], headers)
    if "content-length" in headers:
        return status, headers, await reader.readexactly(int(headers["content-length"])), _keeps(parts[0], headers)
    return status, headers, await reader.read(), False  # to the connection's end


def _keeps(version: str, headers: dict[str, str]) -> bool:
    return version != "HTTP/1.0" and headers.get("connection", "").lower() != "close"


class Crowd:
    def __init__(self, host: str, plan: dict, seconds: float) -> None:
        address = urlsplit(host)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.header_host = address.netloc
        self.pages = pages(plan)
        self.weights = [weight for weight, _, _ in self.pages]
        self.seconds = seconds
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: Counter[str] = Counter()
        self.causes: Counter[tuple[str, str]] = Counter()

    async def visitor(self, delay: float, deadline: float) -> None:
        await asyncio.sleep(delay)
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        csrf = None
        while time.monotonic() < deadline:
            _, name, address = random.choices(self.pages, self.weights)[0]
            path = address()
            cookie = f"Cookie: csrftoken={csrf}\r\n" if csrf else ""
            request = f"GET {path} HTTP/1.1\r\nHost: {self.header_host}\r\nUser-Agent: smz-bench-crowd\r\n{cookie}\r\n"
            started = time.perf_counter()
            try:
                async with asyncio.timeout(TIMEOUT):
                    answer, connection = await self._exchange(connection, request.encode())
                status, headers, _body, reusable = answer
                if status != 200:
                    raise Answer(f"{status} at {path}")
                for value in headers["set-cookie"].split("\n"):
                    if value.startswith("csrftoken="):
                        csrf = value.split(";", 1)[0].split("=", 1)[1]
            except (Answer, OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                self.failures[name] += 1
                self.causes[(name, str(error) or type(error).__name__)] += 1
                reusable = False
            self.times[name].append((time.perf_counter() - started) * 1000)
            if not reusable and connection is not None:
                connection[1].close()
                connection = None
            think = random.uniform(*THINK)
            if connection is not None and think > KEEPALIVE:
                connection[1].close()  # the server will have closed it: not a write into a closed socket first
                connection = None
            await asyncio.sleep(think)
        if connection is not None:
            connection[1].close()

    async def _exchange(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None, request: bytes
    ) -> tuple[tuple[int, dict[str, str], bytes, bool], tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
        """One request on the visitor's connection. A kept connection the server closed while he was thinking
        (gunicorn keeps one alive for 2 s, he thinks 1–3 s) is opened again and the request sent once more, as a
        browser does; a new connection's failure is the answer's."""
        if connection is not None:
            try:
                connection[1].write(request)
                return await _read(connection[0]), connection
            except (Answer, ConnectionError, asyncio.IncompleteReadError) as error:
                if isinstance(error, Answer) and "closed before" not in str(error):
                    raise
                connection[1].close()
        connection = await asyncio.open_connection(self.host, self.port)
        connection[1].write(request)
        return await _read(connection[0]), connection

    async def run(self, visitors: int) -> float:
        started = time.monotonic()
        deadline = started + self.seconds
        spawn_rate = max(visitors // 10, 1)  # bench/load.py's locust: a tenth of the users a second
        tasks = [asyncio.create_task(self.visitor(i / spawn_rate, deadline)) for i in range(visitors)]
        await asyncio.wait(tasks, timeout=self.seconds + STOP_GRACE)
        for task in tasks:
            task.cancel()
        return time.monotonic() - started

    def write(self, prefix: str, elapsed: float) -> None:
        """The figures in locust's CSV shape (bench/load.py's stats() and _finished() read them)."""
        columns = ["Type", "Name", "Request Count", "Failure Count", "50%", "99%", "Max Response Time", "Requests/s"]
        rows = [("GET", name, times) for name, times in sorted(self.times.items())]
        rows.append(("", "Aggregated", [t for times in self.times.values() for t in times]))
        with open(f"{prefix}_stats.csv", "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(columns)
            for kind, name, times in rows:
                failures = sum(self.failures.values()) if name == "Aggregated" else self.failures[name]
                ordered = sorted(times)
                out.writerow(
                    [
                        kind,
                        name,
                        len(times),
                        failures,
                        round(nearest_rank(ordered, 0.50), 1),
                        round(nearest_rank(ordered, 0.99), 1),
                        round(ordered[-1], 1) if ordered else 0,
                        round(len(times) / elapsed, 2) if elapsed else 0,
                    ]
                )
        with open(f"{prefix}_exceptions.csv", "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(["Count", "Message", "Traceback", "Nodes"])
        with open(f"{prefix}.log", "w", encoding="utf-8") as log:
            for (name, cause), count in self.causes.most_common():
                log.write(f"{count} × {name}: {cause}\n")


def nearest_rank(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted times (0 for none)."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--visitors", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--csv", required=True, help="the prefix of the figures' files")
    args = parser.parse_args()
    plan = json.loads(Path(os.environ["SMZ_LOAD_PLAN"]).read_text(encoding="utf-8"))
    crowd = Crowd(args.host, plan, args.seconds)
    elapsed = asyncio.run(crowd.run(args.visitors))
    crowd.write(args.csv, elapsed)


if __name__ == "__main__":
    main()
