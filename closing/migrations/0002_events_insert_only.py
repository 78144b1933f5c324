from django.db import migrations

from common.migration_sql import insert_only_guard


class Migration(migrations.Migration):
    dependencies = [("closing", "0001_initial"), ("common", "0003_calendar_state")]

    operations = [insert_only_guard("closing_closerunevent")]
