"""What repayment tests start from: a borrower with a disbursed loan whose payout went out,
documents to attach, paying rows on their due dates."""

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from loans.models import CreditLine, Loan, LoanProduct, Method, ProductKind, RiskRule
from loans.services import loan_application_submit, payout_send
from repayments.services import repayment_submit
from repayments.services.prepayments import UploadedDocument
from tests.loans.factories import CLIENT, borrower

D = Decimal


def quiet_risk_rules() -> None:
    """Draws in these tests need no face check: the risk rules are tested elsewhere."""
    RiskRule.objects.filter(code="amount_above_threshold").update(amount=D("100000000.00"))
    RiskRule.objects.filter(code="first_loan").update(enabled=False)


def bank_product(**overrides) -> LoanProduct:
    values = {
        "code": "bank-42",
        "name": "个人分期贷款",
        "name_en": "Personal installment loan",
        "kind": ProductKind.BANK_INSTALLMENT,
        "annual_rate": D("0.042"),
        "term_min": 12,
        "term_max": 360,
        "default_method": Method.EQUAL_INSTALLMENT,
        "credit_limit_min": D("10000.00"),
        "credit_limit_max": D("1000000.00"),
        "min_draw": D("10000.00"),
        "draw_step": D("1000.00"),
        "max_draw": D("1000000.00"),
        "max_open_draws": 1,
        "partial_prepayment_multiple": D("10000.00"),
    }
    values.update(overrides)
    product, _ = LoanProduct.objects.get_or_create(code=values.pop("code"), defaults=values)
    return product


def disbursed_loan(user, product, *, amount, term, method, on, key="draw") -> Loan:
    quiet_risk_rules()
    if product.kind == ProductKind.MICRO:
        CreditLine.objects.filter(borrower=user).update(limit=D("50000.00"), daily_rate=D("0.0005"))
    application = loan_application_submit(
        borrower=user,
        product=product,
        amount=D(amount),
        term=term,
        method=method,
        idempotency_key=key,
        client=CLIENT,
        business_date=on,
        now=timezone.now(),
        terms_accepted=True,
    ).application
    loan = Loan.objects.get(application=application)
    payout_send(payout_id=loan.payout.pk, business_date=on, now=timezone.now())
    return loan


def bank_borrower(on: dt.date):
    return borrower(business_date=on)


def pay_rows_on_their_due_dates(loan: Loan, *, through: int) -> None:
    """Pay installments 1..through, each on its due date, exactly what it owes."""
    for row in loan.installments.filter(number__lte=through).order_by("number"):
        repayment_submit(
            borrower=loan.borrower,
            loan_public_id=loan.public_id,
            amount=row.principal + row.interest,
            idempotency_key=f"row-{row.number}",
            business_date=row.due_date,
            now=timezone.now(),
        )


def jpeg(width=1200, height=800, text="ID") -> bytes:
    image = Image.new("RGB", (width, height), (240, 240, 235))
    ImageDraw.Draw(image).text((40, 40), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def pdf(pages=1, javascript: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        # An opening action that runs a script: what a document must never carry.
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def documents(**replace) -> dict[str, UploadedDocument]:
    files = {
        "contract": UploadedDocument("contract.pdf", pdf(pages=3)),
        "bank_card": UploadedDocument("card.jpg", jpeg(text="card")),
        "statement": UploadedDocument("statement.pdf", pdf()),
        "id_card": UploadedDocument("id.jpg", jpeg(text="id")),
    }
    files.update(replace)
    return files
