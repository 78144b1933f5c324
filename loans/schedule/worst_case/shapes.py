"""The shapes of a product's cases (everything but the amount) and the bounds the search
prunes with: see the package docstring for the argument."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from common.money import money_context
from loans.schedule.dates import add_months
from loans.schedule.types import DueDateRule, InterestRate, RepaymentMethod

# Margin on the 40-digit arithmetic of the bounds (far larger than its error).
RELATIVE_MARGIN = Decimal("1e-15")
# Discount factors as integers scaled by this, for a present value in integer arithmetic.
SCALE_DIGITS = 30
_LEAP_CYCLE_MONTHS = 48


class Discounts:
    """Discount factors v^t at a threshold rate, with Σ_{k≤m} v^k and Σ_{k≤m} k·v^k; a new
    `version` each time the rate changes, so families know when to recompute their sums."""

    def __init__(self) -> None:
        self.version = 0
        self.factors: list[Decimal] = []
        self.prefix: list[Decimal] = []
        self.weighted: list[Decimal] = []
        self.scaled: list[int] = []  # ⌊v^t · 10^30⌋

    def at(self, rate: Decimal, horizon: int) -> None:
        self.version += 1
        with money_context():
            v = 1 / (1 + rate)
            self.factors = [Decimal(1)]
            self.prefix = [Decimal(0)]
            self.weighted = [Decimal(0)]
            for t in range(1, horizon + 1):
                self.factors.append(self.factors[-1] * v)
                self.prefix.append(self.prefix[-1] + self.factors[-1])
                self.weighted.append(self.weighted[-1] + t * self.factors[-1])
        self.scaled = [int(factor.scaleb(SCALE_DIGITS)) for factor in self.factors]


def month_length(day: dt.date) -> int:
    first = day.replace(day=1)
    return (first + relativedelta(months=1) - first).days


def cutoff_fen(bound_unit: Decimal, npv_one: Decimal, alpha: Decimal, beta: Decimal) -> int | None:
    """The largest amount in fen whose NPV at the bar's rate can still be ≥ 0, from
    NPV_A ≤ A·N + (unit/2)·|alpha| + (1/2)·Σβ; None when every amount can."""
    if npv_one >= 0:
        return None
    bound = bound_unit * abs(alpha) + beta / 2
    return int(bound / -npv_one * (1 + RELATIVE_MARGIN)) + 1


def safe_above(
    h: Decimal,
    installment: Decimal,
    rhos: Sequence[Decimal],
    rho_first_rows: Decimal,
    rho_first_last: Decimal,
) -> int | None:
    """Equal installment: the amount in fen above which no row before the last can have
    no principal (or all of it), whatever the roundings; None if that cannot be shown.

    Row k's principal is A·π_k + ε − Δ_{k−1}·rho_k − e_k with π_k = M̂ − b̂_{k−1}·rho_k and
    |Δ_k| ≤ Γ_k = Γ_{k−1}(1 + rho_k) + h (h = half a fen + half a unit); the last row's is
    A·b̂_{n−1} + Δ_{n−1}. The first period's rate is taken where it is worst for each."""
    n = len(rhos)
    with money_context():
        worst = Decimal(0)
        for rho_first, last_only in ((rho_first_rows, False), (rho_first_last, True)):
            balance = Decimal(1)
            error = Decimal(0)
            for k in range(n - 1):
                rho = rho_first if k == 0 else rhos[k]
                if not last_only:
                    principal_part = installment - balance * rho
                    if principal_part <= 0:
                        return None
                    worst = max(worst, (h + error * rho) / principal_part)
                balance = balance * (1 + rho) - installment
                error = error * (1 + rho) + h
            if last_only:
                if balance <= 0:
                    return None
                worst = max(worst, error / balance)
        return int(worst * (1 + RELATIVE_MARGIN)) + 1


def installment_one(rate: InterestRate, term: int) -> Decimal:
    """M̂ for one fen (unrounded)."""
    numerator, denominator = rate.monthly_ratio
    with money_context():
        if numerator == 0:
            return 1 / Decimal(term)
        i = Decimal(numerator) / denominator
        return i / (1 - (1 + i) ** -term)


