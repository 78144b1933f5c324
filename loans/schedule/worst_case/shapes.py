"""The shapes of a product's cases (everything but the amount) and the bounds the search
prunes with: see the package docstring for the argument."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
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
            # Inside the 40-digit context: the default one (28 digits) would round the
            # factors before they are truncated, and the truncation would not be a floor.
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
    days of periods 2..n. Only scalars are kept; the per-row coefficients are made when the
    sums are (a product with hundreds of terms has tens of thousands of families)."""

    def __init__(
        self, method: RepaymentMethod, term: int, tail_days: tuple[int, ...], rate: InterestRate
    ) -> None:
        self.method = method
        self.term = term
        self.tail_days = tail_days
        self.daily = rate.value
        self.tail_times = tuple(itertools.accumulate(tail_days))  # t_k − t_1 for k = 2..n
        self.equal_principal = method is RepaymentMethod.EQUAL_PRINCIPAL or term == 1
        if not self.equal_principal:
            with money_context():
                self.installment = installment_one(rate, term)
                # b̂_{n−1} = (1 + rho_1)·x − M̂·y, x = Π_{l=2}^{n−1}(1 + rho_l),
                # y = Σ_{j=1}^{n−1} Π_{l=j+1}^{n−1}(1 + rho_l).
                x = Decimal(1)
                y = Decimal(1)
                for days in tail_days[:-1]:
                    growth = 1 + self.daily * days
                    y = y * growth + 1
                    x = x * growth
                self.x = x
                self.y = y
                self.last_growth = 1 + self.daily * tail_days[-1]
                self.carried = self.last_growth * y  # Σ_{j=1}^{n−1} Π_{l=j+1}^{n}(1 + rho_l)
        self.version = -1
        self.sums: tuple[Decimal, ...] = ()
        # The first periods of the family, each with an example first due date.
        self.first_dues: dict[int, dt.date] = {}
        self.safe_above_fen: int | None = 0

    @property
    def tail_rhos(self) -> list[Decimal]:
        """rho_k = daily × days_k for k = 2..n."""
        with money_context():
            return [self.daily * days for days in self.tail_days]

    def tail_sums(self, discounts: Discounts) -> tuple[Decimal, ...]:
        if self.version != discounts.version:
            v = discounts.factors
            n = self.term
            with money_context():
                if self.equal_principal:
                    # Row k ≥ 2: payment 1/n + (1 − (k−1)/n)·rho_k; principal-error
                    # coefficient 1 − (k−1)·rho_k, and −(n−1)(1 + rho_n) on the last row.
                    payments = Decimal(0)
                    alpha = Decimal(0)
                    plain = Decimal(0)
                    for k, (days, t) in enumerate(
                        zip(self.tail_days, self.tail_times, strict=True), start=2
                    ):
                        rho = self.daily * days
                        factor = v[t]
                        payments += (1 / Decimal(n) + (1 - Decimal(k - 1) / n) * rho) * factor
                        alpha += (1 - (k - 1) * rho if k < n else -(n - 1) * (1 + rho)) * factor
                        plain += factor
                    self.sums = (payments, alpha, plain)
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
                alpha = w * ((1 if self.term > 1 else 0) + tail_a)
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
    """One case but its amount: a method, a term, the days of each period and the time of
    each payment (months for bank loans, days from the value date for daily-rate loans)."""

    def __init__(
        self, method: RepaymentMethod, term: int, start_date: dt.date, first_due_date: dt.date
    ) -> None:
        self.method = method
        self.term = term
        self.start_date = start_date
        self.first_due_date = first_due_date
        self.safe_above_fen: int | None = 0

    @property
    def days(self) -> tuple[int, ...]:
        raise NotImplementedError

    @property
    def times(self) -> tuple[int, ...]:
        raise NotImplementedError

    def cutoff(self, discounts: Discounts, half_unit: Decimal) -> int | None:
        raise NotImplementedError

    def describe(self) -> str:
        return f"over {self.term} months ({self.method.value.replace('_', ' ')})"


