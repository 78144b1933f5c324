"""The close of business (DOMAIN.md §7): one run per business date, as ordered steps, each
over chunks of loans by id range. Records what has been closed, at the grain chosen in
docs/adr/0002-close-of-business-grain.md: per step and chunk (a few hundred rows a night),
never per loan; a loan the close could not process is flagged on the loan itself
(`Loan.close_pending_from`).

Invariants (database):
- one run per business date; a run's state moves only as `RUN_TRANSITIONS` allows, through
  `closing.services` (one service per move), each move an event row (insert-only);
- one record per (run, step) and per (run, step, first loan id) chunk; a chunk's id range
  is ordered and its counts are not negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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


class CloseFailure(models.Model):
    """A loan the close could not process on a day: left out of that day's postings and
    flagged (`Loan.close_pending_from`); closed again, day by day, by the next close or a
    staff retry (DOMAIN.md §7). Resolved once its missing days are closed."""

    run = models.ForeignKey(CloseRun, on_delete=models.PROTECT, related_name="failures")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="close_failures")
    business_date = models.DateField(_("day"))
    step = models.CharField(_("step"), max_length=48)
    error = models.TextField(_("error"))
    occurred_at = models.DateTimeField(_("when"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan the close could not process")
        verbose_name_plural = _("loans the close could not process")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "loan", "step"], name="close_failure_once_per_run_and_step"
            )
        ]
        indexes = [
            models.Index(
                fields=["loan"], condition=Q(resolved_at__isnull=True), name="close_failure_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.business_date} {self.step}"
