from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from common.selectors import business_date_get
from loans.demo import demo_data_load


class Command(BaseCommand):
    help = "Load the demo staff user, borrower and products (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = demo_data_load(business_date=business_date_get(), now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready.\n"
                f"  Borrower: mobile number {demo.borrower_phone} (or {demo.borrower_email}), "
                f"password {demo.borrower_password}\n"
                f"  Staff (back office): username {demo.staff_username}, "
                f"password {demo.staff_password}"
            )
        )
