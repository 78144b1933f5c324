"""Schedule versions: a loan's schedule changes only by adding a version (DOMAIN.md §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from loans.models import Loan, ScheduleVersion


def schedule_version_create(
    *,
    loan: Loan,
    reason: str,
    effective_date: dt.date,
    principal: Decimal,
    source: str,
    now: dt.datetime,
    actor: User | None = None,
    note: str = "",
) -> ScheduleVersion:
    """The loan's next schedule version. The caller holds the loan's row lock (so two
    versions never take the same number; the database's unique key backs that) and writes
    the version's rows, superseding those it replaces."""
    last = (
        ScheduleVersion.objects.filter(loan=loan)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return ScheduleVersion.objects.create(
        loan=loan,
        number=(last or 0) + 1,
        reason=reason,
        effective_date=effective_date,
        principal=principal,
        source=source,
        actor=actor,
        note=note[:255],
        created_at=now,
    )
