"""The back office's roles (accounts/roles.py): the groups the migration creates hold
exactly the role's permissions, and a member of each can do their job in the admin and
nothing else (allowed pages answer, forbidden ones are refused, changes are refused)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import (
    AUDITOR,
    COLLECTIONS,
    CREDENTIAL_MODELS,
    DOCUMENTS_PERMISSION,
    FACE_DATA_PERMISSION,
    FINANCE,
    REVIEWER,
    RISK_OFFICER,
    ROLES,
    role_permissions,
)
from common.selectors import business_date_get
from loans.demo import demo_data_load
from loans.models import RiskRule
from repayments.models import PrepaymentApplication
from tests.accounts.factories import UserFactory
from tests.pages.language import english_runs, page_text
from tests.repayments.test_admin import application  # noqa: F401 - a fixture
from tests.verification.support import waiting_application
from verification.models import ManualReview
from verification.services import manual_review_request

pytestmark = pytest.mark.django_db


def member(role, **extra):
    user = UserFactory.create(is_staff=True, **extra)
    user.groups.add(Group.objects.get(name=role.name))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return user, client


def labels(group):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def changelist(label):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


def test_the_migration_made_every_role_with_exactly_its_permissions():
    available = [
        (p.content_type.app_label, p.content_type.model, p.codename)
        for p in Permission.objects.select_related("content_type")
    ]
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        assert labels(group) == role_permissions(role, available), role.name


def test_no_role_but_the_risk_officer_sees_face_images_and_the_auditor_no_scans():
    holders = {
        role.name
        for role in ROLES
        if FACE_DATA_PERMISSION in labels(Group.objects.get(name=role.name))
    }
    assert holders == {RISK_OFFICER.name}
    auditor = labels(Group.objects.get(name=AUDITOR.name))
    assert DOCUMENTS_PERMISSION not in auditor
    assert FACE_DATA_PERMISSION not in auditor
    # View-only: nothing that adds, changes, deletes, decides or exports.
    assert all(label.split(".")[1].startswith("view_") for label in auditor)
    assert not {f"{m}".replace(".", ".view_") for m in CREDENTIAL_MODELS} & auditor


def test_the_auditor_opens_every_page_and_changes_nothing():
    demo_data_load(business_date=business_date_get(), now=timezone.now())
    _, client = member(AUDITOR)
    opened = 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        credential = f"{info[0]}.{info[1]}" in CREDENTIAL_MODELS
        response = client.get(url, follow=True)
        assert response.status_code == (403 if credential else 200), url
        if credential:
            continue
        opened += 1
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403, url
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        change = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
        assert client.get(change, follow=True).status_code == 200, change
        posted = client.post(change, {})
        # Refused; or the change page is the platform's own page (the close, a review),
        # whose POST is refused in the tests below.
        assert posted.status_code == 403 or (
            posted.status_code == 302 and "/change/" not in posted["Location"]
        ), change
        delete = reverse("admin:{}_{}_delete".format(*info), args=[first.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, delete
    assert opened > 40
    assert client.get(reverse("admin:ledger_trial_balance")).status_code == 200
    # The business date cannot be closed, nor risk rules switched by an action.
    assert (
        client.post(reverse("admin:common_businesscalendar_close"), {"confirm": "on"}).status_code
        == 403
    )
    rule = RiskRule.objects.order_by("pk")[0]
    response = client.post(
        changelist("loans.riskrule"),
        {"action": "switch_off", "_selected_action": [rule.pk]},
    )
    assert response.status_code in (200, 302)
    rule.refresh_from_db()
    assert rule.enabled is True


def test_a_reviewer_decides_prepayments_and_nothing_else(application):  # noqa: F811
    reviewer, client = member(REVIEWER)
    assert client.get(changelist("repayments.prepaymentapplication")).status_code == 200
    review = reverse("admin:repayments_prepaymentapplication_review", args=[application.pk])
    page = client.get(review)
    assert page.status_code == 200
    document = application.documents.first()
    opened = client.get(reverse("admin:repayments_prepaymentdocument_open", args=[document.pk]))
    assert opened.status_code == 200
    for forbidden in (
        "loans.riskrule",
        "ledger.journaltransaction",
        "repayments.overduerecord",
        "verification.manualreview",
        "verification.faceenrolment",
        "accounts.user",
        "auth.group",
    ):
        assert client.get(changelist(forbidden)).status_code == 403, forbidden
    assert client.get(reverse("admin:ledger_trial_balance")).status_code == 403
    assert client.post(review, {"decision": "approve"}).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("approved", reviewer)


def test_the_auditor_reads_a_prepayment_but_neither_decides_nor_opens_its_scans(
    application,  # noqa: F811
):
    _, client = member(AUDITOR)
    review = reverse("admin:repayments_prepaymentapplication_review", args=[application.pk])
    assert client.get(review).status_code == 200
    document = application.documents.first()
    opened = client.get(reverse("admin:repayments_prepaymentdocument_open", args=[document.pk]))
    assert opened.status_code == 403
    assert client.post(review, {"decision": "approve"}).status_code == 403
    assert PrepaymentApplication.objects.get(pk=application.pk).status == "submitted"


def test_a_risk_officer_tunes_rules_and_decides_manual_reviews(consenting, business_date):
    officer, client = member(RISK_OFFICER)
    application_ = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application_.public_id,
        reason="no_camera",
        note="The camera is broken",
        now=timezone.now(),
    )
    assert client.get(changelist("verification.manualreview")).status_code == 200
    decide = reverse("admin:verification_manualreview_decide", args=[review.pk])
    assert client.get(decide).status_code == 200
    response = client.post(decide, {"decision": "approve", "note": "Video call, ID matched"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.reviewer) == (ManualReview.Status.APPROVED, officer)

    rule = RiskRule.objects.order_by("pk")[0]
    response = client.post(
        changelist("loans.riskrule"), {"action": "switch_off", "_selected_action": [rule.pk]}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.enabled is False
    assert rule.history.order_by("-history_id").first().history_user == officer
    assert officer.has_perm(FACE_DATA_PERMISSION)
    for forbidden in (
        "repayments.prepaymentapplication",
        "ledger.journaltransaction",
        "repayments.overduerecord",
        "loans.loanproduct",
        "accounts.user",
    ):
        assert client.get(changelist(forbidden)).status_code == 403, forbidden


def test_the_auditor_reads_a_manual_review_but_cannot_decide_it(consenting, business_date):
    _, client = member(AUDITOR)
    application_ = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application_.public_id,
        reason="no_camera",
        note="",
        now=timezone.now(),
    )
    decide = reverse("admin:verification_manualreview_decide", args=[review.pk])
    page = client.get(decide)
    assert page.status_code == 200
    assert 'value="Decide"' not in page.content.decode()
    assert client.post(decide, {"decision": "approve", "note": "x"}).status_code == 403
    review.refresh_from_db()
    assert review.status == ManualReview.Status.PENDING


def test_collections_see_overdue_loans_and_nothing_else():
    user, client = member(COLLECTIONS)
    assert user.has_perm("backoffice.add_collectionnote")
    assert user.has_perm("backoffice.add_promisetopay")
    assert not user.has_perm("backoffice.change_collectionnote")
    for allowed in (
        "backoffice.overdueloan",
        "repayments.overduerecord",
        "repayments.creditreportrecord",
        "loans.loan",
        "repayments.repayment",
    ):
        assert client.get(changelist(allowed)).status_code == 200, allowed
    for forbidden in (
        "repayments.prepaymentapplication",
        "loans.riskrule",
        "ledger.journaltransaction",
        "verification.verificationattempt",
        "common.exportjob",
    ):
        assert client.get(changelist(forbidden)).status_code == 403, forbidden
    assert client.get(reverse("admin:ledger_trial_balance")).status_code == 403
    assert client.get(reverse("admin:loans_reconciliation")).status_code == 403


def test_the_reconciliation_speaks_the_staffs_language():
    demo_data_load(business_date=business_date_get(), now=timezone.now())
    _, client = member(FINANCE)
    page = client.get(reverse("admin:loans_reconciliation"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page_text(page.content.decode())
    assert "总账与贷款一致。" in text
    assert english_runs(text) == []


def test_finance_sees_the_ledger_and_may_export_but_decides_nothing():
    user, client = member(FINANCE)
    for allowed in ("ledger.journaltransaction", "ledger.account", "loans.loan", "loans.payout"):
        assert client.get(changelist(allowed)).status_code == 200, allowed
    assert client.get(reverse("admin:ledger_trial_balance")).status_code == 200
    reconciliation = client.get(reverse("admin:loans_reconciliation"))
    assert reconciliation.status_code == 200
    assert "The ledger agrees with the loans." in reconciliation.content.decode()
    assert client.get(reverse("admin:loans_loan_export")).status_code == 200
    assert user.has_perm("common.export_records")
    for forbidden in (
        "repayments.prepaymentapplication",
        "loans.riskrule",
        "verification.manualreview",
        "verification.faceenrolment",
        "accounts.user",
    ):
        assert client.get(changelist(forbidden)).status_code == 403, forbidden
    assert not user.has_perm(FACE_DATA_PERMISSION)
    assert not user.has_perm(DOCUMENTS_PERMISSION)


def test_only_finance_may_export():
    for role in (REVIEWER, RISK_OFFICER, COLLECTIONS, AUDITOR):
        _, client = member(role)
        assert client.get(reverse("admin:loans_loan_export")).status_code == 403, role.name


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_every_role_opens_the_back_offices_first_page(role):
    demo_data_load(business_date=business_date_get(), now=timezone.now())
    _, client = member(role)
    assert client.get(reverse("admin:index")).status_code == 200
