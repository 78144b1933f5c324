"""The repayment waterfall and the micro-loan payoff quote (DOMAIN.md §5). Pure functions:
no database, no clock.

A payment on date P is applied component by component in the loan's frozen repayment order
(by default penalty, compound, overdue interest, overdue principal, current interest,
current principal). Each component is taken across all installments, oldest due date first,
before the next component: penalty on every overdue installment, then compound on every one,
and so on. Nothing is taken from an installment not yet due. What is left is the borrower's
overpayment.

The amounts owed come from `loans.schedule.accrual` (what has accrued to P, less what was
paid): `installment_owing` builds them from an installment's stored state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from common.money import ZERO
from loans.schedule.accrual import (
    AccrualTerms,
    InstallmentAccrual,
    Standing,
    installment_standing,
    owed_on,
)
from loans.schedule.exact import is_whole_fen
from loans.schedule.rates import interest_for_payoff_from_draw
from loans.schedule.types import RateBasis, ScheduleError


class Component(StrEnum):
    """What a repayment pays; the values of `loans.models.AllocationTarget`, in the default
    order."""

    PENALTY = "penalty"
    COMPOUND = "compound"
    OVERDUE_INTEREST = "overdue_interest"
    OVERDUE_PRINCIPAL = "overdue_principal"
    CURRENT_INTEREST = "current_interest"
    CURRENT_PRINCIPAL = "current_principal"


DEFAULT_ORDER: tuple[Component, ...] = tuple(Component)


class AllocationError(ScheduleError):
    """The waterfall's input is not valid; `code` says which rule it breaks."""


def repayment_order(values: Iterable[str]) -> tuple[Component, ...]:
    """A frozen repayment order validated as an ordering of the six components (each once)."""
    try:
        order = tuple(Component(value) for value in values)
    except ValueError as exc:
        raise AllocationError(f"Unknown repayment component: {exc}", "order_invalid") from exc
    if sorted(order) != sorted(Component) or len(order) != len(Component):
        raise AllocationError(
            "The repayment order must name each of the six components once.", "order_invalid"
        )
    return order


@dataclass(frozen=True)
class InstallmentOwing:
    """What one installment owes on the payment date, per component (outstanding: accrued
    to the date less paid), and where it stands."""

    key: Hashable  # the caller's id for the installment (pk or number)
    due_date: dt.date
    standing: Standing
    penalty: Decimal = ZERO
    compound: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("penalty", "compound", "interest", "principal"):
            value = getattr(self, name)
            if not is_whole_fen(value) or value < 0:
                raise AllocationError(
                    f"What an installment owes ({name}) must be a non-negative amount in fen.",
                    "owed_invalid",
                )

    def owed(self, component: Component) -> Decimal:
        """What this installment owes of `component` (0 where it does not apply)."""
        if self.standing is Standing.NOT_YET_DUE:
            return ZERO
        overdue = self.standing is Standing.OVERDUE
        match component:
            case Component.PENALTY:
                return self.penalty
            case Component.COMPOUND:
                return self.compound
            case Component.OVERDUE_INTEREST:
                return self.interest if overdue else ZERO
            case Component.OVERDUE_PRINCIPAL:
                return self.principal if overdue else ZERO
            case Component.CURRENT_INTEREST:
                return ZERO if overdue else self.interest
            case Component.CURRENT_PRINCIPAL:
                return ZERO if overdue else self.principal
        raise AssertionError(component)


@dataclass(frozen=True)
class Allocation:
    key: Hashable
    component: Component
    amount: Decimal


@dataclass(frozen=True)
class AllocationResult:
    """The allocations in the order they were taken, and what is left (the overpayment)."""

    amount: Decimal
    allocations: tuple[Allocation, ...]
    remainder: Decimal

    @property
    def allocated(self) -> Decimal:
        return self.amount - self.remainder

    def by_installment(self) -> dict[Hashable, dict[Component, Decimal]]:
        """Per installment, what went to each component (only components that got money)."""
        result: dict[Hashable, dict[Component, Decimal]] = {}
        for allocation in self.allocations:
            per = result.setdefault(allocation.key, {})
            per[allocation.component] = per.get(allocation.component, ZERO) + allocation.amount
        return result


