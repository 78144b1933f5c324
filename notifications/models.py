"""Notices to borrowers: an in-app list (with an unread count in the top bar), and the same
notice by e-mail and text message through the senders (Django's e-mail backend,
`common.sms`).

A notice is written in the transaction of the event it reports (an application refused,
a loan paid out, ...); each message that leaves the platform is an outbox row
(`NotificationDelivery`) written with it and sent after that transaction commits, then
swept again while it is still pending, as payouts are.

Invariants (database):
- a notice's kind is one of `Notification.Kind`; a deduplication key is used once per
  borrower (a reminder re-run for the same installment and day sends nothing new);
- a notice is read at most once, not before it was made;
- one delivery per notice and channel; a sent delivery has its time; attempts ≥ 0.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    FACE_CHECK_NEEDED = "face_check_needed", _("Face check needed")
    APPLICATION_APPROVED = "application_approved", _("Application approved")
    APPLICATION_REFUSED = "application_refused", _("Application refused")
    APPLICATION_EXPIRED = "application_expired", _("Application expired")
    LOAN_DISBURSED = "loan_disbursed", _("Loan paid out")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")
    PREPAYMENT_APPROVED = "prepayment_approved", _("Prepayment approved")
    PREPAYMENT_REJECTED = "prepayment_rejected", _("Prepayment rejected")
    REPAYMENT_DUE_SOON = "repayment_due_soon", _("Repayment due soon")
    REPAYMENT_DUE_TODAY = "repayment_due_today", _("Repayment due today")
    REPAYMENT_OVERDUE = "repayment_overdue", _("Repayment overdue")


class Notification(models.Model):
    Kind = NotificationKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed first in `notification_by_user` (and the unread and once-only indexes).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    # The facts the text is written from (strings), so it is shown in whichever language
    # the borrower reads it in.
    context = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=255, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind"
            ),
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_once",
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=F("created_at")),
                name="notification_read_after_created",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="notification_by_user"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class NotificationDelivery(models.Model):
    """One message of a notice through one channel: an outbox row, sent after the
    notice's transaction commits."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="delivery_sent_at"
            ),
            models.CheckConstraint(condition=~Q(address=""), name="delivery_has_address"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_by_status")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
