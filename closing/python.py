"""The close of a chunk of loans loan by loan, with the ORM and the pure functions: the
embedded SQLite default runs this (SQLite has no exact decimal arithmetic in SQL), and the
benchmark measures it against the set-based SQL as the straightforward way of doing the
same work. The same rules, in the same order, as closing/sql.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from accounts.models import BorrowerProfile
from closing.chunks import ONE_DAY, ChunkTotals
from loans.models import Installment, Loan
from loans.schedule.accrual import InstallmentAccrual, owed_on
from loans.selectors import accrual_terms_of
from notifications.models import Notification
from repayments.models import CreditReportRecord, OverdueRecord
from repayments.services.collections import collection_queue_one


def _notify(
    loan: Loan, kind: str, key: str, context: dict[str, str], now: dt.datetime
) -> int | None:
    """The notice (once per key); returns its id when it was made now."""
    notice, made = Notification.objects.get_or_create(
        user_id=loan.borrower_id,
        dedupe_key=key,
        defaults={
            "kind": kind,
            "context": context,
            "link": f"/loans/{loan.public_id}/",
            "created_at": now,
        },
    )
    return notice.pk if made else None


def chunk_close_python(
    *, day: dt.date, first: int, last: int, now: dt.datetime, catch_up: bool = False
) -> ChunkTotals:
    totals = ChunkTotals()
    counts = dict.fromkeys(
        (
            "rows_accrued",
            "fell_due",
            "periods_started",
            "overdue",
            "overdue_records",
            "credit_reports",
            "overdue_notices",
            "collections",
            "loans",
        ),
        0,
    )
    following = day + ONE_DAY
    notice_days = int(settings.MICROLEND["CREDIT_REPORT_NOTICE_DAYS"])
    loans = Loan.objects.filter(pk__gte=first, pk__lte=last, status=Loan.Status.ACTIVE)
    if not catch_up:
        loans = loans.filter(close_pending_from__isnull=True)
    for loan in loans.order_by("pk"):
        counts["loans"] += 1
        terms = accrual_terms_of(loan)
        profile = BorrowerProfile.objects.filter(user_id=loan.borrower_id).first()
        card = profile.bank_card_masked if profile else ""
        rows = list(
            Installment.objects.filter(loan=loan)
            .filter(Q(accruing=True) | Q(status__in=["due", "overdue"]))
            .order_by("number", "pk")
        )
        # Accrual (DOMAIN.md §1).
        for row in rows:
            state = InstallmentAccrual.from_row(row)
            delta = owed_on(terms, state, following) - owed_on(terms, state, day)
            totals.interest += delta.interest
            totals.penalty += delta.penalty
            totals.compound += delta.compound
            counts["rows_accrued"] += 1
        # Rows falling due; the next period starts (DOMAIN.md §3, §5).
        for row in rows:
            if row.accruing and row.due_date <= following:
                row.accruing = False
                if row.status == Installment.Status.PENDING:
                    row.status = Installment.Status.DUE
                row.save(update_fields=["accruing", "status"])
                counts["fell_due"] += 1
                started = Installment.objects.filter(
                    loan=loan,
                    number=row.number + 1,
                    status=Installment.Status.PENDING,
                    period_start_date=row.due_date,
                    due_date__gt=following,
                ).update(accruing=True)
                counts["periods_started"] += started
        # Past grace: overdue, with its records and notice (DOMAIN.md §6).
        for row in rows:
            if row.status == Installment.Status.DUE and (
                (following - row.due_date).days > loan.grace_days
            ):
                row.status = Installment.Status.OVERDUE
                row.save(update_fields=["status"])
                counts["overdue"] += 1
                record, made = OverdueRecord.objects.get_or_create(
                    installment=row,
                    defaults={
                        "loan": loan,
                        "borrower_id": loan.borrower_id,
                        "due_date": row.due_date,
                        "overdue_from": following,
                        "principal_overdue": row.principal - row.principal_paid,
                        "interest_overdue": row.interest - row.interest_paid,
                        "created_at": now,
                    },
                )
                if made:
                    counts["overdue_records"] += 1
                    CreditReportRecord.objects.create(
                        overdue_record=record,
                        borrower_id=loan.borrower_id,
                        notified_on=following,
                        report_after=following + dt.timedelta(days=notice_days),
                    )
                    counts["credit_reports"] += 1
                    notice = _notify(
                        loan,
                        "repayment_overdue",
                        f"overdue:{row.pk}",
                        {
                            "date": row.due_date.isoformat(),
                            "number": str(row.number),
                            "amount": str(record.principal_overdue + record.interest_overdue),
                            "card": card,
                            "report_after": (
                                following + dt.timedelta(days=notice_days)
                            ).isoformat(),
                        },
                        now,
                    )
                    counts["overdue_notices"] += int(notice is not None)
        # Collections of what falls due today (DOMAIN.md §5).
        due_rows = list(
            Installment.objects.filter(loan=loan, status__in=["due", "overdue"], due_date__lte=day)
        )
        if any(row.due_date == day for row in due_rows):
            counts["collections"] += collection_queue_one(loan=loan, rows=due_rows, on=day, now=now)
    totals.counts = counts
    return totals


def reminders_python(*, day: dt.date, first: int, last: int, now: dt.datetime) -> list[int]:
    """The reminders of the night closed (`day`; the open day is the next) for the loans in
    service of an id range, loan by loan (closing/sql.py's `remind`). Returns the ids of
    the notices made."""
    following = day + ONE_DAY
    days_before = {int(d) for d in settings.MICROLEND["REMINDER_DAYS_BEFORE"]}
    made: list[int] = []
    loans = Loan.objects.filter(
        pk__gte=first, pk__lte=last, status=Loan.Status.ACTIVE, close_pending_from__isnull=True
    )
    for loan in loans.order_by("pk"):
        profile = BorrowerProfile.objects.filter(user_id=loan.borrower_id).first()
        card = profile.bank_card_masked if profile else ""
        for row in Installment.objects.filter(loan=loan).filter(
            Q(accruing=True) | Q(status__in=["due", "overdue"])
        ):
            days_left = (row.due_date - following).days
            late = (following - row.due_date).days - loan.grace_days - 1
            if row.status == Installment.Status.OVERDUE:
                kind = "repayment_overdue" if late > 0 and late % 7 == 0 else ""
            elif row.status == Installment.Status.DUE and row.due_date == following:
                kind = "repayment_due_today"
            elif row.accruing and days_left in days_before:
                kind = "repayment_due_soon"
            else:
                kind = ""
            if kind:
                notice = _notify(
                    loan,
                    kind,
                    f"reminder:{row.pk}:{following}",
                    {
                        "date": row.due_date.isoformat(),
                        "number": str(row.number),
                        "amount": str(
                            row.principal + row.interest - row.principal_paid - row.interest_paid
                        ),
                        "card": card,
                        "days": str(days_left),
                    },
                    now,
                )
                if notice is not None:
                    made.append(notice)
    return made
