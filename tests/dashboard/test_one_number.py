"""One number, one definition (issue 15): the overview's open-alerts card leads to a list of exactly as
many alerts (those still to be handled: open and acknowledged), for the city and for each district."""

from __future__ import annotations

import re

import pytest

from inspections.models import Alert
from tests.dashboard.pages import signed_in

pytestmark = pytest.mark.django_db


def card(page: str, label: str) -> tuple[str, int]:
    """The card's link and figure."""
    match = re.search(
        rf'<a class="card[^"]*" href="([^"]+)"><span class="label">{label}</span>'
        r'<span class="value">(\d+)</span>',
        page,
    )
    assert match, f"no clickable card {label}"
    return match.group(1).replace("&amp;", "&"), int(match.group(2))


def listed(client, url: str) -> int:
    page = client.get(url, secure=True).content.decode()
    return int(re.search(r'data-count="(\d+)"', page).group(1))


def test_the_open_alerts_card_and_its_list_count_the_same_alerts(city, site):
    acknowledged = Alert.objects.filter(state="open").first()
    Alert.objects.filter(pk=acknowledged.pk).update(state="acknowledged")
    live = Alert.objects.filter(state__in=["open", "acknowledged"])
    in_haishu = live.filter(project__district=city.haishu).count()
    for who, url, expected in (("city", "/", live.count()), ("haishu", "/districts/330203/", in_haishu)):
        client = signed_in(city, who)
        link, figure = card(client.get(url, secure=True).content.decode(), "未处理预警")
        assert figure == expected > 0
        assert listed(client, link) == figure, (who, link)


def test_the_rule_chart_names_each_rule_in_full_and_its_bar_opens_that_rules_alerts(city, site):
    from inspections.rules import rule

    client = signed_in(city, "haishu")
    page = client.get("/districts/330203/", secure=True).content.decode()
    standing = Alert.objects.filter(state="open", project__district=city.haishu)
    rules = sorted(set(standing.values_list("rule", flat=True)))
    assert rules
    for code in rules:
        assert f"{code} {rule(code).label}</text>" in page  # never cut short
        link = f"/alerts/?live=1&amp;group=0&amp;rule={code}&amp;district=330203"
        assert f'<a href="{link}">' in page
        expected = standing.filter(rule=code).count()
        assert listed(client, link.replace("&amp;", "&")) == expected


def test_a_device_past_its_contact_deadline_is_offline_on_every_page_before_the_sweep_runs(city, site):
    import datetime as dt

    from django.utils import timezone

    from devices.models import Device

    gate = Device.objects.get(serial="HS-GATE-01")
    Device.objects.filter(pk=gate.pk).update(online=True, offline_after=timezone.now() - dt.timedelta(minutes=5))
    client = signed_in(city, "haishu")
    project = client.get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    row = re.search(r"HS-GATE-01.*?</tr>", project, flags=re.S).group(0)
    assert "离线" in row and "在线" not in row.split("</a>", 1)[1]
    assert "离线" in client.get("/devices/HS-GATE-01/", secure=True).content.decode()
    district = client.get("/districts/330203/", secure=True).content.decode()
    assert re.search(r'<span class="sub">0 / 1</span>', district)  # the card counts it offline too
