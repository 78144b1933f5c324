"""Written prepayment of bank loans (DOMAIN.md §5): eligibility (each rule a frozen loan term,
each failure its own message), the application with its four documents, staff review
(maker-checker), cancellation, expiry, and execution on the chosen due date by the close of
business: that month's installment, the prepaid principal and the fee in one charge, then
the rest of the loan re-amortized at the contract rate as a new schedule version.

State machine: `repayments.models.PREPAYMENT_TRANSITIONS`, one service per move, an event
row for each. Lock order: the application, then the loan and its rows (services.core)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.exceptions import Conflict, InvalidInput, NotFound
from common.gateway import GatewayOutcome, payment_gateway
from common.idempotency import IdempotencyKeyReused
from common.money import ZERO
from common.private_files import file_read, file_store
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import JournalEntry, credit, debit
from loans.models import Installment, Loan, ProductKind, ScheduleVersion
from loans.schedule import Installment as ScheduleRow
from loans.schedule import InterestRate, RepaymentMethod, ScheduleError
from loans.schedule.dates import add_months
from loans.schedule.reamortize import (
    Reamortization,
    ReamortizationOption,
    prepayment_fee,
    reamortize,
)
from loans.services import installment_rows, schedule_version_create
from notifications.models import NotificationKind
from notifications.services import notification_send
from repayments.documents import document_clean
from repayments.models import (
    PREPAYMENT_TRANSITIONS,
    Allocation,
    DocumentAccess,
    PrepaymentApplication,
    PrepaymentDocument,
    PrepaymentEvent,
    PrepaymentStatus,
    Repayment,
)
from repayments.services import core

P = PrepaymentStatus
Kind = PrepaymentApplication.Kind
Source = PrepaymentEvent.Source
REQUIRED_DOCUMENTS = tuple(PrepaymentDocument.Kind.values)


# Eligibility --------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class PrepaymentQuote:
    """What a prepayment on a date would be: that month's installment (still due as
    usual), the principal prepaid, the fee, and for a partial one the new schedule and the
    interest saved (the fee shown apart)."""

    installment_number: int
    installment_due: Decimal
    principal: Decimal
    fee: Decimal
    interest_saved: Decimal
    new_rows: tuple[ScheduleRow, ...] = ()
    remaining_after: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.installment_due + self.principal + self.fee


@dataclass(frozen=True)
class Eligibility:
    refusals: tuple[Refusal, ...] = field(default_factory=tuple)
    quote: PrepaymentQuote | None = None

    @property
    def eligible(self) -> bool:
        return not self.refusals


def _contract_rows(loan: Loan) -> list[Installment]:
    """The loan's live schedule (superseded rows left out), by number."""
    return list(
        loan.installments.exclude(status__in=["superseded", "cancelled"]).order_by("number", "pk")
    )


def _last_partial_execution(loan: Loan) -> dt.date | None:
    return (
        PrepaymentApplication.objects.filter(loan=loan, kind=Kind.PARTIAL, status=P.EXECUTED)
        .order_by("-requested_date")
        .values_list("requested_date", flat=True)
        .first()
    )


