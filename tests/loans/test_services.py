"""Credit lines, applications, the face gate and disbursement, through the services."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.exceptions import Conflict, DomainError, InvalidInput
from ledger.accounts import AccountCode
from ledger.models import JournalLine, JournalTransaction
from ledger.selectors import account_balance, trial_balance
from loans.models import (
    ApplicationEvent,
    ApplicationStatus,
    CreditLine,
    Installment,
    Loan,
    LoanApplication,
    Payout,
    RiskRule,
    RiskSettings,
)
from loans.selectors import credit_line_available
from loans.services import (
    FaceCheckPending,
    loan_application_approve,
    loan_application_cancel,
    loan_application_expire_stale,
    loan_application_submit,
    loan_disburse,
    payout_send,
)
from tests.loans.factories import CLIENT, BankProductFactory, MicroProductFactory, borrower

D = Decimal
S = ApplicationStatus


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


@pytest.fixture
def person(micro, business_date):
    return borrower(business_date=business_date)


def submit(
    user,
    product,
    *,
    amount="1000",
    term=5,
    method="equal_principal",
    key=None,
    when=None,
    client=CLIENT,
    day=None,
):
    return loan_application_submit(
        borrower=user,
        product=product,
        amount=D(amount),
        term=term,
        method=method,
        idempotency_key=key or f"key-{amount}-{term}-{method}-{timezone.now().timestamp()}",
        client=client,
        business_date=day or dt.date(2024, 5, 10),
        now=when or timezone.now(),
        terms_accepted=True,
    )


def daytime(day=dt.date(2024, 5, 10), hour=14):
    """A moment on `day` at `hour` o'clock Beijing time."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def counts():
    return (
        LoanApplication.objects.count(),
        Loan.objects.count(),
        Installment.objects.count(),
        JournalTransaction.objects.count(),
        Payout.objects.count(),
    )


def test_completing_the_profile_grants_a_scored_credit_line(person, micro):
    line = CreditLine.objects.get(borrower=person, product=micro)
    # 600 base + 50 prime age (34) = 650, 100 above the minimum: 5000 + 100 × 200.
    assert line.limit == D("25000.00")
    # Halfway from the lowest to the best-rate score: halfway down the rate range.
    assert line.daily_rate == D("0.00035")
    assert line.repayment_day is None
    assert credit_line_available(line=line) == D("25000.00")


def test_first_small_draw_is_approved_and_disbursed_with_its_schedule(person, micro):
    result = submit(person, micro, amount="2500", term=5, when=daytime())
    application = result.application
    assert result.created
    assert application.status == S.DISBURSED
    assert application.risk_decision.score == 50
    assert [r["code"] for r in application.risk_decision.reasons] == ["first_loan"]
    assert not application.face_check_required

    loan = Loan.objects.get(application=application)
    assert loan.principal == D("2500.00")
    assert loan.principal_outstanding == D("2500.00")
    assert loan.daily_rate == D("0.00035")
    assert loan.start_date == dt.date(2024, 5, 10)
    assert loan.first_due_date == dt.date(2024, 6, 10)
    rows = list(loan.installments.order_by("number"))
    assert [r.days for r in rows] == [31, 30, 31, 31, 30]
    assert [r.principal for r in rows] == [D("500.00")] * 5
    assert [r.interest for r in rows] == [D("27.13"), D("21.00"), D("16.28"), D("10.85"), D("5.25")]
    line = loan.credit_line
    assert line is not None
    assert line.repayment_day == 10
    assert credit_line_available(line=line) == D("22500.00")
    assert account_balance(code=AccountCode.LOAN_PRINCIPAL, loan_id=loan.pk) == D("2500.00")
    assert account_balance(code=AccountCode.PAYOUTS_IN_TRANSIT) == D("-2500.00")
    assert [e.to_status for e in application.events.order_by("occurred_at", "pk")] == [
        S.SUBMITTED,
        S.APPROVED,
        S.DISBURSED,
    ]
    assert loan.payout.status == Payout.Status.PENDING


