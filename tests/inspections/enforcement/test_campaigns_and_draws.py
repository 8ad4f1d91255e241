"""Campaigns with their phases and progress; 双随机 draws reproducible from their seed and weighted."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from inspections.engine import rules_run
from inspections.models import Campaign, RandomDraw
from inspections.services.campaigns import draw_inspectors, weighted_draw
from inspections.services.inspections import inspection_record
from tests.factories import ProjectFactory

pytestmark = pytest.mark.usefixtures("on_nov_25")
PHASES = [
    {"phase": "self_inspection", "starts_on": "2026-11-01", "ends_on": "2026-11-10"},
    {"phase": "local_inspection", "starts_on": "2026-11-11", "ends_on": "2026-11-30"},
    {"phase": "municipal_supervision", "starts_on": "2026-12-01", "ends_on": "2026-12-15"},
    {"phase": "summary", "starts_on": "2026-12-16", "ends_on": "2026-12-20"},
]


def _launch(client, **fields):
    body = {
        "name": "实名制管理“固本清源”专项整治行动",
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-20",
        "districts": ["330203", "330205"],
        "phases": PHASES,
    }
    body.update(fields)
    return client.post("/api/v1/campaigns/", body, format="json")


@pytest.mark.django_db
def test_the_city_launches_a_campaign_with_its_four_phases(city):
    response = _launch(city.client("city"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["phase"] for p in body["phases"]] == [p["phase"] for p in PHASES]
    assert body["districts"] == ["330203", "330205"]
    assert _launch(city.client("haishu")).status_code == 403
    assert [c["id"] for c in city.client("haishu").get("/api/v1/campaigns/").json()["results"]] == [body["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phases": PHASES[:3]}, "phases"),
        ({"phases": [*PHASES[:3], {**PHASES[3], "ends_on": "2027-01-31"}]}, "phases"),
        (
            {"phases": [PHASES[1], {**PHASES[0], "starts_on": "2026-11-20", "ends_on": "2026-11-21"}, *PHASES[2:]]},
            "phases",
        ),
        ({"ends_on": "2026-10-01"}, "ends_on"),
        ({"districts": ["330200"]}, "districts"),
        ({"districts": ["999999"]}, "districts"),
        ({"name": ""}, "name"),
    ],
)
def test_a_malformed_campaign_is_refused(city, fields, field):
    response = _launch(city.client("city"), **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_progress_counts_projects_inspected_over_projects_under_construction(city):
    campaign = Campaign.objects.get(pk=_launch(city.client("city")).json()["id"])
    ProjectFactory(district=city.haishu)  # a second Haishu project, never inspected
    inspection_record(
        user=city.users["haishu"],
        project=city.project,
        kind="site_visit",
        day=dt.date(2026, 11, 20),
        inspectors="李明",
        campaign=campaign,
    )
    inspection_record(
        user=city.users["haishu"],
        project=city.project,
        kind="online_patrol",
        day=dt.date(2026, 11, 21),
        inspectors="李明",
    )  # the same project again
    progress = city.client("city").get(f"/api/v1/campaigns/{campaign.pk}/progress/").json()
    assert progress == [
        {"district": "330203", "district_name": "海曙区", "active_projects": 2, "inspected_projects": 1, "ratio": 0.5},
        {"district": "330205", "district_name": "江北区", "active_projects": 1, "inspected_projects": 0, "ratio": 0.0},
    ]
    assert [
        p["district"] for p in city.client("jiangbei").get(f"/api/v1/campaigns/{campaign.pk}/progress/").json()
    ] == ["330205"]


def test_a_draw_is_reproducible_from_its_seed():
    candidates = [(f"P{n:03d}", 1 + n % 4) for n in range(50)]
    first = weighted_draw(candidates, size=5, seed="2026-11-25/海曙")
    assert weighted_draw(candidates, size=5, seed="2026-11-25/海曙") == first
    assert len(set(first)) == 5
    others = {tuple(weighted_draw(candidates, size=5, seed=f"seed-{n}")) for n in range(20)}
    assert len(others) > 15  # other seeds, other draws


def test_a_draw_is_weighted_by_open_findings():
    # Weight 9 against 1: the heavier project is drawn first in about 90% of draws.
    firsts = Counter(weighted_draw([("A", 1), ("B", 9)], size=1, seed=str(n))[0] for n in range(4000))
    assert 0.88 < firsts["B"] / 4000 < 0.92
    # Equal weights: each of four drawn first about a quarter of the time.
    uniform = Counter(weighted_draw([(c, 1) for c in "WXYZ"], size=1, seed=f"u{n}")[0] for n in range(4000))
    assert all(0.22 < uniform[c] / 4000 < 0.28 for c in "WXYZ")


@pytest.mark.django_db
def test_a_district_draws_and_anyone_can_verify(city):
    heavy = city.project
    light = ProjectFactory(district=city.haishu)
    rules_run(day=dt.date(2026, 11, 24))  # the projects' open alerts weigh in
    response = city.client("haishu").post(
        "/api/v1/draws/", {"district": "330203", "size": 1, "seed": "抽签-001"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    weights = dict(body["candidates"])
    assert set(weights) == {heavy.permit_no, light.permit_no}
    assert all(w == 1 + heavy.alerts.filter(state="open").count() for p, w in weights.items() if p == heavy.permit_no)
    assert body["drawn"] == weighted_draw([tuple(c) for c in body["candidates"]], size=1, seed="抽签-001")
    assert city.client("city").get(f"/api/v1/draws/{body['id']}/verify/").json() == {
        "draw": body["id"],
        "reproduced": True,
    }
    RandomDraw.objects.filter(pk=body["id"]).update(
        drawn=[light.permit_no if body["drawn"] == [heavy.permit_no] else heavy.permit_no]
    )
    assert city.client("city").get(f"/api/v1/draws/{body['id']}/verify/").json()["reproduced"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("jiangbei", {"district": "330203", "size": 1}, 403),
        ("contractor", {"district": "330203", "size": 1}, 403),
        ("haishu", {"district": "330203", "size": 0}, 400),
        ("haishu", {"district": "330203", "size": 1, "seed": "x" * 65}, 400),
        ("haishu", {"district": "330299", "size": 1}, 400),
        ("city", {"district": "330200", "size": 1}, 400),
    ],
)
def test_draws_refuse_what_they_must(city, who, body, status):
    assert city.client(who).post("/api/v1/draws/", body, format="json").status_code == status
    assert not RandomDraw.objects.exists()


POOL = ["张执法", "李执法", "王执法", "赵执法", "钱执法"]


def test_the_inspectors_are_drawn_from_the_pool_by_the_same_seed_and_the_re_run_checks_them(city):
    """双随机 draws the inspectors too (鄂建文〔2019〕27号 三(二)): from the pool named, each equally, by the
    draw's seed; the re-run checks them as it checks the projects."""
    response = city.client("haishu").post(
        "/api/v1/draws/",
        {
            "district": "330203",
            "size": 1,
            "seed": "抽签-002",
            "inspector_pool": [*POOL, " 张执法 ", ""],
            "inspector_count": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["inspector_pool"] == POOL  # blanks and repeats dropped
    assert len(body["inspectors"]) == 2 and set(body["inspectors"]) <= set(POOL)
    assert body["inspectors"] == draw_inspectors(POOL, count=2, seed="抽签-002")
    assert city.client("city").get(f"/api/v1/draws/{body['id']}/verify/").json()["reproduced"] is True
    others = [name for name in POOL if name not in body["inspectors"]][:2]
    RandomDraw.objects.filter(pk=body["id"]).update(inspectors=others)  # a friendlier pair written in afterwards
    assert city.client("city").get(f"/api/v1/draws/{body['id']}/verify/").json()["reproduced"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pool", "count", "field"),
    [
        (["张执法"], 2, "inspector_count"),
        (POOL, 21, "inspector_count"),
        (["张" * 33], 1, "inspector_pool"),
        (POOL, -1, "inspector_count"),
    ],
)
def test_an_inspector_draw_larger_than_its_pool_is_refused_and_nothing_is_recorded(city, pool, count, field):
    answer = city.client("haishu").post(
        "/api/v1/draws/",
        {"district": "330203", "size": 1, "inspector_pool": pool, "inspector_count": count},
        format="json",
    )
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not RandomDraw.objects.exists()
