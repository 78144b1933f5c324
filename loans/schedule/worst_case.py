"""The highest annualized rate a product can produce, found exactly and fast (DOMAIN.md §2).

A product is checked against the rate cap over every case a borrower can reach: every first
period the due-date rules allow (a daily-rate draw's first period runs 15 to 45 days, and
the months after it are the calendar's), every term and method offered, and every amount
from the smallest draw to the largest in draw steps. That is hundreds of thousands of
schedules for a bank product of 12-360 months; building and solving each is minutes of
work. The search below builds only the few that could matter and proves that none of the
others can be worse.

Why that is exact. Without rounding a schedule scales with its amount: the cash flows of
an amount A are A·ĉ_k, where ĉ is the schedule of 1 fen computed with the same rules but no
rounding, so its IRR does not depend on A. Rounding changes it, and only by the rounding
errors, which are bounded: each row's interest is off by at most half a fen (e_k), the
installment or the equal-principal part by at most half a rounding unit (ε). Everything
between them is linear, so for any rate r the present value of the real schedule is exactly

    NPV_A(r) = A·N(r) + ε·alpha(r) + Σ e_k·β_k(r),

with N, alpha and β computed from the unrounded schedule of the shape (method, term, period
days). Hence NPV_A(r) ≤ A·N(r) + K(r), K = (unit/2)·|alpha| + (1/2)·Σ|β_k|. The present
value of a loan falls as the rate rises, so a case's IRR reaches a rate r only if its
NPV(r) ≥ 0. To beat the worst disclosed rate b found so far, a case needs an IRR of at
least r_b, the rate that discloses above b (b + 0.005%, per month or per day); when
N(r_b) < 0 that is impossible for every A > K / −N(r_b). Each shape therefore only builds
its amounts up to that cut-off, which is small for all but the shapes near the worst one,
and the cut-off falls as b rises. Shapes are visited shortest first period first (the IRR of
simple interest falls as a period lengthens), so b is near its final value almost at once.

Cost. Shapes that differ only in their first period form a family: the rows after the first
do not depend on it except through one factor, so a family's sums are computed once per
bar and each shape's bound costs a few operations. Bank loans, whose rate per period is the
same every month, have closed forms (geometric sums) per term. The measured cost is in
docs/schedule-engine.md and BENCHMARKS.md.

Whether each case can be built at all (no row before the last with no principal, DOMAIN.md
§3) is proved the same way: equal principal has a closed form per amount; for equal
installment each row's principal is A·π_k minus a bounded rounding error, so every amount
above a cut-off is safe and those below it are built. π_k falls as the first period
lengthens, so a family's cut-off is taken at its longest first period (and the last row's at
its shortest).

Calendars. Repayment days are the 1st-28th, so after the first period each period is one
calendar month. The month patterns are taken over the four years of leap cycle from the
check's start date (a year such as 2100, a century that is not a leap year, is not in
that cycle); the first period of a first due date in month m runs from the rule's minimum
days up to that plus the length of month m − 1, less one day, or exactly one month (a first
draw on its repayment day). Bank loans are dated by contract months: their interest and
IRR do not depend on the days.

The rate is the product's highest. The cash flows of equal principal rise with the rate
row by row, so its IRR does; for equal installment the unrounded IRR rises with the rate
and a borrower's own schedule is still checked against the cap when it is quoted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from common.money import FEN, money_context
from loans.schedule.dates import add_months
from loans.schedule.engine import (
    RowInterest,
    equal_principal_fen,
    fixed_part_fen,
    schedule_rows_fen,
    validate_amounts,
)
from loans.schedule.exact import from_fen, to_fen
from loans.schedule.rates import disclosed_rate, irr
from loans.schedule.types import (
    IRR_DAYS_PER_YEAR,
    MONTHS_PER_YEAR,
    DueDateRule,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
)

# Half of the disclosure step: an annualized rate x discloses above b iff x ≥ b + this.
_HALF_STEP = Decimal("0.00005")
# Margins for the 40-digit arithmetic of the bounds (far larger than its error).
_RELATIVE_MARGIN = Decimal("1e-15")
_NPV_MARGIN = Decimal("1e-18")
_LEAP_CYCLE_MONTHS = 48


@dataclass(frozen=True)
class WorstCase:
    """The highest disclosed annualized rate (IRR, 0.01%) over every case of a product, and
    one case that has it: an amount, term and method, and example dates with its period
    days (the dates stand for every draw whose periods have those lengths). `cases` is how
    many schedules the worst is taken over; `schedules_built` how many were built."""

    annualized_rate_irr: Decimal
    principal: Decimal
    term: int
    method: RepaymentMethod
    start_date: dt.date
    first_due_date: dt.date
    period_days: tuple[int, ...]
    cases: int
    schedules_built: int


def draw_amounts(min_draw: Decimal, max_draw: Decimal, draw_step: Decimal) -> list[int]:
    """The amounts a borrower may choose, in fen: multiples of the step from the smallest
    draw to the largest (the rule of draw validation)."""
    low, high, step = to_fen(min_draw), to_fen(max_draw), to_fen(draw_step)
    if low <= 0 or step <= 0 or high < low:
        raise ScheduleError(
            "The draw amounts must be positive and the largest at least the smallest.",
            "draw_amounts_invalid",
        )
    first = -(-low // step) * step
    amounts = list(range(first, high + 1, step))
    if not amounts:
        raise ScheduleError(
            "No multiple of the draw step lies between the smallest and the largest draw.",
            "draw_amounts_invalid",
        )
    return amounts


def _month_length(day: dt.date) -> int:
    first = day.replace(day=1)
    return (first + relativedelta(months=1) - first).days


class _Bar:
    """The worst case found so far and the discount factors at its threshold rate."""

    def __init__(self, per_year: int, horizon: int, cap: Decimal | None) -> None:
        self.per_year = per_year
        self.horizon = horizon
        self.cap = cap
        self.best: WorstCase | None = None
        self.version = 0
        self.discounts: list[Decimal] = []
        self.prefix: list[Decimal] = []  # Σ_{k≤m} v^k
        self.weighted: list[Decimal] = []  # Σ_{k≤m} k·v^k

    def raise_to(self, case: WorstCase) -> None:
        self.best = case
        self.version += 1
        with money_context():
            threshold = (case.annualized_rate_irr + _HALF_STEP) / self.per_year
            v = 1 / (1 + threshold)
            self.discounts = [Decimal(1)]
            self.prefix = [Decimal(0)]
            self.weighted = [Decimal(0)]
            for t in range(1, self.horizon + 1):
                self.discounts.append(self.discounts[-1] * v)
                self.prefix.append(self.prefix[-1] + self.discounts[-1])
                self.weighted.append(self.weighted[-1] + t * self.discounts[-1])
        if self.cap is not None and case.annualized_rate_irr > self.cap:
            raise ScheduleError(
                f"The annualized rate (IRR) reaches {case.annualized_rate_irr * 100:.2f}%, "
                f"above the {self.cap * 100:.2f}% cap: {case.principal} over {case.term} "
                f"months ({_method_words(case.method)}), first period {case.period_days[0]} "
                "days.",
                "rate_above_cap",
            )


def _method_words(method: RepaymentMethod) -> str:
    return method.value.replace("_", " ")


def _cutoff(bound_unit: Decimal, npv_one: Decimal, alpha: Decimal, beta: Decimal) -> int | None:
    """The largest amount in fen whose NPV at the bar's rate can still be ≥ 0, from
    NPV_A ≤ A·N + (unit/2)·|alpha| + (1/2)·Σβ; None when every amount can."""
    if npv_one >= 0:
        return None
    bound = bound_unit * abs(alpha) + beta / 2
    return int(bound / -npv_one * (1 + _RELATIVE_MARGIN)) + 1


def _safe_above(
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
        return int(worst * (1 + _RELATIVE_MARGIN)) + 1


def _installment_one(rate: InterestRate, term: int) -> Decimal:
    """M̂ for one fen (unrounded)."""
    numerator, denominator = rate.monthly_ratio
    with money_context():
        if numerator == 0:
            return 1 / Decimal(term)
        i = Decimal(numerator) / denominator
        return i / (1 - (1 + i) ** -term)


class _DailyFamily:
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
                self.installment = _installment_one(rate, n)
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

    def tail_sums(self, bar: _Bar) -> tuple[Decimal, ...]:
        if self.version != bar.version:
            v = bar.discounts
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
            self.version = bar.version
        return self.sums

    def cutoff(self, bar: _Bar, first_days: int, half_unit: Decimal) -> int | None:
        sums = self.tail_sums(bar)
        with money_context():
            w = bar.discounts[first_days]
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
            return _cutoff(half_unit, npv_one, alpha, beta)


class _Shape:
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

    def cutoff(self, bar: _Bar, half_unit: Decimal) -> int | None:
        raise NotImplementedError


class _DailyShape(_Shape):
    family: _DailyFamily

    def cutoff(self, bar: _Bar, half_unit: Decimal) -> int | None:
        return self.family.cutoff(bar, self.days[0], half_unit)


class _BankShape(_Shape):
    """Bank loans: every period's rate is annual / 12 and t_k = k, so the sums have closed
    forms in Σv^k and Σk·v^k."""

    monthly: Decimal
    installment: Decimal
    geometric: list[Decimal]  # Σ_{j=0}^{m} (1 + i)^j

    def cutoff(self, bar: _Bar, half_unit: Decimal) -> int | None:
        n = self.term
        i = self.monthly
        v, prefix, weighted = bar.discounts, bar.prefix, bar.weighted
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
            return _cutoff(half_unit, npv_one, alpha, beta)


def _daily_shapes(
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    rate: InterestRate,
    rule: DueDateRule,
    calendar_start: dt.date,
    h: Decimal,
) -> list[_Shape]:
    families: dict[tuple[RepaymentMethod, int, tuple[int, ...]], _DailyFamily] = {}
    members: dict[tuple[RepaymentMethod, int, tuple[int, ...]], _DailyShape] = {}
    first_periods_of: dict[_DailyFamily, set[int]] = {}
    repayment_day = min(calendar_start.day, 28)
    anchor = calendar_start.replace(day=1)
    shortest = max(rule.min_days_to_first_due, 1)
    for offset in range(1, _LEAP_CYCLE_MONTHS + 1):
        month = anchor + relativedelta(months=offset)
        previous_length = _month_length(month - relativedelta(months=1))
        first_periods = set(range(shortest, shortest + previous_length))
        first_periods.add(previous_length)
        first_due = month.replace(day=repayment_day)
        later = tuple(_month_length(month + relativedelta(months=k)) for k in range(max(terms) - 1))
        for term in terms:
            tail = later[: term - 1]
            for method in methods:
                family_key = (method, term, tail)
                family = families.get(family_key)
                if family is None:
                    family = families[family_key] = _DailyFamily(method, term, tail, rate)
                    first_periods_of[family] = set()
                for first in first_periods:
                    days = (first, *tail)
                    key = (method, term, days)
                    if key in members:
                        continue
                    times = (first, *(first + t for t in family.tail_times))
                    shape = _DailyShape(
                        method, term, days, times, first_due - dt.timedelta(days=first), first_due
                    )
                    shape.family = family
                    members[key] = shape
                    first_periods_of[family].add(first)
    for family, firsts in first_periods_of.items():
        if family.equal_principal:
            continue
        with money_context():
            safe = _safe_above(
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
                    shape.safe_above_fen = _safe_above(
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
    shapes = _daily_shapes(
        sorted(set(terms)),
        [RepaymentMethod.EQUAL_PRINCIPAL],
        InterestRate.daily(Decimal(0)),
        due_date_rule,
        calendar_start,
        Decimal(1),
    )
    return {shape.days for shape in shapes}


def _bank_shapes(
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    rate: InterestRate,
    start_date: dt.date,
    h: Decimal,
) -> list[_Shape]:
    numerator, denominator = rate.monthly_ratio
    with money_context():
        monthly = Decimal(numerator) / denominator
        geometric = [Decimal(1)]
        power = Decimal(1)
        for _ in range(max(terms)):
            power *= 1 + monthly
            geometric.append(geometric[-1] + power)
    shapes: list[_Shape] = []
    dates = [add_months(start_date, k) for k in range(max(terms) + 1)]
    all_days = tuple((b - a).days for a, b in itertools.pairwise(dates))
    for term in sorted(terms, reverse=True):
        days = all_days[:term]
        for method in methods:
            shape = _BankShape(method, term, days, tuple(range(1, term + 1)), start_date, dates[1])
            shape.monthly = monthly
            shape.geometric = geometric
            if method is RepaymentMethod.EQUAL_INSTALLMENT and term > 1:
                with money_context():
                    installment = _installment_one(rate, term)
                    shape.installment = installment
                    # π_k = (M̂ − i)(1 + i)^{k−1} and Γ_{k−1}·i = h((1 + i)^{k−1} − 1): every
                    # row's cut-off is h / (M̂ − i); the last row's Γ_{n−1} / b̂_{n−1}, with
                    # b̂_{n−1} = M̂ / (1 + i) and Γ_{n−1} = h·Σ_{j<n−1}(1 + i)^j.
                    worst = max(
                        h / (installment - monthly),
                        h * geometric[term - 2] * (1 + monthly) / installment,
                    )
                    shape.safe_above_fen = int(worst * (1 + _RELATIVE_MARGIN)) + 1
            shapes.append(shape)
    return shapes


class _Search:
    def __init__(self, rate: InterestRate, unit_fen: int, amounts: list[int], bar: _Bar) -> None:
        self.rate = rate
        self.unit_fen = unit_fen
        self.half_unit = Decimal(unit_fen) / 2
        self.amounts = amounts
        self.bar = bar
        self.interest = RowInterest.of(rate)
        self.built = 0
        self.installments: dict[tuple[int, int], int] = {}

    def fixed(self, amount: int, shape: _Shape) -> int:
        if shape.method is RepaymentMethod.EQUAL_PRINCIPAL:
            return equal_principal_fen(amount, shape.term, self.unit_fen)
        key = (amount, shape.term)
        if key not in self.installments:
            self.installments[key] = fixed_part_fen(
                amount, shape.term, shape.method, self.rate, self.unit_fen
            )
        return self.installments[key]

    def visit(self, shape: _Shape) -> None:
        bar = self.bar
        cutoff = shape.cutoff(bar, self.half_unit) if bar.best else None
        needs_rows = shape.method is RepaymentMethod.EQUAL_INSTALLMENT
        for amount in self.amounts:
            rows_needed = needs_rows and (
                shape.safe_above_fen is None or amount <= shape.safe_above_fen
            )
            rate_needed = cutoff is None or amount <= cutoff
            if not (rows_needed or rate_needed):
                break
            try:
                rows = schedule_rows_fen(
                    amount, shape.method, self.interest, shape.days, self.fixed(amount, shape)
                )
            except ScheduleError as exc:
                raise ScheduleError(
                    f"{from_fen(amount)} over {shape.term} months ({_method_words(shape.method)}"
                    f", first period {shape.days[0]} days) cannot be scheduled: {exc.detail}",
                    exc.code,
                ) from exc
            self.built += 1
            if not rate_needed:
                continue
            payments = [from_fen(p + i) for p, i in rows]
            principal = from_fen(amount)
            with money_context():
                if bar.best is not None:
                    v = bar.discounts
                    npv = sum(
                        (c * v[t] for c, t in zip(payments, shape.times, strict=True)), -principal
                    )
                    if npv < -_NPV_MARGIN:
                        continue
                disclosed = disclosed_rate(irr(principal, shape.times, payments) * bar.per_year)
            if bar.best is None or disclosed > bar.best.annualized_rate_irr:
                bar.raise_to(
                    WorstCase(
                        annualized_rate_irr=disclosed,
                        principal=principal,
                        term=shape.term,
                        method=shape.method,
                        start_date=shape.start_date,
                        first_due_date=shape.first_due_date,
                        period_days=shape.days,
                        cases=0,
                        schedules_built=0,
                    )
                )
                cutoff = shape.cutoff(bar, self.half_unit)


def _check_equal_principal_amounts(terms: Iterable[int], amounts: list[int], unit_fen: int) -> None:
    """p = round(A / n) to the unit must be > 0 and (n − 1)·p < A; both hold for every
    A > n(n − 1)·unit / 2, so only the amounts below are tried."""
    for term in terms:
        if term == 1:
            continue
        safe_above = term * (term - 1) * unit_fen // 2
        for amount in amounts:
            if amount > safe_above:
                break
            part = equal_principal_fen(amount, term, unit_fen)
            if not (part > 0 and (term - 1) * part < amount):
                raise ScheduleError(
                    f"{from_fen(amount)} over {term} months (equal principal) cannot be "
                    "scheduled: a row before the last would repay no principal, or all of it. "
                    "Raise the smallest draw, shorten the longest term or round to the fen.",
                    "schedule_not_representable",
                )


def _shapes(
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    due_date_rule: DueDateRule,
    calendar_start: dt.date,
    unit_fen: int,
) -> tuple[list[_Shape], int]:
    h = Decimal(1) / 2 + Decimal(unit_fen) / 2
    if rate.basis is RateBasis.ANNUAL:
        return _bank_shapes(terms, methods, rate, calendar_start, h), MONTHS_PER_YEAR
    shapes = _daily_shapes(terms, methods, rate, due_date_rule, calendar_start, h)
    return shapes, IRR_DAYS_PER_YEAR


def _validated(
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal,
) -> tuple[list[int], list[RepaymentMethod], list[int], int]:
    if not terms or not methods:
        raise ScheduleError("A product needs a term and a method.", "product_terms_invalid")
    sorted_terms = sorted(set(terms))
    if sorted_terms[0] < 1:
        raise ScheduleError("The term must be at least one period.", "term_out_of_range")
    chosen = sorted({RepaymentMethod(m) for m in methods}, key=lambda m: m.value)
    amounts = draw_amounts(min_draw, max_draw, draw_step)
    validate_amounts(from_fen(amounts[0]), sorted_terms[0], rate, rounding_unit)
    return sorted_terms, chosen, amounts, to_fen(rounding_unit)


def product_worst_case(
    *,
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal = FEN,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
    calendar_start: dt.date,
    cap: Decimal | None = None,
) -> WorstCase:
    """The highest disclosed annualized IRR over every case of a product (see the module
    docstring for why it is exact). Raises `ScheduleError`: `schedule_not_representable`
    naming a case that cannot be scheduled, or, when `cap` is given, `rate_above_cap` as
    soon as a case above the cap is found."""
    sorted_terms, chosen, amounts, unit_fen = _validated(
        rate, terms, methods, min_draw, max_draw, draw_step, rounding_unit
    )
    if RepaymentMethod.EQUAL_PRINCIPAL in chosen:
        _check_equal_principal_amounts(sorted_terms, amounts, unit_fen)
    shapes, per_year = _shapes(rate, sorted_terms, chosen, due_date_rule, calendar_start, unit_fen)
    bar = _Bar(per_year, max(s.times[-1] for s in shapes), cap)
    search = _Search(rate, unit_fen, amounts, bar)
    for shape in shapes:
        search.visit(shape)
    assert bar.best is not None
    return replace(bar.best, cases=len(amounts) * len(shapes), schedules_built=search.built)


def product_worst_case_brute_force(
    *,
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal = FEN,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
    calendar_start: dt.date,
) -> Decimal:
    """Every case built and solved, no bound used: the reference the search is tested and
    measured against. Slow by design."""
    sorted_terms, chosen, amounts, unit_fen = _validated(
        rate, terms, methods, min_draw, max_draw, draw_step, rounding_unit
    )
    shapes, per_year = _shapes(rate, sorted_terms, chosen, due_date_rule, calendar_start, unit_fen)
    interest = RowInterest.of(rate)
    worst = Decimal(-1)
    for shape in shapes:
        for amount in amounts:
            fixed = fixed_part_fen(amount, shape.term, shape.method, rate, unit_fen)
            rows = schedule_rows_fen(amount, shape.method, interest, shape.days, fixed)
            payments = [from_fen(p + i) for p, i in rows]
            with money_context():
                annualized = irr(from_fen(amount), shape.times, payments) * per_year
            worst = max(worst, disclosed_rate(annualized))
    return worst
