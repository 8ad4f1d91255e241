
"""Two stops of attendance (中山 2019 上线通知 三(十二), issue 24): the project manager's ends on the quality
supervision completion notice; the Zhongshan preset's rows get it (the presets are data here)."""

from django.db import migrations, models


def zhongshan_as_its_notice(apps, schema_editor):
    apps.get_model("inspections", "Policy").objects.filter(preset="zhongshan_2019").update(
        pm_stops_on_quality_notice=True
    )


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0016_filing_and_cohorts'),
    ]

    operations = [
        migrations.AddField(
            model_name='policy',
            name='pm_stops_on_quality_notice',
            field=models.BooleanField(default=False, help_text="Off: a stop of attendance ends everyone's. 中山: the others' end on the safety evaluation report, the project manager's only on the quality supervision completion notice.", verbose_name="two stops of attendance: the project manager's ends on the quality supervision completion notice"),
        ),
        migrations.RunPython(zhongshan_as_its_notice, migrations.RunPython.noop),
    ]