def prepayment_eligibility(
    *,
    loan: Loan,
    kind: str,
    requested_date: dt.date,
    on: dt.date,
    principal: Decimal | None = None,
    option: str = "",
    at_execution: bool = False,
) -> Eligibility:
    """Check every rule of DOMAIN.md §5 for a prepayment on `requested_date`, as of `on`
    (the submission date, today's date for staff, or the execution date with
    `at_execution`), and quote it when the rules hold. Every failing rule is reported."""
    refusals: list[Refusal] = []

    def refuse(code: str, message: str) -> None:
        refusals.append(Refusal(code, message))

    if loan.product.kind != ProductKind.BANK_INSTALLMENT:
        refuse("not_a_bank_loan", _("Only bank installment loans are prepaid by application."))
        return Eligibility(tuple(refusals))
    if loan.status != Loan.Status.ACTIVE:
        refuse("loan_not_active", _("This loan is not open."))
        return Eligibility(tuple(refusals))
    if kind not in Kind.values:
        refuse("kind_invalid", _("Choose a full or a partial prepayment."))
        return Eligibility(tuple(refusals))
    rows = _contract_rows(loan)
    target = next((row for row in rows if row.due_date == requested_date), None)
    coming = target is not None and (requested_date >= on if at_execution else requested_date > on)
    if target is None or not coming or target.status == Installment.Status.PAID:
        refuse(
            "date_not_a_coming_due_date",
            _("Choose one of the loan's coming due dates."),
        )
        return Eligibility(tuple(refusals))
    number = target.number
    earliest = loan.prepayment_min_months + 1
    if number < earliest:
        refuse(
            "too_early",
            _(
                "A prepayment is possible from due date number %(n)s (after %(m)s months of "
                "normal repayment); this is number %(k)s."
            )
            % {"n": earliest, "m": loan.prepayment_min_months, "k": number},
        )
    grace = dt.timedelta(days=loan.grace_days)
    for row in rows:
        if row.number >= number:
            break
        end_of_grace = row.due_date + grace
        if row.status == Installment.Status.PAID:
            if row.paid_date is not None and row.paid_date > end_of_grace:
                refuse(
                    "earlier_installment_late",
                    _("Installment %(k)s was paid after its grace period.") % {"k": row.number},
                )
        elif end_of_grace < on or at_execution:
            refuse(
                "earlier_installment_unpaid",
                _("Installment %(k)s is not paid.") % {"k": row.number},
            )
    if any(
        row.status == Installment.Status.OVERDUE or row.due_date + grace < on
        for row in rows
        if row.status != Installment.Status.PAID
    ):
        refuse("overdue", _("Something is overdue on this loan: pay it first."))
    notice = dt.timedelta(days=loan.prepayment_notice_days)
    if not at_execution and on > requested_date - notice:
        refuse(
            "notice_too_short",
            _("The application must be made at least %(d)s days before the repayment date.")
            % {"d": loan.prepayment_notice_days},
        )
    remaining_after = sum(
        (row.principal - row.principal_paid for row in rows if row.number > number), ZERO
    )
    if kind == Kind.PARTIAL:
        if principal is None or principal <= 0 or principal != principal.quantize(Decimal("0.01")):
            refuse("amount_invalid", _("Enter the principal to prepay, in yuan."))
        else:
            if principal < loan.partial_prepayment_min:
                refuse(
                    "amount_below_minimum",
                    _("A partial prepayment is at least %(min)s of principal.")
                    % {"min": loan.partial_prepayment_min},
                )
            multiple = loan.partial_prepayment_multiple
            if multiple and principal % multiple != 0:
                refuse(
                    "amount_not_a_multiple",
                    _("A partial prepayment is a multiple of %(m)s.") % {"m": multiple},
                )
            if principal >= remaining_after:
                refuse(
                    "amount_not_partial",
                    _(
                        "That is all the principal left after that installment: apply for a "
                        "full prepayment."
                    ),
                )
        if option not in PrepaymentApplication.Option.values:
            refuse("option_invalid", _("Choose to keep the term or keep the installment."))
        last = _last_partial_execution(loan)
        if last is not None:
            allowed_from = add_months(last, loan.partial_prepayment_interval_months)
            if requested_date < allowed_from:
                refuse(
                    "too_soon_after_last",
                    _(
                        "At most one partial prepayment per %(m)s months: the next is possible "
                        "from %(date)s."
                    )
                    % {"m": loan.partial_prepayment_interval_months, "date": allowed_from},
                )
    if refusals:
        return Eligibility(tuple(refusals))
    quote = _quote(loan, rows, target, kind, principal, option, remaining_after, on)
    return Eligibility((), quote)


