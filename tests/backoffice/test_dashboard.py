"""The dashboard's figures against a hand-built book, in a bounded number of queries."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.selectors.dashboard import dashboard_get
from tests.backoffice import factories as f

D = Decimal
days = dt.timedelta


def test_the_dashboard_adds_up_the_hand_built_book(business_date, django_assert_max_num_queries):
    on = business_date  # 2024-05-10: the month began on the 1st, the trend on 2024-04-11
    book = f.hand_built_book(on)
    f.pay(book.this_month, "100.00", on, "today")
    f.pay(book.this_month, "50.00", on - days(2), "this-month")
    # The day after its draw (nothing due yet: held as overpayment), last month.
    f.pay(book.dpd_30, "70.00", on - days(19), "last-month-in-trend")
    f.age_book(book)
    f.overdue_record(book.dpd_30, principal="500.00", overdue_from=on - days(29))
    f.overdue_record(
        book.dpd_31, principal="300.00", overdue_from=on - days(40), settled=on - days(10)
    )
    f.overdue_record(book.dpd_90, principal="200.00", overdue_from=on - days(3))
    f.face_attempts(book.today, ["fail", "no_face", "pass"])
    refused = f.refused_for_identity(on)
    f.refused_for_identity(on, code="manual_review_rejected")
    f.manual_review_waiting(refused)
    f.prepayment_waiting(book.dpd_30, on)
    f.close_failed(book.dpd_90, on)

    with django_assert_max_num_queries(7):
        board = dashboard_get(business_date=on, now=timezone.now())

    assert board.business_date == on
    assert board.calendar_state == "open"
    assert board.last_close is not None
    assert board.last_close.business_date == on - days(1)
    # Active loans: 1,000 + 2,000 + 3,000 + 4,000 + 5,000 + 6,000 (the cancelled and the
    # settled one are not outstanding); no payment so far reduced principal (paid early:
    # held as overpayment).
    assert board.active_loans == 6
    assert board.outstanding_principal == D("21000.00")
    # Disbursed: today 1,000 and the 7,000 later cancelled (not counted); this month also
    # 2,000 (5 days ago) and 8,000 (3 days ago, settled since: still disbursed).
    assert (board.draws_today, board.disbursed_today) == (1, D("1000.00"))
    assert (board.draws_month, board.disbursed_month) == (3, D("11000.00"))
    assert (board.repayments_today, board.received_today) == (1, D("100.00"))
    assert (board.repayments_month, board.received_month) == (2, D("150.00"))

    buckets = {b.key: b for b in board.buckets}
    assert [(b.loans, b.principal) for b in board.buckets] == [
        (1, D("3000.00")),
        (1, D("4000.00")),
        (1, D("5000.00")),
        (1, D("6000.00")),
    ]
    assert buckets["dpd_1_30"].share == D("0.142857")  # 3,000 / 21,000
    assert buckets["dpd_1_30"].par == D("0.857143")  # 18,000 / 21,000
    assert buckets["dpd_31_60"].par == D("0.714286")  # 15,000 / 21,000
    assert buckets["dpd_91_plus"].par == D("0.285714")  # 6,000 / 21,000
    assert [b.label for b in board.buckets] == ["1–30", "31–60", "61–90", "90+"]
    assert board.overdue_loans == 4
    assert board.overdue_principal_at_risk == D("18000.00")

    # Attempts with a face: 2, of which 1 passed; two applications refused for identity.
    assert (board.face_attempts, board.face_attempts_passed) == (2, 1)
    assert board.face_pass_rate == D("0.500000")
    assert board.face_refusals == 2
    assert board.prepayments_waiting == 1
    assert board.manual_reviews_waiting == 1
    assert (board.close_failures_open, board.close_failed_loans) == (1, 1)

    trend = {day.day: day for day in board.trend}
    assert len(board.trend) == 30
    assert board.trend[0].day == on - days(29)
    assert board.trend[-1].day == on
    assert trend[on].disbursed == D("1000.00")
    assert trend[on - days(5)].disbursed == D("2000.00")
    assert trend[on - days(20)].disbursed == D("3000.00")
    assert trend[on - days(1)].disbursed == D("0.00")
    assert trend[on].received == D("100.00")
    assert trend[on - days(19)].received == D("70.00")
    assert sum(day.received for day in board.trend) == D("220.00")
    # 500 overdue from 29 days ago, 300 overdue until settled 10 days ago, 200 from 3 days.
    assert trend[on - days(29)].overdue == D("800.00")
    assert trend[on - days(11)].overdue == D("800.00")
    assert trend[on - days(10)].overdue == D("500.00")
    assert trend[on - days(4)].overdue == D("500.00")
    assert trend[on - days(3)].overdue == D("700.00")
    assert trend[on].overdue == D("700.00")


def test_an_empty_book_shows_zeros_and_no_ratios(business_date):
    board = dashboard_get(business_date=business_date, now=timezone.now())
    assert board.outstanding_principal == D("0.00")
    assert all(b.loans == 0 and b.share is None and b.par is None for b in board.buckets)
    assert board.face_pass_rate is None
    assert board.last_close is None
    assert [day.overdue for day in board.trend] == [D("0.00")] * 30


def test_the_dashboard_is_the_admins_first_page(admin_client, business_date):
    book = f.hand_built_book(business_date)
    f.close_failed(book.dpd_90, business_date)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dashboard"' in html
    assert '<span id="business-date">2024-05-10</span>' in html
    assert '<p class="figure-big" id="outstanding-principal">¥21,000.00</p>' in html
    assert html.count('<figure class="chart">') == 3
    assert "<polyline" in html
    assert "<rect" in html
    # The queues link to their filtered lists; the app list stays below.
    assert "/admin/closing/closefailure/?resolved_at__isnull=True" in html
    assert "/admin/verification/manualreview/?status__exact=pending" in html
    assert "/admin/repayments/prepaymentapplication/?status__exact=submitted" in html
    assert "/admin/backoffice/overdueloan/" in html
    assert 'id="content-main"' in html
    assert "app-loans" in html
    # The dashboard's own statements and the admin's (session, user, the log).
    assert len(queries) <= 16, [q["sql"] for q in queries]


def test_the_dashboard_grows_no_queries_with_the_book(admin_client, business_date):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    admin_client.get("/admin/")
    with CaptureQueriesContext(connection) as empty:
        admin_client.get("/admin/")
    f.hand_built_book(business_date)
    with CaptureQueriesContext(connection) as full:
        admin_client.get("/admin/")
    assert len(full) == len(empty)


def test_staff_without_the_loans_permission_see_only_the_app_list(client, business_date):
    staff = f.staff_member()
    client.force_login(staff)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert 'id="dashboard"' not in page.content.decode()


def test_the_dashboard_and_the_story_keep_the_content_security_policy(admin_client, business_date):
    from tests.test_production import _HANDLER, _INLINE_SCRIPT, _STYLE

    book = f.hand_built_book(business_date)
    pages = {
        "/admin/": ('id="dashboard"', "</section>"),
        f"/admin/loans/loan/{book.dpd_30.pk}/story/": ('class="story"', "</body>"),
    }
    for url, (start, end) in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        html = response.content.decode()
        assert not _INLINE_SCRIPT.search(html), url
        assert not _HANDLER.search(html), url
        # The charts are styled by class from the static sheet, never inline.
        ours = html[html.index(start) : html.index(end)]
        assert not _STYLE.search(ours), url
