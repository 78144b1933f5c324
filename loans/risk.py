"""The risk evaluation: weighted rules decide, per application, whether a face check is
required, and say why.

`evaluate` is a pure function of a `RiskContext` (what is known about the borrower and the
request) and the staff-tuned rules, so each rule can be tested on its own; the service
gathers the context from the database and stores the decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from loans.models import RepeatLoanPolicy, RiskRuleCode

C = RiskRuleCode

# Defaults seeded by migration loans/0003 (weights out of a face-check threshold of 100):
# a first small loan (50) goes straight through; a large amount (100) alone, or a new
# device (70) with a new IP address (30), asks for a face check.
DEFAULT_THRESHOLD = 100
DEFAULT_RULES: list[tuple[str, int, dict[str, object]]] = [
    (C.FIRST_LOAN, 50, {}),
    (C.AMOUNT_ABOVE_THRESHOLD, 100, {"amount": Decimal("5000.00")}),
    (C.NEW_DEVICE, 70, {}),
    (C.NEW_IP, 30, {}),
    (C.RECENT_SECURITY_CHANGE, 60, {"days": 7}),
    (C.APPLICATION_VELOCITY, 50, {"count": 3, "hours": 24}),
    (C.UNUSUAL_HOUR, 40, {"start_hour": 0, "end_hour": 6}),
]


@dataclass(frozen=True)
class RuleSetting:
    """A rule as staff configured it (a snapshot of a RiskRule row)."""

    code: str
    weight: int
    enabled: bool = True
    amount: Decimal | None = None
    days: int | None = None
    hours: int | None = None
    count: int | None = None
    start_hour: int | None = None
    end_hour: int | None = None


@dataclass(frozen=True)
class RiskContext:
    amount: Decimal
    now: dt.datetime
    timezone: str
    previous_loans: int
    ip_address: str
    device_id: str
    known_ips: frozenset[str]
    known_devices: frozenset[str]
    # Time of each password, phone or bank-card change, newest first.
    security_changes: Sequence[tuple[str, dt.datetime]] = ()
    # Submission times of the borrower's applications, this one included.
    application_times: Sequence[dt.datetime] = ()


@dataclass(frozen=True)
class FiredRule:
    code: str
    weight: int
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "weight": self.weight, "reason": self.reason}


@dataclass(frozen=True)
class Decision:
    score: int
    threshold: int
    face_check_required: bool
    repeat_loan_policy: str
    fired: tuple[FiredRule, ...] = field(default_factory=tuple)


def _first_loan(ctx: RiskContext, rule: RuleSetting) -> str | None:
    return "This is the borrower's first loan." if ctx.previous_loans == 0 else None


def _amount(ctx: RiskContext, rule: RuleSetting) -> str | None:
    if rule.amount is not None and ctx.amount > rule.amount:
        return f"The amount {ctx.amount} is above {rule.amount}."
    return None


def _new_device(ctx: RiskContext, rule: RuleSetting) -> str | None:
    # A borrower with no history has nothing to compare with; the first-loan rule covers
    # that case.
    if ctx.known_devices and ctx.device_id not in ctx.known_devices:
        return "The request comes from a device this borrower has not used before."
    return None


def _new_ip(ctx: RiskContext, rule: RuleSetting) -> str | None:
    if ctx.known_ips and ctx.ip_address not in ctx.known_ips:
        return f"The request comes from a new IP address ({ctx.ip_address})."
    return None


def _recent_change(ctx: RiskContext, rule: RuleSetting) -> str | None:
    since = ctx.now - dt.timedelta(days=rule.days or 0)
    recent = [kind for kind, at in ctx.security_changes if at >= since]
    if recent:
        kinds = ", ".join(sorted(set(recent)))
        return f"Security details changed in the last {rule.days} days ({kinds})."
    return None


def _velocity(ctx: RiskContext, rule: RuleSetting) -> str | None:
    since = ctx.now - dt.timedelta(hours=rule.hours or 0)
    recent = sum(1 for at in ctx.application_times if at >= since)
    if rule.count is not None and recent >= rule.count:
        return f"{recent} applications in the last {rule.hours} hours."
    return None


def _unusual_hour(ctx: RiskContext, rule: RuleSetting) -> str | None:
    if rule.start_hour is None or rule.end_hour is None:
        return None
    local = ctx.now.astimezone(ZoneInfo(ctx.timezone))
    start, end = rule.start_hour, rule.end_hour
    inside = (
        start <= local.hour < end if start <= end else (local.hour >= start or local.hour < end)
    )
    if inside:
        return f"Submitted at {local:%H:%M} local time, between {start}:00 and {end}:00."
    return None


RULES: dict[str, Callable[[RiskContext, RuleSetting], str | None]] = {
    C.FIRST_LOAN: _first_loan,
    C.AMOUNT_ABOVE_THRESHOLD: _amount,
    C.NEW_DEVICE: _new_device,
    C.NEW_IP: _new_ip,
    C.RECENT_SECURITY_CHANGE: _recent_change,
    C.APPLICATION_VELOCITY: _velocity,
    C.UNUSUAL_HOUR: _unusual_hour,
}


def evaluate(
    ctx: RiskContext, rules: Sequence[RuleSetting], *, threshold: int, repeat_loan_policy: str
) -> Decision:
    """Sum the weights of the rules that fire; a face check is required at or above the
    threshold, and always for a repeat loan when the policy says so."""
    fired = []
    for rule in rules:
        check = RULES.get(rule.code)
        if not rule.enabled or check is None:
            continue
        reason = check(ctx, rule)
        if reason is not None:
            fired.append(FiredRule(rule.code, rule.weight, reason))
    score = sum(f.weight for f in fired)
    required = score >= threshold
    if repeat_loan_policy == RepeatLoanPolicy.ALWAYS and ctx.previous_loans > 0:
        fired.append(FiredRule("repeat_loan", 0, "Policy: every repeat loan is checked."))
        required = True
    return Decision(
        score=score,
        threshold=threshold,
        face_check_required=required,
        repeat_loan_policy=repeat_loan_policy,
        fired=tuple(fired),
    )
