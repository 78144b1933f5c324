from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from common.selectors import business_date_get
from loans.demo import demo_data_load


class Command(BaseCommand):
    help = "Load the demo staff user, borrower and products (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = demo_data_load(business_date=business_date_get(), now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready.\n"
                f"  Staff (admin):  http://127.0.0.1:8000/admin/  "
                f"user {credentials.staff_username!r}  password {credentials.staff_password!r}\n"
                f"  Borrower:       http://127.0.0.1:8000/  "
                f"user {credentials.borrower_username!r}  "
                f"password {credentials.borrower_password!r}"
            )
        )
