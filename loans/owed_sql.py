"""What is owed on a date, in SQL, over whole tables: the set-based twin of the pure
`loans.schedule.accrual` functions (DOMAIN.md §1, §6), for the close of business and the
reconciliation. Property tests hold the two to the same figures.

Every expression reads an installment `i` joined to its loan `l` and a date given as the
SQL expression `on` (a parameter placeholder or a column). Amounts are computed as exact
products, cast to a wide scale before any division, and rounded once per span, half-up
(PostgreSQL's `round` rounds half away from zero, which is half-up for the non-negative
amounts here). SQLite has no exact decimal type: there the same rules run in Python."""

from __future__ import annotations

# Exact to 24 places before rounding: a product of an amount (2 places) and a rate
# (8 places) divided by 12 or 360 is never closer than 1e-12 to a half fen unless it is one.
_WIDE = "numeric(48, 24)"


def _days(later: str, earlier: str) -> str:
    return f"GREATEST(0, ({later}) - ({earlier}))"


def _span_interest(days: str) -> str:
    """Interest of the installment's current span over `days` of it, rounded once: the
    daily rate's product for micro-loans, the month's interest pro rata for bank loans."""
    micro = f"round(i.interest_span_base * l.daily_rate * {days}, 2)"
    month = f"round(CAST(i.interest_span_base * l.annual_rate AS {_WIDE}) / 12, 2)"
    bank = f"round(CAST({month} * {days} AS {_WIDE}) / (i.due_date - i.period_start_date), 2)"
    return f"CASE WHEN l.daily_rate IS NOT NULL THEN {micro} ELSE {bank} END"


def interest_owed(on: str) -> str:
    """Interest of the installment's period recognised by `on` (the days before it)."""
    days = _days(f"LEAST({on}, i.due_date)", "i.interest_span_start_date")
    return f"(i.interest_accrued_before_span + {_span_interest(days)})"


def interest_accrued_in_period(day: str, later: str) -> str:
    """`interest_owed(later) - interest_owed(day)` for a row whose due date is not before
    `later` (a row in its period): the amount recognised before the span cancels and the
    due date bounds neither day."""
    span = "i.interest_span_start_date"
    return f"(({_span_interest(_days(later, span))}) - ({_span_interest(_days(day, span))}))"


def _penalty_rate_product(base: str, days: str) -> str:
    """round(base × penalty daily rate × days): daily × multiplier for micro-loans,
    annual / 360 × multiplier for bank loans."""
    micro = f"round({base} * l.daily_rate * l.penalty_rate_multiplier * {days}, 2)"
    bank = (
        f"round(CAST({base} * l.annual_rate * l.penalty_rate_multiplier * {days} AS {_WIDE})"
        " / 360, 2)"
    )
    return f"CASE WHEN l.daily_rate IS NOT NULL THEN {micro} ELSE {bank} END"


def _past_grace(on: str) -> str:
    return f"(({on}) - i.due_date > l.grace_days)"


def penalty_owed(on: str) -> str:
    """Penalty interest on the installment's overdue principal recognised by `on`."""
    days = _days(on, "COALESCE(i.penalty_span_start_date, i.due_date)")
    span = _penalty_rate_product("(i.principal - i.principal_paid)", days)
    return f"(i.penalty_accrued_before_span + CASE WHEN {_past_grace(on)} THEN {span} ELSE 0 END)"


def compound_owed(on: str) -> str:
    """Compound interest on the installment's overdue unpaid interest recognised by `on`."""
    days = _days(on, "COALESCE(i.compound_span_start_date, i.due_date)")
    span = _penalty_rate_product("(i.interest - i.interest_paid)", days)
    return (
        f"(i.compound_accrued_before_span + CASE WHEN l.compound_interest_enabled "
        f"AND {_past_grace(on)} THEN {span} ELSE 0 END)"
    )


# The rows that can owe anything: live rows of loans still serviced.
LIVE_INSTALLMENTS = (
    "i.status NOT IN ('superseded', 'cancelled') AND l.status IN ('active', 'settled')"
)
# The date up to which the ledger recognises a loan: the open business date, or, for a
# loan the close could not process, the first date still to close for it.
RECOGNISED_DATE = "COALESCE(l.close_pending_from, %(business_date)s)"