def test_payout_moves_the_money_once(person, micro, business_date):
    loan = Loan.objects.get(application=submit(person, micro, when=daytime()).application)
    payout = payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert payout.status == Payout.Status.SUCCEEDED
    assert payout.gateway_reference.startswith("SIM-")
    assert account_balance(code=AccountCode.PAYOUTS_IN_TRANSIT) == D("0.00")
    assert account_balance(code=AccountCode.SETTLEMENT_BANK) == D("-1000.00")
    before = counts()
    again = payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert again.status == Payout.Status.SUCCEEDED
    assert counts() == before
    assert trial_balance().is_balanced


def test_declined_payout_cancels_the_loan_and_restores_the_line(micro, business_date):
    person = borrower(business_date=business_date, card_ending="0002")
    loan = Loan.objects.get(
        application=submit(person, micro, amount="3000", when=daytime()).application
    )
    payout = payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert payout.status == Payout.Status.FAILED
    assert "declined" in payout.failure_reason
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED
    assert loan.principal_outstanding == D("0.00")
    assert set(loan.installments.values_list("status", flat=True)) == {Installment.Status.CANCELLED}
    assert account_balance(code=AccountCode.LOAN_PRINCIPAL) == D("0.00")
    assert account_balance(code=AccountCode.PAYOUTS_IN_TRANSIT) == D("0.00")
    assert JournalTransaction.objects.filter(kind=JournalTransaction.Kind.REVERSAL).count() == 1
    line = CreditLine.objects.get(borrower=person)
    assert credit_line_available(line=line) == line.limit
    assert trial_balance().is_balanced


def test_later_draw_is_due_on_the_repayment_day_at_least_15_days_out(person, micro):
    submit(person, micro, amount="1000", when=daytime())  # first draw on 10 May: day 10
    second = submit(
        person, micro, amount="1000", day=dt.date(2024, 5, 30), when=daytime(dt.date(2024, 5, 30))
    )
    loan = Loan.objects.get(application=second.application)
    assert loan.first_due_date == dt.date(2024, 7, 10)
    assert loan.installments.get(number=1).days == 41


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": "50"}, "amount_below_minimum"),
        ({"amount": "1050"}, "amount_not_a_multiple"),
        ({"amount": "40100"}, "amount_above_maximum"),
        ({"amount": "25100"}, "amount_above_available"),
        ({"term": 7}, "term_not_offered"),
        ({"amount": "0"}, "amount_invalid"),
    ],
)
def test_each_product_rule_refuses_with_its_own_message_and_changes_nothing(
    person, micro, change, code
):
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro, **change)
    assert caught.value.code == code
    assert counts() == before


def test_method_not_offered(person, micro):
    micro.allow_equal_installment = False
    micro.save()
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro, method="equal_installment")
    assert caught.value.code == "method_not_offered"


def test_inactive_product_and_missing_line(person, micro, business_date):
    micro.is_active = False
    micro.save()
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro)
    assert caught.value.code == "product_not_offered"
    micro.is_active = True
    micro.save()
    newcomer = borrower(business_date=business_date, with_profile=False)
    with pytest.raises(InvalidInput) as caught:
        submit(newcomer, micro)
    assert caught.value.code == "profile_incomplete"
    # A complete profile whose score earned no line.
    CreditLine.objects.filter(borrower=person).delete()
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro)
    assert caught.value.code == "no_credit_line"


def test_open_draw_limit(person, micro):
    micro.max_open_draws = 2
    micro.save()
    submit(person, micro, amount="100", when=daytime())
    submit(person, micro, amount="100", when=daytime())
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro, amount="100", when=daytime())
    assert caught.value.code == "too_many_open_loans"