def allocate(
    *,
    amount: Decimal,
    installments: Sequence[InstallmentOwing],
    order: Sequence[Component | str] = DEFAULT_ORDER,
) -> AllocationResult:
    """Apply `amount` to the installments by the repayment order (DOMAIN.md §5): for each
    component in turn, across every installment oldest due date first (then by key order
    as given), as much as it owes; what is left is the remainder."""
    components = repayment_order(order)
    if not is_whole_fen(amount) or amount <= 0:
        raise AllocationError("A payment must be a positive amount in fen.", "amount_invalid")
    keys = [item.key for item in installments]
    if len(set(keys)) != len(keys):
        raise AllocationError("Each installment may appear once.", "installments_invalid")
    oldest_first = sorted(enumerate(installments), key=lambda pair: (pair[1].due_date, pair[0]))
    left = amount
    taken: list[Allocation] = []
    for component in components:
        for _, installment in oldest_first:
            if left == 0:
                break
            owed = installment.owed(component)
            if owed == 0:
                continue
            part = min(owed, left)
            taken.append(Allocation(installment.key, component, part))
            left -= part
    return AllocationResult(amount=amount, allocations=tuple(taken), remainder=left)


def installment_owing(
    *,
    key: Hashable,
    terms: AccrualTerms,
    state: InstallmentAccrual,
    on: dt.date,
    penalty_paid: Decimal = ZERO,
    compound_paid: Decimal = ZERO,
) -> InstallmentOwing:
    """What an installment owes on `on` from its stored state: the period's interest (it is
    complete once due; a period not yet due owes nothing yet), penalty and compound accrued
    to `on`, each less what was paid."""
    standing = installment_standing(due_date=state.due_date, grace_days=terms.grace_days, on=on)
    owed = owed_on(terms, state, on)
    if standing is Standing.NOT_YET_DUE:
        return InstallmentOwing(key=key, due_date=state.due_date, standing=standing)
    return InstallmentOwing(
        key=key,
        due_date=state.due_date,
        standing=standing,
        penalty=owed.penalty - penalty_paid,
        compound=owed.compound - compound_paid,
        interest=owed.interest - state.interest_paid,
        principal=state.principal - state.principal_paid,
    )


@dataclass(frozen=True)
class PayoffLine:
    """One installment's part of a payoff: what it owes on the payoff date."""

    key: Hashable
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    compound: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.compound


@dataclass(frozen=True)
class PayoffQuote:
    on: dt.date
    lines: tuple[PayoffLine, ...]

    @property
    def principal(self) -> Decimal:
        return sum((line.principal for line in self.lines), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((line.interest for line in self.lines), ZERO)

    @property
    def penalty(self) -> Decimal:
        return sum((line.penalty for line in self.lines), ZERO)

    @property
    def compound(self) -> Decimal:
        return sum((line.compound for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)


@dataclass(frozen=True)
class PayoffInstallment:
    """An installment as the payoff quote reads it."""

    key: Hashable
    state: InstallmentAccrual
    penalty_paid: Decimal = ZERO
    compound_paid: Decimal = ZERO


def micro_payoff_quote(
    *,
    terms: AccrualTerms,
    draw_date: dt.date,
    installments: Sequence[PayoffInstallment],
    on: dt.date,
) -> PayoffQuote:
    """What paying off a micro-loan draw on `on` costs (DOMAIN.md §5), per installment: the
    principal still owed, the interest of every period up to `on` (the running period's to
    `on`, a period that has not started none; a payoff measured from the draw owes at least
    one day), and everything overdue (penalty and compound to `on`). Not offered on the day
    of the draw (DOMAIN.md §2: from the day after)."""
    if terms.basis is not RateBasis.DAILY:
        raise AllocationError("A payoff quote is for a daily-rate draw.", "payoff_not_micro")
    if on <= draw_date:
        raise AllocationError(
            "A draw can be paid off from the day after it was drawn.", "payoff_same_day"
        )
    lines = []
    for item in installments:
        state = item.state
        owed = owed_on(terms, state, on)
        interest = owed.interest
        uncut_first_period = (
            state.period_start_date == draw_date
            and state.interest_span_start_date in (None, draw_date)
            and on < state.due_date
        )
        if uncut_first_period:
            interest = interest_for_payoff_from_draw(
                state.interest_base, terms.rate, (on - draw_date).days
            )
        lines.append(
            PayoffLine(
                key=item.key,
                due_date=state.due_date,
                principal=state.principal - state.principal_paid,
                interest=interest - state.interest_paid,
                penalty=owed.penalty - item.penalty_paid,
                compound=owed.compound - item.compound_paid,
            )
        )
    return PayoffQuote(on=on, lines=tuple(lines))
