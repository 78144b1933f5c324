"""The borrower's repayment pages: what is due on Home and the loan page, paying (with its
receipt), the payoff of a micro-loan draw, the refund of held money, and the written
prepayment application of a bank loan (eligibility first, a preview of the new schedule,
the four documents), with the applications and their states.

Every form that moves money carries an idempotency key (repayments.forms) and goes
through `common.idempotency.idempotent`: the same form sent twice moves money once and
shows the first answer. Another borrower's ids are a 404; a refusal is a message next to
the field and stores nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.decorators import borrower_required
from accounts.models import User
from common.exceptions import DomainError, NotFound
from common.idempotency import Answer, idempotent
from common.selectors import business_date_for_money, business_date_get
from loans.models import Installment, Loan, ProductKind
from repayments import selectors
from repayments.documents import DocumentRefused, document_clean
from repayments.forms import (
    PayForm,
    PayoffForm,
    PrepaymentDocumentsForm,
    PrepaymentForm,
    RefundForm,
    new_key,
)
from repayments.messages import error_text
from repayments.models import PrepaymentApplication, PrepaymentDocument
from repayments.services import payoff_quote, payoff_submit, repayment_submit
from repayments.services.overpayments import refund_request
from repayments.services.payments import payment_limit
from repayments.services.prepayments import (
    Eligibility,
    UploadedDocument,
    prepayment_application_cancel,
    prepayment_application_submit,
    prepayment_document_for_borrower,
    prepayment_eligibility,
)

# How many coming due dates the prepayment form offers.
PREPAYMENT_DATES_SHOWN = 12


def _borrower(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    return user


def _loan(request: HttpRequest, public_id: uuid.UUID) -> Loan:
    try:
        return selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _once(
    request: HttpRequest, *, operation: str, key: str, body: dict[str, Any], run: Callable[[], str]
) -> str:
    """Run a money-moving service once per form key (the same form sent twice gets the
    first answer); returns the public id of what it made."""
    answer = idempotent(
        user_id=_borrower(request).pk,
        operation=operation,
        key=key,
        body=body,
        now=timezone.now(),
        run=lambda: Answer(201, {"id": run()}),
    )
    return str(answer.body["id"])


# Home and the loan page ----------------------------------------------------------------


def home_extension(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Home: for each open loan the next payment, what is still owed, and what is
    overdue (penalty included); no borrowing while anything is overdue."""
    on = business_date_get()
    standings = [selectors.loan_standing(loan=loan, on=on) for loan in context["loans"]]
    overdue = [standing for standing in standings if standing.is_overdue]
    return {"standings": standings, "overdue": overdue, "borrowing_blocked": bool(overdue)}


