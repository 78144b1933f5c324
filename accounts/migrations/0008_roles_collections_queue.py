"""The roles again (accounts/roles.py), now that the back office has its collections
queue: collections record contact notes and promises to pay; the auditor sees them."""

from django.db import migrations


def roles_update(apps, schema_editor):
    from accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_back_office_roles"),
        ("backoffice", "0001_initial"),
        ("common", "0008_export_job_expiry"),
        ("repayments", "0006_merge_history_and_dashboard_indexes"),
    ]

    operations = [migrations.RunPython(roles_update, migrations.RunPython.noop)]
