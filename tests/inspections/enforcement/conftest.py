import pytest
import time_machine


@pytest.fixture
def on_nov_25():
    """The tests' today: Wednesday 25 November 2026, 10:00 in Ningbo."""
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        yield
