"""The close of business in the admin: the business date and the button that closes it
(through `business_day_close`, the only way the date moves), and the runs with their steps.
(The admin's change form runs inside a transaction; services open their own durable one,
so state changes get their own views.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from closing.models import CloseFailure
from closing.selectors import close_progress
from closing.services import business_day_close
from closing.tasks import close_business_day_task
from common.admin_mixins import ReadOnlyAdminMixin
from common.exceptions import DomainError
from common.models import BusinessCalendar, BusinessDateChange, CloseRun, CloseRunEvent, CloseStep


class CloseBusinessDayForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Close this business day and open the next one"),
        help_text=_("Normally the nightly close of business does this."),
    )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["current_date", "state", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        close = path(
            "close/",
            self.admin_site.admin_view(self.close_view),
            name="common_businesscalendar_close",
        )
        progress = path(
            "close/progress/",
            self.admin_site.admin_view(self.progress_view),
            name="common_businesscalendar_progress",
        )
        return [close, progress, *super().get_urls()]

    def progress_view(self, request: HttpRequest) -> JsonResponse:
        """The close of the current business date (or the last one), step by step, for the
        page's live progress bar."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(close_progress())

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return redirect("admin:common_businesscalendar_close")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("admin:common_businesscalendar_close")

    def close_view(self, request: HttpRequest) -> HttpResponse:
        # Who may look (an auditor) sees the date and the close; only who may change the
        # calendar closes it.
        can_close = self.has_change_permission(request)
        if not (can_close or self.has_view_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and not can_close:
            raise PermissionDenied
        calendar = BusinessCalendar.objects.get(pk=1)
        form = CloseBusinessDayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actor = request.user if isinstance(request.user, User) else None
            if settings.MICROLEND["CLOSE_FROM_ADMIN"] == "task":
                # On the workers: the page follows its progress.
                close_business_day_task.delay(
                    business_date=calendar.current_date.isoformat(),
                    actor_id=actor.pk if actor else None,
                )
                messages.info(request, _("The close of business has started."))
                return HttpResponseRedirect(request.path)
            try:
                run = business_day_close(
                    business_date=calendar.current_date,
                    now=timezone.now(),
                    source=CloseRun.Source.STAFF,
                    actor=actor,
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                calendar.refresh_from_db()
                if run is None:
                    messages.info(request, _("That day was already closed."))
                else:
                    messages.success(
                        request,
                        _("%(closed)s is closed; the business date is now %(date)s.")
                        % {"closed": run.business_date, "date": calendar.current_date},
                    )
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Business date"),
            "opts": self.model._meta,
            "calendar": calendar,
            "form": form,
            "can_close": can_close,
            "changes": BusinessDateChange.objects.select_related("actor").order_by(
                "-changed_at", "-pk"
            )[:20],
            "progress": close_progress(),
        }
        return TemplateResponse(request, "admin/common/business_date_close.html", context)


@admin.register(BusinessDateChange)
class BusinessDateChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[BusinessDateChange]):
    list_display = ["changed_at", "from_date", "to_date", "source", "actor", "reason"]
    list_select_related = ["actor"]
    list_filter = ["source"]
    ordering = ["-changed_at", "-pk"]


class CloseStepInline(ReadOnlyAdminMixin, admin.TabularInline[CloseStep, CloseRun]):
    model = CloseStep
    fields = readonly_fields = (
        "position",
        "step",
        "state",
        "loans_done",
        "loans_total",
        "chunks_done",
        "chunks_total",
        "rows_written",
        "errors",
        "started_at",
        "finished_at",
    )
    ordering = ["position", "pk"]
    extra = 0


class CloseRunEventInline(ReadOnlyAdminMixin, admin.TabularInline[CloseRunEvent, CloseRun]):
    model = CloseRunEvent
    fields = readonly_fields = ("occurred_at", "from_state", "to_state", "actor", "reason")
    ordering = ["occurred_at", "pk"]
    extra = 0


@admin.register(CloseRun)
class CloseRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[CloseRun]):
    list_display = ["business_date", "state", "source", "actor", "started_at", "finished_at"]
    list_filter = ["state", "source"]
    ordering = ["-business_date", "-pk"]
    inlines = [CloseStepInline, CloseRunEventInline]


@admin.register(CloseFailure)
class CloseFailureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[CloseFailure]):
    """Loans a close could not process (DOMAIN.md §7): left out of that day and flagged;
    the next close closes their missing days first."""

    list_display = ["business_date", "loan", "step", "error", "occurred_at", "resolved_at"]
    list_filter = ["resolved_at", "step"]
    list_select_related = ["loan"]
    ordering = ["-occurred_at", "-pk"]
