"""The borrower's repayment forms. They only read the input (ASCII amounts, a date of the
offered list, the four files); the rules are the services'. Every form that moves money
carries the idempotency key it was rendered with, so sending it twice moves money once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DecimalInputField
from repayments.models import PrepaymentApplication, PrepaymentDocument

KEY_MAX_LENGTH = 64


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH, min_length=8
    )


class PayForm(KeyedForm):
    amount = DecimalInputField(
        label=_("Amount to pay (CNY)"),
        places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PayoffForm(KeyedForm):
    # Today's quote total, as the page showed it (the service checks it is still today's).
    amount = DecimalInputField(places=2, widget=forms.HiddenInput)


class RefundForm(KeyedForm):
    amount = DecimalInputField(
        label=_("Amount to refund (CNY)"),
        places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PrepaymentForm(forms.Form):
    """What a prepayment is: full or partial, on which coming due date, and for a partial
    one how much principal and what happens after (the preview step)."""

    kind = forms.ChoiceField(
        label=_("Prepayment"),
        choices=PrepaymentApplication.Kind.choices,
        widget=forms.RadioSelect,
    )
    requested_date = forms.TypedChoiceField(
        label=_("Repayment date"), coerce=dt.date.fromisoformat, empty_value=None
    )
    principal = DecimalInputField(
        label=_("Principal to prepay (CNY)"),
        places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    option = forms.ChoiceField(
        label=_("After the prepayment"),
        choices=PrepaymentApplication.Option.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH, min_length=8
    )

    def __init__(self, *args: Any, dates: list[tuple[int, dt.date]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["requested_date"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (day.isoformat(), _("%(date)s (installment %(n)s)") % {"date": day, "n": number})
            for number, day in dates
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == PrepaymentApplication.Kind.PARTIAL:
            if data.get("principal") is None and "principal" not in self.errors:
                self.add_error("principal", _("Enter the principal to prepay, in yuan."))
            if not data.get("option"):
                self.add_error("option", _("Choose to keep the term or keep the installment."))
        else:
            data["principal"] = None
            data["option"] = ""
        return data


class PrepaymentDocumentsForm(forms.Form):
    """The four scans of DOMAIN.md §5 (their content is checked by the service)."""

    contract = forms.FileField(label=PrepaymentDocument.Kind.CONTRACT.label)
    bank_card = forms.FileField(label=PrepaymentDocument.Kind.BANK_CARD.label)
    statement = forms.FileField(label=PrepaymentDocument.Kind.STATEMENT.label)
    id_card = forms.FileField(label=PrepaymentDocument.Kind.ID_CARD.label)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"
            field.error_messages["required"] = _("Add this document.")