class DailyFamily:
    """Daily-rate shapes that differ only in their first period: a method, a term and the
    days of periods 2..n."""

    def __init__(
        self, method: RepaymentMethod, term: int, tail_days: tuple[int, ...], rate: InterestRate
    ) -> None:
        self.method = method
        self.term = term
        self.tail_days = tail_days
        self.daily = rate.value
        n = term
        times = []
        elapsed = 0
        for days in tail_days:
            elapsed += days
            times.append(elapsed)
        self.tail_times = times  # t_k − t_1 for k = 2..n
        with money_context():
            self.tail_rhos = [rate.value * d for d in tail_days]  # rho_k for k = 2..n
            rhos = self.tail_rhos
            self.equal_principal = method is RepaymentMethod.EQUAL_PRINCIPAL or n == 1
            if self.equal_principal:
                self.tail_payments = [
                    1 / Decimal(n) + (1 - Decimal(k + 1) / n) * rho for k, rho in enumerate(rhos)
                ]
                self.first_alpha = Decimal(1) if n > 1 else Decimal(0)
                self.tail_alpha = [1 - (k + 1) * rho for k, rho in enumerate(rhos[:-1])] + (
                    [-(n - 1) * (1 + rhos[-1])] if n > 1 else []
                )
            else:
                self.installment = installment_one(rate, n)
                # b̂_{n−1} = (1 + rho_1)·x − M̂·y, x = Π_{l=2}^{n−1}(1 + rho_l),
                # y = Σ_{j=1}^{n−1} Π_{l=j+1}^{n−1}(1 + rho_l).
                x = Decimal(1)
                y = Decimal(1)
                for rho in rhos[:-1]:
                    y = y * (1 + rho) + 1
                    x = x * (1 + rho)
                self.x = x
                self.y = y
                self.last_growth = 1 + rhos[-1]
                self.carried = self.last_growth * y  # Σ_{j=1}^{n−1} Π_{l=j+1}^{n}(1 + rho_l)
        self.version = -1
        self.sums: tuple[Decimal, ...] = ()

    def tail_sums(self, discounts: Discounts) -> tuple[Decimal, ...]:
        if self.version != discounts.version:
            v = discounts.factors
            with money_context():
                if self.equal_principal:
                    self.sums = (
                        sum(
                            (
                                c * v[t]
                                for c, t in zip(self.tail_payments, self.tail_times, strict=True)
                            ),
                            Decimal(0),
                        ),
                        sum(
                            (
                                a * v[t]
                                for a, t in zip(self.tail_alpha, self.tail_times, strict=True)
                            ),
                            Decimal(0),
                        ),
                        sum((v[t] for t in self.tail_times), Decimal(0)),
                    )
                else:
                    self.sums = (
                        sum((v[t] for t in self.tail_times[:-1]), Decimal(0)),
                        v[self.tail_times[-1]],
                    )
            self.version = discounts.version
        return self.sums

    def cutoff(self, discounts: Discounts, first_days: int, half_unit: Decimal) -> int | None:
        sums = self.tail_sums(discounts)
        with money_context():
            w = discounts.factors[first_days]
            rho_first = self.daily * first_days
            if self.equal_principal:
                tail_c, tail_a, tail_v = sums
                npv_one = w * (1 / Decimal(self.term) + rho_first + tail_c) - 1
                alpha = w * (self.first_alpha + tail_a)
                beta = w * (1 + tail_v)
            else:
                middle, end = sums
                last_payment = self.last_growth * (
                    (1 + rho_first) * self.x - self.installment * self.y
                )
                npv_one = w * (self.installment * (1 + middle) + end * last_payment) - 1
                alpha = w * ((1 + middle) - end * self.carried)
                beta = w * end * (self.carried + 1)
            return cutoff_fen(half_unit, npv_one, alpha, beta)


class Shape:
    """One case but its amount."""

    def __init__(
        self,
        method: RepaymentMethod,
        term: int,
        days: tuple[int, ...],
        times: tuple[int, ...],
        start_date: dt.date,
        first_due_date: dt.date,
    ) -> None:
        self.method = method
        self.term = term
        self.days = days
        self.times = times
        self.start_date = start_date
        self.first_due_date = first_due_date
        self.safe_above_fen: int | None = 0

    def cutoff(self, discounts: Discounts, half_unit: Decimal) -> int | None:
        raise NotImplementedError

    def describe(self) -> str:
        return f"over {self.term} months ({self.method.value.replace('_', ' ')})"


class DailyShape(Shape):
    family: DailyFamily

    def describe(self) -> str:
        return f"{super().describe()[:-1]}, first period {self.days[0]} days)"

    def cutoff(self, discounts: Discounts, half_unit: Decimal) -> int | None:
        return self.family.cutoff(discounts, self.days[0], half_unit)


class BankShape(Shape):
    """Bank loans: every period's rate is annual / 12 and t_k = k, so the sums have closed
    forms in Σv^k and Σk·v^k."""

    monthly: Decimal
    installment: Decimal
    geometric: list[Decimal]  # Σ_{j=0}^{m} (1 + i)^j

    def cutoff(self, discounts: Discounts, half_unit: Decimal) -> int | None:
        n = self.term
        i = self.monthly
        v, prefix, weighted = discounts.factors, discounts.prefix, discounts.weighted
        with money_context():
            if self.method is RepaymentMethod.EQUAL_PRINCIPAL or n == 1:
                npv_one = (1 / Decimal(n) + i + i / n) * prefix[n] - i / n * weighted[n] - 1
                alpha = (
                    prefix[n - 1] - i * (weighted[n - 1] - prefix[n - 1]) - (n - 1) * (1 + i) * v[n]
                )
                beta = prefix[n]
            else:
                npv_one = self.installment * prefix[n] - 1
                alpha = prefix[n - 1] - v[n] * (self.geometric[n - 1] - 1)
                beta = v[n] * self.geometric[n - 1]
            return cutoff_fen(half_unit, npv_one, alpha, beta)