def _quote(
    loan: Loan,
    rows: Sequence[Installment],
    target: Installment,
    kind: str,
    principal: Decimal | None,
    option: str,
    remaining_after: Decimal,
    on: dt.date,
) -> PrepaymentQuote:
    installment_due = (target.principal - target.principal_paid) + (
        target.interest - target.interest_paid
    )
    later = [row for row in rows if row.number > target.number]
    prepaid = remaining_after if kind == Kind.FULL else principal
    assert prepaid is not None
    assert loan.annual_rate is not None  # a bank loan
    rate = InterestRate.annual(loan.annual_rate)
    fee = prepayment_fee(
        kind=loan.prepayment_fee_kind,
        prepaid_principal=prepaid,
        rate=rate,
        percents_by_loan_year=[Decimal(p) for p in loan.prepayment_fee_percents],
        value_date=loan.start_date,
        chosen_date=target.due_date,
    )
    if kind == Kind.FULL:
        return PrepaymentQuote(
            installment_number=target.number,
            installment_due=installment_due,
            principal=prepaid,
            fee=fee,
            interest_saved=sum((row.interest for row in later), ZERO),
        )
    plan = _reamortization(loan, later, remaining_after - prepaid, option)
    return PrepaymentQuote(
        installment_number=target.number,
        installment_due=installment_due,
        principal=prepaid,
        fee=fee,
        interest_saved=plan.interest_saved,
        new_rows=plan.installments,
        remaining_after=remaining_after - prepaid,
    )


def _reamortization(
    loan: Loan, later: Sequence[Installment], remaining: Decimal, option: str
) -> Reamortization:
    assert loan.annual_rate is not None
    try:
        return reamortize(
            remaining_principal=remaining,
            remaining_rows=[
                ScheduleRow(
                    number=row.number,
                    period_start_date=row.period_start_date,
                    due_date=row.due_date,
                    days=row.days,
                    opening_balance=row.opening_balance,
                    principal=row.principal,
                    interest=row.interest,
                    balance=row.opening_balance - row.principal,
                )
                for row in later
            ],
            method=RepaymentMethod(loan.method),
            rate=InterestRate.annual(loan.annual_rate),
            option=ReamortizationOption(option),
            rounding_unit=loan.installment_rounding_unit,
        )
    except ScheduleError as exc:
        raise InvalidInput(exc.detail, code=exc.code) from exc


def _refused(eligibility: Eligibility) -> InvalidInput:
    first = eligibility.refusals[0]
    detail = " ".join(r.message for r in eligibility.refusals)
    return InvalidInput(detail, code=first.code)


# Transitions ---------------------------------------------------------------------------


def _transition(
    application: PrepaymentApplication,
    to_status: str,
    *,
    now: dt.datetime,
    source: str,
    actor: User | None = None,
    reason: str = "",
) -> None:
    if to_status not in PREPAYMENT_TRANSITIONS[application.status]:
        raise Conflict(
            _("An application that is %(from)s cannot become %(to)s.")
            % {"from": application.get_status_display(), "to": P(to_status).label},
            code="invalid_transition",
        )
    PrepaymentEvent.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        source=source,
        actor=actor,
        reason=reason[:255],
        occurred_at=now,
    )
    application.status = to_status
    application.save(update_fields=["status"])


def _locked(application_id: int) -> PrepaymentApplication:
    return (
        PrepaymentApplication.objects.select_for_update(of=("self", "loan"))
        .select_related("loan__product")
        .get(pk=application_id)
    )


@dataclass(frozen=True)
class UploadedDocument:
    name: str
    data: bytes


