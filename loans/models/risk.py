"""The risk evaluation's settings (edited by staff) and the decision it stores per
application."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField
from loans.models.applications import LoanApplication


class RepeatLoanPolicy(models.TextChoices):
    ALWAYS = "always", _("Always check repeat loans")
    BY_RISK = "by_risk", _("Check repeat loans when the score says so")


class RiskRuleCode(models.TextChoices):
    FIRST_LOAN = "first_loan", _("First loan")
    AMOUNT_ABOVE_THRESHOLD = "amount_above_threshold", _("Amount above a threshold")
    NEW_DEVICE = "new_device", _("New device")
    NEW_IP = "new_ip", _("New IP address")
    RECENT_SECURITY_CHANGE = "recent_security_change", _("Password, phone or card changed recently")
    APPLICATION_VELOCITY = "application_velocity", _("Many applications in a short time")
    UNUSUAL_HOUR = "unusual_hour", _("Unusual hour")


class RiskSettings(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    face_check_threshold = models.PositiveSmallIntegerField(
        _("score that requires a face check"), default=100
    )
    repeat_loan_policy = models.CharField(
        _("repeat loans"),
        max_length=16,
        choices=RepeatLoanPolicy.choices,
        default=RepeatLoanPolicy.BY_RISK,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="risk_settings_singleton"),
            models.CheckConstraint(
                condition=Q(face_check_threshold__gt=0), name="risk_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Risk settings"))


class RiskRule(models.Model):
    """One weighted rule. Which parameters a rule reads is stated in its description."""

    code = models.CharField(_("rule"), max_length=40, choices=RiskRuleCode.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    amount = MoneyField(_("amount parameter"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("days parameter"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours parameter"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("count parameter"), null=True, blank=True)
    start_hour = models.PositiveSmallIntegerField(_("from hour"), null=True, blank=True)
    end_hour = models.PositiveSmallIntegerField(_("to hour"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_hour__isnull=True) | Q(start_hour__lte=23))
                & (Q(end_hour__isnull=True) | Q(end_hour__lte=24)),
                name="risk_rule_hours",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.weight})"


class RiskDecision(models.Model):
    """What the evaluation decided for one application and why; shown to staff."""

    application = models.OneToOneField(
        LoanApplication, on_delete=models.PROTECT, related_name="risk_decision"
    )
    score = models.PositiveIntegerField(_("score"))
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    repeat_loan_policy = models.CharField(max_length=16, choices=RepeatLoanPolicy.choices)
    face_check_required = models.BooleanField(_("face check required"))
    reasons = models.JSONField(_("rules that fired"), default=list)
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("risk decision")
        verbose_name_plural = _("risk decisions")

    def __str__(self) -> str:
        return f"{self.score}/{self.threshold} face={self.face_check_required}"
