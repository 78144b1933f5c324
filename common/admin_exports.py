"""CSV and XLSX exports of an admin list, with its filter (django-import-export's export
page, reached from the list's "Export" button, which carries the list's query string).

Exporting needs the export permission and the list's view permission. A list of up to
MICROLEND["EXPORT_BACKGROUND_ROWS"] rows is written in the request; a longer one becomes
a background export (common/exports.py) that staff download from the admin's exports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.db.models.fields.related import RelatedField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm

from common.exports import EXPORT_PERMISSION, export_job_request
from common.models import ExportJob


class ListResource(resources.ModelResource):
    """Columns headed by the fields' names in the staff's language (a related column by its
    relation's name: "borrower", not "username"); choices written as staff read them."""

    def _model_field(self, attribute: str) -> Any:
        model: type[Model] = self._meta.model
        first, *rest = attribute.split("__")
        field = model._meta.get_field(first)
        return field, rest

    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        headers = []
        for field in self.get_export_fields(selected_fields):
            model_field, _rest = self._model_field(field.attribute or field.column_name)
            headers.append(force_str(getattr(model_field, "verbose_name", field.column_name)))
        return headers

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        model_field, rest = self._model_field(field.attribute or field.column_name)
        if not rest and not isinstance(model_field, RelatedField) and model_field.choices:
            return force_str(getattr(instance, f"get_{model_field.name}_display")())
        return super().export_field(field, instance, **kwargs)


class ListExportMixin(ExportMixin):
    """The admin list's "Export" (CSV, XLSX), in the request or in the background."""

    export_form_class = ExportForm
    # A byte-order mark: spreadsheet programs then read the Chinese text as UTF-8.
    to_encoding = "utf-8-sig"

    def get_export_formats(self) -> list[type[base_formats.Format]]:
        return [base_formats.CSV, base_formats.XLSX]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EXPORT_PERMISSION) and self.has_view_permission(request))

    def _do_file_export(
        self,
        file_format: base_formats.Format,
        request: HttpRequest,
        queryset: QuerySet[Any],
        export_form: Any = None,
    ) -> HttpResponse:
        threshold = int(settings.MICROLEND["EXPORT_BACKGROUND_ROWS"])
        if queryset.count() <= threshold:
            return super()._do_file_export(  # type: ignore[no-any-return]
                file_format, request, queryset, export_form=export_form
            )
        kind = ExportJob.Format.XLSX if file_format.is_binary() else ExportJob.Format.CSV
        job = export_job_request(
            user=request.user,
            model_label=self.model._meta.label_lower,
            query={key: request.GET.getlist(key) for key in request.GET},
            file_format=kind,
            language=get_language() or "",
            now=timezone.now(),
        )
        messages.info(
            request,
            _(
                "The list is long: it is being exported in the background. Download the "
                "file here when it is ready."
            ),
        )
        return HttpResponseRedirect(reverse("admin:common_exportjob_change", args=[job.pk]))
