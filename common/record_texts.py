"""Sentences the services store in records for the audit trail (an application event's
reason, a journal transaction's description) are written once, in English, and kept as
written. The back office shows them in the staff's language: `record_text` matches a
stored sentence against the known ones and gives its translation, figures and ids kept;
a sentence it does not know (a reason typed by staff, say) is shown as stored."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RecordSentence:
    pattern: re.Pattern[str]
    text: Promise  # with %(name)s for each named group of the pattern


def sentence(pattern: str, text: Promise) -> RecordSentence:
    return RecordSentence(re.compile(f"^{pattern}$"), text)


_ID = r"[0-9a-f-]{36}"
_ANY = r".+?"

SENTENCES: Sequence[RecordSentence] = (
    # ledger: the funding of the lending capital
    sentence(
        r"Lending capital paid into the settlement account",
        _("Lending capital paid into the settlement account"),
    ),
    # loans: application events and refusals
    sentence(r"Submitted by the borrower\.", _("Submitted by the borrower.")),
    sentence(r"Cancelled by the borrower\.", _("Cancelled by the borrower.")),
    sentence(r"Approved\.", _("Approved.")),
    sentence(
        r"Risk score (?P<score>-?\d+) \(threshold (?P<threshold>\d+)\)\.",
        _("Risk score %(score)s (threshold %(threshold)s)."),
    ),
    sentence(
        r"Passed system review \(risk score (?P<score>-?\d+)\)\.",
        _("Passed system review (risk score %(score)s)."),
    ),
    sentence(
        r"Passed system review after the identity check\.",
        _("Passed system review after the identity check."),
    ),
    sentence(
        r"No face check within (?P<days>\d+) days\.", _("No face check within %(days)s days.")
    ),
    sentence(
        rf"Loan (?P<loan>{_ID}) created; payout to (?P<card>{_ANY}) requested\.",
        _("Loan %(loan)s created; payout to %(card)s requested."),
    ),
    sentence(
        rf"The payout to the bank card failed \((?P<why>{_ANY})\); the loan was cancelled\.",
        _("The payout to the bank card failed (%(why)s); the loan was cancelled."),
    ),
    sentence(r"The product is no longer offered\.", _("The product is no longer offered.")),
    sentence(
        r"The borrower has an overdue installment\.",
        _("The borrower has an overdue installment."),
    ),
    sentence(r"The borrower's account is closed\.", _("The borrower's account is closed.")),
    sentence(
        r"The borrower has no bank card to pay out to\.",
        _("The borrower has no bank card to pay out to."),
    ),
    sentence(r"The credit line is no longer active\.", _("The credit line is no longer active.")),
    sentence(
        r"Not enough available credit \((?P<available>[\d.,]+)\)\.",
        _("Not enough available credit (%(available)s)."),
    ),
    sentence(
        r"(?P<n>\d+) open loans: the most this product allows\.",
        _("%(n)s open loans: the most this product allows."),
    ),
    sentence(
        r"Face check passed \(attempt (?P<n>\d+)\)\.", _("Face check passed (attempt %(n)s).")
    ),
    # loans: why the risk rules fired (loans.risk)
    sentence(r"This is the borrower's first loan\.", _("This is the borrower's first loan.")),
    sentence(
        r"The amount (?P<amount>[\d.]+) is above (?P<limit>[\d.]+)\.",
        _("The amount %(amount)s is above %(limit)s."),
    ),
    sentence(
        r"The request comes from a device this borrower has not used before\.",
        _("The request comes from a device this borrower has not used before."),
    ),
    sentence(
        r"The request comes from a new IP address \((?P<ip>[^)]*)\)\.",
        _("The request comes from a new IP address (%(ip)s)."),
    ),
    sentence(
        r"Security details changed in the last (?P<days>\d+) days \((?P<kinds>[^)]*)\)\.",
        _("Security details changed in the last %(days)s days (%(kinds)s)."),
    ),
    sentence(
        r"(?P<n>\d+) applications in the last (?P<hours>\d+) hours\.",
        _("%(n)s applications in the last %(hours)s hours."),
    ),
    sentence(
        r"Submitted at (?P<time>\d\d:\d\d) local time, "
        r"between (?P<start>\d+):00 and (?P<end>\d+):00\.",
        _("Submitted at %(time)s local time, between %(start)s:00 and %(end)s:00."),
    ),
    sentence(r"Policy: every repeat loan is checked\.", _("Policy: every repeat loan is checked.")),
    # ledger: journal transaction descriptions
    sentence(rf"Disbursement of loan (?P<loan>{_ID})", _("Disbursement of loan %(loan)s")),
    sentence(
        rf"Payout (?P<reference>\S+) to (?P<card>{_ANY})", _("Payout %(reference)s to %(card)s")
    ),
    sentence(rf"Reversal of (?P<key>\S+): (?P<why>{_ANY})", _("Reversal of %(key)s: %(why)s")),
    sentence(
        r"Lending capital paid into the settlement account",
        _("Lending capital paid into the settlement account"),
    ),
    # repayments and the close of business
    sentence(r"Payment (?P<reference>\S+)", _("Payment %(reference)s")),
    sentence(r"Collection (?P<reference>\S+)", _("Collection %(reference)s")),
    sentence(r"Payoff (?P<reference>\S+)", _("Payoff %(reference)s")),
    sentence(r"Prepayment (?P<reference>\S+)", _("Prepayment %(reference)s")),
    sentence(r"Overpayment (?P<reference>\S+)", _("Overpayment applied %(reference)s")),
    sentence(rf"Prepayment fee of loan (?P<loan>{_ID})", _("Prepayment fee of loan %(loan)s")),
    sentence(
        rf"Held overpayment applied to loan (?P<loan>{_ID})",
        _("Held overpayment applied to loan %(loan)s"),
    ),
    sentence(
        rf"Refund (?P<reference>\S+) to (?P<card>{_ANY})", _("Refund %(reference)s to %(card)s")
    ),
    sentence(
        rf"Accrual of loan (?P<loan>{_ID}) from (?P<since>[\d-]+) to (?P<on>[\d-]+)",
        _("Accrual of loan %(loan)s from %(since)s to %(on)s"),
    ),
    sentence(r"Accrual of (?P<day>[\d-]+) \((?P<key>[^)]+)\)", _("Accrual of %(day)s (%(key)s)")),
)


def record_text(text: str) -> str:
    """A stored sentence in the active language (as stored when it is not a known one)."""
    for known in SENTENCES:
        found = known.pattern.match(text or "")
        if found:
            return str(known.text) % found.groupdict()
    return text
