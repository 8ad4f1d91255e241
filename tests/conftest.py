"""Fixtures shared by the whole suite: an API client and a small city of two districts with one
account of every role."""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from projects.choices import ParticipantRole, RegionLevel, Role
from projects.models import Enterprise, Project, Region, User
from projects.services.accounts import token_issue
from tests.factories import EnterpriseFactory, ProjectFactory, RegionFactory, account, participate


@dataclass
class City:
    city: Region
    haishu: Region
    jiangbei: Region
    contractor: Enterprise
    subcontractor: Enterprise
    supervisor: Enterprise
    owner: Enterprise
    vendor: Enterprise
    other_contractor: Enterprise
    project: Project  # in Haishu; contractor, subcontractor, supervisor, owner, vendor take part
    other_project: Project  # in Jiangbei; other_contractor only
    users: dict[str, User]
    _tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> APIClient:
        client = APIClient()
        if who not in self._tokens:
            self._tokens[who] = token_issue(user=self.users[who])
        client.credentials(HTTP_AUTHORIZATION=f"Token {self._tokens[who]}")
        return client


def _pgbouncer_let_go() -> None:
    from django.conf import settings

    if settings.DATABASE_TRANSACTION_POOLING:
        import subprocess

        db = settings.DATABASES["default"]
        name = db.get("TEST", {}).get("NAME") or f"test_{db['NAME'].removeprefix('test_')}"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        if worker and not name.endswith(f"_{worker}"):  # before pytest-django names the worker's database
            name = f"{name}_{worker}"
        subprocess.run(
            ["bash", "scripts/pgbouncer.sh", "kill", name],
            check=False,
            env={**os.environ, "PGBOUNCER_PORT": str(db["PORT"])},
        )


# The system tests (issue 26): they start processes, browsers, servers or the whole demo, and take most of
# the suite's time. `make test` runs them after the rest, `make test-quick` leaves them out.
SYSTEM = (
    "tests/attendance/test_database_down.py",
    "tests/attendance/test_embedded_sqlite.py",
    "tests/bench/",
    "tests/dashboard/test_browser.py",
    "tests/dashboard/test_no_code_in_pages.py",
    "tests/devices/test_simulator.py",
    "tests/platform/test_backup.py",
    "tests/platform/test_health.py::test_it_is_503_when_the_database_is_unreachable",
    "tests/platform/test_proxy.py",
    "tests/platform/test_replica.py",
    "tests/platform/test_settings.py",
    "tests/platform/test_test_services.py",
    "tests/platform/test_two_nodes.py",
    "tests/reports/test_printing.py",
    "tests/reports/test_seed_demo.py",
    "tests/security/test_data_at_rest.py",
    "tests/security/test_fuzz.py",
)


def pytest_ignore_collect(collection_path, config):
    """Under -m "not system" (make test-quick, and make test's first stage) the system tests' modules are not
    even imported: the fuzz module builds the whole OpenAPI schema when imported, seconds on every worker. Under
    -m system (make test's second stage) the other test modules are not imported either: each of its three
    workers would spend ~5 s collecting the 1,400 tests it deselects."""
    markexpr = config.getoption("markexpr")
    if markexpr in ("system", "not system") and collection_path.is_relative_to(config.rootpath):
        relative = collection_path.relative_to(config.rootpath).as_posix()
        system = relative.startswith(SYSTEM) or f"{relative}/" in SYSTEM
        if markexpr == "not system" and system:
            return True
        if markexpr == "system" and collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
            # A module is collected if it holds a system test (a listed module, or one named with a test's id).
            return not (system or any(entry.startswith(f"{relative}::") for entry in SYSTEM))
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("system") and not item.nodeid.startswith(SYSTEM):
            # Such a test would run in neither stage: -m system does not import its module.
            raise pytest.UsageError(f"{item.nodeid} is marked system by hand: list it in SYSTEM (tests/conftest.py)")
        if item.nodeid.startswith(SYSTEM):
            item.add_marker(pytest.mark.system)


