"""The business date in the admin: shown on every admin page (templates/admin/base_site.html)
and moved forward by staff on its own page, through the same service the close of business
uses. (The admin's change form runs inside a transaction; services open their own durable
one, so state changes get their own views.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import ReadOnlyAdminMixin
from common.exceptions import DomainError
from common.models import BusinessCalendar, BusinessDateChange
from common.services import business_date_advance


class AdvanceBusinessDateForm(forms.Form):
    new_date = forms.DateField(
        label=_("Move the business date to"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only forward. Normally the close-of-business job does this every night."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args: Any, current_date: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_date = current_date

    def clean_new_date(self) -> dt.date:
        new_date: dt.date = self.cleaned_data["new_date"]
        if new_date <= self.current_date:
            raise forms.ValidationError(
                _("The business date can only move forward (it is %(date)s)."),
                params={"date": self.current_date},
            )
        if new_date != self.current_date + dt.timedelta(days=1):
            # Every business day is closed in turn; skipping days would skip their close.
            raise forms.ValidationError(
                _("Move the business date one day at a time, to %(next)s."),
                params={"next": self.current_date + dt.timedelta(days=1)},
            )
        return new_date


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["current_date", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        advance = path(
            "advance/",
            self.admin_site.admin_view(self.advance_view),
            name="common_businesscalendar_advance",
        )
        return [advance, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return redirect("admin:common_businesscalendar_advance")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("admin:common_businesscalendar_advance")

    def advance_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        calendar = BusinessCalendar.objects.get(pk=1)
        form = AdvanceBusinessDateForm(request.POST or None, current_date=calendar.current_date)
        if request.method == "POST" and form.is_valid():
            try:
                change = business_date_advance(
                    to_date=form.cleaned_data["new_date"],
                    source=BusinessDateChange.Source.STAFF,
                    now=timezone.now(),
                    actor=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(
                    request,
                    _("The business date is now %(date)s.") % {"date": change.to_date},
                )
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Business date"),
            "opts": self.model._meta,
            "calendar": calendar,
            "form": form,
            "changes": BusinessDateChange.objects.select_related("actor").order_by(
                "-changed_at", "-pk"
            )[:20],
        }
        return TemplateResponse(request, "admin/common/business_date_advance.html", context)


@admin.register(BusinessDateChange)
class BusinessDateChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[BusinessDateChange]):
    list_display = ["changed_at", "from_date", "to_date", "source", "actor", "reason"]
    list_select_related = ["actor"]
    list_filter = ["source"]
    ordering = ["-changed_at", "-pk"]
