"""The highest annualized rate a product can produce, found exactly and fast (DOMAIN.md §2).

A product is checked against the rate cap over every case a borrower can reach: every first
period the due-date rules allow (a daily-rate draw's first period runs 15 to 45 days, and
the months after it are the calendar's), every term and method offered, and every amount
from the smallest draw to the largest in draw steps. That is over a million schedules for
the demo micro-loan product and hundreds of thousands for a bank product of 12-360 months;
building and solving them all takes minutes to an hour. The search below builds only the
few that could matter and proves that none of the others can be worse. Given the cap, it
stops at the first case above it.

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

from loans.schedule.worst_case.search import (
    WorstCase,
    draw_amounts,
    product_worst_case,
    product_worst_case_brute_force,
)
from loans.schedule.worst_case.shapes import daily_period_days

__all__ = [
    "WorstCase",
    "daily_period_days",
    "draw_amounts",
    "product_worst_case",
    "product_worst_case_brute_force",
]
