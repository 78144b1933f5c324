"""The vocabulary of the schedule engine: methods, rates and the rows it produces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from common.money import money_context, round_money

# Chinese lending convention: a month is 30 days and a year 360 for converting rates
# (月利率 = 日利率 × 30, 日利率 = 年利率 / 360).
DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 360
MONTHS_PER_YEAR = 12


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
    """A contract rate. Which basis it has decides how a period's interest is computed."""

    basis: RateBasis
    value: Decimal

    @classmethod
    def annual(cls, value: Decimal) -> InterestRate:
        return cls(RateBasis.ANNUAL, value)

    @classmethod
    def daily(cls, value: Decimal) -> InterestRate:
        return cls(RateBasis.DAILY, value)

    @property
    def monthly(self) -> Decimal:
        """The rate per monthly period, used for the equal-installment amount."""
        with money_context():
            if self.basis is RateBasis.ANNUAL:
                return self.value / MONTHS_PER_YEAR
            return self.value * DAYS_PER_MONTH

    @property
    def per_day(self) -> Decimal:
        """The daily rate, used for interest to the day (payoff, prepayment, penalty)."""
        with money_context():
            if self.basis is RateBasis.DAILY:
                return self.value
            return self.value / DAYS_PER_YEAR

    @property
    def simple_annual(self) -> Decimal:
        """The simple annualized rate: daily × 360, or the annual rate itself."""
        with money_context():
            if self.basis is RateBasis.DAILY:
                return self.value * DAYS_PER_YEAR
            return self.value

    def period_interest(self, balance: Decimal, days: int) -> Decimal:
        """Interest for one schedule period, rounded once (DOMAIN.md §1, §3)."""
        with money_context():
            if self.basis is RateBasis.ANNUAL:
                return round_money(balance * self.monthly)
            return round_money(balance * self.value * days)


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
