"""Card-verified entry (杭建市发〔2016〕39号 三, 五(一)1, rule R17, issue 24): the Hangzhou preset's rows ask for
it (the presets are data here), and R17 gets its line in the deduction table (杭建市发〔2016〕39号 六:
"限期整改并予以信用扣分")."""

from django.db import migrations, models


def hangzhou_as_its_notice(apps, schema_editor):
    apps.get_model("inspections", "Policy").objects.filter(preset="hangzhou_2016").update(card_verified_entry=True)
    apps.get_model("inspections", "CreditDeduction").objects.bulk_create(
        [apps.get_model("inspections", "CreditDeduction")(basis="category", code="R17", points=3)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0018_r11_key_positions_default'),
    ]

    operations = [
        migrations.AddField(
            model_name='policy',
            name='card_verified_entry',
            field=models.BooleanField(default=False, help_text='杭州: a person on site whose entry no ID card read verified is a finding (二代身份证不校验，人员不进场).', verbose_name='R17: every entry verified by reading the ID card at the gate'),
        ),
        migrations.RunPython(hangzhou_as_its_notice, migrations.RunPython.noop),
    ]
