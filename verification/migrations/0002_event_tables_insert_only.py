"""Face-data events and staff access logs are insert-only: what happened to a borrower's
face data, and who looked at it, is never rewritten (the data itself is deleted on
consent withdrawal and after its retention period; these records are not)."""

from django.db import migrations

from common.migration_sql import insert_only_guard


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial"), ("common", "0003_calendar_state")]

    operations = [insert_only_guard("verification_facedataevent", "verification_facedataaccess")]
