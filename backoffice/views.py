"""The back office's own admin pages: the dashboard (the admin's first page) and the loan's
whole story. Each reads through one selector; nothing here writes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.charts import Series, bar_chart, line_chart
from backoffice.selectors.dashboard import Dashboard, dashboard_get
from backoffice.selectors.story import loan_story_get
from common.selectors import business_date_get

DASHBOARD_PERMISSION = "loans.view_loan"
BUCKET_CSS = ("b1", "b2", "b3", "b4")


def _queue_links(request: HttpRequest, board: Dashboard) -> list[dict[str, Any]]:
    """The work queues with what waits in each, for the staff allowed to open them."""
    user = request.user
    queues = [
        (
            "repayments.view_prepaymentapplication",
            _("Written prepayment applications to review"),
            board.prepayments_waiting,
            reverse("admin:repayments_prepaymentapplication_changelist")
            + "?status__exact=submitted",
        ),
        (
            "verification.view_manualreview",
            _("Face checks sent to manual review"),
            board.manual_reviews_waiting,
            reverse("admin:verification_manualreview_changelist") + "?status__exact=pending",
        ),
        (
            "backoffice.view_overdueloan",
            _("Overdue loans for collections"),
            board.overdue_loans,
            reverse("admin:backoffice_overdueloan_changelist"),
        ),
        (
            "closing.view_closefailure",
            _("Loans the close could not process"),
            board.close_failed_loans,
            reverse("admin:closing_closefailure_changelist") + "?resolved_at__isnull=True",
        ),
    ]
    return [
        {"label": label, "count": count, "url": url}
        for permission, label, count, url in queues
        if user.has_perm(permission)
    ]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        return {}
    board = dashboard_get(business_date=business_date_get(), now=timezone.now())
    days = [day.day for day in board.trend]
    money_trend = line_chart(
        title=_("Disbursed and received, last 30 days"),
        days=days,
        series=[
            Series(_("Disbursed"), "s1", [day.disbursed for day in board.trend]),
            Series(_("Received"), "s2", [day.received for day in board.trend]),
        ],
    )
    overdue_trend = line_chart(
        title=_("Overdue principal, last 30 days"),
        days=days,
        series=[Series(_("Overdue principal"), "s3", [day.overdue for day in board.trend])],
    )
    buckets_chart = bar_chart(
        title=_("Outstanding principal by days past due"),
        labels=[bucket.label for bucket in board.buckets],
        values=[bucket.principal for bucket in board.buckets],
        css_classes=BUCKET_CSS,
    )
    return {
        "dashboard": board,
        "queues": _queue_links(request, board),
        "charts": [money_trend, overdue_trend, buckets_chart],
    }


def loan_story_view(request: HttpRequest, loan_id: int) -> HttpResponse:
    """Everything about one loan on one page (read-only)."""
    site = admin.site
    if not request.user.has_perm("loans.view_loan"):
        raise PermissionDenied
    story = loan_story_get(loan_id=loan_id)
    if story is None:
        raise Http404
    context = {
        **site.each_context(request),
        "title": _("The loan's whole story"),
        "subtitle": str(story.loan.public_id),
        "story": story,
        "can_view_face_data": request.user.has_perm("verification.view_face_data"),
    }
    return TemplateResponse(request, "admin/backoffice/loan_story.html", context)