def daily_shapes(
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    rate: InterestRate,
    rule: DueDateRule,
    calendar_start: dt.date,
    h: Decimal,
) -> list[Shape]:
    families: dict[tuple[RepaymentMethod, int, tuple[int, ...]], DailyFamily] = {}
    members: dict[tuple[RepaymentMethod, int, tuple[int, ...]], DailyShape] = {}
    first_periods_of: dict[DailyFamily, set[int]] = {}
    repayment_day = min(calendar_start.day, 28)
    anchor = calendar_start.replace(day=1)
    shortest = max(rule.min_days_to_first_due, 1)
    for offset in range(1, _LEAP_CYCLE_MONTHS + 1):
        month = anchor + relativedelta(months=offset)
        previous_length = month_length(month - relativedelta(months=1))
        first_periods = set(range(shortest, shortest + previous_length))
        first_periods.add(previous_length)
        first_due = month.replace(day=repayment_day)
        later = tuple(month_length(month + relativedelta(months=k)) for k in range(max(terms) - 1))
        for term in terms:
            tail = later[: term - 1]
            for method in methods:
                family_key = (method, term, tail)
                family = families.get(family_key)
                if family is None:
                    family = families[family_key] = DailyFamily(method, term, tail, rate)
                    first_periods_of[family] = set()
                for first in first_periods:
                    days = (first, *tail)
                    key = (method, term, days)
                    if key in members:
                        continue
                    times = (first, *(first + t for t in family.tail_times))
                    shape = DailyShape(
                        method, term, days, times, first_due - dt.timedelta(days=first), first_due
                    )
                    shape.family = family
                    members[key] = shape
                    first_periods_of[family].add(first)
    for family, firsts in first_periods_of.items():
        if family.equal_principal:
            continue
        with money_context():
            safe = safe_above(
                h,
                family.installment,
                [Decimal(0), *family.tail_rhos],
                family.daily * max(firsts),
                family.daily * min(firsts),
            )
        for first in firsts:
            shape = members[(family.method, family.term, (first, *family.tail_days))]
            if safe is None:
                # The family's bound is inconclusive: take each first period on its own.
                with money_context():
                    rho = family.daily * first
                    shape.safe_above_fen = safe_above(
                        h, family.installment, [Decimal(0), *family.tail_rhos], rho, rho
                    )
            else:
                shape.safe_above_fen = safe
    # Shortest first period first: the highest IRRs, so the bar rises at once.
    return sorted(members.values(), key=lambda s: (s.days[0], s.times[-1], s.term, s.method.value))


def daily_period_days(
    *, terms: Sequence[int], due_date_rule: DueDateRule, calendar_start: dt.date
) -> set[tuple[int, ...]]:
    """Every tuple of period days the search takes for a daily-rate product (one per
    distinct first period and month pattern)."""
    shapes = daily_shapes(
        sorted(set(terms)),
        [RepaymentMethod.EQUAL_PRINCIPAL],
        InterestRate.daily(Decimal(0)),
        due_date_rule,
        calendar_start,
        Decimal(1),
    )
    return {shape.days for shape in shapes}


def bank_shapes(
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    rate: InterestRate,
    start_date: dt.date,
    h: Decimal,
) -> list[Shape]:
    numerator, denominator = rate.monthly_ratio
    with money_context():
        monthly = Decimal(numerator) / denominator
        geometric = [Decimal(1)]
        power = Decimal(1)
        for _ in range(max(terms)):
            power *= 1 + monthly
            geometric.append(geometric[-1] + power)
    shapes: list[Shape] = []
    dates = [add_months(start_date, k) for k in range(max(terms) + 1)]
    all_days = tuple((b - a).days for a, b in itertools.pairwise(dates))
    for term in sorted(terms, reverse=True):
        days = all_days[:term]
        for method in methods:
            shape = BankShape(method, term, days, tuple(range(1, term + 1)), start_date, dates[1])
            shape.monthly = monthly
            shape.geometric = geometric
            if method is RepaymentMethod.EQUAL_INSTALLMENT and term > 1:
                with money_context():
                    installment = installment_one(rate, term)
                    shape.installment = installment
                    # π_k = (M̂ − i)(1 + i)^{k−1} and Γ_{k−1}·i = h((1 + i)^{k−1} − 1): every
                    # row's cut-off is h / (M̂ − i); the last row's Γ_{n−1} / b̂_{n−1}, with
                    # b̂_{n−1} = M̂ / (1 + i) and Γ_{n−1} = h·Σ_{j<n−1}(1 + i)^j.
                    worst = max(
                        h / (installment - monthly),
                        h * geometric[term - 2] * (1 + monthly) / installment,
                    )
                    shape.safe_above_fen = int(worst * (1 + RELATIVE_MARGIN)) + 1
            shapes.append(shape)
    return shapes
