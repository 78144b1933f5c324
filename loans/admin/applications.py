"""Loan applications: their risk decision and events, and the staff actions (approve after
review, refuse, disburse), each one service call per application."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin_mixins import ReadOnlyAdminMixin
from common.exceptions import DomainError
from common.record_texts import record_text
from common.selectors import business_date_get
from loans.admin._shared import staff_user
from loans.models import ApplicationEvent, LoanApplication, RiskRuleCode
from loans.services import loan_application_approve, loan_application_refuse, loan_disburse


def _rule_label(code: str) -> str:
    if code == "repeat_loan":
        return str(_("Policy: every repeat loan is checked"))
    try:
        return str(RiskRuleCode(code).label)
    except ValueError:
        return code


class ApplicationEventInline(
    ReadOnlyAdminMixin, admin.TabularInline[ApplicationEvent, LoanApplication]
):
    model = ApplicationEvent
    fields = readonly_fields = (
        "occurred_at",
        "from_status",
        "to_status",
        "source",
        "actor",
        "reason_shown",
    )
    extra = 0
    ordering = ["occurred_at", "pk"]

    @admin.display(description=_("reason"))
    def reason_shown(self, event: ApplicationEvent) -> str:
        return record_text(event.reason)


@admin.register(LoanApplication)
class LoanApplicationAdmin(SimpleHistoryAdmin[LoanApplication]):
    list_display = [
        "public_id",
        "borrower",
        "product",
        "amount",
        "status",
        "face_check_required",
        "risk_score",
        "submitted_at",
    ]
    list_filter = ["status", "face_check_required", "product"]
    search_fields = ["public_id", "borrower__username", "borrower__phone", "borrower__email"]
    list_select_related = ["borrower", "product", "risk_decision"]
    ordering = ["-submitted_at", "-pk"]
    date_hierarchy = "submitted_at"
    inlines = [ApplicationEventInline]
    actions = ["approve", "refuse", "disburse"]
    readonly_fields = ["risk_explanation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in LoanApplication._meta.fields] + ["risk_explanation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("risk score"))
    def risk_score(self, application: LoanApplication) -> str:
        decision = getattr(application, "risk_decision", None)
        return f"{decision.score}/{decision.threshold}" if decision else "–"

    @admin.display(description=_("risk decision"))
    def risk_explanation(self, application: LoanApplication) -> str:
        decision = getattr(application, "risk_decision", None)
        if decision is None:
            return "–"
        verdict = _("face check required") if decision.face_check_required else _("no face check")
        summary = _(
            "Score %(score)s / threshold %(threshold)s; repeat loans: %(policy)s; %(verdict)s"
        ) % {
            "score": decision.score,
            "threshold": decision.threshold,
            "policy": decision.get_repeat_loan_policy_display(),
            "verdict": verdict,
        }
        lines = [summary]
        # The rule's name and the engine's sentence (with the figures it fired on), in
        # the admin's language.
        lines += [
            f"+{r.get('weight', 0)} {_rule_label(str(r.get('code', '')))}: "
            f"{record_text(str(r.get('reason', '')))}"
            for r in decision.reasons
        ]
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines))

    def _run(self, request: HttpRequest, queryset: Any, call: Any, done: object) -> None:
        ok = 0
        for application in queryset.order_by("pk"):
            try:
                call(application)
            except DomainError as exc:
                self.message_user(
                    request, f"{application.public_id}: {exc.detail}", level=messages.ERROR
                )
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{done}: {ok}", level=messages.SUCCESS)

    @admin.action(description=_("Approve (after review)"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_application_approve(
                application_id=a.pk,
                now=timezone.now(),
                actor=staff_user(request),
                reason="Approved by staff.",
            ),
            _("Approved"),
        )

    @admin.action(description=_("Refuse"), permissions=["change"])
    def refuse(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_application_refuse(
                application_id=a.pk,
                now=timezone.now(),
                code="refused_by_staff",
                reason="Refused after review by staff.",
                actor=staff_user(request),
            ),
            _("Refused"),
        )

    @admin.action(description=_("Disburse approved applications"), permissions=["change"])
    def disburse(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_disburse(
                application_id=a.pk,
                business_date=business_date_get(),
                now=timezone.now(),
                actor=staff_user(request),
            ),
            _("Disbursed"),
        )
