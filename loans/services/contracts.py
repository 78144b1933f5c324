"""The loan contract (DOMAIN.md §2): its text, built from the terms the borrower would
accept and the schedule of a draw paid out today, shown before the application is
submitted and stored, exactly as shown, with the submission (`LoanContract`).

The text is versioned by `LOAN_CONTRACT_VERSION` (the template
`loans/contract/loan_contract.txt`); a change of its wording needs a new version. Its
digest lets a client prove it showed the very text being accepted."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import BorrowerProfile, User
from common.templatetags.money import percent, yuan
from loans.models import (
    AllocationTarget,
    ContractTerms,
    CreditLine,
    LoanProduct,
    Method,
    PrepaymentFeeKind,
    ProductKind,
)
from loans.schedule import Schedule
from loans.services.quotes import loan_quote

LOAN_CONTRACT_VERSION = "2026-12-01"
_TEMPLATE = "loans/contract/loan_contract.txt"


@dataclass(frozen=True)
class ContractText:
    version: str
    language: str
    text: str
    digest: str


@dataclass(frozen=True)
class ContractPreview:
    schedule: Schedule
    contract: ContractText


def contract_language(language_code: str | None) -> str:
    """The language a contract is written in: English if the borrower reads English."""
    return "en" if (language_code or "").startswith("en") else "zh-hans"


def contract_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fee_text(terms: ContractTerms) -> str:
    if terms.prepayment_fee_kind == PrepaymentFeeKind.ONE_MONTH_INTEREST:
        return _("one month's interest on the amount prepaid")
    if terms.prepayment_fee_kind == PrepaymentFeeKind.PERCENT_BY_LOAN_YEAR:
        parts = [
            _("%(pct)s%% in loan year %(year)s") % {"pct": pct, "year": year}
            for year, pct in enumerate(terms.prepayment_fee_percents, start=1)
        ]
        return _("%(parts)s (the last figure for every later year)") % {"parts": "; ".join(parts)}
    return _("none")


def _order_text(terms: ContractTerms, language: str) -> str:
    labels = [str(AllocationTarget(item).label) for item in terms.repayment_allocation_order]
    if language == "en":
        return ", ".join(label.lower() for label in labels)
    return "、".join(labels)


def _clean(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def loan_contract_render(
    *,
    profile: BorrowerProfile,
    product: LoanProduct,
    terms: ContractTerms,
    method: str,
    schedule: Schedule,
    business_date: dt.date,
    language: str,
) -> ContractText:
    """The contract's text for a draw with `schedule` under `terms`, in `language`."""
    language = contract_language(language)
    rate = schedule.rate
    micro = product.kind == ProductKind.MICRO
    daily = rate.value if micro else rate.value / Decimal(360)
    total_interest = sum((row.interest for row in schedule.installments), Decimal("0.00"))
    with translation.override(language):
        context = {
            "version": LOAN_CONTRACT_VERSION,
            "lender": _("microlend"),
            "borrower_name": profile.full_name,
            "borrower_id": profile.id_number_masked,
            "card": profile.bank_card_masked,
            "product": product.display_name(language),
            "amount": yuan(schedule.principal),
            "term": len(schedule.installments),
            "method": str(Method(method).label),
            "daily_rate": percent(rate.value, 3) if micro else "",
            "annual_rate": "" if micro else percent(rate.value, 2),
            "irr": percent(schedule.annualized_rate_irr, 2),
            "simple": percent(schedule.annualized_rate_simple, 2),
            "total_interest": yuan(total_interest),
            "total": yuan(schedule.principal + total_interest),
            "business_date": business_date.isoformat(),
            "installments": [
                {
                    "number": row.number,
                    "due_date": row.due_date,
                    "total_text": yuan(row.principal + row.interest),
                    "principal_text": yuan(row.principal),
                    "interest_text": yuan(row.interest),
                }
                for row in schedule.installments
            ],
            "grace_days": terms.grace_days,
            "penalty_rate": percent(daily * terms.penalty_rate_multiplier, 4),
            "multiplier": f"{terms.penalty_rate_multiplier.normalize():f}",
            "compound": terms.compound_interest_enabled,
            "order": _order_text(terms, language),
            "rounding": (
                _("the fen (0.01)")
                if terms.installment_rounding_unit == Decimal("0.01")
                else yuan(terms.installment_rounding_unit)
            ),
            "micro": micro,
            "min_months": terms.prepayment_min_months,
            "notice_days": terms.prepayment_notice_days,
            "partial_min": yuan(terms.partial_prepayment_min),
            "partial_multiple": (
                yuan(terms.partial_prepayment_multiple) if terms.partial_prepayment_multiple else ""
            ),
            "interval_months": terms.partial_prepayment_interval_months,
            "fee": _fee_text(terms),
        }
        text = _clean(render_to_string(_TEMPLATE, context))
    return ContractText(
        version=LOAN_CONTRACT_VERSION, language=language, text=text, digest=contract_digest(text)
    )


def loan_contract_preview(
    *,
    borrower: User,
    product: LoanProduct,
    amount: Decimal,
    term: int,
    method: str,
    business_date: dt.date,
    language: str | None = None,
) -> ContractPreview:
    """The contract a borrower would accept for this draw today, with its schedule: the
    product rules are checked as on submission (`loan_quote`). Changes nothing."""
    line = CreditLine.objects.filter(borrower=borrower, product=product).first()
    schedule = loan_quote(
        borrower=borrower,
        product=product,
        line=line,
        amount=amount,
        term=term,
        method=method,
        business_date=business_date,
    )
    contract = loan_contract_render(
        profile=BorrowerProfile.objects.get(user=borrower),
        product=product,
        terms=product,
        method=method,
        schedule=schedule,
        business_date=business_date,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    return ContractPreview(schedule=schedule, contract=contract)
