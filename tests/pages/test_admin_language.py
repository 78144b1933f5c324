"""The back office in Chinese: every page of every registered model (list, add, change,
history) and the platform's own admin pages show no English phrase, except data that is
English by nature (usernames, a ledger account's English name, a library's example)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.selectors import business_date_get
from loans.demo import DEMO_STAFF, demo_data_load
from tests.pages.language import english_runs, page_text

pytestmark = pytest.mark.django_db

# English by nature: a ledger account's English name (its own field), django-axes' record
# titles, django-celery-beat's cron description.
ALLOWED = (
    "Settlement bank account",
    "Access Log for",
    "Every minute",
    # The nightly periodic task's name and description: a record staff may rename, written
    # once by closing's migration.
    "Close of business",
    "Closes every business date before today's calendar date",
)


def admin_urls():
    urls = [
        reverse("admin:index"),
        reverse("admin:ledger_trial_balance"),
        reverse("admin:common_businesscalendar_close"),
    ]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls += [
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_add".format(*info)),
        ]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [
                reverse("admin:{}_{}_change".format(*info), args=[first.pk]),
                reverse("admin:{}_{}_history".format(*info), args=[first.pk]),
            ]
    return urls


def test_the_back_office_speaks_chinese(db):
    demo_data_load(business_date=business_date_get(), now=timezone.now())
    from accounts.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=DEMO_STAFF[0]))
    checked = 0
    found: dict[str, str] = {}
    for url in admin_urls():
        response = client.get(url, follow=True)
        if response.status_code != 200:
            assert response.status_code == 403, (url, response.status_code)
            continue
        checked += 1
        # Choices of a drop-down (time zones, task names) are data, not the admin's words;
        # Django writes its yes/no icons' alt text in English whatever the language.
        text = page_text(
            response.content.decode(),
            skip=frozenset({"option"}),
            attributes=("title", "aria-label", "placeholder"),
        )
        for run in english_runs(text, ALLOWED):
            found.setdefault(run, url)
    assert checked > 60
    assert found == {}
