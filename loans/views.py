"""Borrower-facing pages of the loans app: the calculator, Home, the credit line, applying
(amount and term, then the contract to accept), the application's progress, the loan, and
the profile's completion, which grants the credit line (the page itself is rendered by
`accounts.views.profile_page`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
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
from loans.messages import ERROR_FIELDS
from loans.models import ApplicationStatus, Loan, LoanProduct, Method, ProductKind
from loans.pricing import MAX_TERM, annualized_rate_cap
from loans.services import (
    borrower_profile_submit,
    loan_application_cancel,
    loan_application_submit,
)
from loans.services.contracts import loan_contract_preview

# The terms offered as a short list when a product allows a long range (a bank loan of
# 12-360 months): the usual ones, in months.
USUAL_TERMS = (3, 6, 12, 24, 36, 60, 120, 180, 240, 360)
SHORT_LIST = 8


def usual_terms(product: LoanProduct) -> list[int]:
    """The terms a borrower picks from: all the product offers if they are few, else the
    usual ones among them."""
    offered = product.offered_terms
    if len(offered) <= SHORT_LIST:
        return offered
    allowed = set(offered)
    return [term for term in USUAL_TERMS if term in allowed] or offered[:SHORT_LIST]


def calculator(request: HttpRequest) -> HttpResponse:
    """The public loan calculator. The numbers come from the schedule-preview API so the
    page and the API can never disagree."""
    return render(
        request,
        "loans/calculator.html",
        {"max_term": MAX_TERM, "rate_cap_percent": annualized_rate_cap() * 100},
    )


# What other apps add to Home and the loan page: the repayments app (above loans in the
# import layers, so loans cannot ask it) registers a function per page in its
# AppConfig.ready; each takes the request and the page's context and returns more context
# (what is due, the receipts, the prepayment applications).
PageExtension = Callable[[HttpRequest, dict[str, Any]], dict[str, Any]]
PAGE_EXTENSIONS: dict[str, list[PageExtension]] = {"home": [], "loan": []}


def _extended(page: str, request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    for extension in PAGE_EXTENSIONS[page]:
        context.update(extension(request, context))
    return context


def _borrower(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    return user


@dataclass(frozen=True)
class LineCard:
    """A credit line as Home and the credit-line page show it."""

    view: selectors.CreditLineView
    used: Decimal
    used_percent: int  # of the limit, for the bar (0-100)
    irr_max: Decimal | None  # "up to": the product's worst case (None until it is known)
    terms_text: str  # the terms offered, e.g. "5 / 10 / 20"


def _line_cards(lines: list[selectors.CreditLineView]) -> list[LineCard]:
    cards = []
    for view in lines:
        limit = view.line.limit
        used = max(Decimal("0.00"), limit - view.available)
        percent = int((used * 100 / limit).to_integral_value()) if limit > 0 else 0
        cards.append(
            LineCard(
                view=view,
                used=used,
                used_percent=min(100, max(0, percent)),
                irr_max=view.line.product.annualized_rate_irr_max,
                terms_text=" / ".join(str(t) for t in usual_terms(view.line.product)),
            )
        )
    return cards


@borrower_required
def home(request: HttpRequest) -> HttpResponse:
    borrower = _borrower(request)
    applications = list(selectors.application_list_for_borrower(borrower=borrower)[:5])
    context = {
        "cards": _line_cards(selectors.credit_lines_for_borrower(borrower=borrower)),
        "loans": list(
            selectors.loan_list_for_borrower(borrower=borrower).filter(status=Loan.Status.ACTIVE)
        ),
        "applications": applications,
        "face_checks": selectors.applications_waiting_for_face_check(borrower=borrower),
        "has_profile": borrower_profile_get(user=borrower) is not None,
    }
    return render(request, "loans/home.html", _extended("home", request, context))


@borrower_required
def credit_line(request: HttpRequest) -> HttpResponse:
    """The moment the credit line is granted (and the line itself afterwards): the amount,
    the rate with its annualized rates, and a button to borrow."""
    borrower = _borrower(request)
    return render(
        request,
        "loans/credit_line.html",
        {
            "cards": _line_cards(selectors.credit_lines_for_borrower(borrower=borrower)),
            "has_profile": borrower_profile_get(user=borrower) is not None,
            "just_granted": request.GET.get("granted") == "1",
        },
    )


class ProductChoiceField(forms.ModelChoiceField[LoanProduct]):
    def label_from_instance(self, obj: LoanProduct) -> str:
        return obj.display_name(get_language())


class ApplyForm(forms.Form):
    """What a draw is: the product, amount, term and method. The rules (minimum, step,
    terms the product offers, available credit) are the services'; this form only reads
    the input."""

    product = ProductChoiceField(
        label=gettext_lazy("Product"),
        queryset=LoanProduct.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    # Read by the same rules as the API (common.inputs): ASCII digits, at most two places.
    amount = DecimalInputField(
        label=gettext_lazy("Amount (CNY)"),
        places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    term = forms.TypedChoiceField(
        label=gettext_lazy("Term (months)"), coerce=int, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Repayment method"), choices=Method.choices, widget=forms.RadioSelect
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, products: list[LoanProduct], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ModelChoiceField)
        product_field.queryset = selectors.products_offered()
        chosen = self._chosen_product(products)
        term_field = self.fields["term"]
        assert isinstance(term_field, forms.TypedChoiceField)
        # Every term any product offers is a valid choice; the page lists the usual ones
        # of the chosen product (the page script follows a change of product).
        term_field.choices = [
            (t, str(t)) for t in sorted({t for p in products for t in p.offered_terms})
        ]
        self.shown_terms = usual_terms(chosen) if chosen else []
        self.shown_methods = chosen.offered_methods if chosen else []

    def _chosen_product(self, products: list[LoanProduct]) -> LoanProduct | None:
        code = self.data.get("product") if self.is_bound else self.initial.get("product")
        return next((p for p in products if p.code == code), products[0] if products else None)


class ContractForm(ApplyForm):
    accept = forms.BooleanField(
        label=gettext_lazy("I have read the loan contract above and accept it."),
        required=False,
    )
    contract_digest = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def _add_error(form: forms.Form, exc: DomainError) -> None:
    field = ERROR_FIELDS.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.detail)


def _product_rules(products: list[LoanProduct]) -> dict[str, dict[str, Any]]:
    return {
        p.code: {
            "terms": usual_terms(p),
            "methods": p.offered_methods,
            "default_method": p.default_method,
            "min": str(p.min_draw),
            "step": str(p.draw_step),
            "max": str(p.max_draw),
        }
        for p in products
    }


def _initial(products: list[LoanProduct], code: str | None) -> dict[str, Any]:
    chosen = next((p for p in products if p.code == code), None) or next(
        (p for p in products if p.kind == ProductKind.MICRO), products[0] if products else None
    )
    if chosen is None:
        return {"idempotency_key": uuid.uuid4().hex}
    terms = usual_terms(chosen)
    return {
        "product": chosen.code,
        "amount": max(Decimal("1000"), chosen.min_draw),
        "term": terms[min(1, len(terms) - 1)] if chosen.kind != ProductKind.MICRO else terms[0],
        "method": chosen.default_method,
        "idempotency_key": uuid.uuid4().hex,
    }


def _contract_query(data: dict[str, Any]) -> str:
    return urlencode(
        {
            "product": data["product"].code,
            "amount": str(data["amount"]),
            "term": str(data["term"]),
            "method": data["method"],
            "idempotency_key": data["idempotency_key"],
        }
    )


@borrower_required
def apply(request: HttpRequest) -> HttpResponse:
    """Step 1: product, amount, term and method, with a live preview of the exact schedule
    (the applications/preview API, the same quote as the submission). Continuing checks
    the draw and opens its contract."""
    borrower = _borrower(request)
    products = list(selectors.products_offered())
    if request.method == "POST":
        form = ApplyForm(request.POST, products=products)
        if form.is_valid():
            data = form.cleaned_data
            try:
                loan_contract_preview(
                    borrower=borrower,
                    product=data["product"],
                    amount=data["amount"],
                    term=data["term"],
                    method=data["method"],
                    business_date=business_date_get(),
                )
            except DomainError as exc:
                _add_error(form, exc)
            else:
                return redirect(f"{reverse('loans:apply-contract')}?{_contract_query(data)}")
    else:
        initial = _initial(products, request.GET.get("product"))
        for key in ("amount", "term", "method"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        form = ApplyForm(initial=initial, products=products)
    return render(
        request,
        "loans/apply.html",
        {
            "form": form,
            "lines": selectors.credit_lines_for_borrower(borrower=borrower),
            "product_rules": _product_rules(products),
            "has_profile": borrower_profile_get(user=borrower) is not None,
        },
    )


@sensitive_post_parameters()
@never_cache
@borrower_required
def apply_contract(request: HttpRequest) -> HttpResponse:
    """Step 2: the loan contract for the chosen draw (its terms, schedule and annualized
    rates), to read and accept. Accepting submits the application."""
    borrower = _borrower(request)
    products = list(selectors.products_offered())
    data: QueryDict = request.POST if request.method == "POST" else request.GET
    form = ContractForm(data, products=products)
    if not form.is_valid() and not (form.errors.keys() <= {"accept"}):
        # The draw itself is incomplete (an old link, a hand-made address): choose again.
        return redirect(
            f"{reverse('loans:apply')}?{urlencode({'product': data.get('product', '')})}"
        )
    chosen = form.cleaned_data
    preview = None
    try:
        preview = loan_contract_preview(
            borrower=borrower,
            product=chosen["product"],
            amount=chosen["amount"],
            term=chosen["term"],
            method=chosen["method"],
            business_date=business_date_get(),
        )
    except DomainError as exc:
        _add_error(form, exc)
    if request.method == "POST" and preview is not None and not form.errors:
        try:
            result = loan_application_submit(
                borrower=borrower,
                product=chosen["product"],
                amount=chosen["amount"],
                term=chosen["term"],
                method=chosen["method"],
                idempotency_key=chosen["idempotency_key"],
                client=client_context(request),
                business_date=business_date_for_money(),
                now=timezone.now(),
                terms_accepted=chosen.get("accept") is True,
                contract_digest=chosen.get("contract_digest") or "",
            )
        except DomainError as exc:
            _add_error(form, exc)
            if exc.code == "contract_changed":
                preview = loan_contract_preview(
                    borrower=borrower,
                    product=chosen["product"],
                    amount=chosen["amount"],
                    term=chosen["term"],
                    method=chosen["method"],
                    business_date=business_date_get(),
                )
        else:
            return redirect("loans:application", public_id=result.application.public_id)
    if preview is not None:
        form.initial["contract_digest"] = preview.contract.digest
        # A bound form shows what was posted: show the digest of the text on this page.
        shown = data.copy()
        shown["contract_digest"] = preview.contract.digest
        form.data = shown
    total_interest = (
        sum((row.interest for row in preview.schedule.installments), Decimal("0.00"))
        if preview
        else None
    )
    return render(
        request,
        "loans/apply_contract.html",
        {
            "form": form,
            "product": chosen["product"],
            "preview": preview,
            "total_interest": total_interest,
            "back_url": f"{reverse('loans:apply')}?{_contract_query(chosen)}",
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
    return render(
        request,
        "loans/application_detail.html",
        {"application": application, "step": _application_step(application)},
    )


def _application_step(application: Any) -> str:
    status = application.status
    if status == ApplicationStatus.FACE_CHECK_REQUIRED:
        return "face_check"
    if status == ApplicationStatus.DISBURSED:
        return "done"
    if status in (ApplicationStatus.APPROVED, ApplicationStatus.FACE_CHECK_PASSED):
        return "paid_out"
    return "contract"


@borrower_required
def application_contract(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The loan contract exactly as the borrower accepted it."""
    borrower = _borrower(request)
    try:
        application = selectors.application_get_for_borrower(borrower=borrower, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    contract = selectors.contract_for_application(application=application)
    if contract is None:
        raise Http404(_("This application has no stored contract."))
    return render(
        request,
        "loans/contract.html",
        {"application": application, "contract": contract},
    )


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
    contract = (
        selectors.contract_for_application(application=loan.application)
        if loan.application
        else None
    )
    context = {"loan": loan, "rows": rows, "contract": contract}
    return render(request, "loans/loan_detail.html", _extended("loan", request, context))


@sensitive_post_parameters("id_number", "bank_card_number")
@never_cache
@borrower_required
def profile(request: HttpRequest) -> HttpResponse:
    """GET: the profile. POST: complete it (the credit line is granted on completion, and
    the borrower sees it straight away)."""
    if request.method != "POST":
        return profile_page(request)
    form = ProfileCompleteForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        authorised = bool(data.pop("credit_report"))
        try:
            borrower_profile_submit(
                user=_borrower(request),
                business_date=business_date_get(),
                now=timezone.now(),
                context=client_context(request),
                credit_report_authorised=authorised,
                language=get_language() or settings.LANGUAGE_CODE,
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile is complete."))
            return redirect(f"{reverse('loans:credit-line')}?granted=1")
    return profile_page(request, complete_form=form)
