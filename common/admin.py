"""The business date in the admin: shown on every admin page (templates/admin/base_site.html)
and moved forward by staff here, through the same service the close of business uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError
from common.models import BusinessCalendar, BusinessDateChange
from common.services import business_date_advance


class AdvanceBusinessDateForm(forms.ModelForm[BusinessCalendar]):
    new_date = forms.DateField(
        label=_("Move the business date to"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only forward. Normally the close-of-business job does this every night."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    class Meta:
        model = BusinessCalendar
        fields: list[str] = []

    def clean_new_date(self) -> dt.date:
        new_date: dt.date = self.cleaned_data["new_date"]
        if new_date <= self.instance.current_date:
            raise forms.ValidationError(
                _("The business date can only move forward (it is %(date)s)."),
                params={"date": self.instance.current_date},
            )
        return new_date


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    form = AdvanceBusinessDateForm
    list_display = ["current_date", "updated_at"]
    readonly_fields = ["current_date", "updated_at"]
    fields = ["current_date", "updated_at", "new_date", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: BusinessCalendar, form: Any, change: bool
    ) -> None:
        new_date: dt.date = form.cleaned_data["new_date"]
        try:
            business_date_advance(
                to_date=new_date,
                source=BusinessDateChange.Source.STAFF,
                now=timezone.now(),
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.detail)


@admin.register(BusinessDateChange)
class BusinessDateChangeAdmin(admin.ModelAdmin[BusinessDateChange]):
    list_display = ["changed_at", "from_date", "to_date", "source", "actor", "reason"]
    list_filter = ["source"]
    ordering = ["-changed_at", "-pk"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