def prepayment_application_submit(
    *,
    borrower: User,
    loan_public_id: uuid.UUID | str,
    kind: str,
    requested_date: dt.date,
    documents: Mapping[str, UploadedDocument],
    idempotency_key: str,
    business_date: dt.date,
    now: dt.datetime,
    principal: Decimal | None = None,
    option: str = "",
) -> PrepaymentApplication:
    """The borrower applies in writing. Every rule is checked (each failure its own
    message), the four documents are checked and stored encrypted, the quote the borrower
    saw is kept. The same key again returns the same application."""
    loan = (
        Loan.objects.select_related("product")
        .filter(public_id=loan_public_id, borrower=borrower)
        .first()
    )
    if loan is None:
        raise NotFound(_("There is no such loan."), code="not_found")
    if not idempotency_key or len(idempotency_key) > 100:
        raise InvalidInput(
            _("An idempotency key of 1-100 characters is required."),
            code="idempotency_key_invalid",
        )
    existing = PrepaymentApplication.objects.filter(
        borrower=borrower, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        if existing.loan_id != loan.pk or existing.requested_date != requested_date:
            raise IdempotencyKeyReused(_("This idempotency key was used for another application."))
        return existing
    missing = [k for k in REQUIRED_DOCUMENTS if k not in documents]
    if missing:
        labels = ", ".join(str(PrepaymentDocument.Kind(k).label) for k in missing)
        raise InvalidInput(
            _("Missing documents: %(list)s.") % {"list": labels}, code="documents_missing"
        )
    unknown = [k for k in documents if k not in REQUIRED_DOCUMENTS]
    if unknown:
        raise InvalidInput(_("Unknown document kinds."), code="documents_unknown")
    eligibility = prepayment_eligibility(
        loan=loan,
        kind=kind,
        requested_date=requested_date,
        on=business_date,
        principal=principal,
        option=option,
    )
    if not eligibility.eligible:
        raise _refused(eligibility)
    quote = eligibility.quote
    assert quote is not None
    cleaned = {k: document_clean(documents[k].data) for k in REQUIRED_DOCUMENTS}
    stored = {k: file_store(c.data, folder="prepayment-documents") for k, c in cleaned.items()}
    try:
        with transaction.atomic(durable=True):
            application = PrepaymentApplication.objects.create(
                loan=loan,
                borrower=borrower,
                kind=kind,
                requested_date=requested_date,
                installment_number=quote.installment_number,
                principal=quote.principal,
                option=option if kind == Kind.PARTIAL else "",
                fee=quote.fee,
                interest_saved=quote.interest_saved,
                installment_due=quote.installment_due,
                idempotency_key=idempotency_key,
                business_date=business_date,
                submitted_at=now,
            )
            PrepaymentDocument.objects.bulk_create(
                [
                    PrepaymentDocument(
                        application=application,
                        kind=k,
                        stored_name=stored[k],
                        content_type=cleaned[k].content_type,
                        size=len(cleaned[k].data),
                        sha256=cleaned[k].sha256,
                        uploaded_at=now,
                    )
                    for k in REQUIRED_DOCUMENTS
                ]
            )
            PrepaymentEvent.objects.create(
                application=application,
                to_status=P.SUBMITTED,
                source=Source.BORROWER,
                actor=borrower,
                reason="Submitted by the borrower.",
                occurred_at=now,
            )
    except IntegrityError as exc:
        twin = PrepaymentApplication.objects.filter(
            borrower=borrower, idempotency_key=idempotency_key
        ).first()
        if twin is not None:
            return twin
        raise Conflict(
            _("This loan already has a prepayment application in progress."),
            code="prepayment_in_progress",
        ) from exc
    return application


def prepayment_application_cancel(
    *, borrower: User, application_id: int, now: dt.datetime
) -> PrepaymentApplication:
    """The borrower withdraws an application that is still waiting for review."""
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.borrower_id != borrower.pk:
            raise NotFound(_("There is no such application."), code="not_found")
        if application.status != P.SUBMITTED:
            raise Conflict(
                _("Only an application waiting for review can be cancelled."),
                code="invalid_transition",
            )
        _transition(
            application,
            P.CANCELLED,
            now=now,
            source=Source.BORROWER,
            actor=borrower,
            reason="Cancelled by the borrower.",
        )
    return application


def _maker_checker(application: PrepaymentApplication, reviewer: User) -> None:
    """The reviewer must not be anyone who changed the application."""
    makers = set(
        PrepaymentEvent.objects.filter(application=application)
        .exclude(actor__isnull=True)
        .values_list("actor_id", flat=True)
    )
    makers.add(application.borrower_id)
    if reviewer.pk in makers:
        raise Conflict(
            _("You changed this application, so someone else must review it."),
            code="maker_checker",
        )


def prepayment_application_approve(
    *, application_id: int, reviewer: User, business_date: dt.date, now: dt.datetime
) -> PrepaymentApplication:
    """Staff approve after reviewing the documents; the rules are checked again today."""
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.status != P.SUBMITTED:
            raise Conflict(
                _("Only an application waiting for review can be approved."),
                code="invalid_transition",
            )
        _maker_checker(application, reviewer)
        eligibility = prepayment_eligibility(
            loan=application.loan,
            kind=application.kind,
            requested_date=application.requested_date,
            on=business_date,
            principal=application.principal if application.kind == Kind.PARTIAL else None,
            option=application.option,
            at_execution=True,
        )
        blocking = [r for r in eligibility.refusals if r.code != "earlier_installment_unpaid"]
        if blocking:
            raise _refused(Eligibility(tuple(blocking)))
        application.decided_at = now
        application.decided_by = reviewer
        application.save(update_fields=["decided_at", "decided_by"])
        _transition(
            application,
            P.APPROVED,
            now=now,
            source=Source.STAFF,
            actor=reviewer,
            reason="Approved after review of the documents.",
        )
        notification_send(
            user=application.borrower,
            kind=NotificationKind.PREPAYMENT_APPROVED,
            context={"amount": application.principal, "date": application.requested_date},
            link=f"/loans/{application.loan.public_id}/",
            now=now,
        )
    return application


def prepayment_application_reject(
    *, application_id: int, reviewer: User, reason: str, now: dt.datetime
) -> PrepaymentApplication:
    if not reason.strip():
        raise InvalidInput(_("Say why the application is rejected."), code="reason_required")
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.status != P.SUBMITTED:
            raise Conflict(
                _("Only an application waiting for review can be rejected."),
                code="invalid_transition",
            )
        _maker_checker(application, reviewer)
        application.decided_at = now
        application.decided_by = reviewer
        application.decision_reason = reason.strip()[:255]
        application.save(update_fields=["decided_at", "decided_by", "decision_reason"])
        _transition(
            application, P.REJECTED, now=now, source=Source.STAFF, actor=reviewer, reason=reason
        )
        notification_send(
            user=application.borrower,
            kind=NotificationKind.PREPAYMENT_REJECTED,
            context={"amount": application.principal, "reason": application.decision_reason},
            link=f"/loans/{application.loan.public_id}/",
            now=now,
        )
    return application


def prepayment_applications_expire(*, business_date: dt.date, now: dt.datetime) -> int:
    """Applications whose date has passed without execution expire (the close of business
    runs it). Returns how many; safe to run twice."""
    ids = list(
        PrepaymentApplication.objects.filter(
            status__in=[P.SUBMITTED, P.APPROVED], requested_date__lt=business_date
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for application_id in ids:
        with transaction.atomic(durable=True):
            application = _locked(application_id)
            if application.status in (P.SUBMITTED, P.APPROVED) and (
                application.requested_date < business_date
            ):
                _transition(
                    application,
                    P.EXPIRED,
                    now=now,
                    source=Source.SYSTEM,
                    reason="Its repayment date passed without execution.",
                )
                expired += 1
    return expired


# Execution ------------------------------------------------------------------------------


def prepayment_execute(
    *, application_id: int, business_date: dt.date, now: dt.datetime
) -> PrepaymentApplication:
    """Execute an approved application on its date: the rules are checked again, the
    month's installment, the prepaid principal and the fee are charged in one collection,
    and on success the installment is paid, the principal prepaid and the rest of the loan
    re-amortized as a new schedule version. If the money cannot be collected the application
    fails with the reason and nothing else changes. Safe to run twice."""
    application = PrepaymentApplication.objects.select_related("loan__product").get(
        pk=application_id
    )
    if application.status != P.APPROVED:
        return application
    if application.requested_date != business_date:
        raise Conflict(
            _("This prepayment is dated %(date)s.") % {"date": application.requested_date},
            code="not_its_date",
        )
    eligibility = prepayment_eligibility(
        loan=application.loan,
        kind=application.kind,
        requested_date=application.requested_date,
        on=business_date,
        principal=application.principal if application.kind == Kind.PARTIAL else None,
        option=application.option,
        at_execution=True,
    )
    if not eligibility.eligible:
        return _fail(application_id, " ".join(r.message for r in eligibility.refusals), now)
    quote = eligibility.quote
    assert quote is not None
    repayment = application.repayment
    if repayment is None:
        with transaction.atomic(durable=True):
            locked = _locked(application_id)
            if locked.repayment_id is None:
                locked.repayment = Repayment.objects.create(
                    loan=locked.loan,
                    borrower_id=locked.borrower_id,
                    kind=Repayment.Kind.PREPAYMENT,
                    amount=quote.total,
                    idempotency_key=f"prepayment:{locked.public_id}",
                    business_date=business_date,
                    card_masked=locked.borrower.profile.bank_card_masked,
                    requested_at=now,
                )
                locked.save(update_fields=["repayment"])
            repayment = locked.repayment
    assert repayment is not None
    profile = application.borrower.profile
    gateway = payment_gateway()
    result = gateway.collect(
        idempotency_key=f"repayment:{repayment.public_id}",
        amount=repayment.amount,
        card_number=profile.bank_card_number,
        account_name=profile.full_name,
    )
    if result.outcome == GatewayOutcome.PENDING:
        return application
    if result.outcome == GatewayOutcome.DECLINED:
        with transaction.atomic(durable=True):
            locked_repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
            if locked_repayment.status == Repayment.Status.PENDING:
                locked_repayment.status = Repayment.Status.FAILED
                locked_repayment.failure_reason = result.message[:255]
                locked_repayment.completed_at = now
                locked_repayment.save()
        return _fail(application_id, result.message or "The charge was declined.", now)
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.status != P.APPROVED:
            return application
        locked_repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
        locked_repayment.gateway = gateway.name
        locked_repayment.gateway_reference = result.reference
        _execute_received(application, locked_repayment, quote, business_date, now)
        _transition(
            application,
            P.EXECUTED,
            now=now,
            source=Source.SYSTEM,
            reason=f"Collected {locked_repayment.amount} ({result.reference}).",
        )
        application.executed_at = now
        application.save(update_fields=["executed_at"])
    return application


def _fail(application_id: int, reason: str, now: dt.datetime) -> PrepaymentApplication:
    with transaction.atomic(durable=True):
        application = _locked(application_id)
        if application.status == P.APPROVED:
            application.failure_reason = reason[:255]
            application.save(update_fields=["failure_reason"])
            _transition(application, P.FAILED, now=now, source=Source.SYSTEM, reason=reason)
    return application


def _execute_received(
    application: PrepaymentApplication,
    repayment: Repayment,
    quote: PrepaymentQuote,
    on: dt.date,
    now: dt.datetime,
) -> None:
    loan = core.loan_lock(application.loan_id)
    rows = core.live_installments_lock(loan)
    target = next(row for row in rows if row.number == application.installment_number)
    # That month's installment, as usual (the waterfall: it is current today).
    applied = core.apply_amount(
        loan=loan, rows=[target], amount=quote.installment_due, on=on, repayment=repayment
    )
    later = [row for row in rows if row.number > target.number]
    Installment.objects.filter(pk__in=[row.pk for row in later]).update(
        status=Installment.Status.SUPERSEDED, accruing=False
    )
    if application.kind == Kind.PARTIAL:
        plan = _reamortization(loan, later, quote.remaining_after, application.option)
        reason = (
            ScheduleVersion.Reason.PREPAYMENT_KEEP_TERM
            if application.option == PrepaymentApplication.Option.KEEP_TERM
            else ScheduleVersion.Reason.PREPAYMENT_KEEP_INSTALLMENT
        )
        version = schedule_version_create(
            loan=loan,
            reason=reason,
            effective_date=on,
            principal=quote.remaining_after,
            source=ScheduleVersion.Source.SYSTEM,
            note=f"Partial prepayment of {quote.principal} ({application.public_id}).",
            now=now,
        )
        Installment.objects.bulk_create(
            installment_rows(loan=loan, version=version, rows=plan.installments, on=on)
        )
        loan.maturity_date = plan.maturity_date
    else:
        schedule_version_create(
            loan=loan,
            reason=ScheduleVersion.Reason.FULL_PREPAYMENT,
            effective_date=on,
            principal=ZERO,
            source=ScheduleVersion.Source.SYSTEM,
            note=f"Full prepayment ({application.public_id}).",
            now=now,
        )
    if quote.principal:
        Allocation.objects.create(
            repayment=repayment, installment=None, component="principal", amount=quote.principal
        )
    if quote.fee:
        Allocation.objects.create(
            repayment=repayment, installment=None, component="fee", amount=quote.fee
        )
    loan.principal_outstanding -= quote.principal
    loan.save(update_fields=["principal_outstanding", "maturity_date"])
    core.loan_refresh_standing(loan, on=on)
    entries = []
    if quote.fee:
        entries.append(
            JournalEntry(
                idempotency_key=f"fee:{application.public_id}",
                kind=JournalTransaction.Kind.FEE,
                business_date=on,
                postings=[
                    debit(AccountCode.FEE_RECEIVABLE, quote.fee, loan.pk),
                    credit(AccountCode.FEE_INCOME, quote.fee, loan.pk),
                ],
                description=f"Prepayment fee of loan {loan.public_id}",
            )
        )
    entries.append(
        JournalEntry(
            idempotency_key=f"prepayment:{application.public_id}",
            kind=JournalTransaction.Kind.PREPAYMENT,
            business_date=on,
            postings=core.receipt_postings(
                loan, applied, received=repayment.amount, fee=quote.fee, prepaid=quote.principal
            ),
            description=f"Prepayment {repayment.gateway_reference}",
        )
    )
    core.post(entries, now=now)
    repayment.status = Repayment.Status.SUCCEEDED
    repayment.business_date = on
    repayment.completed_at = now
    repayment.save()


def prepayments_due(*, business_date: dt.date) -> list[int]:
    """The approved applications dated `business_date` (the close of business executes
    them)."""
    return list(
        PrepaymentApplication.objects.filter(status=P.APPROVED, requested_date=business_date)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def prepayment_document_open(
    *, document_id: int, staff: User, ip_address: str | None, now: dt.datetime
) -> tuple[PrepaymentDocument, bytes]:
    """A document's content for a member of staff allowed to open it (the interface checks
    the permission); every look is logged."""
    document = PrepaymentDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("There is no such document."), code="not_found")
    data = file_read(document.stored_name)
    DocumentAccess.objects.create(
        document=document, staff=staff, accessed_at=now, ip_address=ip_address
    )
    return document, data


def prepayment_document_for_borrower(
    *, borrower: User, document_id: int
) -> tuple[PrepaymentDocument, bytes]:
    """A borrower opens a document of their own application."""
    document = PrepaymentDocument.objects.filter(
        pk=document_id, application__borrower=borrower
    ).first()
    if document is None:
        raise NotFound(_("There is no such document."), code="not_found")
    return document, file_read(document.stored_name)
