"""The audit trail (django-simple-history): who changed what and when on the sensitive
models, also when the change comes from an admin action, a bulk action or the group's side
of a membership; visible on the admin's history pages."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.roles import AUDITOR, REVIEWER
from loans.models import RiskRule
from tests.accounts.factories import UserFactory
from tests.repayments.test_admin import application  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def superuser_client():
    user = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return user, client


def test_a_role_given_in_the_user_form_is_in_the_users_history():
    staff, client = superuser_client()
    clerk = UserFactory.create(is_staff=True, username="clerk")
    reviewer = Group.objects.get(name=REVIEWER.name)
    response = client.post(
        reverse("admin:accounts_user_change", args=[clerk.pk]),
        {
            "username": "clerk",
            "is_active": "on",
            "is_staff": "on",
            "groups": [reviewer.pk],
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = clerk.history.order_by("-history_id").first()
    assert record.history_user == staff
    assert [row.group for row in record.groups.all()] == [reviewer]
    page = client.get(reverse("admin:accounts_user_history", args=[clerk.pk]))
    assert page.status_code == 200
    assert "Reviewer" in page.content.decode()


def test_memberships_changed_from_the_groups_side_are_recorded_for_each_user():
    first, second = UserFactory.create_batch(2, is_staff=True)
    auditor = Group.objects.get(name=AUDITOR.name)
    before = {user.pk: user.history.count() for user in (first, second)}
    auditor.user_set.add(first, second)
    for user in (first, second):
        assert user.history.count() == before[user.pk] + 1
        assert [r.group for r in user.history.order_by("-history_id")[0].groups.all()] == [auditor]
    auditor.user_set.clear()
    for user in (first, second):
        assert user.history.count() == before[user.pk] + 2
        assert not user.history.order_by("-history_id")[0].groups.exists()


def test_a_roles_permissions_have_their_history():
    reviewer = Group.objects.get(name=REVIEWER.name)
    history = reviewer.history  # type: ignore[attr-defined]  # registered by accounts.apps
    before = history.count()
    extra = Permission.objects.get(codename="view_payout")
    reviewer.permissions.add(extra)
    latest = history.order_by("-history_id")[0]
    assert history.count() == before + 1
    assert extra in [row.permission for row in latest.permissions.all()]
    _, client = superuser_client()
    page = client.get(reverse("admin:auth_group_history", args=[reviewer.pk]))
    assert page.status_code == 200


def test_signing_in_leaves_no_history_record_but_stores_the_time():
    user = UserFactory.create(is_staff=True, username="signer")
    user.set_password("a long enough password")
    user.save()
    before = user.history.count()
    response = Client().post(
        reverse("admin:login"),
        {"username": "signer", "password": "a long enough password", "next": "/admin/"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


def test_the_password_hash_is_never_in_the_history():
    user = UserFactory.create()
    user.set_password("another long password")
    user.save()
    assert not hasattr(user.history.order_by("-history_id")[0], "password")


def test_risk_rules_edited_in_the_list_have_their_history():
    staff, client = superuser_client()
    rules = list(RiskRule.objects.order_by("code", "pk"))
    data = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, rule in enumerate(rules):
        data[f"form-{index}-id"] = str(rule.pk)
        data[f"form-{index}-weight"] = str(rule.weight + (7 if index == 0 else 0))
        if rule.enabled:
            data[f"form-{index}-enabled"] = "on"
    response = client.post(reverse("admin:loans_riskrule_changelist"), data)
    assert response.status_code == 302
    changed = rules[0]
    changed.refresh_from_db()
    record = changed.history.order_by("-history_id")[0]
    assert (record.weight, record.history_user) == (changed.weight, staff)
    assert client.get(reverse("admin:loans_riskrule_history", args=[changed.pk])).status_code == 200


def test_a_bulk_action_records_each_rule_with_who_did_it():
    staff, client = superuser_client()
    rules = list(RiskRule.objects.filter(enabled=True).order_by("pk")[:3])
    before = {rule.pk: rule.history.count() for rule in rules}
    response = client.post(
        reverse("admin:loans_riskrule_changelist"),
        {"action": "switch_off", "_selected_action": [rule.pk for rule in rules]},
    )
    assert response.status_code == 302
    for rule in rules:
        rule.refresh_from_db()
        assert rule.enabled is False
        assert rule.history.count() == before[rule.pk] + 1
        latest = rule.history.order_by("-history_id")[0]
        assert (latest.enabled, latest.history_user) == (False, staff)


def test_a_prepayment_decided_by_an_admin_action_has_its_history(application):  # noqa: F811
    staff, client = superuser_client()
    assert application.history.count() == 1  # submitted
    response = client.post(
        reverse("admin:repayments_prepaymentapplication_changelist"),
        {"action": "approve_selected", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    statuses = [r.status for r in application.history.order_by("history_id")]
    assert statuses[0] == "submitted"
    assert statuses[-1] == "approved"
    assert application.history.order_by("-history_id")[0].history_user == staff
    page = client.get(
        reverse("admin:repayments_prepaymentapplication_history", args=[application.pk])
    )
    assert page.status_code == 200


def test_a_loan_application_has_its_history_from_submission(application):  # noqa: F811
    loan_application = application.loan.application
    assert loan_application.history.exists()
    assert {r.history_type for r in loan_application.history.all()} >= {"+"}
    _, client = superuser_client()
    page = client.get(reverse("admin:loans_loanapplication_history", args=[loan_application.pk]))
    assert page.status_code == 200


@pytest.mark.parametrize(
    "table",
    [
        "accounts_historicaluser",
        "accounts_historicalgroup_permissions",
        "loans_historicalriskrule",
        "loans_historicalloanapplication",
        "repayments_historicalprepaymentapplication",
    ],
)
def test_the_application_can_neither_rewrite_nor_erase_the_audit_trail(table):
    with connection.cursor() as cursor:
        statements = (f"UPDATE {table} SET history_id = history_id", f"DELETE FROM {table}")  # noqa: S608
        for sql in statements:
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(sql)
