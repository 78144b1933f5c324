"""`make run`: the processes of the Procfile (web, worker, beat) under honcho, and, once
the web server answers, the demo logins printed plainly after the servers' banners.

Ctrl-C stops every process: honcho sends each its SIGTERM, and waits long enough for the
Celery worker's warm shutdown (it finishes the task it is on) before it would SIGKILL."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import honcho.manager
from django.conf import settings
from django.core.management.base import BaseCommand
from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Message, Printer

from loans.demo import demo_credentials

# How long a process may take to stop after SIGTERM before it is killed.
STOP_WAIT_SECONDS = 20
NOTICE = "microlend"


class _Printer(Printer):
    """Honcho's printer, except that notices of this command are printed as they are,
    without the time and process prefix."""

    def write(self, message: Any) -> None:
        if message.name == NOTICE:
            print(message.data, file=self.output, flush=True)
        else:
            super().write(message)


def logins_text(base_url: str) -> str:
    demo = demo_credentials()
    rule = "─" * 66
    return "\n".join(
        [
            "",
            rule,
            f"  microlend is running at {base_url}/",
            "",
            f"  Borrower pages   {base_url}/accounts/login/",
            f"    Mobile number or e-mail:  {demo.borrower_phone}   (or {demo.borrower_email})",
            f"    Password:                 {demo.borrower_password}",
            "",
            f"  Back office      {base_url}/admin/",
            f"    Username:  {demo.staff_username}",
            f"    Password:  {demo.staff_password}",
            "",
            "  One-time codes and notices (text messages, e-mails) are printed in this log.",
            "  Ctrl-C stops web, worker and beat.",
            rule,
            "",
        ]
    )


def _wait_until_up(url: str, *, timeout: int) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
                if response.status < 500:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)  # float-ok: seconds between two looks at the web server
    return False


class Command(BaseCommand):
    help = "Run web, worker and beat (the Procfile); print the demo logins once the web is up."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--procfile", default=str(Path(settings.BASE_DIR) / "Procfile"))

    def handle(self, *args: Any, **options: Any) -> None:
        procfile = parse_procfile(Path(options["procfile"]).read_text(encoding="utf-8"))
        bind = os.environ.get("MICROLEND_BIND", "127.0.0.1:8000")
        base_url = f"http://{bind}"
        manager = Manager(printer=_Printer(sys.stdout))
        for name, command in procfile.processes.items():
            manager.add_process(f"{name}.1", command, env=os.environ.copy())
        honcho.manager.KILL_WAIT = STOP_WAIT_SECONDS

        def announce() -> None:
            if _wait_until_up(f"{base_url}/accounts/login/", timeout=180):
                manager.events.put(
                    Message(
                        type="line",
                        data=logins_text(base_url),
                        time=dt.datetime.now(),  # noqa: DTZ005 - the log's local time
                        name=NOTICE,
                        colour=None,
                    )
                )

        threading.Thread(target=announce, name="announce-logins", daemon=True).start()
        manager.loop()
        # Stopped by Ctrl-C or a TERM: a clean stop, not an error of `make run`.
        code = manager.returncode or 0
        sys.exit(0 if code in (130, 143) else code)
