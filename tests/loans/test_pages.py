"""Borrower pages and the back office around applications."""

import re

import pytest
from django.test import Client

from loans.models import Loan, LoanApplication
from tests.loans.factories import MicroProductFactory, UserFactory, borrower


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


@pytest.fixture
def alice(micro, business_date):
    return borrower(business_date=business_date)


def logged_in(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def choose(client, amount="1000", term="5"):
    """Step 1 of the apply page: returns the response and the form's idempotency key."""
    form = client.get("/apply/")
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode())
    assert found is not None
    key = found.group(1)
    return client.post(
        "/apply/",
        {
            "product": "weili",
            "amount": amount,
            "term": term,
            "method": "equal_principal",
            "idempotency_key": key,
        },
    ), key


def accept(client, contract_url, *, tick=True):
    """Step 2: the contract page, posted back with the acceptance ticked (or not)."""
    page = client.get(contract_url).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert set(fields) >= {
        "product",
        "amount",
        "term",
        "method",
        "idempotency_key",
        "contract_digest",
    }
    if tick:
        fields["accept"] = "on"
    return client.post("/apply/contract/", fields)


def apply_page(client, amount="1000", term="5"):
    chosen, key = choose(client, amount, term)
    assert chosen.status_code == 302, chosen.content.decode()
    return accept(client, chosen["Location"]), key


def test_home_shows_the_line_and_empty_states(alice):
    html = logged_in(alice).get("/home/").content.decode()
    assert "Available to borrow" in html
    assert "¥25,000.00" in html
    assert "12.60%" in html  # simple annualized, more prominent than the daily rate
    assert "You have no open loans." in html


def test_a_pending_face_check_is_the_first_thing_on_home(alice, business_date):
    from tests.verification.support import waiting_application

    application = waiting_application(alice, business_date)
    html = logged_in(alice).get("/home/").content.decode()
    main = html.split("<main", 1)[1]
    first_card = re.search(r'<section class="([^"]+)"', main)
    assert first_card is not None
    assert "pending-face-check" in first_card.group(1)
    card = main.split("</section>", 1)[0]
    assert "Face check needed" in card
    assert f'href="/applications/{application.public_id}/face-check/"' in card
    assert main.index("pending-face-check") < main.index('class="card credit-line"')
    chinese = logged_in(alice, "zh-hans").get("/home/").content.decode()
    assert "需要人脸核验" in chinese.split("<main", 1)[1].split("</section>", 1)[0]


def test_home_shows_no_face_check_card_when_none_is_pending(alice):
    assert "pending-face-check" not in logged_in(alice).get("/home/").content.decode()


def test_home_in_chinese(alice):
    html = logged_in(alice, "zh-hans").get("/home/").content.decode()
    assert "可借额度" in html
    assert "暂无未结清的借款" in html


def test_home_without_profile_invites_to_complete_it(micro, business_date):
    person = borrower(business_date=business_date, with_profile=False)
    html = logged_in(person).get("/home/").content.decode()
    assert "Complete my profile" in html


def test_apply_page_submits_once_and_shows_the_loan(alice):
    client = logged_in(alice)
    response, key = apply_page(client)
    assert response.status_code == 302
    application = LoanApplication.objects.get(idempotency_key=key)
    assert response["Location"] == f"/applications/{application.public_id}/"
    # The same contract accepted again (a double click) changes nothing.
    again = accept(
        client,
        f"/apply/contract/?product=weili&amount=1000&term=5&method=equal_principal&idempotency_key={key}",
    )
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert LoanApplication.objects.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "Your loan is on its way" in detail
    loan = Loan.objects.get(application=application)
    page = client.get(f"/loans/{loan.public_id}/").content.decode()
    assert "Repayment schedule" in page
    assert page.count('class="upcoming"') == 5
    assert "¥200.00" in page


