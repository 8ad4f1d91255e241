"""One policy row per preset; the default one is the city's policy in force."""

from django.db import migrations

from inspections.presets import PRESETS, preset_values


def load(apps, schema_editor):
    Policy = apps.get_model("inspections", "Policy")
    # Only the fields this migration's Policy has; later migrations set the fields they add.
    fields = {f.name for f in Policy._meta.get_fields()}
    for key, (name, _overrides) in PRESETS.items():
        values = {k: v for k, v in preset_values(key).items() if k in fields}
        Policy.objects.get_or_create(preset=key, district=None, defaults={
            "name": name, "in_force": key == "default", **values})  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
