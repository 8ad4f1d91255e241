"""One policy row per preset; the default one is the city's policy in force.

The presets as they stood, written here as data: a migration never imports the live presets, or a
changed preset would rewrite history on every new database. Later migrations set the fields they add
(and a change of a preset is a migration: tests/inspections/test_policies.py holds the rows to
inspections/presets.py)."""

import datetime as dt

from django.db import migrations

DEFAULT = {
    "count_sundays": True, "count_holidays": True, "manager_grace_days": 0, "valid_min_punches": 1,
    "valid_min_span_hours": 0, "r01_grace_days": 0, "r03_offline_hours": 24, "r07_max_speed_kmh": 120,
    "r09_min_match_score": "0.800", "r11_key_positions": ["project_manager", "chief_supervisor"],
    "r11_key_ratio": "0.800", "r11_other_ratio": "0.700", "r12_silent_days": 4, "r13_late_hours": 48,
    "r15_min_shortfall": 1, "r15_penalty_shortfall": 15, "r16_worker_rate": "0.800", "go_live": None,
}
PRESETS = {
    "default": ("默认口径", {}),
    "ningbo_2023": ("宁波 2023（甬建函〔2023〕82号）", {}),
    "jilin_2021": ("吉林 2021（吉建管〔2021〕6号）", {}),
    "zhongshan_2019": ("中山 2019（实名制管理平台上线通知）", {"manager_grace_days": 10, "go_live": dt.date(2020, 2, 1)}),
    "hangzhou_2016": ("杭州 2016（杭建市发〔2016〕39号）", {}),
    "hubei_2019": ("湖北 2019（鄂建文〔2019〕27号）", {}),
}


def load(apps, schema_editor):
    Policy = apps.get_model("inspections", "Policy")
    for key, (name, overrides) in PRESETS.items():
        Policy.objects.get_or_create(preset=key, district=None, defaults={
            "name": name, "in_force": key == "default", **DEFAULT, **overrides})


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
