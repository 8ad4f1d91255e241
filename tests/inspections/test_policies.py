"""Policies: the presets of the notices, one city policy in force, a district's own policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from inspections.models import Policy
from inspections.selectors import policy_for

pytestmark = pytest.mark.django_db


def test_every_preset_is_there_and_the_default_is_in_force():
    presets = dict(Policy.objects.values_list("preset", "in_force"))
    assert presets == {
        "default": True,
        "ningbo_2023": False,
        "jilin_2021": False,
        "zhongshan_2019": False,
        "hangzhou_2016": False,
        "hubei_2019": False,
    }
    default = Policy.objects.get(preset="default")
    assert (default.r11_key_ratio, default.r11_other_ratio, default.r12_silent_days, default.r13_late_hours) == (
        Decimal("0.800"),
        Decimal("0.700"),
        4,
        48,
    )
    assert default.r11_key_positions == ["project_manager", "chief_supervisor"]


def test_the_zhongshan_preset_has_a_10_day_grace_and_a_trial_period():
    zhongshan = Policy.objects.get(preset="zhongshan_2019")
    assert zhongshan.manager_grace_days == 10 and zhongshan.go_live == dt.date(2020, 2, 1)


def test_only_one_city_policy_is_in_force():
    with pytest.raises(IntegrityError):
        Policy.objects.filter(preset="jilin_2021").update(in_force=True)


def test_a_district_policy_applies_to_its_projects_only(city):
    Policy.objects.create(name="海曙区口径", district=city.haishu, r16_worker_rate="0.900")
    assert policy_for(project=city.project).name == "海曙区口径"
    assert policy_for(project=city.other_project).preset == "default"


def test_every_value_a_preset_sets_names_the_clause_of_its_notice():
    """A preset says what its notice says and nothing more: each value it sets cites its clause, which
    docs/rules.md prints beside it."""
    from inspections.presets import PRESETS, SOURCES
    from inspections.rules.doc import rules_markdown

    page = rules_markdown()
    for key, (_title, overrides) in PRESETS.items():
        for name in overrides:
            assert SOURCES.get(key, {}).get(name), f"{key}.{name} has no source"
            assert f"`{name}`" in page and SOURCES[key][name] in page


def test_the_preset_rows_are_the_presets():
    """A changed preset is a migration: the rows the migrations wrote equal inspections/presets.py, field by
    field (the migrations write the presets as data and never import them)."""
    from inspections.presets import PRESETS, preset_values

    for key in PRESETS:
        row = Policy.objects.get(preset=key, district__isnull=True)
        for name, value in preset_values(key).items():
            expected = Decimal(value) if isinstance(value, str) else value
            assert getattr(row, name) == expected, (key, name)


def test_a_new_policy_starts_from_the_default_preset():
    """One home for each default: a policy made without values holds presets.DEFAULT, field by field."""
    from inspections.presets import DEFAULT

    fresh = Policy(name="新口径")
    fresh.full_clean(exclude=["district"])  # the values as the database would hold them
    for name, value in DEFAULT.items():
        expected = Decimal(value) if isinstance(value, str) else value
        assert getattr(fresh, name) == expected, name
