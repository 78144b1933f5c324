"""Default risk settings and rules. Staff tune them in the admin; every decision records
the weights it used."""

from django.db import migrations

from loans.risk import DEFAULT_RULES


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskSettings = apps.get_model("loans", "RiskSettings")
    RiskRule = apps.get_model("loans", "RiskRule")
    RiskSettings.objects.get_or_create(pk=1)
    for code, weight, parameters in DEFAULT_RULES:
        RiskRule.objects.get_or_create(code=code, defaults={"weight": weight, **parameters})


class Migration(migrations.Migration):
    dependencies = [("loans", "0002_applications_risk_payouts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