class DailyShape(Shape):
    """A member of a family: its first period. The days are made only when a schedule of
    the shape is built."""

    def __init__(self, family: DailyFamily, first_days: int, h: Decimal) -> None:
        first_due = family.first_dues[first_days]
        super().__init__(
            family.method, family.term, first_due - dt.timedelta(days=first_days), first_due
        )
        self.family = family
        self.first_days = first_days
        if family.safe_above_fen is None and not family.equal_principal:
            # The family's bound is inconclusive: take this first period on its own.
            with money_context():
                rho = family.daily * first_days
                self.safe_above_fen = safe_above(
                    h, family.installment, [Decimal(0), *family.tail_rhos], rho, rho
                )
        else:
            self.safe_above_fen = family.safe_above_fen

    @property
    def days(self) -> tuple[int, ...]:
        return (self.first_days, *self.family.tail_days)

    @property
    def times(self) -> tuple[int, ...]:
        first = self.first_days
        return (first, *(first + t for t in self.family.tail_times))

    def describe(self) -> str:
        return f"{super().describe()[:-1]}, first period {self.first_days} days)"

    def cutoff(self, discounts: Discounts, half_unit: Decimal) -> int | None:
        return self.family.cutoff(discounts, self.first_days, half_unit)


class BankShape(Shape):
    """Bank loans: every period's rate is annual / 12 and t_k = k, so the sums have closed
    forms in Σv^k and Σk·v^k."""

    monthly: Decimal
    installment: Decimal
    geometric: list[Decimal]  # Σ_{j=0}^{m} (1 + i)^j

    def __init__(
        self,
        method: RepaymentMethod,
        term: int,
        days: tuple[int, ...],
        start_date: dt.date,
        first_due_date: dt.date,
    ) -> None:
        super().__init__(method, term, start_date, first_due_date)
        self._days = days
        self._times = tuple(range(1, term + 1))

    @property
    def days(self) -> tuple[int, ...]:
        return self._days

    @property
    def times(self) -> tuple[int, ...]:
        return self._times

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


class Shapes:
    """A product's shapes, made one at a time in the order the search visits them, with
    how many there are and the longest time to a payment."""

    def __init__(self, count: int, horizon: int, shapes: Iterable[Shape]) -> None:
        self.count = count
        self.horizon = horizon
        self._shapes = shapes

    def __iter__(self) -> Iterator[Shape]:
        return iter(self._shapes)


def daily_shapes(
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    rate: InterestRate,
    rule: DueDateRule,
    calendar_start: dt.date,
    h: Decimal,
) -> Shapes:
    """Every first period the rules allow with every month pattern of the leap cycle, for
    every term and method, grouped in families (see the package docstring)."""
    families: dict[tuple[RepaymentMethod, int, tuple[int, ...]], DailyFamily] = {}
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
                family = families.get((method, term, tail))
                if family is None:
                    family = families[(method, term, tail)] = DailyFamily(method, term, tail, rate)
                for first in first_periods:
                    family.first_dues.setdefault(first, first_due)
    for family in families.values():
        if not family.equal_principal:
            with money_context():
                family.safe_above_fen = safe_above(
                    h,
                    family.installment,
                    [Decimal(0), *family.tail_rhos],
                    family.daily * max(family.first_dues),
                    family.daily * min(family.first_dues),
                )
    # Shortest first period first (the highest IRRs, so the bar rises at once), then the
    # shortest months after it.
    ordered = sorted(
        families.values(),
        key=lambda f: (f.tail_times[-1] if f.tail_times else 0, f.term, f.method.value),
    )
    firsts = sorted({first for family in ordered for first in family.first_dues})

    def members() -> Iterator[Shape]:
        for first in firsts:
            for family in ordered:
                if first in family.first_dues:
                    yield DailyShape(family, first, h)

    return Shapes(
        count=sum(len(family.first_dues) for family in ordered),
        horizon=max(
            max(family.first_dues) + (family.tail_times[-1] if family.tail_times else 0)
            for family in ordered
        ),
        shapes=members(),
    )


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
) -> Shapes:
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
            shape = BankShape(method, term, days, start_date, dates[1])
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
    return Shapes(count=len(shapes), horizon=max(terms), shapes=shapes)
