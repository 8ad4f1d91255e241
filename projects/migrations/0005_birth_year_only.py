"""Keep the birth year, not the birth date: the masked number hides exactly the birth-date digits."""

from django.db import migrations, models
from django.db.models.functions import ExtractYear


def years(apps, schema_editor):
    Person = apps.get_model("projects", "Person")
    Person.objects.update(birth_year=ExtractYear("birth_date"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_effective_dates_and_replacements")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="birth year"),
        ),
        migrations.RunPython(years, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="birth_year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="birth year"),
        ),
        migrations.RemoveField(model_name="person", name="birth_date"),
    ]
