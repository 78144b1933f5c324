"""A new schedule for what is left after a partial prepayment, and the prepayment fee
(DOMAIN.md §5). Pure functions: no database, no clock.

A partial prepayment is made on a due date, with that date's installment paid as usual.
The remaining principal is then repaid over the rows that follow, numbered on from the last
one paid, on the contract's own due dates, at the contract rate, with the schedule's
rounding rules (`loans.schedule.engine`):

- keep the term: the same number of rows; equal installment gets a new, lower installment
  M' = annuity(remaining, i, rows left) rounded to the unit, equal principal a new principal
  part round(remaining / rows left);
- keep the installment: the same installment (equal installment) or the same principal part
  of each row (equal principal), so fewer rows; the last row takes what is left. A lower
  balance at the same installment is repaid no later, so the new rows are always a prefix
  of the old ones' dates.

Interest saved = the interest of the rows replaced − the interest of the new rows; the fee is
shown apart.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from common.money import FEN, ZERO
from loans.schedule.dates import months_between
from loans.schedule.engine import (
    NOT_REPRESENTABLE,
    RowInterest,
    fixed_part_fen,
    schedule_rows_fen,
)
from loans.schedule.exact import from_fen, is_whole_fen, rounded_product, to_fen
from loans.schedule.types import (
    MONTHS_PER_YEAR,
    Installment,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
)


class ReamortizationOption(StrEnum):
    KEEP_TERM = "keep_term"  # lower installment, same number of rows
    KEEP_INSTALLMENT = "keep_installment"  # same installment (or principal part), fewer rows


class PrepaymentFeeKind(StrEnum):
    """The values of `loans.models.PrepaymentFeeKind`."""

    NONE = "none"
    PERCENT_BY_LOAN_YEAR = "percent_by_loan_year"
    ONE_MONTH_INTEREST = "one_month_interest"


@dataclass(frozen=True)
class Reamortization:
    option: ReamortizationOption
    installments: tuple[Installment, ...]
    # The equal installment (equal installment) or principal part (equal principal) of the
    # new rows but the last.
    fixed_amount: Decimal
    interest_before: Decimal  # of the rows replaced
    interest: Decimal  # of the new rows

    @property
    def interest_saved(self) -> Decimal:
        return self.interest_before - self.interest

    @property
    def term(self) -> int:
        """The number of rows left."""
        return len(self.installments)

    @property
    def maturity_date(self) -> dt.date:
        return self.installments[-1].due_date


def _current_fixed_fen(method: RepaymentMethod, rows: Sequence[Installment]) -> int:
    first = rows[0]
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        return to_fen(first.principal + first.interest)
    return to_fen(first.principal)


def _keep_installment_rows(
    balance: int,
    method: RepaymentMethod,
    interest: RowInterest,
    days: Sequence[int],
    fixed: int,
) -> list[tuple[int, int]]:
    """Rows at the kept installment (or principal part) until the balance is repaid; the
    last row takes what is left."""
    rows: list[tuple[int, int]] = []
    for number, row_days in enumerate(days, start=1):
        row_interest = interest.fen(balance, row_days)
        if method is RepaymentMethod.EQUAL_INSTALLMENT:
            last = balance + row_interest <= fixed
            part = balance if last else fixed - row_interest
        else:
            last = balance <= fixed
            part = balance if last else fixed
        if number == len(days):
            last, part = True, balance
        if not 0 < part <= balance:
            raise ScheduleError(NOT_REPRESENTABLE, "schedule_not_representable")
        rows.append((part, row_interest))
        balance -= part
        if last:
            return rows
    raise AssertionError("unreachable: the last available row takes the balance")


def reamortize(
    *,
    remaining_principal: Decimal,
    remaining_rows: Sequence[Installment],
    method: RepaymentMethod,
    rate: InterestRate,
    option: ReamortizationOption,
    rounding_unit: Decimal = FEN,
) -> Reamortization:
    """The rows that replace `remaining_rows` once the principal left is
    `remaining_principal`.

    `remaining_rows` are the current schedule's rows after the prepayment date (the first
    starts on it), in order: they give the numbering, the due dates, the interest before and
    the installment (or principal part) to keep, the first remaining row's. As in the
    original schedule, the contract's last row takes whatever is left."""
    method = RepaymentMethod(method)
    option = ReamortizationOption(option)
    if not remaining_rows:
        raise ScheduleError("No rows are left to re-amortize.", "nothing_to_reamortize")
    if not is_whole_fen(remaining_principal) or remaining_principal <= 0:
        raise ScheduleError(
            "The principal left must be a positive amount in fen (a prepayment of all of it "
            "is a payoff, not a re-amortization).",
            "principal_not_positive",
        )
    opening = remaining_rows[0].opening_balance
    if remaining_principal > opening:
        raise ScheduleError(
            f"The principal left, {remaining_principal}, is more than the balance {opening}.",
            "principal_above_balance",
        )
    for previous, row in itertools.pairwise(remaining_rows):
        if row.number != previous.number + 1 or row.period_start_date != previous.due_date:
            raise ScheduleError("The remaining rows are not consecutive.", "rows_not_consecutive")
    unit_fen = to_fen(rounding_unit)
    interest = RowInterest.of(rate)
    days = [row.days for row in remaining_rows]
    balance = to_fen(remaining_principal)
    if option is ReamortizationOption.KEEP_TERM:
        fixed = fixed_part_fen(balance, len(days), method, rate, unit_fen)
        rows_fen = schedule_rows_fen(balance, method, interest, days, fixed)
    else:
        fixed = _current_fixed_fen(method, remaining_rows)
        if fixed <= 0:
            raise ScheduleError("The installment to keep must be positive.", "installment_invalid")
        rows_fen = _keep_installment_rows(balance, method, interest, days, fixed)

    rows: list[Installment] = []
    for (part, row_interest), old in zip(rows_fen, remaining_rows, strict=False):
        rows.append(
            Installment(
                number=old.number,
                period_start_date=old.period_start_date,
                due_date=old.due_date,
                days=old.days,
                opening_balance=from_fen(balance),
                principal=from_fen(part),
                interest=from_fen(row_interest),
                balance=from_fen(balance - part),
            )
        )
        balance -= part
    return Reamortization(
        option=option,
        installments=tuple(rows),
        fixed_amount=from_fen(fixed),
        interest_before=sum((row.interest for row in remaining_rows), ZERO),
        interest=sum((row.interest for row in rows), ZERO),
    )


