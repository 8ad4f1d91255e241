

import inspections.models.rules
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0017_two_stops_of_attendance'),
    ]

    operations = [
        migrations.AlterField(
            model_name='policy',
            name='r11_key_positions',
            field=models.JSONField(default=inspections.models.rules.key_positions, help_text='Positions held to the key threshold.', verbose_name='R11: key positions'),
        ),
    ]
