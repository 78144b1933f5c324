"""Exports of the admin's lists (common/exports.py, common/admin_exports.py): a short list
in the request through django-import-export, a long one as a background export streamed to
the private store and downloaded by who asked; both honour the list's filter, and the XLSX
writer starts a new sheet at the sheet row limit."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import COLLECTIONS, FINANCE
from common import private_files
from common.exports import csv_write, export_files_purge, export_job_run, xlsx_write
from common.models import BusinessCalendar, ExportJob
from repayments.models import CreditReportRecord, OverdueRecord
from tests.accounts.factories import UserFactory
from tests.repayments.factories import bank_borrower, bank_product, disbursed_loan

pytestmark = pytest.mark.django_db

CONTRACT = dt.date(2024, 1, 15)


def member(role):
    user = UserFactory.create(is_staff=True)
    user.groups.add(Group.objects.get(name=role.name))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return user, client


@pytest.fixture
def loans(db):
    BusinessCalendar.objects.filter(pk=1).update(current_date=CONTRACT)
    first = bank_product()
    second = bank_product(code="bank-43", name="另一种贷款", name_en="Another loan")
    made = [
        disbursed_loan(
            bank_borrower(CONTRACT),
            product,
            amount=amount,
            term=24,
            method="equal_installment",
            on=CONTRACT,
        )
        for product, amount in ((first, "20000"), (first, "30000"), (second, "40000"))
    ]
    return first, made


def sheet_rows(data: bytes):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook
    }


def test_the_xlsx_writer_starts_a_new_sheet_at_the_row_limit(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = ([n, f"row {n}"] for n in range(1, 6))  # a generator: read once, as it comes
    written, sheets = xlsx_write(path, ["n", "text"], rows, sheet_row_limit=3, sheet_title="L")
    assert (written, sheets) == (5, 3)
    book = sheet_rows(path.read_bytes())
    assert list(book) == ["L 1", "L 2", "L 3"]
    # Each sheet: the header and at most limit - 1 rows.
    assert book["L 1"] == [["n", "text"], [1, "row 1"], [2, "row 2"]]
    assert book["L 2"] == [["n", "text"], [3, "row 3"], [4, "row 4"]]
    assert book["L 3"] == [["n", "text"], [5, "row 5"]]


def test_an_exact_fit_opens_no_empty_sheet_and_an_empty_list_has_its_header(tmp_path):
    path = tmp_path / "fit.xlsx"
    assert xlsx_write(path, ["n"], ([n] for n in range(4)), sheet_row_limit=3) == (4, 2)
    assert [len(rows) for rows in sheet_rows(path.read_bytes()).values()] == [3, 3]
    empty = tmp_path / "empty.xlsx"
    assert xlsx_write(empty, ["n"], iter(()), sheet_row_limit=3) == (0, 1)
    assert list(sheet_rows(empty.read_bytes()).values()) == [[["n"]]]
    with pytest.raises(ValueError, match="header"):
        xlsx_write(tmp_path / "x.xlsx", ["n"], iter(()), sheet_row_limit=1)


def test_the_csv_writer_writes_row_by_row():
    out = io.StringIO()
    assert csv_write(out, ["a", "b"], iter([[1, "x,y"], [2, "z"]])) == 2
    assert out.getvalue().splitlines() == ["a,b", '1,"x,y"', "2,z"]


def test_a_short_list_is_exported_in_the_request_with_its_filter(loans):
    product, made = loans
    _, client = member(FINANCE)
    url = reverse("admin:loans_loan_export") + f"?product__id__exact={product.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "0"})  # CSV
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["public id", "borrower", "product"]
    exported = {row[0] for row in rows[1:]}
    assert exported == {str(loan.public_id) for loan in made[:2]}
    assert ExportJob.objects.count() == 0


def test_an_export_needs_the_permission_and_the_lists_view():
    _, collections = member(COLLECTIONS)
    assert collections.get(reverse("admin:loans_loan_export")).status_code == 403
    # Collections see the overdue list but may not export it.
    assert collections.get(reverse("admin:repayments_overduerecord_changelist")).status_code == 200
    assert collections.get(reverse("admin:repayments_overduerecord_export")).status_code == 403
    assert collections.post(reverse("admin:loans_loan_export"), {"format": "0"}).status_code == 403


def test_overdue_and_credit_report_records_export_with_their_filters(loans):
    _, made = loans
    for loan, settled in ((made[0], None), (made[1], dt.date(2024, 3, 1))):
        row = loan.installments.get(number=1)
        record = OverdueRecord.objects.create(
            loan=loan,
            installment=row,
            borrower=loan.borrower,
            due_date=row.due_date,
            overdue_from=row.due_date + dt.timedelta(days=2),
            principal_overdue=row.principal,
            interest_overdue=row.interest,
            settled_date=settled,
            retain_until=settled and settled + dt.timedelta(days=1825),
            created_at=timezone.now(),
        )
        CreditReportRecord.objects.create(
            overdue_record=record,
            borrower=loan.borrower,
            state="reportable" if settled is None else "pending_notice",
            notified_on=row.due_date + dt.timedelta(days=2),
            report_after=row.due_date + dt.timedelta(days=9),
        )
    _, client = member(FINANCE)
    url = reverse("admin:repayments_overduerecord_export") + "?settled_date__isnull=True"
    response = client.post(url, {"format": "1"})  # XLSX
    assert response.status_code == 200
    (rows,) = sheet_rows(response.content).values()
    assert len(rows) == 2
    assert rows[1][0] == str(made[0].public_id)

    url = reverse("admin:repayments_creditreportrecord_export") + "?state__exact=reportable"
    response = client.post(url, {"format": "0"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Headed and written in the staff's language; only the reportable one.
    assert rows[0][:3] == ["借款人", "逾期记录", "状态"]
    assert [row[1:3] for row in rows[1:]] == [[str(made[0].public_id), "待报送"]]


def test_a_long_list_is_exported_in_the_background_and_downloaded_by_who_asked(
    loans, settings, private_storage, django_capture_on_commit_callbacks
):
    product, made = loans
    settings.MICROLEND = {**settings.MICROLEND, "EXPORT_BACKGROUND_ROWS": 1}
    user, client = member(FINANCE)
    url = reverse("admin:loans_loan_export") + f"?product__id__exact={product.pk}"
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(url, {"format": "1"})
    assert len(queued) == 1  # the task, sent once committed
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:common_exportjob_change", args=[job.pk])
    assert (job.state, job.requested_by, job.file_format) == ("queued", user, "xlsx")
    page = client.get(response["Location"])
    assert page.status_code == 200
    # The page follows the job (static/js/export_progress.js reloads it while it runs).
    assert 'data-export-state="queued"' in page.content.decode()
    assert "js/export_progress.js" in page.content.decode()
    download = reverse("admin:common_exportjob_download", args=[job.pk])
    assert client.get(download).status_code == 404  # not written yet

    job = export_job_run(job_id=job.pk, clock=timezone.now, sheet_row_limit=2)
    assert (job.state, job.rows_done, job.rows_total) == ("done", 2, 2)
    # Stored encrypted: the plain file is nowhere in the store.
    stored = private_files.private_storage().open(job.file_name, "rb").read()
    assert b"PK" not in stored[:4]
    # Running it again changes nothing.
    assert export_job_run(job_id=job.pk, clock=timezone.now).file_name == job.file_name

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="loan-')
    book = sheet_rows(b"".join(response.streaming_content))
    assert len(book) == 2  # one loan per sheet at a limit of 2 rows (the header and one)
    exported = {rows[1][0] for rows in book.values()}
    assert exported == {str(loan.public_id) for loan in made[:2]}

    # Another member of finance neither sees nor downloads it.
    _, other = member(FINANCE)
    assert other.get(download).status_code == 403
    listed = other.get(reverse("admin:common_exportjob_changelist"))
    assert listed.context["cl"].result_count == 0
    mine = client.get(reverse("admin:common_exportjob_changelist"))
    assert mine.context["cl"].result_count == 1
    # Who asked, once their role is taken away, no longer downloads it.
    user.groups.clear()
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=COLLECTIONS.name))
    assert client.get(download).status_code == 403


def test_a_background_export_refused_at_run_time_fails_cleanly(loans, private_storage):
    user, _ = member(COLLECTIONS)
    job = ExportJob.objects.create(
        requested_by=user,
        model_label="loans.loan",
        query={},
        file_format="csv",
        requested_at=timezone.now(),
    )
    job = export_job_run(job_id=job.pk, clock=timezone.now)
    assert job.state == "failed"
    assert job.file_name == ""
    assert "may no longer export" in job.error


def test_a_background_csv_streams_every_row(loans, private_storage):
    _, made = loans
    user, _ = member(FINANCE)
    job = ExportJob.objects.create(
        requested_by=user,
        model_label="loans.loan",
        query={"o": ["1"]},
        file_format="csv",
        language="en",
        requested_at=timezone.now(),
    )
    job = export_job_run(job_id=job.pk, clock=timezone.now, progress_every=1)
    text = b"".join(private_files.file_read_stream(job.file_name)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "public id"
    assert {row[0] for row in rows[1:]} == {str(loan.public_id) for loan in made}
    assert job.rows_done == 3


def test_export_files_are_deleted_after_their_retention(loans, private_storage):
    user, client = member(FINANCE)

    def done_job(asked_at):
        job = ExportJob.objects.create(
            requested_by=user,
            model_label="loans.loan",
            query={},
            file_format="csv",
            requested_at=asked_at,
        )
        return export_job_run(job_id=job.pk, clock=timezone.now)

    now = timezone.now()
    old = done_job(now - dt.timedelta(days=8))
    recent = done_job(now - dt.timedelta(days=1))
    old_file = old.file_name
    assert export_files_purge(before=now - dt.timedelta(days=7)) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, old.file_name) == ("expired", "")
    assert not private_files.private_storage().exists(old_file)
    assert recent.state == "done"
    assert private_files.private_storage().exists(recent.file_name)
    assert client.get(reverse("admin:common_exportjob_download", args=[old.pk])).status_code == 404
    # Again: nothing more to delete.
    assert export_files_purge(before=now - dt.timedelta(days=7)) == 0
