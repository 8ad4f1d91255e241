"""The Zhongshan preset no longer makes a punch without a photo invalid: its notice does not say so (issue 24).

The preset's own rows are put back to the notice; a city that wants photos required sets it on its policy."""

from django.db import migrations


def as_the_notice(apps, schema_editor):
    apps.get_model("inspections", "Policy").objects.filter(preset="zhongshan_2019").update(valid_requires_photo=False)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0014_random_draw_inspectors")]

    operations = [migrations.RunPython(as_the_notice, migrations.RunPython.noop)]