# The lanes of make test's system stage (three workers), each a serial run in collection order (pytest-django's:
# the tests in a transaction first, then the transactional ones, whose flush leaves the migrations' rows to the next
# serialized test to restore); what is in neither list runs in the rest's lane. Measured by hand on 2026-12-07 (AMD
# EPYC, first test at 18 s, the static files collected already): the rest's lane 241 s, the benchmarks' 267 s, the
# browser's 222 s; in a fresh clone the benchmarks' lane also collects the static files (the dashboard's smoke run,
# 68 s in the CI of 16:24, ~40 s of it the collection), and ended the stage. Hence two of its smoke runs that need
# nothing of the others (their own databases, ports and Redis databases: bench/) run in the browser's lane.
BENCH_LANE = ("tests/bench/",)
_SMOKE = "tests/bench/test_smoke.py::test_the_benchmark_runs_to_its_end_and_prints_its_figures"
# The browser's lane: Chromium and a live server, the workbooks printed by LibreOffice and the whole demo seeded,
# each on the worker's own database, media and port; the two web nodes (the static files they collect take turns
# with the benchmarks' on a lock: collectstatic_if_changed); the intake's and the wages' smoke runs; the settings'
# own processes. With two workers (make test -n 2) it runs in the rest's lane, the benchmarks' apart.
BROWSER_LANE = (
    # The settings' own processes: each a Python started under another configuration (the embedded default, no
    # database, a missing key), ~33 s (in the rest's lane, it ended the stage by hand at 16:48: 335 s, the
    # benchmarks' 314, this one 284).
    "tests/attendance/test_database_down.py",
    "tests/attendance/test_embedded_sqlite.py",
    "tests/platform/test_health.py::test_it_is_503_when_the_database_is_unreachable",
    "tests/platform/test_settings.py",
    "tests/dashboard/test_browser.py",
    "tests/platform/test_two_nodes.py",
    "tests/reports/test_printing.py",
    "tests/reports/test_seed_demo.py",
    f"{_SMOKE}[intake.py]",
    f"{_SMOKE}[wages.py]",
)


def pytest_xdist_make_scheduler(config, log):
    """`make test` runs the system tests (-m system) on xdist workers, each a lane: the benchmarks' smoke runs (their
    own databases, ports and Redis databases: bench/) with the modules of BENCH_LANE on one, those of BROWSER_LANE on
    another when there are three workers, all the others in their order on the first, as one serial run (they share
    the replica and the services' scripts). Dealt by index: the fuzz tests' 91 cases share one node id, which xdist's
    scope schedulers (--dist loadscope, loadgroup) key their work by (all but one were dropped), and xdist_group marks
    are ignored under pytest 9 (xdist 3.8 renames a test through a `_nodeid` it no longer reads)."""
    if config.getoption("markexpr") != "system":
        return None
    from xdist.scheduler import LoadScheduling

    class Lanes(LoadScheduling):
        def schedule(self) -> None:
            if self.collection is not None or not self._check_nodes_have_same_collection():
                return super().schedule()  # a worker that replaced a crashed one takes what is left
            self.collection = next(iter(self.node2collection.values()))
            nodes = self.nodes
            lanes = _named_lanes(self.collection, len(nodes))
            for node, (name, lane) in zip(nodes, lanes, strict=False):  # a worker beyond the lanes gets nothing
                _LANE_OF[node.gateway.id] = name
                self.node2pending[node].extend(lane)
                node.send_runtest_some(lane)
            for node in nodes:
                node.shutdown()  # each ends after its lane (xdist's own schedule ends its nodes so)

    return Lanes(config, log)


def _lanes(collection: list[str], workers: int) -> list[list[int]]:
    """The system tests' indexes by lane for this many workers (empty lanes left out), in collection order."""
    return [lane for _name, lane in _named_lanes(collection, workers)]


def _named_lanes(collection: list[str], workers: int) -> list[tuple[str, list[int]]]:
    browser = [i for i, nodeid in enumerate(collection) if nodeid.startswith(BROWSER_LANE)]
    bench = [i for i, nodeid in enumerate(collection) if nodeid.startswith(BENCH_LANE) and i not in browser]
    rest = [i for i, nodeid in enumerate(collection) if not nodeid.startswith(BENCH_LANE + BROWSER_LANE)]
    if workers >= 3:
        lanes = [("rest", rest), ("browser", browser), ("benchmarks", bench)]
    elif workers == 2:
        lanes = [("rest and browser", sorted(rest + browser)), ("benchmarks", bench)]
    else:
        lanes = [("all", list(range(len(collection))))]
    return [(name, lane) for name, lane in lanes if lane]


