"""The business date (DOMAIN.md §7): the day the platform acts on, as in a core banking
system. It moves one day at a time and only through the close of business
(`closing.services.business_day_close`), and every move is an event row.

Invariants:
- exactly one calendar row (pk = 1, a check constraint);
- the calendar is open or closing; while closing, the current date is the day being
  closed (the next day opens when the close ends);
- a change event moves exactly one day forward (PostgreSQL check), and change events are
  insert-only (trigger);
- one idempotency record per (user, operation, key) (common/idempotency.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

IDEMPOTENCY_KEY_MAX_LENGTH = 64


class BusinessCalendar(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSING = "closing", _("Close of business running")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    current_date = models.DateField(_("business date"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business date")
        verbose_name_plural = _("business date")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="calendar_singleton")]

    def __str__(self) -> str:
        return self.current_date.isoformat()


class BusinessDateChange(models.Model):
    class Source(models.TextChoices):
        CLOSE_OF_BUSINESS = "close_of_business", _("Close of business")
        STAFF = "staff", _("Staff")

    from_date = models.DateField()
    to_date = models.DateField()
    source = models.CharField(max_length=32, choices=Source.choices)
    reason = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__gt=models.F("from_date")),
                name="business_date_moves_forward",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_date} → {self.to_date} ({self.source})"


class IdempotencyRecord(models.Model):
    """The first answer to a request under an idempotency key (common/idempotency.py).

    Invariant (database): one record per (user, operation, key)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    operation = models.CharField(_("operation"), max_length=64)
    key = models.CharField(_("key"), max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "operation", "key"], name="idempotency_key_once_per_operation"
            ),
            models.CheckConstraint(
                condition=models.Q(state="in_progress")
                | models.Q(response_status__isnull=False, completed_at__isnull=False),
                name="idempotency_completed_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key} {self.state}"