def test_apply_errors_are_shown_next_to_the_form(alice):
    response, _ = choose(logged_in(alice), amount="30000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "more than your available credit of ¥25,000.00" in page
    assert 'id="id_amount_error1"' in page
    assert 'value="30000"' in page
    assert LoanApplication.objects.count() == 0


def test_the_contract_must_be_accepted(alice):
    client = logged_in(alice)
    chosen, key = choose(client)
    contract_page = client.get(chosen["Location"]).content.decode()
    assert "Loan contract" in contract_page
    assert 'id="contract-text"' in contract_page
    assert "paid out on a later day" in contract_page
    refused = accept(client, chosen["Location"], tick=False)
    assert refused.status_code == 200
    assert "Read the loan contract and accept it" in refused.content.decode()
    assert 'id="id_accept_error1"' in refused.content.decode()
    assert LoanApplication.objects.count() == 0
    response = accept(client, chosen["Location"])
    application = LoanApplication.objects.get(idempotency_key=key)
    assert response["Location"] == f"/applications/{application.public_id}/"
    stored = application.contract
    assert stored.language == "en"
    assert "¥1,000.00" in stored.text
    loan = Loan.objects.get(application=application)
    loan_page = client.get(f"/loans/{loan.public_id}/").content.decode()
    assert f"/applications/{application.public_id}/contract/" in loan_page
    shown = client.get(f"/applications/{application.public_id}/contract/").content.decode()
    assert "¥1,000.00" in shown
    assert stored.version in shown


def test_a_hand_made_contract_address_goes_back_to_step_one(alice):
    response = logged_in(alice).get("/apply/contract/?product=weili&amount=abc")
    assert response.status_code == 302
    assert response["Location"].startswith("/apply/")


def test_face_check_application_stops_at_the_face_step(alice):
    client = logged_in(alice)
    apply_page(client)
    submitted, key = apply_page(client, amount="8000")
    html = client.get(submitted["Location"]).content.decode()
    assert 'id="face-step"' in html
    assert "Face check needed" in html
    assert LoanApplication.objects.get(idempotency_key=key).status == "face_check_required"


def test_other_borrowers_pages_are_not_found(alice, business_date):
    _, key = apply_page(logged_in(alice))
    application = LoanApplication.objects.get(idempotency_key=key)
    loan = Loan.objects.get(application=application)
    bob = logged_in(borrower(business_date=business_date))
    assert bob.get(f"/applications/{application.public_id}/").status_code == 404
    assert bob.get(f"/loans/{loan.public_id}/").status_code == 404
    assert (
        bob.post(f"/applications/{application.public_id}/", {"action": "cancel"}).status_code == 404
    )


@pytest.mark.parametrize("url", ["/home/", "/apply/"])
def test_anonymous_visitors_are_sent_to_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_do_not_use_borrower_pages(db):
    assert logged_in(UserFactory.create(is_staff=True)).get("/home/").status_code == 403


def test_admin_cannot_approve_or_disburse_past_the_face_gate(alice, admin_client, business_date):
    client = logged_in(alice)
    apply_page(client)
    _, key = apply_page(client, amount="8000")
    application = LoanApplication.objects.get(idempotency_key=key)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    for action in ("approve", "disburse"):
        response = admin_client.post(
            "/admin/loans/loanapplication/",
            {"action": action, "_selected_action": [application.pk]},
            follow=True,
        )
        assert "face check" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "face_check_required"
    assert not Loan.objects.filter(application=application).exists()
    page = admin_client.get(
        f"/admin/loans/loanapplication/{application.pk}/change/"
    ).content.decode()
    assert "Amount above a threshold" in page  # the rule that fired, by name
    assert "+100 Amount above a threshold: The amount 8000 is above 5000.00." in page
    assert "Face check required" in page


def test_admin_refuse_action_records_who_and_why(alice, admin_client, admin_user):
    client = logged_in(alice)
    apply_page(client)
    _, key = apply_page(client, amount="8000")
    application = LoanApplication.objects.get(idempotency_key=key)
    admin_client.post(
        "/admin/loans/loanapplication/", {"action": "refuse", "_selected_action": [application.pk]}
    )
    application.refresh_from_db()
    assert application.status == "refused"
    event = application.events.order_by("-occurred_at", "-pk").first()
    assert event is not None
    assert event.actor == admin_user
    assert event.source == "staff"
