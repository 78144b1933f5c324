"""Form fields shared by the borrower pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.inputs import DecimalInputError, decimal_parse
from common.money import MONEY_MAX_DIGITS


class DecimalInputField(forms.Field):
    """An amount typed on a page, read by the same rules as the API
    (`common.inputs.decimal_parse`): ASCII digits, at most two places. Django's own
    `DecimalField` would accept full-width digits, underscores and exponents."""

    # The calculator's messages for the same refusals (already translated).
    default_error_messages = {
        "invalid": _("Enter the amount as a number, e.g. 10000 or 10000.50."),
        "too_many_places": _("The amount can have at most two decimal places."),
        "too_large": _("That amount is larger than we can lend."),
        "not_positive": _("The amount must be greater than zero."),
    }

    def __init__(
        self, *, places: int = 2, max_digits: int = MONEY_MAX_DIGITS, **kwargs: Any
    ) -> None:
        self.places = places
        self.max_digits = max_digits
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        try:
            result = decimal_parse(value, places=self.places, max_digits=self.max_digits)
        except DecimalInputError as exc:
            if exc.code == "too_many_places":
                raise forms.ValidationError(
                    self.error_messages["too_many_places"], code="too_many_places"
                ) from None
            if exc.code == "too_many_digits":
                raise forms.ValidationError(
                    self.error_messages["too_large"], code="too_large"
                ) from None
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result <= 0:
            raise forms.ValidationError(self.error_messages["not_positive"], code="not_positive")
        return result
