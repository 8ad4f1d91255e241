"""Two web nodes (two gunicorn processes) on one database and one Redis serve the same answers: a
session or a token made on one is honoured by the other, a device's signed request replayed to the
other node is refused, and the pages and lists read the same. Nothing that matters lives in a process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from devices.services import device_register
from devices.signing import sign
from projects.services.accounts import token_issue

# Committed, so that the nodes (other processes) see it; the migrations' rows are restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nodes(django_db_setup, tmp_path_factory):
    """Two gunicorn nodes on the test database, started once for the module (each start collects the
    static files and boots two processes: most of a test's time)."""
    tmp_path = tmp_path_factory.mktemp("media")
    db = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DATABASE_REPLICA"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "smz_platform.settings",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": (
                f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{db['NAME']}"
            ),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "SMZ_MEDIA_ROOT": str(tmp_path),
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "off",
        }
    )
    # The production settings serve hashed static files: collected first, as a deployment does.
    subprocess.run([sys.executable, "manage.py", "collectstatic_if_changed"], cwd=ROOT, env=env, check=True)
    ports, processes = [free_port(), free_port()], []
    for port in ports:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "smz_platform.wsgi:application",
                    "--config",
                    "python:smz_platform.gunicorn_conf",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # answering (503 while the night has not run is an answer)
            except OSError:
                assert time.monotonic() < deadline, "a node did not come up"
                time.sleep(0.2)
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at (to the login page), not to follow


OPENER = urllib.request.build_opener(_NoRedirects)


def get(url: str, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_session_and_a_token_from_one_node_are_honoured_by_the_other_and_the_answers_agree(city, nodes):
    browser = Client()
    browser.force_login(city.users["haishu"])  # the session lives in the database, as a login makes it
    cookie = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    token = {"Authorization": f"Token {token_issue(user=city.users['city'])}"}
    pages = []
    for node in nodes:
        status, body = get(f"{node}/alerts/", cookie)
        assert status == 200 and "海曙区" in body.decode()
        status, listed = get(f"{node}/api/v1/projects/", token)
        assert status == 200
        pages.append(json.loads(listed))
    assert pages[0] == pages[1]
    assert sorted(p["permit_no"] for p in pages[0]["results"]) == sorted(
        [city.project.permit_no, city.other_project.permit_no]
    )
    # Signed out on one node: the other no longer knows the session either.
    browser.logout()
    for node in nodes:
        status, _ = get(f"{node}/alerts/", cookie)
        assert status == 302  # to the login page


def test_a_devices_request_replayed_to_the_other_node_is_refused(city, nodes):
    registered = device_register(
        user=city.users["contractor"],
        project=city.project,
        serial="HS-NODES-1",
        vendor=city.vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
    )
    body = json.dumps({"liveness_enabled": True}).encode()
    timestamp, nonce = str(int(time.time())), "nonce-across-nodes-0001"
    signature = sign(registered.secret.encode(), "POST", "/api/device/v1/heartbeat", timestamp, nonce, body)
    headers = {"X-Device-SN": "HS-NODES-1", "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}
    first = post(f"{nodes[0]}/api/device/v1/heartbeat", body, headers)
    again = post(f"{nodes[1]}/api/device/v1/heartbeat", body, headers)
    assert first[0] == 200
    assert (again[0], again[1].get("code")) == (401, "replayed_nonce")
