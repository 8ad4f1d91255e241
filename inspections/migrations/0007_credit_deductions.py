"""The default deduction table (不良行为扣分标准), after Zhongshan's (中山 2019 上线通知 附件6): forgery and
someone else punching in cost most; the city edits the table in the admin."""

from django.db import migrations

CATEGORY_POINTS = {
    "R01": 5, "R02": 3, "R03": 3, "R04": 3, "R05": 5, "R06": 8, "R07": 10, "R08": 3, "R09": 8, "R10": 5,
    "R11": 5, "R12": 5, "R13": 8, "R14": 5, "R15": 5, "R16": 3,
}
MEASURE_POINTS = {"stop_work": 5, "circular": 3, "key_supervision": 2, "penalty": 5, "vendor_blacklist": 8}


def seed(apps, schema_editor):
    CreditDeduction = apps.get_model("inspections", "CreditDeduction")
    rows = [CreditDeduction(basis="category", code=code, points=p) for code, p in CATEGORY_POINTS.items()]
    rows += [CreditDeduction(basis="measure", code=code, points=p) for code, p in MEASURE_POINTS.items()]
    CreditDeduction.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_enforcement")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
