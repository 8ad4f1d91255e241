"""Who is judged by cohort (中山 2019 上线通知 四(一)–(三), issue 24): R02's docking date reads the project's
filing (施工报建), not its permit; the managers judged by the filing date and by their firm's role. The
Zhongshan preset's rows get the values its notice sets (the presets are data here, not imported)."""

import datetime as dt

from django.db import migrations, models


def zhongshan_as_its_notice(apps, schema_editor):
    apps.get_model("inspections", "Policy").objects.filter(preset="zhongshan_2019").update(
        managers_filed_from=dt.date(2020, 2, 1), managers_judged_roles=["contractor", "supervisor"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0015_zhongshan_preset_as_its_notice"),
        ("projects", "0011_filing_and_cohorts"),
    ]

    operations = [
        migrations.RenameField("policy", "r02_docking_permitted_before", "r02_docking_filed_before"),
        migrations.AlterField(
            model_name="policy",
            name="r02_docking_filed_before",
            field=models.DateField(blank=True, help_text="Empty: direct connection everywhere (宁波). 中山: 2020-02-01.", null=True, verbose_name="R02: projects filed (施工报建) before this day may connect through a vendor's platform"),
        ),
        migrations.AddField(
            model_name="policy",
            name="managers_filed_from",
            field=models.DateField(blank=True, help_text="Empty: on every project. 中山: 2020-02-01 (earlier projects' managers attend on the old system).", null=True, verbose_name="managers are judged on projects filed (施工报建) from this day"),
        ),
        migrations.AddField(
            model_name="policy",
            name="managers_judged_roles",
            field=models.JSONField(blank=True, default=list, help_text="Participant roles; empty: every firm's managers. 中山: the general contractor and the supervisor.", verbose_name="managers are judged when their firm is one of"),
        ),
        migrations.RunPython(zhongshan_as_its_notice, migrations.RunPython.noop),
    ]
