"""The close of business moves the business date, one day at a time, and nothing else
does (DOMAIN.md §7)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from closing import services as closing_services
from closing.services import business_day_close, business_days_close_until
from common.exceptions import InvalidInput
from common.models import BusinessCalendar, BusinessDateChange, CloseRun, CloseRunEvent, RunState
from common.selectors import CloseOfBusinessRunning, business_date_for_money, business_date_get

ONE_DAY = dt.timedelta(days=1)


def counts():
    return (
        CloseRun.objects.count(),
        CloseRunEvent.objects.count(),
        BusinessDateChange.objects.count(),
    )


def test_close_opens_the_next_day_and_records_the_run(business_date, admin_user):
    run = business_day_close(business_date=business_date, now=timezone.now(), actor=admin_user)
    assert run is not None
    assert run.state == RunState.COMPLETED
    assert run.finished_at is not None
    assert business_date_get() == business_date + ONE_DAY
    calendar = BusinessCalendar.objects.get(pk=1)
    assert calendar.state == BusinessCalendar.State.OPEN
    change = BusinessDateChange.objects.get()
    assert (change.from_date, change.to_date) == (business_date, business_date + ONE_DAY)
    assert change.source == BusinessDateChange.Source.CLOSE_OF_BUSINESS
    assert change.actor == admin_user
    assert list(run.events.order_by("pk").values_list("from_state", "to_state")) == [
        ("", RunState.RUNNING),
        (RunState.RUNNING, RunState.COMPLETED),
    ]


def test_closing_a_closed_date_again_changes_nothing(business_date):
    business_day_close(business_date=business_date, now=timezone.now())
    before = counts()
    assert business_day_close(business_date=business_date, now=timezone.now()) is None
    assert counts() == before
    assert business_date_get() == business_date + ONE_DAY


def test_a_date_after_the_business_date_cannot_be_closed(business_date):
    with pytest.raises(InvalidInput) as caught:
        business_day_close(business_date=business_date + ONE_DAY, now=timezone.now())
    assert caught.value.code == "close_date_in_future"
    assert counts() == (0, 0, 0)
    assert business_date_get() == business_date


def test_missed_days_are_closed_one_after_another_in_order(business_date):
    runs = business_days_close_until(until=business_date + 2 * ONE_DAY, now=timezone.now())
    assert [r.business_date for r in runs] == [business_date + k * ONE_DAY for k in range(3)]
    assert business_date_get() == business_date + 3 * ONE_DAY
    assert list(BusinessDateChange.objects.order_by("pk").values_list("to_date", flat=True)) == [
        business_date + k * ONE_DAY for k in range(1, 4)
    ]
    # Through a date already closed: nothing to do.
    assert business_days_close_until(until=business_date, now=timezone.now()) == []


def test_a_failing_step_stops_the_run_and_the_next_start_resumes_it(business_date, monkeypatch):
    calls = []

    def flaky(context):
        calls.append(context.business_date)
        if len(calls) == 1:
            raise RuntimeError("database restarted")

    monkeypatch.setattr(closing_services, "CLOSE_STEPS", [("flaky", flaky)])
    with pytest.raises(RuntimeError):
        business_day_close(business_date=business_date, now=timezone.now())
    run = CloseRun.objects.get()
    assert run.state == RunState.FAILED
    assert "database restarted" in run.error
    assert business_date_get() == business_date
    # Money waits while a close of the day is unfinished.
    assert BusinessCalendar.objects.get(pk=1).state == BusinessCalendar.State.CLOSING
    with pytest.raises(CloseOfBusinessRunning):
        business_date_for_money(loan_id=1, wait=dt.timedelta(0))

    resumed = business_day_close(business_date=business_date, now=timezone.now())
    assert resumed is not None
    assert resumed.pk == run.pk
    assert resumed.state == RunState.COMPLETED
    assert calls == [business_date, business_date]
    assert business_date_get() == business_date + ONE_DAY
    assert business_date_for_money(wait=dt.timedelta(0)) == business_date + ONE_DAY


def test_money_for_a_loan_waits_while_a_close_runs_and_new_money_is_valued_tomorrow(
    business_date,
):
    BusinessCalendar.objects.filter(pk=1).update(state=BusinessCalendar.State.CLOSING)
    with pytest.raises(CloseOfBusinessRunning) as caught:
        business_date_for_money(loan_id=1, wait=dt.timedelta(milliseconds=200))
    assert caught.value.status_code == 409
    assert business_date_for_money(wait=dt.timedelta(0)) == business_date + ONE_DAY
    BusinessCalendar.objects.filter(pk=1).update(state=BusinessCalendar.State.OPEN)
    assert business_date_for_money(loan_id=1, wait=dt.timedelta(0)) == business_date


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_date_change_that_skips_or_rewrites_days():
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    day = dt.date(2024, 5, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessDateChange.objects.create(
            from_date=day, to_date=day + 2 * ONE_DAY, source="staff", changed_at=timezone.now()
        )
    change = BusinessDateChange.objects.create(
        from_date=day, to_date=day + ONE_DAY, source="staff", changed_at=timezone.now()
    )
    with (
        pytest.raises(DatabaseError, match=r"permission denied|insert-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE common_businessdatechange SET reason = 'edited' WHERE id = %s", [change.pk]
        )


def test_management_command_closes_through_a_date(business_date, capsys):
    call_command("close_business_day", until=business_date + ONE_DAY)
    out = capsys.readouterr().out
    assert f"closed {business_date}" in out
    assert f"business date is {business_date + 2 * ONE_DAY}" in out
    call_command("close_business_day")
    assert business_date_get() == business_date + 3 * ONE_DAY
