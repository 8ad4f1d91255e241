"""Policies changed in the pages (issue 24): a draft previewed over last month in a sandbox, then saved as
a version with a reason and the day it takes effect; nights judged before it stay as they were judged.
Through the policy page, the admin and the nightly run."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine

from inspections.calendar import is_counted
from inspections.engine import rules_run
from inspections.models import Alert, Policy, PolicyVersion
from smz_platform.common.models import AuditEvent
from tests.dashboard.pages import signed_in, text
from tests.factories import engage, id_number, person
from tests.inspections.test_figures_hold import SH, at, nights, punch

pytestmark = pytest.mark.django_db

WORKER = id_number("330203", "19800315", 41)


class _Fields(HTMLParser):
    """A page's form as a browser would post it unchanged: inputs, ticked boxes, selected options, text."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "search"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data.strip("\n"))


def form_of(page: str, form_id: str | None = None) -> dict:
    if form_id:
        page = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, flags=re.S).group(0)
    parser = _Fields()
    parser.feed(page)
    data: dict = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items() if k not in ("q", "next", "language")}


@pytest.fixture
def policy(city):
    return Policy.objects.get(district__isnull=True, in_force=True)


def _silent_site(city, gate, *, punched: list[int]) -> None:
    engage(city.project, city.subcontractor, who=person(WORKER, "陈大勇"), entered_on=dt.date(2026, 10, 1))
    for day in punched:
        with time_machine.travel(at(11, day, 8, 5), tick=False):
            assert gate.punches([punch(f"P-{day}", WORKER, at(11, day, 8))]).status_code == 200


def _edit(city, policy, who="city", **changes):
    client = signed_in(city, who)
    page = client.get(f"/policies/{policy.pk}/edit/", secure=True)
    assert page.status_code == 200
    data = {**form_of(page.content.decode(), "policy-form"), **changes}
    return client.post(f"/policies/{policy.pk}/edit/", data, secure=True)


def _r12(city) -> list[tuple[dt.date, dt.date]]:
    return sorted(
        (a.period_start, a.period_end)
        for a in Alert.objects.filter(rule="R12", subject_code="workers", project=city.project)
    )


def test_a_change_takes_effect_from_its_day_and_the_nights_before_stay_as_judged(city, gate, policy):
    """Four silent construction days make R12 (甬建函〔2023〕82号 三(十二)); the city lowers it to three from the
    14th. The 13th, judged before under four, is judged again as it was; from the 14th three count."""
    _silent_site(city, gate, punched=[10, 14])
    nights(dt.date(2026, 11, 10), dt.date(2026, 11, 13))  # silent 11–13: three days, nothing under four
    assert _r12(city) == []
    with time_machine.travel(at(11, 14, 10), tick=False):
        changed = _edit(
            city,
            policy,
            r12_silent_days="3",
            effective_from="2026-11-14",
            reason="专项行动期间从严：连续3天无考勤即预警",
        )
        assert changed.status_code == 302, text(changed)
        rules_run(day=dt.date(2026, 11, 13))  # the 13th judged again: by the version in force then
    assert _r12(city) == []
    nights(dt.date(2026, 11, 14), dt.date(2026, 11, 17))  # silent 15–17: three days, found under three
    assert _r12(city) == [(dt.date(2026, 11, 15), dt.date(2026, 11, 17))]

    versions = list(PolicyVersion.objects.filter(policy=policy).order_by("created_at"))
    assert [(v.effective_from, v.values["r12_silent_days"], v.reason) for v in versions] == [
        (None, 4, "变更前的口径"),
        (dt.date(2026, 11, 14), 3, "专项行动期间从严：连续3天无考勤即预警"),
    ]
    assert versions[1].created_by == city.users["city"]
    audit = AuditEvent.objects.get(action="change_policy")
    assert audit.username == "city" and "2026-11-14" in audit.what
    with time_machine.travel(at(11, 18, 9), tick=False):
        page = text(signed_in(city, "city").get("/policies/", secure=True))
    assert "专项行动期间从严" in page and "R12: consecutive construction days without attendance" not in page


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"r12_silent_days": "3", "effective_from": "2026-11-13", "reason": "从严"}, "effective_from", "已经判定"),
        ({"r12_silent_days": "3", "effective_from": "2026-11-20", "reason": " "}, "reason", "请填写变更理由"),
        ({"r12_silent_days": "3", "effective_from": "2028-01-01", "reason": "从严"}, "effective_from", "一年以后"),
        ({"r11_key_ratio": "1.5", "effective_from": "2026-11-20", "reason": "从严"}, "r11_key_ratio", "小于或等于"),
        ({"effective_from": "2026-11-20", "reason": "没有改动"}, "", "草案与现行口径相同"),
    ],
)
def test_a_bad_change_is_refused_with_its_reason_and_nothing_is_written(city, gate, policy, changes, field, message):
    _silent_site(city, gate, punched=[10])
    nights(dt.date(2026, 11, 10), dt.date(2026, 11, 13))
    with time_machine.travel(at(11, 14, 10), tick=False):
        refused = _edit(city, policy, **changes)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert message in text(refused)
    if field:  # the message stands beside its field
        after = page[page.index(f'name="{field}"') :]
        assert message in after[: after.index("</tr>") if "</tr>" in after else len(after)][:2000]
    assert not PolicyVersion.objects.exists()
    policy.refresh_from_db()
    assert (policy.r12_silent_days, str(policy.r11_key_ratio), policy.versioned) == (4, "0.800", False)
    assert not AuditEvent.objects.filter(action="change_policy").exists()


