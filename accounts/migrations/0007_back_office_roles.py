"""The back office's roles as groups with their permissions (accounts/roles.py). It runs
after every app's models exist, so the auditor's view-only role covers all of them."""

from django.db import migrations


def roles_create(apps, schema_editor):
    from accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_and_group_history"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("axes", "0010_accessattemptexpiration"),
        ("common", "0006_export_jobs"),
        ("notifications", "0001_initial"),
        ("ledger", "0005_linear_guards"),
        ("loans", "0008_application_history"),
        ("verification", "0003_attempt_no_face_seen"),
        ("repayments", "0005_prepayment_application_history"),
        ("closing", "0002_nightly_close_schedule"),
    ]

    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]
