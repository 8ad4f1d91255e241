"""A simulated receiver on a port of its own (upward/simulator.py) and the city's receiver pointing at it."""

from __future__ import annotations

import pytest

from tests.wages.conftest import october  # noqa: F401 (the wage tests' October of punches, used here too)
from upward.models import Receiver, ReceiverLevel
from upward.simulator import Receiver as Simulated
from upward.simulator import serve_in_thread

APPID, SECRET = "33112220190310002", "24484b262dd63dd584902a266bdbdca0"


@pytest.fixture
def simulated():
    simulated = Simulated(credentials={APPID: SECRET})
    server = serve_in_thread(simulated)
    simulated.url = server.url
    yield simulated
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(city, simulated) -> Receiver:
    receiver = Receiver(
        region=city.city,
        name="浙江省建筑工人管理服务信息平台",
        level=ReceiverLevel.PROVINCIAL,
        url=simulated.url,
        appid=APPID,
        timeout_seconds=30,
    )
    receiver.set_secret(SECRET)
    receiver.save()
    return receiver
