"""Gathering what the risk rules need and storing their decision."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from accounts import selectors as account_selectors
from loans.models import Loan, LoanApplication, RiskDecision, RiskRule, RiskSettings
from loans.risk import RiskContext, RuleSetting, evaluate

# The velocity rule never looks further back than this, whatever staff set.
_LONGEST_WINDOW = dt.timedelta(days=31)


def _rule_settings() -> list[RuleSetting]:
    return [
        RuleSetting(
            code=rule.code,
            weight=rule.weight,
            enabled=rule.enabled,
            amount=rule.amount,
            days=rule.days,
            hours=rule.hours,
            count=rule.count,
            start_hour=rule.start_hour,
            end_hour=rule.end_hour,
        )
        for rule in RiskRule.objects.order_by("code", "pk")
    ]


def risk_context(*, application: LoanApplication, now: dt.datetime) -> RiskContext:
    borrower = application.borrower
    # What is "known" is what this borrower used before the current session: the sign-in
    # that opened this session is from the very device and address being judged.
    session_began = account_selectors.latest_login_at(user=borrower, before=now) or now
    login_ips, login_devices = account_selectors.login_history(user=borrower, before=session_began)
    earlier = LoanApplication.objects.filter(
        borrower=borrower, submitted_at__lt=session_began
    ).exclude(pk=application.pk)
    app_ips = {ip for ip in earlier.values_list("ip_address", flat=True) if ip}
    app_devices = {d for d in earlier.values_list("device_id", flat=True) if d}
    longest = max(
        [dt.timedelta(hours=r.hours or 0) for r in RiskRule.objects.exclude(hours=None)],
        default=dt.timedelta(hours=24),
    )
    window_start = now - min(longest, _LONGEST_WINDOW)
    return RiskContext(
        amount=application.amount,
        now=now,
        timezone=settings.TIME_ZONE,
        previous_loans=Loan.objects.filter(borrower=borrower)
        .exclude(status=Loan.Status.CANCELLED)
        .count(),
        ip_address=application.ip_address or "",
        device_id=application.device_id,
        known_ips=frozenset(login_ips | app_ips),
        known_devices=frozenset(login_devices | app_devices),
        security_changes=tuple(
            (event.kind, event.occurred_at)
            for event in account_selectors.security_changes_since(
                user=borrower, since=now - dt.timedelta(days=31)
            )
        ),
        application_times=tuple(
            LoanApplication.objects.filter(
                borrower=borrower, submitted_at__gte=window_start
            ).values_list("submitted_at", flat=True)
        ),
    )


def risk_evaluate(*, application: LoanApplication, now: dt.datetime) -> RiskDecision:
    """Evaluate and store the decision for a new application (inside its transaction)."""
    risk_settings, _ = RiskSettings.objects.get_or_create(pk=1)
    decision = evaluate(
        risk_context(application=application, now=now),
        _rule_settings(),
        threshold=risk_settings.face_check_threshold,
        repeat_loan_policy=risk_settings.repeat_loan_policy,
    )
    return RiskDecision.objects.create(
        application=application,
        score=decision.score,
        threshold=decision.threshold,
        repeat_loan_policy=decision.repeat_loan_policy,
        face_check_required=decision.face_check_required,
        reasons=[fired.as_json() for fired in decision.fired],
        evaluated_at=now,
    )
