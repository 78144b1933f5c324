"""The business calendar starts on the day the platform is installed."""

from django.db import migrations
from django.utils import timezone


def create_calendar(apps, schema_editor):  # type: ignore[no-untyped-def]
    BusinessCalendar = apps.get_model("common", "BusinessCalendar")
    BusinessCalendar.objects.get_or_create(pk=1, defaults={"current_date": timezone.localdate()})


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(create_calendar, migrations.RunPython.noop)]