def test_only_those_who_set_the_policy_may_change_it(city, policy):
    district = signed_in(city, "haishu")
    page = district.get("/policies/", secure=True)
    assert page.status_code == 200 and f"/policies/{policy.pk}/edit/" not in page.content.decode()
    assert district.get(f"/policies/{policy.pk}/edit/", secure=True).status_code == 404
    posted = district.post(
        f"/policies/{policy.pk}/edit/",
        {"r12_silent_days": "1", "effective_from": "2027-01-01", "reason": "想放松"},
        secure=True,
    )
    assert posted.status_code == 404 and not PolicyVersion.objects.exists()
    assert district.post(f"/policies/{policy.pk}/preview/", {}, secure=True).status_code == 404
    assert f"/policies/{policy.pk}/edit/" in signed_in(city, "city").get("/policies/", secure=True).content.decode()


def month_with_a_silence(city, gate, month: dt.date = dt.date(2026, 11, 1)) -> list[dt.date]:
    """A project manager and a worker attend every day of the month before `month` and of `month` but three
    silent days from the 11th on (the first three in a row that every calendar counts: no Sunday, no public
    holiday); the gate keeps in contact every day; the nights of `month` judged. Returns the silent days."""
    engage(city.project, city.subcontractor, who=person(WORKER, "陈大勇"), entered_on=dt.date(2026, 9, 1))
    pm = id_number("330203", "19750101", 42)
    engage(
        city.project,
        city.contractor,
        who=person(pm, "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    silent: list[dt.date] = []
    day = month.replace(day=11)
    while len(silent) < 3:
        silent = [*silent, day] if is_counted(day, count_sundays=False, count_holidays=False) else []
        day += dt.timedelta(days=1)
    assert silent[-1] <= last
    day = (month - dt.timedelta(days=1)).replace(day=1)
    while day <= last:
        with time_machine.travel(dt.datetime.combine(day, dt.time(8, 5), tzinfo=SH), tick=False):
            gate.heartbeat()
            if day not in silent:
                when = dt.datetime.combine(day, dt.time(8), tzinfo=SH)
                gate.punches([punch(f"W-{day}", WORKER, when), punch(f"M-{day}", pm, when)])
        with time_machine.travel(dt.datetime.combine(day, dt.time(20), tzinfo=SH), tick=False):
            gate.heartbeat()
        day += dt.timedelta(days=1)
    nights(month, last)
    return silent


# November 2026, and a February with the Spring Festival (the browser walk reads whatever last month is).
@pytest.mark.parametrize("month", [dt.date(2026, 11, 1), dt.date(2027, 2, 1)], ids=["2026-11", "2027-02"])
def test_the_preview_shows_what_would_appear_per_district_and_writes_nothing(city, gate, policy, month):
    """Last month judged under a draft of three silent days: the project's silence of three construction
    days would be an R12 alert (Annex 1 row 2: 0 → 1 project in 海曙区). The gate keeps in contact every
    day; the project manager and a worker attend every day from the month before but those three."""
    month_with_a_silence(city, gate, month)
    alerts = set(Alert.objects.values_list("pk", "state", "last_seen"))
    assert _r12(city) == []
    days = calendar.monthrange(month.year, month.month)[1]
    after = month + dt.timedelta(days=days + 2)
    with time_machine.travel(dt.datetime.combine(after, dt.time(10), tzinfo=SH), tick=False):
        client = signed_in(city, "city")
        page = client.get(f"/policies/{policy.pk}/edit/", secure=True).content.decode()
        data = {**form_of(page, "policy-form"), "r12_silent_days": "3", "job": "job-12345678"}
        preview = client.post(f"/policies/{policy.pk}/preview/", data, secure=True)
        progress = client.get("/policies/preview/job-12345678/", secure=True).json()
    assert preview.status_code == 200, text(preview)
    shown = text(preview)
    assert f"{month.year}年{month.month}月1日 – {month.year}年{month.month}月{days}日" in shown and "R12" in shown
    section = re.search(r'<section id="preview">(.*?)</section>', preview.content.decode(), flags=re.S).group(1)
    haishu = section.split("<h3>海曙区</h3>")[1].split("<h3>")[0]
    assert re.search(r'<tr class="appear"><td>[^<]+</td><td>R12</td><td>海曙中心小学迁建工程</td>', haishu)
    assert re.search(r"<th>第2行</th><td>0</td><td>1</td>", haishu)
    assert progress == {"done": days, "total": days}
    # Nothing written: the alerts as they were, no version, the policy as it was.
    assert set(Alert.objects.values_list("pk", "state", "last_seen")) == alerts
    assert not PolicyVersion.objects.exists()
    policy.refresh_from_db()
    assert policy.r12_silent_days == 4


def test_a_preview_of_nothing_or_of_a_bad_value_says_so(city, policy):
    client = signed_in(city, "city")
    page = client.get(f"/policies/{policy.pk}/edit/", secure=True).content.decode()
    same = client.post(f"/policies/{policy.pk}/preview/", form_of(page, "policy-form"), secure=True)
    assert same.status_code == 400 and "草案与现行口径相同" in text(same)
    bad = client.post(
        f"/policies/{policy.pk}/preview/", {**form_of(page, "policy-form"), "r12_silent_days": "-1"}, secure=True
    )
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert client.get("/policies/preview/x/", secure=True).status_code == 404


def test_the_admin_changes_a_policy_as_the_page_does(city, policy):
    admin = signed_in(city, "city")
    url = f"/admin/inspections/policy/{policy.pk}/change/"
    data = form_of(admin.get(url, secure=True).content.decode(), "policy_form")
    with time_machine.travel(at(11, 14, 10), tick=False):
        refused = admin.post(url, {**data, "r16_worker_rate": "0.85"}, secure=True)
        assert refused.status_code == 200 and "请填写变更理由" in text(refused)
        assert not PolicyVersion.objects.exists()
        renamed = admin.post(url, {**data, "name": "宁波市考核口径"}, secure=True)  # its name alone: no version
        assert renamed.status_code == 302 and not PolicyVersion.objects.exists()
        saved = admin.post(
            url,
            {
                **data,
                "name": "宁波市考核口径",
                "r16_worker_rate": "0.85",
                "effective_from": "2026-11-20",
                "reason": "工人考勤率目标提高",
            },
            secure=True,
        )
    assert saved.status_code == 302
    version = PolicyVersion.objects.get(effective_from=dt.date(2026, 11, 20))
    assert version.values["r16_worker_rate"] == "0.850" and version.reason == "工人考勤率目标提高"
    policy.refresh_from_db()
    assert policy.name == "宁波市考核口径" and policy.versioned
