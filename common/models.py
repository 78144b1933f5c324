"""The business date (DOMAIN.md §7): the day the platform acts on, as in a core banking
system. It moves only forward, only through `business_date_advance`, and every move is an
event row.

Invariants:
- exactly one calendar row (pk = 1, a check constraint);
- a change event always goes forward (to_date > from_date).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessCalendar(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    current_date = models.DateField(_("business date"))
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
