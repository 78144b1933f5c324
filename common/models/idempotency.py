"""Idempotency records of requests that move money (common/idempotency.py).

Invariant (database): one record per (user, operation, key)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

IDEMPOTENCY_KEY_MAX_LENGTH = 64


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
