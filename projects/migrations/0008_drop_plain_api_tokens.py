"""API tokens are now knox's (stored as digests, with an expiry): the old table kept every token in
clear text, so it goes; holders get new tokens with manage.py issue_token (docs/security.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_account_role_required")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop)]
