"""The wage rules' lines in the deduction table (不良行为扣分标准), beside R01–R17's (inspections 0007, 0019):
paying someone who never attended and arrears weigh as much as the gravest attendance findings after forgery;
the city edits the table in the admin. The values are frozen here, not read from the rules."""

from django.db import migrations

CATEGORY_POINTS = {"W1": 3, "W2": 8, "W3": 8, "W4": 5, "W5": 3, "W6": 3, "W7": 3}


def seed(apps, schema_editor):
    CreditDeduction = apps.get_model("inspections", "CreditDeduction")
    CreditDeduction.objects.bulk_create(
        [CreditDeduction(basis="category", code=code, points=p) for code, p in CATEGORY_POINTS.items()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("wages", "0004_exit_settlement"), ("inspections", "0021_wage_policy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
