"""Back office for face checks: attempts with their quality, liveness and match results,
frames viewable only with the dedicated permission (every view logged), and the manual
review queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common import private_files
from common.admin_mixins import ReadOnlyAdminMixin as ReadOnly
from common.exceptions import DomainError
from common.request_context import client_ip
from common.selectors import business_date_get
from verification.models import (
    FaceDataAccess,
    FaceDataEvent,
    FaceEnrolment,
    ManualReview,
    VerificationAttempt,
    VerificationSession,
)
from verification.services import face_data_access_record, manual_review_decide

FACE_DATA_PERMISSION = "verification.view_face_data"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets staff in
    return user


def _log_access(request: HttpRequest, *, borrower_id: int, what: str, attempt: Any = None) -> None:
    face_data_access_record(
        staff=_staff(request),
        borrower_id=borrower_id,
        what=what,
        attempt=attempt,
        ip_address=client_ip(request),
        now=timezone.now(),
    )


def _private_image(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnly, admin.ModelAdmin[VerificationAttempt]):
    list_display = [
        "submitted_at",
        "borrower",
        "number",
        "passed",
        "failure_code",
        "no_face_seen",
        "best_distance",
        "match_threshold",
        "frame_count",
        "duration_ms",
    ]
    list_filter = ["passed", "failure_code", "no_face_seen"]
    search_fields = ["borrower__username", "borrower__phone", "session__public_id"]
    list_select_related = ["borrower"]
    ordering = ["-submitted_at", "-pk"]
    date_hierarchy = "submitted_at"
    exclude = ["frame_names", "frame_hashes"]
    readonly_fields = ["frames_view"]

    def get_urls(self) -> list[URLPattern]:
        frames = path(
            "<int:attempt_id>/frames/<int:index>/",
            self.admin_site.admin_view(self.frame_view),
            name="verification_attempt_frame",
        )
        return [frames, *super().get_urls()]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The frames' links only for staff who may open them.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(FACE_DATA_PERMISSION):
            fields.remove("frames_view")
        return fields

    @admin.display(description=_("frames"))
    def frames_view(self, attempt: VerificationAttempt) -> str:
        if attempt.frames_deleted_at is not None:
            return str(
                _("Deleted on %(date)s.") % {"date": f"{attempt.frames_deleted_at:%Y-%m-%d}"}
            )
        links = [
            (reverse("admin:verification_attempt_frame", args=[attempt.pk, index]), index + 1)
            for index in range(len(attempt.frame_names))
        ]
        return format_html(
            "{} {}",
            _("Viewing frames requires the face-data permission and is logged:"),
            format_html_join(" ", '<a href="{}" target="_blank" rel="noopener">#{}</a>', links),
        )

    def frame_view(self, request: HttpRequest, attempt_id: int, index: int) -> HttpResponse:
        if not request.user.has_perm(FACE_DATA_PERMISSION):
            raise PermissionDenied
        attempt = get_object_or_404(VerificationAttempt, pk=attempt_id)
        if index >= len(attempt.frame_names):
            raise PermissionDenied
        _log_access(
            request,
            borrower_id=attempt.borrower_id,
            what=f"attempt frame {index + 1}",
            attempt=attempt,
        )
        return _private_image(private_files.file_read(attempt.frame_names[index]))


class AttemptInline(ReadOnly, admin.TabularInline[VerificationAttempt, VerificationSession]):
    model = VerificationAttempt
    fields = (
        "number",
        "submitted_at",
        "passed",
        "failure_code",
        "no_face_seen",
        "best_distance",
        "duration_ms",
    )
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(VerificationSession)
class VerificationSessionAdmin(ReadOnly, admin.ModelAdmin[VerificationSession]):
    list_display = ["created_at", "borrower", "application", "status", "challenge"]
    list_filter = ["status"]
    list_select_related = ["borrower", "application"]
    ordering = ["-created_at", "-pk"]
    exclude = ["nonce"]
    inlines = [AttemptInline]


@admin.register(FaceEnrolment)
class FaceEnrolmentAdmin(ReadOnly, admin.ModelAdmin[FaceEnrolment]):
    list_display = ["user", "enrolled_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__phone"]
    fields = readonly_fields = ("user", "enrolled_at", "quality", "photo_view")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The photo's link only for staff who may open it.
        if request.user.has_perm(FACE_DATA_PERMISSION):
            return self.fields
        return [name for name in self.fields if name != "photo_view"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    def get_urls(self) -> list[URLPattern]:
        photo = path(
            "<int:enrolment_id>/photo/",
            self.admin_site.admin_view(self.photo_image),
            name="verification_enrolment_photo",
        )
        return [photo, *super().get_urls()]

    @admin.display(description=_("reference photo"))
    def photo_view(self, enrolment: FaceEnrolment) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:verification_enrolment_photo", args=[enrolment.pk]),
            _("Open (requires the face-data permission; logged)"),
        )

    def photo_image(self, request: HttpRequest, enrolment_id: int) -> HttpResponse:
        if not request.user.has_perm(FACE_DATA_PERMISSION):
            raise PermissionDenied
        enrolment = get_object_or_404(FaceEnrolment, pk=enrolment_id)
        _log_access(request, borrower_id=enrolment.user_id, what="reference photo")
        return _private_image(private_files.file_read(enrolment.photo_name))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Identity confirmed")), ("reject", _("Identity not confirmed"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("How was the identity checked?"), max_length=255, widget=forms.Textarea
    )


@admin.register(ManualReview)
class ManualReviewAdmin(ReadOnly, admin.ModelAdmin[ManualReview]):
    list_display = ["requested_at", "borrower", "application", "reason", "status", "reviewer"]
    list_filter = ["status", "reason"]
    list_select_related = ["borrower", "application", "reviewer"]
    ordering = ["status", "requested_at", "pk"]

    def get_urls(self) -> list[URLPattern]:
        decide = path(
            "<int:review_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="verification_manualreview_decide",
        )
        return [decide, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return HttpResponseRedirect(
            reverse("admin:verification_manualreview_decide", args=[object_id])
        )

    def decide_view(self, request: HttpRequest, review_id: int) -> HttpResponse:
        # Who may look (an auditor) sees the review; only who may change it decides.
        # (The admin's own change permission is off: reviews change only through here.)
        can_decide = request.user.has_perm("verification.change_manualreview")
        if not (can_decide or self.has_view_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and not can_decide:
            raise PermissionDenied
        review = get_object_or_404(
            ManualReview.objects.select_related("borrower", "application", "reviewer"), pk=review_id
        )
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                manual_review_decide(
                    review_id=review.pk,
                    reviewer=_staff(request),
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                    business_date=business_date_get(),
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("The review is decided."))
                return HttpResponseRedirect(reverse("admin:verification_manualreview_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Manual identity review"),
            "opts": self.model._meta,
            "review": review,
            "form": form,
            "can_decide": can_decide,
        }
        return TemplateResponse(request, "admin/verification/manual_review_decide.html", context)


@admin.register(FaceDataEvent)
class FaceDataEventAdmin(ReadOnly, admin.ModelAdmin[FaceDataEvent]):
    list_display = ["occurred_at", "user", "kind", "detail"]
    list_select_related = ["user"]
    list_filter = ["kind"]
    ordering = ["-occurred_at", "-pk"]


@admin.register(FaceDataAccess)
class FaceDataAccessAdmin(ReadOnly, admin.ModelAdmin[FaceDataAccess]):
    list_display = ["accessed_at", "staff", "borrower", "what", "ip_address"]
    list_select_related = ["staff", "borrower"]
    ordering = ["-accessed_at", "-pk"]
