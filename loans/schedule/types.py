"""The vocabulary of the schedule engine: methods, rates and the rows it produces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from common.money import money_context
from loans.schedule.exact import ratio, rounded_product

# Chinese lending convention: a month is 30 days and a year 360 for converting rates
# (月利率 = 日利率 × 30, 日利率 = 年利率 / 360).
DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 360
MONTHS_PER_YEAR = 12
# The IRR of a daily-rate loan is a rate per calendar day, annualized × 365 (DOMAIN.md §2).
IRR_DAYS_PER_YEAR = 365


class ScheduleError(ValueError):
    """The inputs cannot make a valid schedule; the message says why."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class RepaymentMethod(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金


class RateBasis(StrEnum):
    ANNUAL = "annual"  # bank loans: interest per period = balance × annual / 12
    DAILY = "daily"  # micro-loans: interest = balance × daily rate × actual days


@dataclass(frozen=True)
class InterestRate:
    """A contract rate. Which basis it has decides how a period's interest is computed.

    Every amount is the exact product rounded once (DOMAIN.md §1): the rate is never divided
    and rounded first. `monthly_ratio` and `daily_ratio` give the exact fractions the engine
    multiplies by; `monthly` and `per_day` are the same rates as decimals, for display."""

    basis: RateBasis
    value: Decimal

    @classmethod
    def annual(cls, value: Decimal) -> InterestRate:
        return cls(RateBasis.ANNUAL, value)

    @classmethod
    def daily(cls, value: Decimal) -> InterestRate:
        return cls(RateBasis.DAILY, value)

    @property
    def monthly_ratio(self) -> tuple[int, int]:
        """The rate per monthly period as an exact fraction: annual / 12, or daily × 30 (the
        rate of the equal-installment formula)."""
        numerator, denominator = ratio(self.value)
        if self.basis is RateBasis.ANNUAL:
            return numerator, denominator * MONTHS_PER_YEAR
        return numerator * DAYS_PER_MONTH, denominator

    @property
    def daily_ratio(self) -> tuple[int, int]:
        """The rate per day as an exact fraction: the daily rate, or annual / 360 (bank
        loans' penalty and compound interest, DOMAIN.md §1)."""
        numerator, denominator = ratio(self.value)
        if self.basis is RateBasis.DAILY:
            return numerator, denominator
        return numerator, denominator * DAYS_PER_YEAR

    @property
    def monthly(self) -> Decimal:
        """The rate per monthly period (for display; the engine uses `monthly_ratio`)."""
        numerator, denominator = self.monthly_ratio
        with money_context():
            return Decimal(numerator) / denominator

    @property
    def per_day(self) -> Decimal:
        """The daily rate (for display; the engine uses `daily_ratio`)."""
        numerator, denominator = self.daily_ratio
        with money_context():
            return Decimal(numerator) / denominator

    @property
    def simple_annual(self) -> Decimal:
        """The simple annualized rate: daily × 360, or the annual rate itself."""
        with money_context():
            if self.basis is RateBasis.DAILY:
                return self.value * DAYS_PER_YEAR
            return self.value

    def period_interest(self, balance: Decimal, days: int) -> Decimal:
        """Interest for one schedule period, the exact product rounded once (DOMAIN.md §1,
        §3): round(balance × annual / 12) whatever the days, or round(balance × daily ×
        days)."""
        if self.basis is RateBasis.ANNUAL:
            return rounded_product(balance, self.value, divisor=MONTHS_PER_YEAR)
        return rounded_product(balance, self.value, days)


@dataclass(frozen=True)
class DueDateRule:
    """How the first due date is found (DOMAIN.md §3; per product)."""

    # A first draw on this day of the month or later uses `fallback_repayment_day`.
    late_first_draw_day: int = 29
    fallback_repayment_day: int = 21
    # A draw's first due date is at least this many days after the draw (later draws, and
    # first draws that use the fallback day).
    min_days_to_first_due: int = 15


@dataclass(frozen=True)
class Installment:
    number: int
    period_start_date: dt.date
    due_date: dt.date
    days: int
    opening_balance: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class Schedule:
    principal: Decimal
    rate: InterestRate
    method: RepaymentMethod
    start_date: dt.date
    installments: tuple[Installment, ...]
    annualized_rate_simple: Decimal
    annualized_rate_irr: Decimal

    @property
    def total_principal(self) -> Decimal:
        return sum((row.principal for row in self.installments), Decimal("0.00"))

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.installments), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.total_principal + self.total_interest

    @property
    def first_due_date(self) -> dt.date:
        return self.installments[0].due_date

    @property
    def maturity_date(self) -> dt.date:
        return self.installments[-1].due_date
