"""Background exports of the admin's lists (common/exports.py): one row per export a
member of staff asked for, with its progress and the finished file in the private store.

Invariants (database):
- the state is one of queued, running, done, failed, expired (the file deleted after its
  retention, MICROLEND["EXPORT_RETENTION_DAYS"]);
- a finished export has its file, its row count and the time it finished;
- row counts are never negative (the count is taken when the export starts; the rows
  written are what the file holds)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")  # the file was deleted after its retention

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    # The admin list exported ("app_label.model_name") and its filter: the list's query
    # string, applied again by the worker through the same admin, with the same user.
    model_label = models.CharField(_("list"), max_length=100)
    query = models.JSONField(_("filter"), default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # The admin's language when it was asked for: the file's headings are in it.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="queued")
    rows_total = models.PositiveIntegerField(_("rows to write"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file (encrypted)"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        permissions = [("export_records", _("Can export admin lists (CSV, XLSX)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed", "expired"]),
                name="export_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | (~Q(file_name="") & Q(finished_at__isnull=False)),
                name="export_done_has_file",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "requested_at"], name="export_by_user")]

    def __str__(self) -> str:
        return f"{self.model_label} {self.file_format} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