# Python's cyclic garbage collector at its defaults (a young collection every 700 new objects, a full one every
# hundred) took 6.7% of the quick loop's workers' CPU (13.6 s of 202 s, measured with gc.callbacks): every full
# collection walks Django's, the apps' and the collected tests' objects, which live as long as the worker. The
# suite's workers collect less often, and never walk what exists when the tests are collected (gc.freeze).
GC_THRESHOLDS = (50_000, 20, 100)


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()


_STAGE_STARTED: list[float] = []
_LANE_OF: dict[str, str] = {}  # worker id -> the name of its lane


def pytest_testnodedown(node, error):
    """The system stage's log says when each lane ended (its worker went down), from the session's start: which
    lane ends the stage is what moving a module between lanes is for, and the machine's speed varies too much for
    sums of durations to tell."""
    worker = node.gateway.id
    if worker in _LANE_OF and _STAGE_STARTED:
        reporter = node.config.pluginmanager.get_plugin("terminalreporter")
        ended = time.monotonic() - _STAGE_STARTED[0]
        reporter.write_line(f"lane {_LANE_OF[worker]} ({worker}) ended at {ended:.0f} s")


def pytest_sessionstart(session):
    """A run that died may have left pgbouncer holding connections to the test database, which would
    stop this run from dropping and creating it again."""
    _STAGE_STARTED.append(time.monotonic())
    _pgbouncer_let_go()
    _flush_by_delete()


