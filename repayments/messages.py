"""What a borrower reads when a repayment service says no, in their language. The services
raise a stable code with a detail written for the API; the pages show the sentence of its
code instead (with the figure the detail names, where there is one)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError
from repayments.documents import DocumentRefused

# Codes whose sentence is fixed. The prepayment rules are translated by their service
# (repayments.services.prepayments) and shown as they come.
ERROR_SENTENCES: dict[str, Promise] = {
    "amount_invalid": gettext_lazy("Enter an amount in yuan with at most two decimals."),
    "loan_not_active": gettext_lazy("This loan is not open: there is nothing to pay."),
    "profile_incomplete": gettext_lazy("Bind a bank card in your profile before you pay."),
    "idempotency_key_reused": gettext_lazy(
        "This form was already sent with other figures. Open the page again and retry."
    ),
    "idempotency_key_invalid": gettext_lazy("This form has expired. Open the page again."),
    "request_in_progress": gettext_lazy(
        "Your previous request is still being processed. Wait a moment and open the page again."
    ),
    "payoff_not_micro": gettext_lazy(
        "A bank loan is prepaid through a written application, not paid off here."
    ),
    "payoff_same_day": gettext_lazy("A draw can be paid off from the day after it was drawn."),
    "payoff_date_not_today": gettext_lazy("A payoff is quoted for today only."),
    "close_of_business_running": gettext_lazy(
        "The day is being closed. Wait a minute and try again: nothing was charged."
    ),
    "prepayment_in_progress": gettext_lazy(
        "This loan already has a prepayment application in progress."
    ),
    "document_empty": gettext_lazy("The file is empty."),
    "document_too_large": gettext_lazy("The file is too large."),
    "document_not_image_or_pdf": gettext_lazy(
        "Send a photo (JPEG or PNG) or a PDF of the document."
    ),
    "pdf_encrypted": gettext_lazy(
        "The PDF is encrypted or password-protected: send it without a password."
    ),
    "pdf_pages": gettext_lazy("The PDF has too many pages."),
    "pdf_unreadable": gettext_lazy("The PDF could not be read."),
    "pdf_active_content": gettext_lazy("The PDF holds active content; send a plain scan."),
}
DOCUMENT_FALLBACK = gettext_lazy(
    "This file cannot be accepted: send a clear photo (JPEG or PNG) or a PDF of the document."
)


def error_text(exc: DomainError, *, figure: Decimal | None = None) -> str:
    """The borrower's sentence for a refusal. `figure` is the amount a sentence names (the
    most that can be paid, today's payoff, what is held)."""
    code = exc.code
    if code == "amount_above_owed" and figure is not None:
        return _("That is more than this loan could still owe (%(limit)s).") % {"limit": figure}
    if code == "payoff_amount_mismatch" and figure is not None:
        return _(
            "A payoff pays the whole draw: %(total)s today. Part of a draw cannot be paid off "
            "early; pay what is due instead."
        ) % {"total": figure}
    if code == "amount_above_held" and figure is not None:
        return _("Only %(held)s is held for this loan.") % {"held": figure}
    if code in ERROR_SENTENCES:
        return str(ERROR_SENTENCES[code])
    if isinstance(exc, DocumentRefused):
        return str(DOCUMENT_FALLBACK)
    # The prepayment rules and anything else already speak the borrower's language.
    return exc.detail
