"""Written prepayment of a bank loan, end to end through the services: eligibility at each
boundary, documents, review with maker-checker, execution on the date with the new schedule
row by row (DOMAIN.md §5's check figures), cancellation, expiry, failure."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput
from ledger.accounts import AccountCode
from ledger.selectors import account_balance, trial_balance
from loans.models import Installment, Loan, ScheduleVersion
from repayments.models import PrepaymentApplication, PrepaymentDocument, Repayment
from repayments.services.prepayments import (
    UploadedDocument,
    prepayment_application_approve,
    prepayment_application_cancel,
    prepayment_application_reject,
    prepayment_application_submit,
    prepayment_applications_expire,
    prepayment_eligibility,
    prepayment_execute,
)
from tests.accounts.factories import UserFactory
from tests.repayments.factories import (
    bank_borrower,
    bank_product,
    disbursed_loan,
    documents,
    jpeg,
    pay_rows_on_their_due_dates,
    pdf,
)

D = Decimal
CONTRACT = dt.date(2024, 1, 15)
ROW_18 = dt.date(2025, 7, 15)


@pytest.fixture
def mortgage(db):
    """DOMAIN.md §5: 500,000.00 at 4.2% over 240 months, equal installment."""
    user = bank_borrower(CONTRACT)
    loan = disbursed_loan(
        user, bank_product(), amount="500000", term=240, method="equal_installment", on=CONTRACT
    )
    first = loan.installments.get(number=1)
    assert first.principal + first.interest == D("3082.85")
    return loan


@pytest.fixture
def reviewer(db):
    return UserFactory.create(is_staff=True, username="reviewer")


def submit(
    loan,
    *,
    kind="partial",
    principal="50000.00",
    option="keep_term",
    on=None,
    key="pp",
    date=ROW_18,
    docs=None,
):
    return prepayment_application_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        kind=kind,
        requested_date=date,
        principal=D(principal) if principal else None,
        option=option,
        documents=docs or documents(),
        idempotency_key=key,
        business_date=on or ROW_18 - dt.timedelta(days=10),
        now=timezone.now(),
    )


def live(loan):
    return list(loan.installments.exclude(status="superseded").order_by("number"))


@pytest.mark.parametrize(
    ("option", "rows", "installment", "last", "interest"),
    [
        ("keep_term", 222, D("2758.54"), D("2756.91"), D("187112.79")),
        ("keep_installment", 189, D("3082.85"), D("2231.64"), D("156525.98")),
    ],
)
def test_partial_prepayment_with_the_18th_installment_reproduces_the_check_figures(
    mortgage, reviewer, option, rows, installment, last, interest
):
    pay_rows_on_their_due_dates(mortgage, through=17)
    application = submit(mortgage, option=option)
    assert application.status == "submitted"
    assert application.installment_number == 18
    assert application.fee == 0
    assert application.interest_saved == D("209112.63") - interest
    assert PrepaymentDocument.objects.filter(application=application).count() == 4
    prepayment_application_approve(
        application_id=application.pk,
        reviewer=reviewer,
        business_date=ROW_18 - dt.timedelta(days=5),
        now=timezone.now(),
    )
    executed = prepayment_execute(
        application_id=application.pk, business_date=ROW_18, now=timezone.now()
    )
    assert executed.status == "executed"
    mortgage.refresh_from_db()
    assert mortgage.principal_outstanding == D("425281.46")
    new = [row for row in live(mortgage) if row.number > 18]
    assert len(new) == rows
    assert [row.number for row in new] == list(range(19, 19 + rows))
    assert {row.principal + row.interest for row in new[:-1]} == {installment}
    assert new[-1].principal + new[-1].interest == last
    assert sum(row.interest for row in new) == interest
    assert new[0].opening_balance == D("425281.46")
    version = ScheduleVersion.objects.get(loan=mortgage, number=2)
    assert version.reason == f"prepayment_{option}"
    assert {row.schedule_version_id for row in new} == {version.pk}
    # The old rows are kept, superseded; the 18th was paid with the prepayment.
    assert Installment.objects.filter(loan=mortgage, status="superseded").count() == 222
    assert mortgage.installments.get(number=18, status="paid").paid_date == ROW_18
    charge = executed.repayment
    assert charge is not None
    assert charge.amount == D("3082.85") + D("50000.00")
    assert charge.status == Repayment.Status.SUCCEEDED
    assert account_balance(code=AccountCode.LOAN_PRINCIPAL, loan_id=mortgage.pk) == D("425281.46")
    assert trial_balance().is_balanced


def test_full_prepayment_settles_the_loan_and_charges_the_fee(db, reviewer):
    user = bank_borrower(CONTRACT)
    product = bank_product(
        code="bank-fee", prepayment_fee_kind="one_month_interest", partial_prepayment_multiple=None
    )
    loan = disbursed_loan(
        user,
        product,
        amount="120000",
        term=24,
        method="equal_principal",
        on=CONTRACT,
        key="fee-loan",
    )
    pay_rows_on_their_due_dates(loan, through=6)
    seventh = loan.installments.get(number=7)
    application = submit(
        loan,
        kind="full",
        principal=None,
        option="",
        date=seventh.due_date,
        on=seventh.due_date - dt.timedelta(days=10),
    )
    # The principal left after the 7th row, 120,000 − 7 × 5,000, is prepaid; the fee is one
    # month's interest on it: round(85,000 × 4.2% / 12) = 297.50.
    assert application.principal == D("85000.00")
    assert application.fee == D("297.50")
    prepayment_application_approve(
        application_id=application.pk,
        reviewer=reviewer,
        business_date=seventh.due_date,
        now=timezone.now(),
    )
    prepayment_execute(
        application_id=application.pk, business_date=seventh.due_date, now=timezone.now()
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    assert loan.principal_outstanding == 0
    assert account_balance(code=AccountCode.FEE_INCOME) == D("-297.50")
    assert account_balance(code=AccountCode.FEE_RECEIVABLE) == 0
    assert trial_balance().is_balanced


def refusal_codes(loan, **kwargs):
    eligibility = prepayment_eligibility(loan=loan, **kwargs)
    return {refusal.code for refusal in eligibility.refusals}


def test_each_rule_at_its_boundary(mortgage):
    pay_rows_on_their_due_dates(mortgage, through=6)
    seventh = mortgage.installments.get(number=7).due_date
    sixth = mortgage.installments.get(number=6).due_date
    base = {"kind": "partial", "principal": D("10000.00"), "option": "keep_term"}
    # Due date 7 is the first allowed, 6 is not (it is paid anyway: not a coming date).
    assert (
        refusal_codes(mortgage, requested_date=seventh, on=seventh - dt.timedelta(days=10), **base)
        == set()
    )
    assert "date_not_a_coming_due_date" in refusal_codes(
        mortgage, requested_date=sixth, on=sixth - dt.timedelta(days=10), **base
    )
    # Notice: 10 days before is enough, 9 is not.
    assert "notice_too_short" in refusal_codes(
        mortgage, requested_date=seventh, on=seventh - dt.timedelta(days=9), **base
    )
    # Amount: 10,000 yes, 9,999.99 no, 15,000 not a multiple of 10,000.
    on = seventh - dt.timedelta(days=10)
    assert "amount_below_minimum" in refusal_codes(
        mortgage,
        requested_date=seventh,
        on=on,
        kind="partial",
        principal=D("9999.99"),
        option="keep_term",
    )
    assert "amount_not_a_multiple" in refusal_codes(
        mortgage,
        requested_date=seventh,
        on=on,
        kind="partial",
        principal=D("15000.00"),
        option="keep_term",
    )
    assert "option_invalid" in refusal_codes(
        mortgage,
        requested_date=seventh,
        on=on,
        kind="partial",
        principal=D("10000.00"),
        option="",
    )
    # A date that is not a due date.
    assert "date_not_a_coming_due_date" in refusal_codes(
        mortgage, requested_date=seventh + dt.timedelta(days=1), on=on, **base
    )


def test_an_installment_paid_after_its_grace_or_overdue_blocks_prepayment(db):
    user = bank_borrower(CONTRACT)
    loan = disbursed_loan(
        user,
        bank_product(),
        amount="100000",
        term=36,
        method="equal_installment",
        on=CONTRACT,
        key="late",
    )
    from repayments.services import repayment_submit

    for row in loan.installments.filter(number__lte=6).order_by("number"):
        late = row.number == 3
        repayment_submit(
            borrower=user,
            loan_public_id=loan.public_id,
            amount=row.principal + row.interest + (D("50.00") if late else 0),
            idempotency_key=f"r{row.number}",
            business_date=row.due_date + dt.timedelta(days=2 if late else 0),
            now=timezone.now(),
        )
    seventh = loan.installments.get(number=7).due_date
    codes = refusal_codes(
        loan, kind="full", requested_date=seventh, on=seventh - dt.timedelta(days=10)
    )
    assert "earlier_installment_late" in codes


def test_twelve_months_between_partial_prepayments(mortgage, reviewer):
    pay_rows_on_their_due_dates(mortgage, through=6)
    seventh = mortgage.installments.get(number=7).due_date
    application = submit(
        mortgage,
        principal="10000.00",
        date=seventh,
        on=seventh - dt.timedelta(days=10),
        key="first",
    )
    prepayment_application_approve(
        application_id=application.pk, reviewer=reviewer, business_date=seventh, now=timezone.now()
    )
    prepayment_execute(application_id=application.pk, business_date=seventh, now=timezone.now())
    mortgage.refresh_from_db()
    rows = {row.number: row.due_date for row in live(mortgage)}
    on = rows[18] - dt.timedelta(days=20)
    # 11 months later: refused; exactly 12 months later: allowed.
    assert "too_soon_after_last" in refusal_codes(
        mortgage,
        kind="partial",
        principal=D("10000.00"),
        option="keep_term",
        requested_date=rows[18],
        on=on,
    )
    assert "too_soon_after_last" not in refusal_codes(
        mortgage,
        kind="partial",
        principal=D("10000.00"),
        option="keep_term",
        requested_date=rows[19],
        on=on,
    )


def test_documents_are_checked_by_their_content(mortgage):
    pay_rows_on_their_due_dates(mortgage, through=6)
    seventh = mortgage.installments.get(number=7).due_date
    on = seventh - dt.timedelta(days=10)
    cases = [
        (UploadedDocument("scan.pdf", b"MZ\x90\x00" + b"\x00" * 4000), "document_not_image_or_pdf"),
        (UploadedDocument("scan.pdf", pdf(javascript="app.alert('x')")), "pdf_active_content"),
        (UploadedDocument("scan.jpg", jpeg(width=9000, height=9000)), "image_too_many_pixels"),
        (UploadedDocument("scan.jpg", b""), "document_empty"),
        (
            UploadedDocument("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "document_not_image_or_pdf",
        ),
    ]
    for bad, code in cases:
        with pytest.raises(InvalidInput) as caught:
            submit(mortgage, date=seventh, on=on, key=f"bad-{code}", docs=documents(statement=bad))
        assert caught.value.code == code
    with pytest.raises(InvalidInput) as caught:
        submit(
            mortgage,
            date=seventh,
            on=on,
            key="missing",
            docs={k: v for k, v in documents().items() if k != "id_card"},
        )
    assert caught.value.code == "documents_missing"
    assert PrepaymentApplication.objects.count() == 0
    assert PrepaymentDocument.objects.count() == 0


def test_maker_checker_reject_with_reason_and_cancellation(mortgage, reviewer):
    pay_rows_on_their_due_dates(mortgage, through=6)
    seventh = mortgage.installments.get(number=7).due_date
    on = seventh - dt.timedelta(days=10)
    application = submit(mortgage, date=seventh, on=on, principal="10000.00")
    with pytest.raises(Conflict) as caught:
        prepayment_application_approve(
            application_id=application.pk,
            reviewer=mortgage.borrower,
            business_date=on,
            now=timezone.now(),
        )
    assert caught.value.code == "maker_checker"
    with pytest.raises(InvalidInput):
        prepayment_application_reject(
            application_id=application.pk, reviewer=reviewer, reason="  ", now=timezone.now()
        )
    rejected = prepayment_application_reject(
        application_id=application.pk,
        reviewer=reviewer,
        reason="The statement is unreadable.",
        now=timezone.now(),
    )
    assert rejected.status == "rejected"
    assert rejected.decision_reason == "The statement is unreadable."
    # The borrower is told, with the reason.
    from notifications.models import Notification

    notice = Notification.objects.get(user=mortgage.borrower, kind="prepayment_rejected")
    assert notice.context["reason"] == "The statement is unreadable."
    again = submit(mortgage, date=seventh, on=on, principal="10000.00", key="second")
    cancelled = prepayment_application_cancel(
        borrower=mortgage.borrower, application_id=again.pk, now=timezone.now()
    )
    assert cancelled.status == "cancelled"
    with pytest.raises(Conflict):
        prepayment_application_cancel(
            borrower=mortgage.borrower, application_id=again.pk, now=timezone.now()
        )
    assert list(again.events.order_by("pk").values_list("to_status", flat=True)) == [
        "submitted",
        "cancelled",
    ]


def test_an_application_whose_date_passes_expires(mortgage):
    pay_rows_on_their_due_dates(mortgage, through=6)
    seventh = mortgage.installments.get(number=7).due_date
    application = submit(
        mortgage, date=seventh, on=seventh - dt.timedelta(days=10), principal="10000.00"
    )
    assert prepayment_applications_expire(business_date=seventh, now=timezone.now()) == 0
    assert (
        prepayment_applications_expire(
            business_date=seventh + dt.timedelta(days=1), now=timezone.now()
        )
        == 1
    )
    application.refresh_from_db()
    assert application.status == "expired"
