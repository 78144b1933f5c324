"""Borrower-facing pages of the loans app, and the profile page's completion, which grants
the credit line (the page itself is rendered by `accounts.views.profile_page`)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.decorators import borrower_required
from accounts.forms import ProfileCompleteForm, add_domain_error
from accounts.models import User
from accounts.selectors import borrower_profile_get
from accounts.views import profile_page
from common.exceptions import DomainError, NotFound
from common.forms import DecimalInputField
from common.request_context import client_context
from common.selectors import business_date_for_money, business_date_get
from loans import selectors
from loans.models import Loan, LoanProduct, Method, ProductKind
from loans.pricing import MAX_TERM, annualized_rate_cap
from loans.services import (
    borrower_profile_submit,
    loan_application_cancel,
    loan_application_submit,
)


def calculator_messages() -> dict[str, object]:
    """Strings the calculator's script shows, in the page's language; API error codes map
    to translated messages (the API's own `detail` is the fallback)."""
    return {
        "calculating": _("Calculating…"),
        "failed": _("Could not calculate the plan. Check your connection and try again."),
        "rate_invalid": _("Enter the rate as a percentage, e.g. 0.05."),
        "principal_required": _("Enter the amount you want to borrow."),
        "term_required": _("Enter the term in months."),
        "nominal_daily": _("Daily rate %s"),
        "nominal_annual": _("Annual rate %s"),
        "submitting": _("Submitting…"),
        "amount_hint": _("From %(min)s to %(max)s, in steps of %(step)s."),
        "errors": {
            "principal_not_positive": _("The amount must be greater than zero."),
            "principal_invalid": _("Enter the amount as a number, e.g. 10000 or 10000.50."),
            "principal_too_many_places": _("The amount can have at most two decimal places."),
            "principal_too_large": _("That amount is larger than we can lend."),
            "term_min_value": _("The term must be between 1 and %(max)s months.")
            % {"max": MAX_TERM},
            "term_max_value": _("The term must be between 1 and %(max)s months.")
            % {"max": MAX_TERM},
            "term_invalid": _("Enter the term as a whole number of months."),
            "daily_rate_not_positive": _("The rate must be greater than zero."),
            "annual_rate_not_positive": _("The rate must be greater than zero."),
            "rate_above_cap": _("That rate is above the %(cap)s%% annualized cap we allow.")
            % {"cap": annualized_rate_cap() * 100},
            "first_due_date": _("The first due date must be after the start date."),
            "schedule_not_representable": _(
                "This rounding unit is too large for the amount: choose the fen."
            ),
        },
    }


def calculator(request: HttpRequest) -> HttpResponse:
    """The public loan calculator. The numbers come from the schedule-preview API so the
    page and the API can never disagree."""
    return render(
        request,
        "loans/calculator.html",
        {
            "max_term": MAX_TERM,
            "rate_cap_percent": annualized_rate_cap() * 100,
            "messages_json": calculator_messages(),
        },
    )


def _borrower(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    return user


@borrower_required
def home(request: HttpRequest) -> HttpResponse:
    borrower = _borrower(request)
    return render(
        request,
        "loans/home.html",
        {
            "lines": selectors.credit_lines_for_borrower(borrower=borrower),
            "loans": selectors.loan_list_for_borrower(borrower=borrower).filter(
                status=Loan.Status.ACTIVE
            ),
            "applications": selectors.application_list_for_borrower(borrower=borrower)[:5],
            "face_checks": selectors.applications_waiting_for_face_check(borrower=borrower),
            "has_profile": borrower_profile_get(user=borrower) is not None,
        },
    )


class ApplyForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=LoanProduct.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    amount = DecimalInputField(label=_("Amount (CNY)"), places=2)
    term = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=360)
    method = forms.ChoiceField(
        label=_("Repayment method"), choices=Method.choices, widget=forms.RadioSelect
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.products_offered()  # type: ignore[attr-defined]


_FIELDS_WITH_ERRORS = frozenset({"amount", "term", "method"})


@borrower_required
def apply(request: HttpRequest) -> HttpResponse:
    """The application form with a live preview of the exact schedule (from the
    applications/preview API, which uses the same quote as the submission)."""
    borrower = _borrower(request)
    products = list(selectors.products_offered())
    initial_product = next((p for p in products if p.kind == ProductKind.MICRO), None) or (
        products[0] if products else None
    )
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = loan_application_submit(
                    borrower=borrower,
                    product=data["product"],
                    amount=data["amount"],
                    term=data["term"],
                    method=data["method"],
                    idempotency_key=data["idempotency_key"],
                    client=client_context(request),
                    business_date=business_date_for_money(),
                    now=timezone.now(),
                )
            except DomainError as exc:
                # Next to the field it is about (amount_*, term_*, method_*), else above.
                field = exc.code.split("_", 1)[0]
                form.add_error(field if field in _FIELDS_WITH_ERRORS else None, exc.detail)
            else:
                return redirect("loans:application", public_id=result.application.public_id)
    else:
        form = ApplyForm(
            initial={
                "product": initial_product.code if initial_product else None,
                "amount": Decimal("1000"),
                "term": initial_product.offered_terms[0] if initial_product else 12,
                "method": initial_product.default_method if initial_product else None,
                "idempotency_key": uuid.uuid4().hex,
            }
        )
    product_rules = {
        p.code: {
            "terms": p.offered_terms,
            "methods": p.offered_methods,
            "min": str(p.min_draw),
            "step": str(p.draw_step),
            "max": str(p.max_draw),
        }
        for p in products
    }
    return render(
        request,
        "loans/apply.html",
        {
            "form": form,
            "lines": selectors.credit_lines_for_borrower(borrower=borrower),
            "product_rules": product_rules,
            "messages_json": calculator_messages(),
        },
    )


@borrower_required
def application_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    borrower = _borrower(request)
    try:
        application = selectors.application_get_for_borrower(borrower=borrower, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            loan_application_cancel(
                application_id=application.pk, borrower=borrower, now=timezone.now()
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Your application was cancelled."))
        return redirect("loans:application", public_id=public_id)
    return render(request, "loans/application_detail.html", {"application": application})


@borrower_required
def loan_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    borrower = _borrower(request)
    try:
        loan = selectors.loan_get_for_borrower(borrower=borrower, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    business_date = business_date_get()
    rows = [
        (
            row,
            selectors.installment_state(
                row, business_date=business_date, grace_days=loan.grace_days
            ),
        )
        for row in loan.schedule  # type: ignore[attr-defined]
    ]
    return render(request, "loans/loan_detail.html", {"loan": loan, "rows": rows})


@sensitive_post_parameters("id_number", "bank_card_number")
@never_cache
@borrower_required
def profile(request: HttpRequest) -> HttpResponse:
    """GET: the profile. POST: complete it (the credit line is granted on completion)."""
    if request.method != "POST":
        return profile_page(request)
    form = ProfileCompleteForm(request.POST)
    if form.is_valid():
        try:
            borrower_profile_submit(
                user=_borrower(request),
                business_date=business_date_get(),
                now=timezone.now(),
                context=client_context(request),
                **form.cleaned_data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile is complete."))
            return redirect("loans:profile")
    return profile_page(request, complete_form=form)