def loan_year(*, value_date: dt.date, on: dt.date) -> int:
    """The loan year `on` falls in: ⌊months from the value date / 12⌋ + 1."""
    return months_between(value_date, on) // MONTHS_PER_YEAR + 1


def prepayment_fee(
    *,
    kind: PrepaymentFeeKind | str,
    prepaid_principal: Decimal,
    rate: InterestRate | None = None,
    percents_by_loan_year: Sequence[Decimal] = (),
    value_date: dt.date | None = None,
    chosen_date: dt.date | None = None,
) -> Decimal:
    """The fee on a prepayment of `prepaid_principal` (DOMAIN.md §5), shown apart from the
    interest saved:

    - none: 0.00;
    - a percentage by loan year: round(prepaid × pct[year] / 100), pct in percent ("3" is
      3%, as the product stores it), year = ⌊months from `value_date` to `chosen_date` /
      12⌋ + 1, the last percentage for every later year;
    - one month's interest: round(prepaid × annual / 12)."""
    kind = PrepaymentFeeKind(kind)
    if not is_whole_fen(prepaid_principal) or prepaid_principal <= 0:
        raise ScheduleError("The prepaid principal must be positive.", "principal_not_positive")
    if kind is PrepaymentFeeKind.NONE:
        return ZERO
    if kind is PrepaymentFeeKind.ONE_MONTH_INTEREST:
        if rate is None or rate.basis is not RateBasis.ANNUAL:
            raise ScheduleError("One month's interest needs an annual rate.", "fee_terms_invalid")
        return rounded_product(prepaid_principal, rate.value, divisor=MONTHS_PER_YEAR)
    if not percents_by_loan_year or value_date is None or chosen_date is None:
        raise ScheduleError(
            "A fee by loan year needs its percentages and the dates.", "fee_terms_invalid"
        )
    if any(not Decimal(p).is_finite() or Decimal(p) < 0 for p in percents_by_loan_year):
        raise ScheduleError("A fee percentage cannot be negative.", "fee_terms_invalid")
    year = loan_year(value_date=value_date, on=chosen_date)
    percent = Decimal(percents_by_loan_year[min(year, len(percents_by_loan_year)) - 1])
    return rounded_product(prepaid_principal, percent, divisor=100)