def _flush_by_delete() -> None:
    """A transactional test's teardown empties every table (Django's flush) by DELETE, not by Django's one
    TRUNCATE of them all: a TRUNCATE gives each of the ~110 tables and its indexes new files, 1.1 s a flush on
    two cores, where deleting the few rows a test wrote costs milliseconds. Inside the flush's transaction,
    `session_replication_role = replica` holds back the triggers (reports_submission's, which refuses to
    delete a submitted return, and the foreign keys' checks, which find every table empty at its end anyway).
    The test role is a superuser on this machine and in CI; where it is not, Django's TRUNCATE stays."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    superuser: dict[str, bool] = {}

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        alias = self.connection.alias
        if alias not in superuser:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                superuser[alias] = cursor.fetchone()[0]
        if not tables or reset_sequences or not superuser[alias]:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each worker's test database is a copy of the migrated template (smz_platform/common/template_db.py), built
    once for the migrations on disk and kept between runs; Django's own migrate then finds nothing to apply."""
    from django.conf import settings

    from smz_platform.common.template_db import template_ensure

    server = settings.SMZ_DATABASE_DIRECT or settings.DATABASES["default"]  # not through pgbouncer
    user = server["USER"] + (f":{server['PASSWORD']}" if server.get("PASSWORD") else "")
    name = template_ensure(server=f"postgres://{user}@{server['HOST']}:{server['PORT']}")
    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = name


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Behind pgbouncer (make test runs its system tests through one in transaction mode): before the test
    database is dropped, pgbouncer lets go of the server connections it pools to it."""
    yield
    _pgbouncer_let_go()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def city(db) -> City:
    return build_city()


def build_city() -> City:
    """Ningbo with Haishu and Jiangbei, Haishu's project with one firm of every kind, Jiangbei's with its
    contractor, and one account of every role (the `city` fixture; module-scoped worlds call it too)."""
    ningbo = RegionFactory(code="330200", name="宁波市", level=RegionLevel.CITY)
    haishu = RegionFactory(code="330203", name="海曙区", level=RegionLevel.DISTRICT, parent=ningbo)
    jiangbei = RegionFactory(code="330205", name="江北区", level=RegionLevel.DISTRICT, parent=ningbo)
    contractor = EnterpriseFactory(name="宁波海曙建工集团有限公司", is_contractor=True)
    subcontractor = EnterpriseFactory(name="宁波甬城劳务有限公司", is_contractor=False, is_subcontractor=True)
    supervisor = EnterpriseFactory(name="宁波明州监理有限公司", is_contractor=False, is_supervisor=True)
    owner = EnterpriseFactory(name="宁波城建置业有限公司", is_contractor=False, is_owner=True)
    vendor = EnterpriseFactory(name="宁波智安科技有限公司", is_contractor=False, is_vendor=True)
    other_contractor = EnterpriseFactory(name="宁波江北建设有限公司", is_contractor=True)
    project = ProjectFactory(permit_no="330203202609010101", name="海曙中心小学迁建工程", district=haishu)
    other_project = ProjectFactory(permit_no="330205202609010202", name="江北滨江住宅项目", district=jiangbei)
    for enterprise, role in [
        (contractor, ParticipantRole.CONTRACTOR),
        (subcontractor, ParticipantRole.SUBCONTRACTOR),
        (supervisor, ParticipantRole.SUPERVISOR),
        (owner, ParticipantRole.OWNER),
        (vendor, ParticipantRole.VENDOR),
    ]:
        participate(project, enterprise, role)
    participate(other_project, other_contractor, ParticipantRole.CONTRACTOR)
    users = {
        "city": account("city", Role.CITY),
        "haishu": account("haishu", Role.DISTRICT, district=haishu),
        "jiangbei": account("jiangbei", Role.DISTRICT, district=jiangbei),
        "contractor": account("contractor", Role.ENTERPRISE, enterprise=contractor),
        "subcontractor": account("subcontractor", Role.ENTERPRISE, enterprise=subcontractor),
        "supervisor": account("supervisor", Role.ENTERPRISE, enterprise=supervisor),
        "vendor": account("vendor", Role.VENDOR, enterprise=vendor),
        "other_contractor": account("other_contractor", Role.ENTERPRISE, enterprise=other_contractor),
    }
    return City(
        city=ningbo,
        haishu=haishu,
        jiangbei=jiangbei,
        contractor=contractor,
        subcontractor=subcontractor,
        supervisor=supervisor,
        owner=owner,
        vendor=vendor,
        other_contractor=other_contractor,
        project=project,
        other_project=other_project,
        users=users,
    )


@contextmanager
def module_world(django_db_blocker):
    """Build a world once for a test module (its fixture asks for `django_db_setup` first): a night's
    rules over two months cost seconds a test. Inside a transaction rolled back at the module's end,
    every test then runs in a savepoint within it (pytest-django's `db`), so that what one test writes
    is gone for the next. The world starts from an empty Redis, as a test does. Its City's accounts get
    their API tokens here (sign_in_everyone), in the module's transaction: a token issued inside one
    test would be rolled back under the next."""
    import redis
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        yield
        transaction.set_rollback(True)


def sign_in_everyone(city: City) -> City:
    for who in city.users:
        city.client(who)
    return city


@pytest.fixture
def gate(city, client):
    """A registered face gate at the entrance of Haishu's project, and a client that signs as it."""
    from tests.device_client import SignedDevice

    registered = register_gate(city)
    return SignedDevice(client=client, serial=registered.device.serial, secret=registered.secret)


def register_gate(city: City):
    from devices.services import device_register

    return device_register(
        user=city.users["contractor"],
        project=city.project,
        serial="HS-GATE-01",
        vendor=city.vendor,
        model="FaceGate-3",
        kind="gate",
        connection="direct",
        location="entrance",
    )


@pytest.fixture(autouse=True)
def clean_redis(settings):
    """Each test starts with an empty test Redis database (db 15 by default) and a fresh gateway state,
    as a Redis that has run since long before the test (its nonce epoch at 0: tests of a restart flush it)."""
    import redis

    from devices import gateway
    from smz_platform.common.publicpages import public_pages_local_forget

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    client.set(gateway.EPOCH_KEY, 0)
    gateway._state.client = None
    gateway._state.failed_at = None
    gateway._sources.window = -1
    public_pages_local_forget()  # this process's copies of the public pages went with the shared cache