def test_rate_above_cap_cannot_be_offered(person, micro):
    CreditLine.objects.filter(borrower=person).update(daily_rate=D("0.0007"))
    with pytest.raises(InvalidInput) as caught:
        submit(person, micro)
    assert caught.value.code == "rate_above_cap"


def test_same_idempotency_key_creates_one_application(person, micro):
    first = submit(person, micro, amount="1000", key="double-click", when=daytime())
    before = counts()
    second = submit(person, micro, amount="1000", key="double-click", when=daytime())
    assert not second.created
    assert second.application.pk == first.application.pk
    assert counts() == before
    with pytest.raises(Conflict) as caught:
        submit(person, micro, amount="2000", key="double-click", when=daytime())
    assert caught.value.code == "idempotency_key_reused"
    assert counts() == before


def test_large_second_application_requires_a_face_check_and_stops_there(
    person, micro, business_date
):
    submit(person, micro, amount="1000", when=daytime())
    result = submit(person, micro, amount="8000", when=daytime())
    application = result.application
    assert application.status == S.FACE_CHECK_REQUIRED
    assert application.face_check_required
    decision = application.risk_decision
    assert decision.face_check_required
    assert decision.score >= decision.threshold
    assert "amount_above_threshold" in [r["code"] for r in decision.reasons]
    assert not Loan.objects.filter(application=application).exists()
    # One open application per product: another draw waits for this one.
    with pytest.raises(Conflict) as caught:
        submit(person, micro, amount="100", when=daytime())
    assert caught.value.code == "application_in_progress"


