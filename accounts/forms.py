"""Page forms. They check what a form can (required fields, the two passwords match);
every business rule is in the services, whose errors the views put next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.exceptions import field_errors
from common.exceptions import DomainError


class SensitiveInput(forms.TextInput):
    """A text input for an ID or card number. A form with an error gives back what the
    borrower typed (so they fix one character instead of typing 18 again), on a page that
    is never cached; a stored number is never put into it (the pages show masks)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})


def _attrs(**attrs: Any) -> dict[str, Any]:
    return {key.replace("_", "-"): value for key, value in attrs.items()}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's errors (all of them, for `FieldErrors`) next to their fields, or
    above the form."""
    for field, message in field_errors(exc):
        form.add_error(field if field in form.fields else None, message)


def _agree_field(label: Any) -> forms.BooleanField:
    # Not required by the form: the service refuses without it, together with every
    # other error, so the borrower sees all of them at once.
    return forms.BooleanField(label=label, required=False)


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs=_attrs(inputmode="numeric", autocomplete="one-time-code", pattern="[0-9]*")
        ),
    )


class SignupForm(forms.Form):
    """The fields are not required here: the sign-up service checks them all at once and
    says what each lacks."""

    identifier = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs=_attrs(autocomplete="username", autocapitalize="none")),
        help_text=_("A mainland mobile number (11 digits) or an e-mail address."),
    )
    code = _code_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )
    agreements = _agree_field(
        _("I have read and accept the user agreement and the privacy policy.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_confirm") != data["password"]:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return data


class PhoneCodeForm(forms.Form):
    """Asking for a code (the "Send code" button of the sign-up and reset pages)."""

    phone = forms.CharField(max_length=32, required=False)


class PasswordResetByPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs=_attrs(type="tel", inputmode="tel", autocomplete="tel")),
    )
    code = _code_field()
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )
    new_password_confirm = forms.CharField(
        label=_("New password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_confirm") != data["new_password"]:
            self.add_error("new_password_confirm", _("The two passwords do not match."))
        return data


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(
            attrs=_attrs(autocomplete="username", autocapitalize="none", autofocus="")
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="current-password")),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="current-password")),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )
    new_password_confirm = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_confirm") != data["new_password"]:
            self.add_error("new_password_confirm", _("The two passwords do not match."))
        return data


def _phone_field(*, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=required,
        widget=forms.TextInput(attrs=_attrs(type="tel", inputmode="tel", autocomplete="tel")),
    )


def _card_fields(*, required: bool = True) -> tuple[forms.CharField, forms.CharField]:
    number = forms.CharField(
        label=_("Bank card number"),
        max_length=30,
        required=required,
        widget=SensitiveInput(attrs=_attrs(inputmode="numeric")),
        help_text=_("16 to 19 digits. Repayments are collected from this card."),
    )
    bank = forms.CharField(
        label=_("Bank"),
        max_length=64,
        required=required,
        widget=forms.TextInput(attrs=_attrs(placeholder=_("e.g. China Merchants Bank"))),
    )
    return number, bank


class ProfileCompleteForm(forms.Form):
    """Not required here: the profile service checks every field at once."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=_attrs(autocomplete="name")),
        help_text=_("As on your ID card."),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        widget=SensitiveInput(attrs=_attrs(autocapitalize="characters")),
        help_text=_("18 characters. Stored encrypted; we only ever show it masked."),
    )
    phone = _phone_field(required=False)
    bank_card_number, bank_name = _card_fields(required=False)
    credit_report = _agree_field(_("I have read and accept the credit-report authorisation."))


class PhoneForm(forms.Form):
    phone = _phone_field()


class BankCardForm(forms.Form):
    bank_card_number, bank_name = _card_fields()


class BiometricConsentForm(forms.Form):
    text_version = forms.CharField(
        widget=forms.HiddenInput, initial=BIOMETRIC_CONSENT_VERSION, max_length=32
    )
    agree = forms.BooleanField(
        label=_("I have read the text above and agree to face recognition."),
        error_messages={"required": _("Tick the box to give your consent.")},
    )
