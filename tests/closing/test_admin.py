"""Staff close the business day from the admin: the only way the date moves."""

import datetime as dt

from common.models import CloseRun
from common.selectors import business_date_get


def test_staff_close_the_business_day_in_the_admin(admin_client, business_date):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = "/admin/common/businesscalendar/close/"
    assert admin_client.get("/admin/common/businesscalendar/1/change/")["Location"] == url
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "2024-05-10" in page.content.decode()
    # Without the confirmation nothing happens.
    response = admin_client.post(url, {})
    assert response.status_code == 200
    assert business_date_get() == business_date
    assert not CloseRun.objects.exists()
    response = admin_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert business_date_get() == business_date + dt.timedelta(days=1)
    run = CloseRun.objects.get()
    assert run.source == CloseRun.Source.STAFF
    assert run.actor is not None
    assert admin_client.get("/admin/common/closerun/").status_code == 200
    assert admin_client.get(f"/admin/common/closerun/{run.pk}/change/").status_code == 200


def test_the_close_page_shows_the_runs_progress(admin_client, business_date):
    from django.utils import timezone

    from closing.services import business_day_close

    business_day_close(business_date=business_date, now=timezone.now())
    data = admin_client.get("/admin/common/businesscalendar/close/progress/").json()
    assert data["calendar_state"] == "open"
    assert data["run"]["business_date"] == str(business_date)
    assert data["run"]["state"] == "completed"
    assert [s["step"] for s in data["run"]["steps"]][:4] == [
        "catch_up",
        "prepayments",
        "overpayments",
        "loans",
    ]
    page = admin_client.get("/admin/common/businesscalendar/close/").content.decode()
    assert "close_progress.js" in page
    assert 'id="close-steps"' in page
