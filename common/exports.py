"""Exports of the admin's lists as CSV or XLSX files.

A short list is written in the request by django-import-export (common/admin_exports.py).
A list longer than MICROLEND["EXPORT_BACKGROUND_ROWS"] becomes an `ExportJob`: a worker
applies the same admin list's filter again, as the member of staff who asked (so their
permissions are checked again), and streams the rows to a file (CSV row by row, XLSX in
openpyxl's write-only mode, a new sheet whenever one reaches the sheet row limit), then
encrypts it into the private store a chunk at a time. Rows are read with `iterator()`:
never the whole list in memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import translation

from common import private_files
from common.models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "common.export_records"
# Excel's rows per sheet (the header row included).
SHEET_ROW_LIMIT = 1_048_576
READ_CHUNK_ROWS = 2_000
PROGRESS_EVERY_ROWS = 5_000
EXPORT_FOLDER = "exports"
CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_write(out: io.TextIOBase | Any, headers: list[str], rows: Iterable[list[Any]]) -> int:
    """Write the header and each row as it comes; returns the rows written."""
    writer = csv.writer(out)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _cell(value: Any) -> Any:
    # Excel has no time zones: an aware time is written as the local wall-clock time.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_write(
    path: Path,
    headers: list[str],
    rows: Iterable[list[Any]],
    *,
    sheet_row_limit: int = SHEET_ROW_LIMIT,
    sheet_title: str = "Sheet",
) -> tuple[int, int]:
    """Write an XLSX file in openpyxl's write-only mode (rows go to disk as they come).
    Each sheet starts with the header row and holds at most `sheet_row_limit` rows with it;
    the rows that do not fit go on to the next sheet. Returns (rows, sheets)."""
    from openpyxl import Workbook

    if sheet_row_limit < 2:
        raise ValueError("A sheet needs room for the header and at least one row.")
    workbook = Workbook(write_only=True)
    sheets = 0
    sheet: Any = None
    in_sheet = sheet_row_limit  # full: the first row opens the first sheet
    count = 0

    def new_sheet() -> Any:
        nonlocal sheets
        sheets += 1
        created = workbook.create_sheet(title=f"{sheet_title} {sheets}")
        created.append(headers)
        return created

    for row in rows:
        if in_sheet >= sheet_row_limit:
            sheet = new_sheet()
            in_sheet = 1
        sheet.append([_cell(value) for value in row])
        in_sheet += 1
        count += 1
    if sheets == 0:
        new_sheet()
    workbook.save(path)
    return count, sheets


def _admin_request(job: ExportJob) -> HttpRequest:
    """The admin list's request again: its query string, as the member of staff."""
    request = HttpRequest()
    request.method = "GET"
    query = QueryDict(mutable=True)
    for key, values in (job.query or {}).items():
        query.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    request.GET = query  # type: ignore[assignment]
    request.user = job.requested_by
    return request


def export_model_admin(model_label: str) -> Any:
    return admin.site._registry[apps.get_model(model_label)]


def _rows(resource: Any, queryset: Any, *, native: bool) -> Iterator[list[Any]]:
    for instance in queryset.iterator(chunk_size=READ_CHUNK_ROWS):
        yield resource.export_resource(instance, force_native_type=native)


def export_job_request(
    *,
    user: Any,
    model_label: str,
    query: dict[str, list[str]],
    file_format: str,
    language: str,
    now: dt.datetime,
) -> ExportJob:
    """Record a background export of an admin list (its filter as its query string) and
    queue it once committed."""
    from common.tasks import export_job_run_task

    with transaction.atomic(durable=True):
        job = ExportJob.objects.create(
            requested_by=user,
            model_label=model_label,
            query=query,
            file_format=file_format,
            language=language,
            requested_at=now,
        )
        job_id = job.pk
        transaction.on_commit(lambda: export_job_run_task.delay(job_id=job_id))
    return job


def export_job_run(
    *,
    job_id: int,
    clock: Callable[[], dt.datetime],
    sheet_row_limit: int = SHEET_ROW_LIMIT,
    progress_every: int = PROGRESS_EVERY_ROWS,
) -> ExportJob:
    """Write a queued export. Safe to run twice: only a queued job is taken (under its
    row's lock). `clock` gives the time (the run is long: it finishes later than it
    starts)."""
    with transaction.atomic(durable=True):
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=job_id)
        )
        if job.state != ExportJob.State.QUEUED:
            return job
        job.state = ExportJob.State.RUNNING
        job.started_at = clock()
        job.save(update_fields=["state", "started_at"])
    try:
        with translation.override(job.language or None):
            file_name, written = _export_write(
                job, sheet_row_limit=sheet_row_limit, progress_every=progress_every
            )
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=str(exc)[:255], finished_at=clock()
        )
        job.refresh_from_db()
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE,
        file_name=file_name,
        rows_done=written,
        rows_total=written,
        finished_at=clock(),
    )
    job.refresh_from_db()
    return job


def _export_write(job: ExportJob, *, sheet_row_limit: int, progress_every: int) -> tuple[str, int]:
    model_admin = export_model_admin(job.model_label)
    request = _admin_request(job)
    if not model_admin.has_export_permission(request):
        raise PermissionError("The member of staff may no longer export this list.")
    queryset = model_admin.get_export_queryset(request)
    resource_class = model_admin.get_export_resource_classes(request)[0]
    resource = resource_class(**model_admin.get_export_resource_kwargs(request))
    headers = resource.get_export_headers()
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def counted(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        for done, row in enumerate(rows, start=1):
            yield row
            if done % progress_every == 0:
                ExportJob.objects.filter(pk=job.pk).update(
                    rows_done=done, rows_total=max(total, done)
                )

    native = job.file_format == ExportJob.Format.XLSX
    rows = counted(_rows(resource, queryset, native=native))
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / f"export.{job.file_format}"
        if native:
            written, _sheets = xlsx_write(
                path,
                headers,
                rows,
                sheet_row_limit=sheet_row_limit,
                sheet_title=str(model_admin.model._meta.verbose_name_plural)[:20],
            )
        else:
            # A BOM so spreadsheet programs read the Chinese text as UTF-8.
            with path.open("w", encoding="utf-8-sig", newline="") as out:
                written = csv_write(out, headers, rows)
        with path.open("rb") as source:
            name = private_files.file_store_stream(source, folder=EXPORT_FOLDER)
    return name, written


def export_files_purge(*, before: dt.datetime) -> int:
    """Delete the files of exports asked for before `before` (their rows stay, marked
    expired, without a file); returns how many files were deleted. Safe to run twice."""
    jobs = ExportJob.objects.filter(requested_at__lt=before).exclude(file_name="").order_by("pk")
    deleted = 0
    for job in jobs.iterator():
        private_files.file_delete(job.file_name)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.EXPIRED, file_name="")
        deleted += 1
    return deleted


def export_job_file(job: ExportJob) -> Iterator[bytes]:
    return private_files.file_read_stream(job.file_name)


def export_file_name(job: ExportJob) -> str:
    model = apps.get_model(job.model_label)
    return f"{model._meta.model_name}-{job.requested_at:%Y%m%d-%H%M%S}.{job.file_format}"
