"""Default risk settings and rules. Staff tune them in the admin; every decision records
the weights it used."""

from decimal import Decimal

from django.db import migrations

DEFAULT_RULES = [
    # code, weight, parameters
    ("first_loan", 50, {}),
    ("amount_above_threshold", 100, {"amount": Decimal("5000.00")}),
    ("new_device", 60, {}),
    ("new_ip", 30, {}),
    ("recent_security_change", 60, {"days": 7}),
    ("application_velocity", 50, {"count": 3, "hours": 24}),
    ("unusual_hour", 40, {"start_hour": 0, "end_hour": 6}),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskSettings = apps.get_model("loans", "RiskSettings")
    RiskRule = apps.get_model("loans", "RiskRule")
    RiskSettings.objects.get_or_create(pk=1)
    for code, weight, parameters in DEFAULT_RULES:
        RiskRule.objects.get_or_create(code=code, defaults={"weight": weight, **parameters})


class Migration(migrations.Migration):
    dependencies = [("loans", "0002_applications_risk_payouts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
