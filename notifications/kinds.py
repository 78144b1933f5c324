"""What each kind of notice says. The texts are translated when they are shown (the
in-app list, in the reader's language) or sent (e-mail and text message, in the
borrower's language), from the facts stored with the notice.

A kind's facts are strings: amounts as decimal strings (`amount`, shown as ¥1,234.50),
dates as YYYY-MM-DD (`date`), a masked card (`card`), a reason written by staff
(`reason`). A missing fact is shown as a dash, never an error."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from common.templatetags.money import yuan
from notifications.models import Notification

Kind = Notification.Kind


@dataclass(frozen=True)
class KindText:
    title: Promise
    body: Promise


TEXTS: dict[str, KindText] = {
    Kind.FACE_CHECK_NEEDED: KindText(
        _("Face check needed"),
        _(
            "Your application for %(amount)s needs a quick face check before we can pay it "
            "out. It takes under a minute."
        ),
    ),
    Kind.APPLICATION_APPROVED: KindText(
        _("Application approved"),
        _("Your application for %(amount)s was approved. We are paying it out to your bank card."),
    ),
    Kind.APPLICATION_REFUSED: KindText(
        _("Application not approved"),
        _("Your application for %(amount)s was not approved. Open it to see why."),
    ),
    Kind.APPLICATION_EXPIRED: KindText(
        _("Application expired"),
        _(
            "Your application for %(amount)s expired because the face check was not done in "
            "time. You can apply again at any time."
        ),
    ),
    Kind.LOAN_DISBURSED: KindText(
        _("Loan paid out"),
        _("Your loan of %(amount)s is approved and is being paid to your bank card %(card)s."),
    ),
    Kind.PAYOUT_FAILED: KindText(
        _("Payout failed"),
        _(
            "We could not pay %(amount)s to your bank card %(card)s, so the loan was "
            "cancelled and you owe nothing. Check your card and apply again."
        ),
    ),
    Kind.PREPAYMENT_APPROVED: KindText(
        _("Prepayment approved"),
        _(
            "Your prepayment application of %(amount)s was approved. It will be collected "
            "from your bank card on %(date)s."
        ),
    ),
    Kind.PREPAYMENT_REJECTED: KindText(
        _("Prepayment not approved"),
        _("Your prepayment application of %(amount)s was not approved. Reason: %(reason)s"),
    ),
    Kind.REPAYMENT_DUE_SOON: KindText(
        _("Repayment due soon"),
        _(
            "%(amount)s is due on %(date)s. It will be collected from your bank card "
            "%(card)s on that day."
        ),
    ),
    Kind.REPAYMENT_DUE_TODAY: KindText(
        _("Repayment due today"),
        _("%(amount)s is due today (%(date)s) and will be collected from your bank card %(card)s."),
    ),
    Kind.REPAYMENT_OVERDUE: KindText(
        _("Repayment overdue"),
        _(
            "%(amount)s due on %(date)s is overdue. Penalty interest is charged until it is "
            "paid: please repay now."
        ),
    ),
}


class _Facts(dict[str, str]):
    """Facts for %-formatting: amounts as money, anything missing as a dash."""

    def __missing__(self, key: str) -> str:
        return "–"


def _shown(key: str, value: Any) -> str:
    text = str(value)
    if key == "amount" or key.endswith("_amount"):
        try:
            return yuan(Decimal(text))
        except (InvalidOperation, ValueError):
            return "–"
    return text


@dataclass(frozen=True)
class RenderedNotice:
    title: str
    body: str


def notice_render(notification: Notification, *, language: str | None = None) -> RenderedNotice:
    """The notice's title and text, in `language` (the active language when None)."""
    text = TEXTS[notification.kind]
    context = notification.context if isinstance(notification.context, dict) else {}
    facts = _Facts({str(k): _shown(str(k), v) for k, v in context.items()})
    if language is None:
        return RenderedNotice(str(text.title), str(text.body) % facts)
    with override(language):
        return RenderedNotice(str(text.title), str(text.body) % facts)
