"""The city follows upward data on the dashboard (上报): per receiver and record kind what was accepted, waits or
was refused, the refused records with the receiver's message, and "resend"; a district, a firm or a stranger's
id does not reach it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import engage, id_number, person
from upward.models import OutboxItem, OutboxState
from upward.records import project_records
from upward.sending import outbox_send
from upward.services import outbox_write

pytestmark = pytest.mark.django_db


def signed_in(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


@pytest.fixture
def refused(city, receiver, simulated):
    """A worker whose ID the province cannot decrypt (its cipher differs): the worker and his entry refused."""
    engage(city.project, city.subcontractor, who=person(id_number(seq=120), "周工人"), team="木工班", trade="240")
    simulated.cipher = "aes128_head"
    outbox_write(project=city.project, items=project_records(city.project))
    outbox_send(receiver=receiver)
    return OutboxItem.objects.get(receiver=receiver, kind="worker")


def test_the_city_reads_what_went_up_and_resends_a_refused_record(city, receiver, simulated, refused):
    page = signed_in(city, "city").get("/upward/")
    text = page.content.decode()
    assert page.status_code == 200 and receiver.name in text
    assert "idCardNumber解密失败，请检查加密方式与密钥" in text and "重发" in text
    # The refused record named in words: the worker by name and masked number, never the full one.
    assert "周工人 " in text and id_number(seq=120) not in text
    simulated.cipher = "aes256"  # the province puts its setting right
    answer = signed_in(city, "city").post(f"/upward/{receiver.pk}/resend/", {"item": refused.pk})
    assert answer.status_code == 302 and answer["Location"].endswith(f"?project={city.project.permit_no}")
    outbox_send(receiver=receiver)
    assert OutboxItem.objects.filter(receiver=receiver, kind="worker", state=OutboxState.ACCEPTED).count() == 1
    text = signed_in(city, "city").get(f"/upward/?project={city.project.permit_no}").content.decode()
    assert "idCardNumber解密失败" not in text  # resent and accepted: no longer listed as refused


@pytest.mark.parametrize("who", ["haishu", "contractor", "vendor"])
def test_a_district_or_a_firm_does_not_reach_the_page_or_resend(city, receiver, refused, who):
    client = signed_in(city, who)
    assert client.get("/upward/").status_code == 403
    assert client.post(f"/upward/{receiver.pk}/resend/", {"item": refused.pk}).status_code == 403
    assert OutboxItem.objects.filter(kind="worker", state=OutboxState.PENDING).count() == 0


@pytest.mark.parametrize("body", [{"item": "99999999"}, {"item": "x"}, {"item": "1" * 40}, {"project": "NOPE"}, {}])
def test_a_resend_of_something_that_is_not_there_is_a_404_and_writes_nothing(city, receiver, refused, body):
    before = OutboxItem.objects.count()
    assert signed_in(city, "city").post(f"/upward/{receiver.pk}/resend/", body).status_code == 404
    assert OutboxItem.objects.count() == before
