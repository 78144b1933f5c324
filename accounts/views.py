"""Borrower pages of the accounts app: sign up, log in, change the password, and the
profile page (real-name details, mobile number, bank card, biometric consent). Each view
translates the form, makes one service call and shows its errors next to the fields.

Two forms of the profile page post to views of higher apps, because what they do spans
apps: completing the profile grants the credit line (`loans.views.profile`, which also
serves the page), and withdrawing the biometric consent erases the face data
(`verification.views.biometric_consent_withdraw`). Both render the page through
`profile_page` here."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_credentials
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.backends import normalize_identifier
from accounts.consent import (
    BIOMETRIC_CONSENT_VERSION,
    biometric_consent_language,
    biometric_consent_text,
)
from accounts.decorators import borrower_required
from accounts.forms import (
    BankCardForm,
    BiometricConsentForm,
    LoginForm,
    PasswordChangeForm,
    PhoneForm,
    ProfileCompleteForm,
    SignupForm,
    add_domain_error,
)
from accounts.lockout import is_locked_out, lockout_answered, lockout_message, lockout_remaining
from accounts.models import User
from common.exceptions import DomainError
from common.redirects import same_site_path
from common.request_context import client_context
from common.selectors import business_date_get

_BACKEND = "accounts.backends.PhoneOrEmailBackend"


def _borrower(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    return user


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            user = services.user_signup(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # Signing up signs in: record it like any other sign-in.
            services.user_login_record(user=user, context=client_context(request), now=now)
            login(request, user, backend=_BACKEND)
            messages.success(request, _("Welcome! Complete your profile to get a credit line."))
            return redirect("loans:profile")
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        identifier = normalize_identifier(form.cleaned_data["identifier"])
        user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
        if is_locked_out(request):
            lockout_answered(request)
            remaining = lockout_remaining(request, get_credentials(identifier))
            form.add_error(None, lockout_message(remaining))
            status = 429
        elif not isinstance(user, User):
            form.add_error(None, _("The mobile number, e-mail or password is not correct."))
        else:
            try:
                services.user_login_record(
                    user=user, context=client_context(request), now=timezone.now()
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status_code
            else:
                login(request, user)
                return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@never_cache
@borrower_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = _borrower(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                context=client_context(request),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("loans:profile")
    return render(request, "accounts/password_change.html", {"form": form})


def profile_page(request: HttpRequest, **forms: Form) -> HttpResponse:
    """The profile page; a form that failed is shown with its errors."""
    user = _borrower(request)
    profile = selectors.borrower_profile_get(user=user)
    language = get_language() or settings.LANGUAGE_CODE
    context: dict[str, Any] = {
        "profile": profile,
        "complete_form": ProfileCompleteForm(initial={"phone": user.phone}),
        "phone_form": PhoneForm(initial={"phone": user.phone}),
        "card_form": BankCardForm(initial={"bank_name": profile.bank_name if profile else ""}),
        "consent_form": BiometricConsentForm(),
        "consent": selectors.biometric_consent_active(user=user),
        "consent_text": biometric_consent_text(language),
        "consent_language": biometric_consent_language(language),
        "consent_version": BIOMETRIC_CONSENT_VERSION,
        # Where giving the consent returns to (the face check the borrower came from).
        "consent_next": same_site_path(request.POST.get("next") or request.GET.get("next")),
        "events": selectors.security_events_recent(user=user, limit=5),
        **forms,
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@borrower_required
def phone_change(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            services.borrower_profile_save(
                user=_borrower(request),
                business_date=business_date_get(),
                now=timezone.now(),
                context=client_context(request),
                phone=form.cleaned_data["phone"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your mobile number has been saved."))
            return redirect("loans:profile")
    return profile_page(request, phone_form=form)


@sensitive_post_parameters("bank_card_number")
@require_POST
@borrower_required
def bank_card_change(request: HttpRequest) -> HttpResponse:
    form = BankCardForm(request.POST)
    if form.is_valid():
        try:
            services.borrower_bank_card_change(
                user=_borrower(request),
                bank_card_number=form.cleaned_data["bank_card_number"],
                bank_name=form.cleaned_data["bank_name"],
                context=client_context(request),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your new bank card is bound."))
            return redirect("loans:profile")
    return profile_page(request, card_form=form)


@require_POST
@borrower_required
def biometric_consent_grant(request: HttpRequest) -> HttpResponse:
    form = BiometricConsentForm(request.POST)
    if form.is_valid():
        try:
            services.biometric_consent_grant(
                user=_borrower(request),
                text_version=form.cleaned_data["text_version"],
                context=client_context(request),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. You have agreed to face recognition."))
            return redirect(same_site_path(request.POST.get("next")) or "loans:profile")
    return profile_page(request, consent_form=form)