def loan_extension(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The loan page: what is due, the repayments with their receipts, what is held, the
    schedule's versions, the prepayment applications, and what the borrower can do."""
    loan: Loan = context["loan"]
    on = business_date_get()
    active = loan.status == Loan.Status.ACTIVE
    standing = selectors.loan_standing(loan=loan, on=on)
    applications = list(
        selectors.prepayment_applications_for_borrower(borrower=_borrower(request)).filter(
            loan=loan
        )
    )
    micro = loan.product.kind == ProductKind.MICRO
    return {
        "standing": standing,
        "repayments": list(selectors.repayment_list_for_loan(loan=loan)),
        "refunds": list(selectors.refunds_for_loan(loan=loan)),
        "versions": selectors.schedule_versions_with_rows(loan=loan),
        "prepayment_applications": applications,
        "can_pay": active,
        "can_payoff": active and micro,
        "can_apply_prepayment": active
        and loan.product.kind == ProductKind.BANK_INSTALLMENT
        and not any(a.is_open for a in applications),
    }


# Paying --------------------------------------------------------------------------------


@never_cache
@borrower_required
def pay(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pay what is due now, or more (up to everything the loan could still owe). The card
    is charged at once and the receipt is shown."""
    loan = _loan(request, public_id)
    if loan.status != Loan.Status.ACTIVE and request.method != "POST":
        messages.info(request, _("This loan is not open: there is nothing to pay."))
        return redirect("loans:loan", public_id=loan.public_id)
    on = business_date_get()
    standing = selectors.loan_standing(loan=loan, on=on)
    if request.method == "POST":
        form = PayForm(request.POST)
        if form.is_valid():
            amount: Decimal = form.cleaned_data["amount"]
            key = form.cleaned_data["idempotency_key"]
            if amount < standing.due_now.total:
                form.add_error(
                    "amount",
                    _("Pay at least what is due now: %(due)s.") % {"due": standing.due_now.total},
                )
            else:
                try:
                    receipt = _once(
                        request,
                        operation=f"page.pay:{loan.public_id}",
                        key=key,
                        body={"amount": str(amount)},
                        run=lambda: str(
                            repayment_submit(
                                borrower=_borrower(request),
                                loan_public_id=loan.public_id,
                                amount=amount,
                                idempotency_key=key,
                                business_date=business_date_for_money(loan_id=loan.pk),
                                now=timezone.now(),
                            ).public_id
                        ),
                    )
                except DomainError as exc:
                    form.add_error("amount", error_text(exc, figure=payment_limit(loan, on)))
                else:
                    return redirect("repayments:receipt", public_id=receipt)
    else:
        suggested = standing.due_now.total or standing.next_due_amount
        form = PayForm(initial={"amount": suggested, "idempotency_key": new_key()})
    return render(
        request,
        "repayments/pay.html",
        {"loan": loan, "standing": standing, "form": form, "is_micro": _is_micro(loan)},
    )


def _is_micro(loan: Loan) -> bool:
    return bool(loan.product.kind == ProductKind.MICRO)


@borrower_required
def receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A repayment and what it paid: each installment and component."""
    try:
        repayment = selectors.repayment_for_borrower(
            borrower=_borrower(request), public_id=public_id
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    allocations = list(repayment.allocations.all())
    return render(
        request,
        "repayments/receipt.html",
        {"repayment": repayment, "loan": repayment.loan, "allocations": allocations},
    )


@never_cache
@borrower_required
def payoff(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pay a micro-loan draw off today: the quote for the current business date, then
    paying exactly it."""
    loan = _loan(request, public_id)
    on = business_date_get()
    quote, refusal = None, ""
    try:
        quote = payoff_quote(loan=loan, business_date=on)
    except DomainError as exc:
        refusal = error_text(exc)
    if request.method == "POST":
        # Answered even when there is no quote now: the same form sent again after the
        # draw was paid off gets the first answer (its receipt).
        form: PayoffForm | None = PayoffForm(request.POST)
        assert form is not None
        if form.is_valid():
            amount: Decimal = form.cleaned_data["amount"]
            key = form.cleaned_data["idempotency_key"]
            try:
                receipt_id = _once(
                    request,
                    operation=f"page.payoff:{loan.public_id}",
                    key=key,
                    body={"amount": str(amount)},
                    run=lambda: str(
                        payoff_submit(
                            borrower=_borrower(request),
                            loan_public_id=loan.public_id,
                            amount=amount,
                            idempotency_key=key,
                            business_date=business_date_for_money(loan_id=loan.pk),
                            now=timezone.now(),
                        ).public_id
                    ),
                )
            except DomainError as exc:
                form.add_error(None, error_text(exc, figure=quote.total if quote else None))
            else:
                return redirect("repayments:receipt", public_id=receipt_id)
    elif quote is not None:
        form = PayoffForm(initial={"amount": quote.total, "idempotency_key": new_key()})
    else:
        form = None
    return render(
        request,
        "repayments/payoff.html",
        {"loan": loan, "quote": quote, "refusal": refusal, "form": form, "on": on},
    )


@never_cache
@borrower_required
def refund(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Ask for held money (an overpayment) back to the bound card."""
    loan = _loan(request, public_id)
    standing = selectors.loan_standing(loan=loan, on=business_date_get())
    held = standing.held
    if request.method == "POST":
        form = RefundForm(request.POST)
        if form.is_valid():
            amount: Decimal = form.cleaned_data["amount"]
            key = form.cleaned_data["idempotency_key"]
            try:
                _once(
                    request,
                    operation=f"page.refund:{loan.public_id}",
                    key=key,
                    body={"amount": str(amount)},
                    run=lambda: str(
                        refund_request(
                            borrower=_borrower(request),
                            loan_public_id=loan.public_id,
                            amount=amount,
                            idempotency_key=key,
                            business_date=business_date_for_money(loan_id=loan.pk),
                            now=timezone.now(),
                        ).public_id
                    ),
                )
            except DomainError as exc:
                form.add_error("amount", error_text(exc, figure=held))
            else:
                messages.success(
                    request,
                    _("We are sending %(amount)s back to your bank card.") % {"amount": amount},
                )
                return redirect("loans:loan", public_id=loan.public_id)
    else:
        form = RefundForm(initial={"amount": held, "idempotency_key": new_key()})
    return render(request, "repayments/refund.html", {"loan": loan, "held": held, "form": form})


# Prepayment of a bank loan ---------------------------------------------------------------


def _prepayment_dates(loan: Loan, on: dt.date) -> list[tuple[int, dt.date]]:
    """The coming due dates a prepayment can be asked for today: from the first number the
    loan allows, at least the notice days ahead."""
    earliest_date = on + dt.timedelta(days=loan.prepayment_notice_days)
    rows = (
        loan.installments.exclude(
            status__in=[Installment.Status.SUPERSEDED, "cancelled", Installment.Status.PAID]
        )
        .filter(number__gt=loan.prepayment_min_months, due_date__gte=earliest_date)
        .order_by("due_date", "number")
        .values_list("number", "due_date")[:PREPAYMENT_DATES_SHOWN]
    )
    return list(rows)


def _next_due_date(loan: Loan, on: dt.date) -> dt.date | None:
    row = (
        loan.installments.exclude(status__in=[Installment.Status.SUPERSEDED, "cancelled"])
        .filter(due_date__gt=on)
        .exclude(status=Installment.Status.PAID)
        .order_by("due_date", "number")
        .first()
    )
    return row.due_date if row else None


def _eligibility_today(loan: Loan, on: dt.date, dates: list[tuple[int, dt.date]]) -> Eligibility:
    """What stands in the way of any prepayment today (checked for the first date it
    could be on, or the next due date when there is none yet)."""
    day = dates[0][1] if dates else _next_due_date(loan, on)
    if day is None:
        day = on
    return prepayment_eligibility(
        loan=loan, kind=PrepaymentApplication.Kind.FULL, requested_date=day, on=on
    )


@never_cache
@borrower_required
def prepayment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The written prepayment application, in two steps: what is possible (the rules and
    whether they hold today) with the form; then the preview (that month's installment,
    the fee, for a partial one the new schedule and the interest saved) with the four
    documents to upload and submit."""
    loan = _loan(request, public_id)
    on = business_date_get()
    open_application = (
        selectors.prepayment_applications_for_borrower(borrower=_borrower(request))
        .filter(loan=loan, status__in=["submitted", "approved"])
        .first()
    )
    is_bank = loan.product.kind == ProductKind.BANK_INSTALLMENT
    dates = _prepayment_dates(loan, on) if is_bank else []
    today = _eligibility_today(loan, on, dates) if is_bank and loan.status == "active" else None
    context: dict[str, Any] = {
        "loan": loan,
        "is_bank": is_bank,
        "open_application": open_application,
        "today": today,
        "dates": dates,
        "step": "rules",
    }
    if request.method == "POST" and is_bank:
        # Handled before the state checks below: the same form sent again after the first
        # one made the application gets the first answer.
        return _prepayment_submit(request, loan, on, dates, context)
    if not is_bank or open_application is not None or today is None or not today.eligible:
        return render(request, "repayments/prepayment.html", context)
    if "kind" not in request.GET:
        form = PrepaymentForm(
            initial={"kind": "partial", "option": "keep_term", "idempotency_key": new_key()},
            dates=dates,
        )
    else:
        form = PrepaymentForm(request.GET, dates=dates)
    context.update(form=form, documents_form=PrepaymentDocumentsForm())
    if "kind" in request.GET and "edit" not in request.GET and form.is_valid():
        eligibility = _prepayment_check(loan, on, form)
        if eligibility.eligible:
            context.update(step="preview", quote=eligibility.quote)
    return render(request, "repayments/prepayment.html", context)


def _prepayment_check(loan: Loan, on: dt.date, form: PrepaymentForm) -> Eligibility:
    """The rules for what the form asks; each refusal is put on the form."""
    data = form.cleaned_data
    eligibility = prepayment_eligibility(
        loan=loan,
        kind=data["kind"],
        requested_date=data["requested_date"],
        on=on,
        principal=data["principal"],
        option=data["option"],
    )
    for refusal in eligibility.refusals:
        field = "principal" if refusal.code.startswith("amount_") else None
        form.add_error(field, refusal.message)
    return eligibility


def _prepayment_submit(
    request: HttpRequest,
    loan: Loan,
    on: dt.date,
    dates: list[tuple[int, dt.date]],
    context: dict[str, Any],
) -> HttpResponse:
    form = PrepaymentForm(request.POST, dates=dates)
    documents_form = PrepaymentDocumentsForm(request.POST, request.FILES)
    context.update(form=form, documents_form=documents_form, open_application=None)
    if not form.is_valid():
        return render(request, "repayments/prepayment.html", context)
    data = form.cleaned_data
    uploads: dict[str, UploadedDocument] = {}
    if documents_form.is_valid():
        for kind in PrepaymentDocument.Kind.values:
            upload = documents_form.cleaned_data[kind]
            content = upload.read()
            try:
                document_clean(content)
            except DocumentRefused as exc:
                documents_form.add_error(kind, error_text(exc))
            uploads[kind] = UploadedDocument(upload.name or kind, content)
    if documents_form.errors:
        return _prepayment_preview_again(request, loan, on, form, context)
    key = data["idempotency_key"]
    body = {
        "kind": data["kind"],
        "requested_date": str(data["requested_date"]),
        "principal": str(data["principal"] or ""),
        "option": data["option"],
        **{kind: len(uploads[kind].data) for kind in uploads},
    }
    try:
        application_id = _once(
            request,
            operation=f"page.prepay:{loan.public_id}",
            key=key,
            body=body,
            run=lambda: str(
                prepayment_application_submit(
                    borrower=_borrower(request),
                    loan_public_id=loan.public_id,
                    kind=data["kind"],
                    requested_date=data["requested_date"],
                    principal=data["principal"],
                    option=data["option"],
                    documents=uploads,
                    idempotency_key=key,
                    business_date=on,
                    now=timezone.now(),
                ).public_id
            ),
        )
    except DomainError as exc:
        documents_form.add_error(None, error_text(exc))
        return _prepayment_preview_again(request, loan, on, form, context)
    messages.success(
        request, _("Your application was sent. Our staff will review it and let you know.")
    )
    return redirect("repayments:prepayment-application", public_id=application_id)


def _prepayment_preview_again(
    request: HttpRequest, loan: Loan, on: dt.date, form: PrepaymentForm, context: dict[str, Any]
) -> HttpResponse:
    """The preview with what was wrong (the documents to send again), or the form with
    the rules that fail now."""
    eligibility = _prepayment_check(loan, on, form)
    if eligibility.eligible:
        context.update(step="preview", quote=eligibility.quote)
    return render(request, "repayments/prepayment.html", context)


@borrower_required
def prepayment_applications(request: HttpRequest) -> HttpResponse:
    applications = selectors.prepayment_applications_for_borrower(borrower=_borrower(request))
    return render(
        request, "repayments/prepayment_applications.html", {"applications": list(applications)}
    )


@borrower_required
def prepayment_application(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An application, its state and history, its documents; cancel it while it waits."""
    borrower = _borrower(request)
    try:
        application = selectors.prepayment_application_for_borrower(
            borrower=borrower, public_id=public_id
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            prepayment_application_cancel(
                borrower=borrower, application_id=application.pk, now=timezone.now()
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Your prepayment application was cancelled."))
        return redirect("repayments:prepayment-application", public_id=public_id)
    return render(
        request,
        "repayments/prepayment_application.html",
        {
            "application": application,
            "loan": application.loan,
            "events": list(application.events.order_by("occurred_at", "pk")),
            "documents": list(application.documents.order_by("pk")),
        },
    )


@borrower_required
def prepayment_document(
    request: HttpRequest, public_id: uuid.UUID, document_id: int
) -> HttpResponse:
    """A borrower's own document, as a download (never shown from a public URL)."""
    try:
        document, data = prepayment_document_for_borrower(
            borrower=_borrower(request), document_id=document_id
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if document.application.public_id != public_id:
        raise Http404(_("There is no such document."))
    extension = "pdf" if document.content_type == "application/pdf" else "jpg"
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.kind}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
