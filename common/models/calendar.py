"""The business date (DOMAIN.md §7): the day the platform acts on, as in a core banking
system. It moves one day at a time and only through the close of business
(`closing.services.business_day_close`), and every move is an event row.

Invariants:
- exactly one calendar row (pk = 1, a check constraint);
- the calendar is open or closing; while closing, the current date is the day being
  closed (the next day opens when the close ends);
- a change event moves exactly one day forward (PostgreSQL check), and change events are
  insert-only (trigger);
- one close-of-business run per business date; a run's state moves only as
  `RUN_TRANSITIONS` allows, through `closing.services` (one service per move), each move an
  event row (insert-only); one record per (run, step) and per (run, step, first loan id)
  chunk, the grain of what has been closed (docs/adr/0002-close-of-business-grain.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Stopped with an error")


RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    # A stopped run is resumed (running again) by the next start for the same date.
    RunState.RUNNING: frozenset({RunState.COMPLETED, RunState.FAILED}),
    RunState.FAILED: frozenset({RunState.RUNNING}),
    RunState.COMPLETED: frozenset(),
}


class CloseRun(models.Model):
    """The close of one business date."""

    class Source(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        STAFF = "staff", _("Staff")
        COMMAND = "command", _("Management command")

    business_date = models.DateField(_("business date"), unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.RUNNING
    )
    source = models.CharField(_("started by"), max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff"),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("close of business")
        verbose_name_plural = _("closes of business")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=RunState.RUNNING) | Q(finished_at__isnull=False),
                name="close_run_finished_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.state}"


class CloseRunEvent(models.Model):
    """One row per state change of a run (insert-only)."""

    run = models.ForeignKey(CloseRun, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=16, choices=RunState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=RunState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("close of business event")
        verbose_name_plural = _("close of business events")

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


class CloseStep(models.Model):
    """One step of a run (accrue interest, move installments to due, ...), with its
    progress over the chunks of loans."""

    run = models.ForeignKey(CloseRun, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("step"), max_length=48)
    position = models.PositiveSmallIntegerField(_("order"))
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.RUNNING
    )
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    loans_total = models.PositiveIntegerField(_("loans"), default=0)
    loans_done = models.PositiveIntegerField(_("loans done"), default=0)
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    counts = models.JSONField(_("what it did"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("close of business step")
        verbose_name_plural = _("close of business steps")
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="close_step_once_per_run"),
            models.CheckConstraint(
                condition=Q(chunks_done__lte=F("chunks_total"), loans_done__lte=F("loans_total")),
                name="close_step_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run.business_date} {self.step} {self.state}"


class CloseChunk(models.Model):
    """The loans with ids in [first_loan_id, last_loan_id] for one step of a run: the
    grain of what has been closed. A chunk is done once, in its own short transaction."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    step = models.ForeignKey(CloseStep, on_delete=models.PROTECT, related_name="chunks")
    first_loan_id = models.BigIntegerField()
    last_loan_id = models.BigIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    loans = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    failed_loans = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What each rule wrote in this chunk (rows, journal amounts as strings).
    counts = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("close of business chunk")
        verbose_name_plural = _("close of business chunks")
        constraints = [
            models.UniqueConstraint(fields=["step", "first_loan_id"], name="close_chunk_once"),
            models.CheckConstraint(
                condition=Q(last_loan_id__gte=F("first_loan_id")), name="close_chunk_range"
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(finished_at__isnull=False),
                name="close_chunk_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_loan_id}-{self.last_loan_id} {self.state}"
