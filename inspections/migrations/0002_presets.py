"""One policy row per preset; the default one is the city's policy in force."""

from django.db import migrations

from inspections.presets import PRESETS, preset_values


def load(apps, schema_editor):
    Policy = apps.get_model("inspections", "Policy")
    for key, (name, _overrides) in PRESETS.items():
        Policy.objects.get_or_create(preset=key, district=None, defaults={
            "name": name, "in_force": key == "default", **preset_values(key)})  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
