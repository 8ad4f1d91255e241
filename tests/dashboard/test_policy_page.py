"""考核口径 in the workbench (issue 24): every regulator reads the policy over its districts in Chinese, each
value beside its preset's with the notice's clause, and a value beyond the notice marked as the city's own."""

from __future__ import annotations

import pytest
from django.test import Client

from inspections.models import Policy
from inspections.presets import SOURCES

pytestmark = pytest.mark.django_db


def _page(city, who: str):
    client = Client()
    client.force_login(city.users[who])
    return client.get("/policies/", secure=True)


def _row(html: str, label: str) -> str:
    return next(line for line in html.splitlines() if f"<th>{label}</th>" in line)


def test_the_city_reads_its_policy_in_words_with_the_notices_clauses(city):
    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="zhongshan_2019").update(in_force=True, valid_requires_photo=True)
    response = _page(city, "city")
    assert response.status_code == 200
    html = response.content.decode()
    assert "中山 2019（实名制管理平台上线通知）" in html and "海曙区、江北区" in html
    for clause in SOURCES["zhongshan_2019"].values():
        assert clause in html
    assert "2020年2月1日" in _row(html, "自此日期起完成施工报建的项目考核管理人员考勤")
    assert "80%" in html and "通知未作规定，沿用默认口径" in html
    # Photos on every punch: the city's own choice, not Zhongshan's notice.
    photo = _row(html, "有效出勤：只计带照片的打卡")
    assert "本市自定（预设所依据的通知未作此规定）" in photo and "<td>是</td><td>否</td>" in photo
    assert html.count('class="own"') == 1  # every other value is the preset's
    for raw in ("['", "True", "False", "None", "0.800", "project_manager", "contractor"):
        assert raw not in html.split("<main")[1], raw


def test_a_district_reads_its_own_override_and_another_the_citys(city):
    Policy.objects.create(name="海曙区口径", district=city.haishu, r16_worker_rate="0.900")
    haishu = _page(city, "haishu").content.decode()
    assert "海曙区口径" in haishu and "90%" in haishu and "江北区" not in haishu.split("<main")[1]
    jiangbei = _page(city, "jiangbei").content.decode()
    assert "海曙区口径" not in jiangbei and "默认口径" in jiangbei


def test_a_firm_does_not_read_the_policy_page(city):
    assert _page(city, "contractor").status_code == 403


def test_the_default_policy_cites_no_notice(city):
    html = _page(city, "city").content.decode()
    row = _row(html, "R11：关键岗位到岗率")
    assert "<td>80%</td><td>80%</td><td>默认口径</td>" in row and "通知" not in row
