import datetime as dt

import pytest
from django.utils import timezone

from common.exceptions import InvalidInput
from common.models import BusinessCalendar, BusinessDateChange
from common.selectors import business_date_get
from common.services import business_date_advance


def test_business_date_moves_forward_and_records_an_event(business_date, admin_user):
    change = business_date_advance(
        to_date=business_date + dt.timedelta(days=1),
        source=BusinessDateChange.Source.STAFF,
        now=timezone.now(),
        actor=admin_user,
        reason="manual close",
    )
    assert business_date_get() == business_date + dt.timedelta(days=1)
    assert change.from_date == business_date
    assert change.actor == admin_user


@pytest.mark.parametrize("days", [0, -1])
def test_business_date_never_moves_back(business_date, days):
    with pytest.raises(InvalidInput) as caught:
        business_date_advance(
            to_date=business_date + dt.timedelta(days=days),
            source=BusinessDateChange.Source.STAFF,
            now=timezone.now(),
        )
    assert caught.value.code == "business_date_not_forward"
    assert business_date_get() == business_date
    assert BusinessDateChange.objects.count() == 0


def test_only_one_calendar_row_can_exist(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessCalendar.objects.create(id=2, current_date=dt.date(2024, 1, 1))
