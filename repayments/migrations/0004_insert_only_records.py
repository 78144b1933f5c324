"""Receipts, movements of held money, prepayment events and the log of staff looking at
documents are insert-only."""

from django.db import migrations

from common.migration_sql import insert_only_guard


class Migration(migrations.Migration):
    dependencies = [("repayments", "0003_overdue_and_credit_report_records")]

    operations = [
        insert_only_guard(
            "repayments_allocation",
            "repayments_overpaymentmovement",
            "repayments_prepaymentevent",
            "repayments_documentaccess",
        )
    ]
