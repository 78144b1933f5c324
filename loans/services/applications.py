"""Loan applications: submit (price, validate, evaluate risk), and one service per
transition of the state machine in loans.models.applications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import BorrowerProfile, User
from common.exceptions import Conflict, InvalidInput, NotFound
from common.request_context import ClientContext
from loans.models import (
    ApplicationEvent,
    ApplicationStatus,
    CreditLine,
    LoanApplication,
    LoanContract,
    LoanProduct,
    ProductKind,
    contract_terms_copy,
)
from loans.services.contracts import loan_contract_render
from loans.services.disbursement import loan_disburse
from loans.services.quotes import loan_quote
from loans.services.risk import risk_evaluate
from loans.services.states import (
    FaceCheckPending,
    application_refuse_locked,
    application_transition,
)

S = ApplicationStatus
Source = ApplicationEvent.Source


@dataclass(frozen=True)
class SubmitResult:
    application: LoanApplication
    created: bool


def _same_request(
    application: LoanApplication, product: LoanProduct, amount: Decimal, term: int, method: str
) -> bool:
    return (
        application.product_id == product.pk
        and application.amount == amount
        and application.term == term
        and application.method == method
    )


def _key_reused() -> Conflict:
    return Conflict(
        _("This idempotency key was already used for a different application."),
        code="idempotency_key_reused",
    )


def _replay(
    existing: LoanApplication,
    product: LoanProduct,
    amount: Decimal,
    term: int,
    method: str,
    business_date: dt.date,
    now: dt.datetime,
) -> SubmitResult:
    """A retried submission gets the first application back. If that one was approved but
    its disbursement never finished (the process died in between), finish it now."""
    if not _same_request(existing, product, amount, term, method):
        raise _key_reused()
    if existing.status == S.APPROVED:
        loan_disburse(application_id=existing.pk, business_date=business_date, now=now)
        existing.refresh_from_db()
    return SubmitResult(existing, created=False)


def loan_application_submit(
    *,
    borrower: User,
    product: LoanProduct,
    amount: Decimal,
    term: int,
    method: str,
    idempotency_key: str,
    client: ClientContext,
    business_date: dt.date,
    now: dt.datetime,
    terms_accepted: bool,
    contract_digest: str = "",
) -> SubmitResult:
    """Submit an application: validate it against the product and the line, price it,
    evaluate the risk, and either require a face check or pass it to system review.

    Submitting is accepting the loan contract: `terms_accepted` must be True (the borrower
    ticked the acceptance), and the contract's text, in the active language, is stored
    with the application (`LoanContract`). With `contract_digest` (the digest of the text
    the borrower was shown, `loan_contract_preview`), a text that no longer matches is
    refused (`contract_changed`) instead of being accepted unread.

    Submitting again with the same idempotency key returns the first application (and
    refuses a different request under the same key). An application that needs no face
    check is approved by system review and disbursed straight away (`loan_disburse`, in
    its own transaction)."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise InvalidInput(
            "An idempotency key of 1-64 characters is required.", code="idempotency_key_invalid"
        )
    if terms_accepted is not True:
        raise InvalidInput(
            _("Read the loan contract and accept it to submit the application."),
            code="contract_not_accepted",
        )
    existing = LoanApplication.objects.filter(
        borrower=borrower, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return _replay(existing, product, amount, term, method, business_date, now)

    with transaction.atomic(durable=True):
        line = (
            CreditLine.objects.select_for_update()
            .filter(borrower=borrower, product=product)
            .first()
        )
        schedule = loan_quote(
            borrower=borrower,
            product=product,
            line=line,
            amount=amount,
            term=term,
            method=method,
            business_date=business_date,
        )
        rate = schedule.rate
        try:
            with transaction.atomic():
                application = LoanApplication.objects.create(
                    borrower=borrower,
                    product=product,
                    credit_line=line,
                    amount=amount,
                    term=term,
                    method=method,
                    daily_rate=rate.value if product.kind == ProductKind.MICRO else None,
                    annual_rate=rate.value if product.kind != ProductKind.MICRO else None,
                    annualized_rate_simple=schedule.annualized_rate_simple,
                    annualized_rate_irr=schedule.annualized_rate_irr,
                    # Submitting is accepting the contract: its terms are fixed now.
                    **contract_terms_copy(product),
                    terms_accepted_at=now,
                    idempotency_key=idempotency_key,
                    business_date=business_date,
                    submitted_at=now,
                    ip_address=client.ip_address or None,
                    device_id=client.device_id,
                    user_agent=client.user_agent,
                )
        except IntegrityError as exc:
            # The same request sent twice at once: the other copy committed first.
            twin = LoanApplication.objects.filter(
                borrower=borrower, idempotency_key=idempotency_key
            ).first()
            if twin is not None:
                if not _same_request(twin, product, amount, term, method):
                    raise _key_reused() from exc
                return SubmitResult(twin, created=False)
            raise Conflict(
                _("You already have an application for this product in progress."),
                code="application_in_progress",
            ) from exc
        contract = loan_contract_render(
            profile=BorrowerProfile.objects.get(user=borrower),
            product=product,
            terms=application,
            method=method,
            schedule=schedule,
            business_date=business_date,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        if contract_digest and contract_digest != contract.digest:
            raise Conflict(
                _(
                    "The loan contract changed since you opened it (for example the date "
                    "moved on). Read the contract again and accept it."
                ),
                code="contract_changed",
            )
        LoanContract.objects.create(
            application=application,
            version=contract.version,
            language=contract.language,
            text=contract.text,
            digest=contract.digest,
            accepted_at=now,
        )
        ApplicationEvent.objects.create(
            application=application,
            from_status="",
            to_status=S.SUBMITTED,
            source=Source.BORROWER,
            actor=borrower,
            reason="Submitted by the borrower.",
            occurred_at=now,
        )
        decision = risk_evaluate(application=application, now=now)
        if decision.face_check_required:
            application.face_check_required = True
            application.save(update_fields=["face_check_required"])
            application_transition(
                application,
                S.FACE_CHECK_REQUIRED,
                now=now,
                source=Source.SYSTEM,
                reason=f"Risk score {decision.score} (threshold {decision.threshold}).",
            )
        else:
            application_transition(
                application,
                S.APPROVED,
                now=now,
                source=Source.SYSTEM,
                reason=f"Passed system review (risk score {decision.score}).",
            )
    if application.status == S.APPROVED:
        loan_disburse(application_id=application.pk, business_date=business_date, now=now)
        application.refresh_from_db()
    return SubmitResult(application, created=True)


def _locked(application_id: int) -> LoanApplication:
    return LoanApplication.objects.select_for_update().get(pk=application_id)


def loan_application_approve(
    *, application_id: int, now: dt.datetime, actor: User | None = None, reason: str = ""
) -> LoanApplication:
    """Approve after review. Refused while a required face check has not passed."""
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if actor is not None and actor.pk == application.borrower_id:
            # Maker-checker: a member of staff never approves their own application.
            raise Conflict(
                _("This is your own application, so someone else must approve it."),
                code="maker_checker",
            )
        if application.face_check_required and application.face_check_passed_at is None:
            raise FaceCheckPending(
                _("This application needs a passed face check before it can be approved.")
            )
        application_transition(
            application,
            S.APPROVED,
            now=now,
            source=Source.STAFF if actor else Source.SYSTEM,
            actor=actor,
            reason=reason or "Approved.",
        )
    return application


def loan_application_refuse(
    *,
    application_id: int,
    now: dt.datetime,
    code: str,
    reason: str,
    actor: User | None = None,
) -> LoanApplication:
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        application_refuse_locked(application, now=now, code=code, reason=reason, actor=actor)
    return application


# The borrower may withdraw an application only while no money can have moved: once it is
# approved, disbursement has started (the loan and its payout follow in moments), and
# only a declined payout undoes it (`payout_send`), never the borrower.
BORROWER_CANCELLABLE = frozenset({S.SUBMITTED, S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED})


def loan_application_cancel(
    *, application_id: int, borrower: User, now: dt.datetime
) -> LoanApplication:
    """The borrower withdraws an application that is still waiting (submitted, or at its
    face check). Refused once it is approved or disbursed, or already closed."""
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.borrower_id != borrower.pk:
            raise NotFound(_("Not your application."), code="not_found")
        if application.status not in BORROWER_CANCELLABLE:
            if application.status in (S.APPROVED, S.DISBURSED):
                detail = _(
                    "This application is approved and being paid out; it can no longer be "
                    "cancelled."
                )
            else:
                detail = _("This application is %(status)s; there is nothing to cancel.") % {
                    "status": application.get_status_display()
                }
            raise Conflict(str(detail), code="invalid_transition")
        application_transition(
            application,
            S.CANCELLED,
            now=now,
            source=Source.BORROWER,
            actor=borrower,
            reason="Cancelled by the borrower.",
        )
    return application


def loan_application_expire_stale(*, business_date: dt.date, now: dt.datetime) -> int:
    """Expire applications that waited longer than the validity period for a face check.
    Returns how many expired; safe to run twice."""
    days = int(settings.MICROLEND["APPLICATION_VALIDITY_DAYS"])
    cutoff = business_date - dt.timedelta(days=days)
    expired = 0
    stale = (
        LoanApplication.objects.filter(
            status__in=[S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED], business_date__lt=cutoff
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for application_id in stale:
        with transaction.atomic(durable=True):
            application = _locked(application_id)
            if application.status not in (S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED):
                continue
            application_transition(
                application,
                S.EXPIRED,
                now=now,
                source=Source.SYSTEM,
                reason=f"No face check within {days} days.",
            )
            expired += 1
    return expired
