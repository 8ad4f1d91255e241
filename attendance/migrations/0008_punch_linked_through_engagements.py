"""A punch is linked to a person only through an engagement on its device's project (issue 23): punches
linked before to a holder engaged only elsewhere are unlinked (keeping the encrypted number, as every
unregistered punch does), their presence rows on that project removed; the person index gives way to
one on the number's digest, which R07 and R10 now read across sites."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def unlink_unengaged(apps, schema_editor):
    Punch = apps.get_model("attendance", "Punch")
    DailyPresence = apps.get_model("attendance", "DailyPresence")
    Engagement = apps.get_model("projects", "Engagement")
    Person = apps.get_model("projects", "Person")
    engaged = Engagement.objects.filter(person_id=OuterRef("person_id"), project_id=OuterRef("project_id"))
    # Such a punch was always flagged unregistered (its holder is engaged on no day of the project):
    # the flag's partial index finds them without reading the whole table.
    Punch.objects.filter(flag_unregistered=True, person__isnull=False).filter(~Exists(engaged)).update(
        id_number_encrypted=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("id_number_encrypted")[:1]),
        person=None,
    )
    DailyPresence.objects.filter(~Exists(engaged)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0007_punch_verdicts'),
        ('devices', '0006_clock_skew'),
        ('projects', '0010_province_level'),
    ]

    operations = [
        migrations.RunPython(unlink_unengaged, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='punch',
            name='punch_person_time',
        ),
        migrations.AddIndex(
            model_name='punch',
            index=models.Index(fields=['id_number_digest', 'punched_at'], name='punch_digest_time'),
        ),
    ]
