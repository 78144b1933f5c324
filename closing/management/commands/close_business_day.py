"""`manage.py close_business_day` closes the current business date; `--until D` closes
every date through D, one after another, in order (a date already closed is a no-op)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from closing.services import business_day_close, business_days_close_until
from common.exceptions import DomainError
from common.models import CloseRun
from common.selectors import business_date_get


class Command(BaseCommand):
    help = "Close the current business date (or every date through --until) and open the next."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            help="Close every business date up to and including this one (YYYY-MM-DD).",
        )

    def _progress(self, event: str, figures: dict[str, Any]) -> None:
        if event == "day":
            self.stdout.write(f"closing {figures['business_date']}")
        elif event == "chunk":
            self.stdout.write(
                f"  loans: chunk {figures['done']} of {figures['total']}", ending="\r"
            )
            self.stdout.flush()
        elif event == "step":
            shown = ", ".join(
                f"{key} {value}" for key, value in figures.items() if key not in ("step", "seconds")
            )
            self.stdout.write(
                f"  {figures['step']}: {figures['seconds']:.2f} s"  # float-ok: display
                + (f" ({shown})" if shown else "")
            )

    def handle(self, *args: Any, **options: Any) -> None:
        until: dt.date | None = options["until"]
        try:
            if until is None:
                current = business_date_get()
                self._progress("day", {"business_date": current})
                run = business_day_close(
                    business_date=current,
                    now=timezone.now(),
                    source=CloseRun.Source.COMMAND,
                    progress=self._progress,
                )
                runs = [run] if run is not None else []
            else:
                runs = business_days_close_until(
                    until=until,
                    now=timezone.now(),
                    source=CloseRun.Source.COMMAND,
                    progress=self._progress,
                )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        for closed in runs:
            self.stdout.write(f"closed {closed.business_date} ({closed.state})")
        self.stdout.write(f"business date is {business_date_get()}")