def test_face_gate_holds_on_every_path(person, micro, business_date):
    submit(person, micro, amount="1000", when=daytime())
    application = submit(person, micro, amount="8000", when=daytime()).application
    before = counts()
    with pytest.raises(FaceCheckPending):
        loan_application_approve(application_id=application.pk, now=timezone.now())
    with pytest.raises(FaceCheckPending):
        loan_disburse(
            application_id=application.pk, business_date=business_date, now=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanApplication.objects.filter(pk=application.pk).update(status=S.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanApplication.objects.filter(pk=application.pk).update(status=S.DISBURSED)
    application.refresh_from_db()
    assert application.status == S.FACE_CHECK_REQUIRED
    assert counts() == before


def test_repeat_loans_always_checked_when_policy_says_so(person, micro):
    submit(person, micro, amount="1000", when=daytime())
    RiskSettings.objects.filter(pk=1).update(repeat_loan_policy="always")
    application = submit(person, micro, amount="100", when=daytime()).application
    assert application.status == S.FACE_CHECK_REQUIRED
    assert "repeat_loan" in [r["code"] for r in application.risk_decision.reasons]


def test_staff_tuned_weights_change_the_decision(person, micro):
    RiskRule.objects.filter(code="first_loan").update(weight=100)
    application = submit(person, micro, amount="1000", when=daytime()).application
    assert application.status == S.FACE_CHECK_REQUIRED
    assert application.risk_decision.score == 100


def test_night_time_and_new_device_add_up(person, micro):
    submit(person, micro, amount="1000", when=daytime())
    other = CLIENT.__class__(ip_address="10.9.9.9", user_agent="x", device_id="another-device-99")
    application = submit(
        person, micro, amount="100", when=daytime(dt.date(2024, 5, 11), hour=3), client=other
    ).application
    codes = {r["code"] for r in application.risk_decision.reasons}
    assert {"new_device", "new_ip", "unusual_hour"} <= codes
    assert application.risk_decision.score == 70 + 30 + 40
    assert application.status == S.FACE_CHECK_REQUIRED


def test_cancel_and_expire(person, micro, business_date):
    submit(person, micro, amount="1000", when=daytime())
    application = submit(person, micro, amount="8000", when=daytime()).application
    cancelled = loan_application_cancel(
        application_id=application.pk, borrower=person, now=timezone.now()
    )
    assert cancelled.status == S.CANCELLED
    with pytest.raises(DomainError):
        loan_application_cancel(application_id=application.pk, borrower=person, now=timezone.now())
    waiting = submit(person, micro, amount="9000", when=daytime()).application
    assert (
        loan_application_expire_stale(
            business_date=business_date + dt.timedelta(days=7), now=timezone.now()
        )
        == 0
    )
    assert (
        loan_application_expire_stale(
            business_date=business_date + dt.timedelta(days=8), now=timezone.now()
        )
        == 1
    )
    waiting.refresh_from_db()
    assert waiting.status == S.EXPIRED
    assert ApplicationEvent.objects.filter(application=waiting, to_status=S.EXPIRED).exists()


def test_bank_installment_loan_without_a_credit_line(business_date):
    product = BankProductFactory.create()
    RiskRule.objects.filter(code="amount_above_threshold").update(amount=D("500000"))
    person = borrower(business_date=business_date)
    application = submit(
        person, product, amount="120000", term=12, method="equal_installment", when=daytime()
    ).application
    assert application.status == S.DISBURSED
    loan = Loan.objects.get(application=application)
    assert loan.credit_line is None
    assert loan.annual_rate == D("0.0435")
    assert loan.first_due_date == dt.date(2024, 6, 10)
    # 12 × the 10,000 check figure M = 853.0990…: 10,237.188… rounds to 10,237.19.
    assert loan.installments.get(number=1).total == D("10237.19")
    with pytest.raises(InvalidInput) as caught:
        submit(person, product, amount="20000", term=12, method="equal_installment", when=daytime())
    assert caught.value.code == "too_many_open_loans"


def test_disbursement_refuses_when_the_line_was_used_up_meanwhile(person, micro, business_date):
    # Approved but not yet disbursed (a face check passed earlier), then the line is used.
    application = submit(
        person, micro, amount="8000", when=daytime(hour=3), client=CLIENT
    ).application
    # The default rules send 8,000.00 (above the 5,000.00 amount rule) to a face check.
    assert application.status == S.FACE_CHECK_REQUIRED
    LoanApplication.objects.filter(pk=application.pk).update(
        face_check_passed_at=timezone.now(), status=S.APPROVED
    )
    CreditLine.objects.filter(borrower=person).update(limit=D("5000.00"))
    result = loan_disburse(
        application_id=application.pk, business_date=business_date, now=timezone.now()
    )
    assert result.loan is None
    application.refresh_from_db()
    assert application.status == S.REFUSED
    assert application.refusal_code == "amount_above_available"
    assert JournalLine.objects.count() == 0


def test_no_background_task_moves_an_application_past_the_face_gate(person, micro, business_date):
    from loans import tasks

    submit(person, micro, amount="1000", when=daytime())
    application = submit(person, micro, amount="8000", when=daytime()).application
    before = counts()
    # Only the first loan's payout is waiting; the application behind the gate has none.
    assert tasks.payouts_resend_pending() == 1
    assert tasks.applications_expire() == 0
    for payout in Payout.objects.order_by("pk"):
        tasks.payout_send_task(payout_id=payout.pk)
    application.refresh_from_db()
    assert application.status == S.FACE_CHECK_REQUIRED
    assert not Loan.objects.filter(application=application).exists()
    assert counts()[:3] == before[:3]


def test_signing_in_from_a_new_device_does_not_make_it_known(person, micro):
    """A stolen account: the thief signs in from their own phone, then applies."""
    from accounts.services import user_login_record

    user_login_record(user=person, context=CLIENT, now=daytime(hour=9))
    submit(person, micro, amount="1000", when=daytime(hour=10))
    thief = CLIENT.__class__(ip_address="203.0.113.9", user_agent="x", device_id="thief-phone-0001")
    user_login_record(user=person, context=thief, now=daytime(dt.date(2024, 5, 11), hour=9))
    application = submit(
        person, micro, amount="100", when=daytime(dt.date(2024, 5, 11), hour=10), client=thief
    ).application
    codes = {r["code"] for r in application.risk_decision.reasons}
    assert {"new_device", "new_ip"} <= codes
    assert application.status == S.FACE_CHECK_REQUIRED


def test_client_ip_behind_trusted_proxies(rf, settings):
    from common.request_context import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "10.0.0.2"
    settings.MICROLEND = {**settings.MICROLEND, "TRUSTED_PROXIES": 1}
    assert client_ip(request) == "198.51.100.7"


def test_declined_payout_also_cancels_the_application_and_frees_the_repayment_day(
    micro, business_date
):
    person = borrower(business_date=business_date, card_ending="0002")
    application = submit(person, micro, amount="3000", when=daytime()).application
    loan = Loan.objects.get(application=application)
    assert loan.credit_line is not None
    assert loan.credit_line.repayment_day == 10
    payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    application.refresh_from_db()
    assert application.status == S.CANCELLED
    last = application.events.order_by("-occurred_at", "-pk").first()
    assert last is not None
    assert "payout" in last.reason
    line = CreditLine.objects.get(pk=loan.credit_line.pk)
    assert line.repayment_day is None


def test_disbursement_checks_the_line_again(person, micro, business_date):
    submit(person, micro, amount="1000", when=daytime())
    application = submit(person, micro, amount="8000", when=daytime()).application
    CreditLine.objects.filter(borrower=person).update(status=CreditLine.Status.FROZEN)
    with transaction.atomic():
        LoanApplication.objects.filter(pk=application.pk).update(
            status=S.APPROVED, face_check_passed_at=timezone.now()
        )
    result = loan_disburse(
        application_id=application.pk, business_date=business_date, now=timezone.now()
    )
    assert result.loan is None
    application.refresh_from_db()
    assert application.status == S.REFUSED
    assert application.refusal_code == "credit_line_inactive"


def test_an_interrupted_disbursement_is_finished_by_a_retry_or_the_sweep(
    person, micro, business_date
):
    from loans import tasks
    from loans.services.states import application_transition

    submit(person, micro, amount="1000", when=daytime())
    application = submit(person, micro, amount="8000", key="stuck", when=daytime()).application
    # As if the process died right after approval, before the disbursement.
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        locked.face_check_passed_at = timezone.now()
        locked.save(update_fields=["face_check_passed_at"])
        application_transition(locked, S.FACE_CHECK_PASSED, now=timezone.now(), source="system")
        application_transition(locked, S.APPROVED, now=timezone.now(), source="system")
    LoanApplication.objects.filter(pk=application.pk).update(
        decided_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert tasks.applications_disburse_approved() == 1
    application.refresh_from_db()
    assert application.status == S.DISBURSED
    # A retried request with the same key returns it as it is now.
    again = submit(person, micro, amount="8000", key="stuck", when=daytime())
    assert again.application.status == S.DISBURSED
    assert Loan.objects.filter(application=application).count() == 1


def test_every_product_needs_a_complete_profile(business_date):
    product = BankProductFactory.create()
    person = borrower(business_date=business_date, with_profile=False)
    with pytest.raises(InvalidInput) as caught:
        submit(person, product, amount="20000", term=12, method="equal_installment")
    assert caught.value.code == "profile_incomplete"


def test_bank_loan_from_the_31st_stays_on_the_contract_day(business_date):
    product = BankProductFactory.create(term_min=1)
    RiskRule.objects.filter(code="amount_above_threshold").update(amount=D("500000"))
    person = borrower(business_date=business_date)
    application = submit(
        person,
        product,
        amount="12000",
        term=4,
        method="equal_installment",
        day=dt.date(2024, 1, 31),
        when=daytime(dt.date(2024, 1, 31)),
    ).application
    loan = Loan.objects.filter(application=application).first()
    assert loan is not None, application.refusal_reason
    assert list(loan.installments.order_by("number").values_list("due_date", flat=True)) == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]
    assert loan.repayment_day == 31
