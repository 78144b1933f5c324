"""Page forms. They check what a form can (required fields, the two passwords match);
every business rule is in the services, whose errors the views put next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.exceptions import error_field
from common.exceptions import DomainError


class SensitiveInput(forms.TextInput):
    """A text input that never sends its value back to the browser: a page never shows an
    ID or card number, not even the one just typed into a form with an error."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


def _attrs(**attrs: Any) -> dict[str, Any]:
    return {key.replace("_", "-"): value for key, value in attrs.items()}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to its field (or above the form)."""
    field = error_field(exc)
    form.add_error(field if field in form.fields else None, exc.detail)


class SignupForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs=_attrs(autocomplete="username", autocapitalize="none")),
        help_text=_("A mainland mobile number (11 digits) or an e-mail address."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_confirm") != data["password"]:
            self.add_error("password_confirm", _("The two passwords do not match."))
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


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs=_attrs(type="tel", inputmode="tel", autocomplete="tel")),
    )


def _card_fields() -> tuple[forms.CharField, forms.CharField]:
    number = forms.CharField(
        label=_("Bank card number"),
        max_length=30,
        widget=SensitiveInput(attrs=_attrs(inputmode="numeric", autocomplete="off")),
        help_text=_("16 to 19 digits. Repayments are collected from this card."),
    )
    bank = forms.CharField(
        label=_("Bank"),
        max_length=64,
        widget=forms.TextInput(attrs=_attrs(placeholder=_("e.g. China Merchants Bank"))),
    )
    return number, bank


class ProfileCompleteForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=40,
        widget=forms.TextInput(attrs=_attrs(autocomplete="name")),
        help_text=_("As on your ID card."),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=SensitiveInput(attrs=_attrs(autocomplete="off", autocapitalize="characters")),
        help_text=_("18 characters. Stored encrypted; we only ever show it masked."),
    )
    phone = _phone_field()
    bank_card_number, bank_name = _card_fields()


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
