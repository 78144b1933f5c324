"""The schedule engine: repayment schedules, due dates and annualized rates.

Pure functions of their arguments (no database, no clock), so every money rule here can be
checked against published figures and property-tested."""

from loans.schedule.dates import (
    add_months,
    contract_due_dates,
    default_first_due_date,
    due_dates,
    first_due_date_on_repayment_day,
    months_between,
    repayment_day_for_first_draw,
)
from loans.schedule.engine import ANNUALIZED_RATE_PLACES, build_schedule, equal_installment_amount
from loans.schedule.exact import rounded_product
from loans.schedule.rates import (
    DISCLOSED_RATE_PLACES,
    annualized_irr,
    annualized_irr_on_dates,
    daily_irr,
    disclosed_rate,
    interest_for_days,
    interest_for_payoff_from_draw,
    irr,
    periodic_irr,
)
from loans.schedule.types import (
    DAYS_PER_YEAR,
    IRR_DAYS_PER_YEAR,
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
    "DISCLOSED_RATE_PLACES",
    "IRR_DAYS_PER_YEAR",
    "DueDateRule",
    "Installment",
    "InterestRate",
    "RateBasis",
    "RepaymentMethod",
    "Schedule",
    "ScheduleError",
    "add_months",
    "annualized_irr",
    "annualized_irr_on_dates",
    "build_schedule",
    "contract_due_dates",
    "daily_irr",
    "default_first_due_date",
    "disclosed_rate",
    "due_dates",
    "equal_installment_amount",
    "first_due_date_on_repayment_day",
    "interest_for_days",
    "interest_for_payoff_from_draw",
    "irr",
    "months_between",
    "periodic_irr",
    "repayment_day_for_first_draw",
    "rounded_product",
]
