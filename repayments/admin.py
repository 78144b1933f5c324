"""Back office for repayments: the queue of written prepayment applications to review (each
with its loan, repayment history, the eligibility checks as of today and its four documents,
openable only with the dedicated permission, every look logged), approve or reject
(maker-checker, a reason to reject) through the services; and read-only lists of
repayments with their receipts, refunds, overdue and credit-report records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from common.admin_exports import ListExportMixin, ListResource
from common.admin_mixins import ReadOnlyAdminMixin as ReadOnly
from common.exceptions import DomainError
from common.request_context import client_ip
from common.selectors import business_date_get
from repayments.models import (
    Allocation,
    CreditReportRecord,
    DocumentAccess,
    OverdueRecord,
    PrepaymentApplication,
    PrepaymentDocument,
    PrepaymentEvent,
    Refund,
    Repayment,
)
from repayments.services.prepayments import (
    prepayment_application_approve,
    prepayment_application_reject,
    prepayment_document_open,
    prepayment_eligibility,
)

DOCUMENTS_PERMISSION = "repayments.view_prepayment_documents"
REVIEW_PERMISSION = "repayments.review_prepaymentapplication"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets staff in
    return user


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required to reject; sent to the borrower)"),
        max_length=255,
        required=False,
        widget=forms.Textarea,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is rejected."))
        return data


class EventInline(ReadOnly, admin.TabularInline[PrepaymentEvent, PrepaymentApplication]):
    model = PrepaymentEvent
    fields = readonly_fields = (
        "occurred_at",
        "from_status",
        "to_status",
        "source",
        "actor",
        "reason",
    )
    ordering = ["occurred_at", "pk"]
    extra = 0


@admin.register(PrepaymentApplication)
class PrepaymentApplicationAdmin(ReadOnly, SimpleHistoryAdmin[PrepaymentApplication]):
    list_display = [
        "requested_date",
        "status",
        "kind",
        "principal",
        "option",
        "loan",
        "borrower",
        "submitted_at",
        "decided_by",
    ]
    list_filter = ["status", "kind", "requested_date"]
    list_select_related = ["loan", "borrower", "decided_by"]
    search_fields = ["public_id", "loan__public_id", "borrower__phone", "borrower__email"]
    # The queue: what waits for review first, the nearest repayment date first.
    ordering = ["status", "requested_date", "pk"]
    inlines = [EventInline]
    actions = ["approve_selected"]

    def get_urls(self) -> list[URLPattern]:
        urls = [
            path(
                "<int:application_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="repayments_prepaymentapplication_review",
            ),
            path(
                "documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="repayments_prepaymentdocument_open",
            ),
        ]
        return [*urls, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return HttpResponseRedirect(
            reverse("admin:repayments_prepaymentapplication_review", args=[object_id])
        )

    @admin.action(description=_("Approve the selected applications"), permissions=["review"])
    def approve_selected(
        self, request: HttpRequest, queryset: QuerySet[PrepaymentApplication]
    ) -> None:
        approved = 0
        for application in queryset.order_by("pk"):
            try:
                prepayment_application_approve(
                    application_id=application.pk,
                    reviewer=_staff(request),
                    business_date=business_date_get(),
                    now=timezone.now(),
                )
            except DomainError as exc:
                messages.error(request, f"{application.public_id}: {exc.detail}")
            else:
                approved += 1
        if approved:
            messages.success(request, _("%(n)s applications approved.") % {"n": approved})

    def has_review_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(REVIEW_PERMISSION))

    def review_view(self, request: HttpRequest, application_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(
            PrepaymentApplication.objects.select_related(
                "loan__product", "borrower__profile", "decided_by"
            ),
            pk=application_id,
        )
        form = DecisionForm(request.POST or None)
        can_review = self.has_review_permission(request)
        if request.method == "POST":
            if not can_review:
                raise PermissionDenied
            if form.is_valid():
                try:
                    if form.cleaned_data["decision"] == "approve":
                        prepayment_application_approve(
                            application_id=application.pk,
                            reviewer=_staff(request),
                            business_date=business_date_get(),
                            now=timezone.now(),
                        )
                    else:
                        prepayment_application_reject(
                            application_id=application.pk,
                            reviewer=_staff(request),
                            reason=form.cleaned_data["reason"],
                            now=timezone.now(),
                        )
                except DomainError as exc:
                    form.add_error(None, exc.detail)
                else:
                    messages.success(request, _("The application is decided."))
                    return HttpResponseRedirect(
                        reverse("admin:repayments_prepaymentapplication_changelist")
                    )
        loan = application.loan
        eligibility = prepayment_eligibility(
            loan=loan,
            kind=application.kind,
            requested_date=application.requested_date,
            on=business_date_get(),
            principal=application.principal if application.kind == "partial" else None,
            option=application.option,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Prepayment application"),
            "opts": self.model._meta,
            "application": application,
            "loan": loan,
            "profile": getattr(application.borrower, "profile", None),
            "eligibility": eligibility,
            "repayments": Repayment.objects.filter(loan=loan).order_by("-requested_at", "-pk")[:50],
            "documents": application.documents.order_by("kind"),
            "can_open_documents": request.user.has_perm(DOCUMENTS_PERMISSION),
            "can_review": can_review and application.status == "submitted",
            "form": form,
        }
        return TemplateResponse(request, "admin/repayments/prepayment_review.html", context)

    def document_view(self, request: HttpRequest, document_id: int) -> HttpResponse:
        """A document, decrypted for a member of staff with the dedicated permission; the
        look is logged. Never cached, never served from a public URL."""
        if not request.user.has_perm(DOCUMENTS_PERMISSION):
            raise PermissionDenied
        document, data = prepayment_document_open(
            document_id=document_id,
            staff=_staff(request),
            ip_address=client_ip(request) or None,
            now=timezone.now(),
        )
        response = HttpResponse(data, content_type=document.content_type)
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = "inline"
        # A PDF is shown by the browser's viewer in a sandbox, never run as a page.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnly, admin.ModelAdmin[DocumentAccess]):
    list_display = ["accessed_at", "staff", "document", "ip_address"]
    list_select_related = ["staff", "document"]
    ordering = ["-accessed_at", "-pk"]


class AllocationInline(ReadOnly, admin.TabularInline[Allocation, Repayment]):
    model = Allocation
    fields = readonly_fields = ("installment", "component", "standing", "amount")
    ordering = ["pk"]
    extra = 0


@admin.register(Repayment)
class RepaymentAdmin(ReadOnly, admin.ModelAdmin[Repayment]):
    list_display = [
        "requested_at",
        "kind",
        "status",
        "amount",
        "overpaid",
        "loan",
        "borrower",
        "business_date",
        "card_masked",
    ]
    list_filter = ["status", "kind", "business_date"]
    list_select_related = ["loan", "borrower"]
    search_fields = ["public_id", "loan__public_id", "gateway_reference"]
    ordering = ["-requested_at", "-pk"]
    inlines = [AllocationInline]


@admin.register(Refund)
class RefundAdmin(ReadOnly, admin.ModelAdmin[Refund]):
    list_display = ["requested_at", "status", "amount", "loan", "borrower", "card_masked"]
    list_filter = ["status"]
    list_select_related = ["loan", "borrower"]
    ordering = ["-requested_at", "-pk"]


class OverdueRecordResource(ListResource):
    loan = Field(attribute="loan__public_id")
    borrower = Field(attribute="borrower__username")
    installment = Field(attribute="installment__number")

    class Meta:
        model = OverdueRecord
        fields = export_order = (
            "loan",
            "installment",
            "borrower",
            "due_date",
            "overdue_from",
            "principal_overdue",
            "interest_overdue",
            "settled_date",
            "retain_until",
            "created_at",
        )


class CreditReportRecordResource(ListResource):
    borrower = Field(attribute="borrower__username")
    overdue_record = Field(attribute="overdue_record__loan__public_id")

    class Meta:
        model = CreditReportRecord
        fields = export_order = (
            "borrower",
            "overdue_record",
            "state",
            "notified_on",
            "report_after",
            "reported_at",
            "retain_until",
        )


@admin.register(OverdueRecord)
class OverdueRecordAdmin(ListExportMixin, ReadOnly, admin.ModelAdmin[OverdueRecord]):
    resource_classes = [OverdueRecordResource]
    list_display = [
        "overdue_from",
        "due_date",
        "loan",
        "borrower",
        "principal_overdue",
        "interest_overdue",
        "settled_date",
        "retain_until",
    ]
    list_filter = ["settled_date", "overdue_from"]
    list_select_related = ["loan", "borrower", "installment"]
    ordering = ["-overdue_from", "-pk"]


@admin.register(CreditReportRecord)
class CreditReportRecordAdmin(ListExportMixin, ReadOnly, admin.ModelAdmin[CreditReportRecord]):
    resource_classes = [CreditReportRecordResource]
    list_display = ["notified_on", "report_after", "state", "borrower", "overdue_record"]
    list_filter = ["state"]
    list_select_related = ["borrower", "overdue_record__loan"]
    ordering = ["-notified_on", "-pk"]


@admin.register(PrepaymentDocument)
class PrepaymentDocumentAdmin(ReadOnly, admin.ModelAdmin[PrepaymentDocument]):
    """That a document exists (an auditor may see it); opening it needs the permission."""

    list_display = ["application", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["application"]
    ordering = ["-uploaded_at", "-pk"]
