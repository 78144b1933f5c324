"""What a borrower reads about their applications, in their language. A refusal is stored
with a stable code and a reason written for staff (in the language of the moment it
happened); the borrower pages show the sentence of its code instead."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REFUSAL_REASONS: dict[str, Promise] = {
    "face_check_failed": _(
        "The face check did not pass in the attempts allowed, so this application was "
        "refused this time. You can apply again later."
    ),
    "manual_review_rejected": _(
        "Our staff could not confirm your identity, so this application was refused."
    ),
    "refused_by_staff": _("Our staff refused this application."),
    "product_not_offered": _("The product was no longer offered when the loan was to be paid out."),
    "borrower_inactive": _("Your account is closed."),
    "profile_incomplete": _("There was no bank card to pay the loan out to."),
    "credit_line_inactive": _("Your credit line was no longer active."),
    "amount_above_available": _(
        "There was not enough available credit left when the loan was to be paid out."
    ),
    "too_many_open_loans": _("You already had the most open loans this product allows."),
    "rate_above_cap": _("The loan could not be priced within the annualized-rate cap."),
}
REFUSAL_FALLBACK = _("This application was refused.")


def refusal_reason(code: str) -> str:
    """The borrower's sentence for a refusal code."""
    return str(REFUSAL_REASONS.get(code, REFUSAL_FALLBACK))


# Service error codes of a draw, and the apply-form field each is about.
ERROR_FIELDS: dict[str, str] = {
    "amount_invalid": "amount",
    "amount_below_minimum": "amount",
    "amount_not_a_multiple": "amount",
    "amount_above_maximum": "amount",
    "amount_above_available": "amount",
    "term_not_offered": "term",
    "method_not_offered": "method",
    "product_not_offered": "product",
    "contract_not_accepted": "accept",
    "contract_changed": "accept",
}
