"""The schedule engine: repayment schedules, due dates and annualized rates.

Pure functions of their arguments (no database, no clock), so every money rule here can be
checked against published figures and property-tested."""

from loans.schedule.dates import (
    add_months,
    default_first_due_date,
    due_dates,
    first_due_date_on_repayment_day,
    repayment_day_for_first_draw,
)
from loans.schedule.engine import ANNUALIZED_RATE_PLACES, build_schedule, equal_installment_amount
from loans.schedule.rates import annualized_irr, interest_for_days, periodic_irr
from loans.schedule.types import (
    DAYS_PER_YEAR,
    DueDateRule,
    Installment,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    Schedule,
    ScheduleError,
)

__all__ = [
    "ANNUALIZED_RATE_PLACES",
    "DAYS_PER_YEAR",
    "DueDateRule",
    "Installment",
    "InterestRate",
    "RateBasis",
    "RepaymentMethod",
    "Schedule",
    "ScheduleError",
    "add_months",
    "annualized_irr",
    "build_schedule",
    "default_first_due_date",
    "due_dates",
    "equal_installment_amount",
    "first_due_date_on_repayment_day",
    "interest_for_days",
    "periodic_irr",
    "repayment_day_for_first_draw",
]
