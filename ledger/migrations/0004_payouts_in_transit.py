from django.db import migrations

from ledger.accounts import CHART_OF_ACCOUNTS


def create_accounts(apps, schema_editor):  # type: ignore[no-untyped-def]
    Account = apps.get_model("ledger", "Account")
    for code, name, name_zh, kind in CHART_OF_ACCOUNTS:
        Account.objects.get_or_create(
            code=str(code), defaults={"name": name, "name_zh": name_zh, "kind": str(kind)}
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_ledger_guards")]

    operations = [migrations.RunPython(create_accounts, migrations.RunPython.noop)]
