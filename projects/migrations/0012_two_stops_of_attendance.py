

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0011_filing_and_cohorts'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='manager_attendance_stopped_on',
            field=models.DateField(blank=True, null=True, verbose_name="the project manager's attendance stopped on"),
        ),
        migrations.AlterField(
            model_name='statusrequest',
            name='kind',
            field=models.CharField(choices=[('start_date_change', 'Start date change'), ('suspension', 'Suspension'), ('resumption', 'Resumption'), ('stop_attendance', 'Stop attendance'), ('stop_manager_attendance', "Stop the project manager's attendance"), ('completion', 'Completion'), ('mobile_attendance', 'Mobile attendance permit'), ('platform_docking', 'Platform docking permit'), ('manager_replacement', 'Replacement of a required manager')], max_length=24, verbose_name='kind'),
        ),
    ]
