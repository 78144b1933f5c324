"""The exports staff asked for (common/exports.py): their progress, and the finished file
to download, only by who asked and only while they may still export that list."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import ReadOnlyAdminMixin
from common.exports import (
    CONTENT_TYPES,
    EXPORT_PERMISSION,
    export_file_name,
    export_job_file,
    export_model_admin,
)
from common.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ExportJob]):
    list_display = [
        "requested_at",
        "list_name",
        "file_format",
        "state",
        "progress",
        "requested_by",
        "download",
    ]
    list_filter = ["state", "file_format"]
    list_select_related = ["requested_by"]
    ordering = ["-requested_at", "-pk"]
    fields = readonly_fields = (
        "requested_at",
        "list_name",
        "file_format",
        "state",
        "progress",
        "started_at",
        "finished_at",
        "error",
        "requested_by",
        "download",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportJob]:
        # Staff see their own exports (a superuser sees all).
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(requested_by_id=request.user.pk)

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:job_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="common_exportjob_download",
        )
        return [download, *super().get_urls()]

    @admin.display(description=_("list"))
    def list_name(self, job: ExportJob) -> str:
        try:
            return str(export_model_admin(job.model_label).model._meta.verbose_name_plural)
        except LookupError:
            return job.model_label

    class Media:
        js = ["js/export_progress.js"]  # the page reloads while the job runs

    @admin.display(description=_("progress"))
    def progress(self, job: ExportJob) -> str:
        return format_html(
            '<span data-export-state="{}">{} / {} ({}%)</span>',
            job.state,
            job.rows_done,
            job.rows_total,
            job.progress_percent,
        )

    @admin.display(description=_("file"))
    def download(self, job: ExportJob) -> str:
        if job.state != ExportJob.State.DONE:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:common_exportjob_download", args=[job.pk]),
            _("Download"),
        )

    def download_view(self, request: HttpRequest, job_id: int) -> StreamingHttpResponse:
        job = get_object_or_404(ExportJob, pk=job_id, state=ExportJob.State.DONE)
        if job.requested_by_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied
        try:
            model_admin = export_model_admin(job.model_label)
        except LookupError as exc:
            raise PermissionDenied from exc
        # Still allowed to export that list today (a role taken away takes its files too).
        if not (
            request.user.has_perm(EXPORT_PERMISSION) and model_admin.has_view_permission(request)
        ):
            raise PermissionDenied
        response = StreamingHttpResponse(
            export_job_file(job), content_type=CONTENT_TYPES[ExportJob.Format(job.file_format)]
        )
        response["Content-Disposition"] = f'attachment; filename="{export_file_name(job)}"'
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response
