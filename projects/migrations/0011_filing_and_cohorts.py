

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0010_province_level'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='filed_on',
            field=models.DateField(blank=True, null=True, verbose_name='construction filing (施工报建) completed on'),
        ),
    ]
