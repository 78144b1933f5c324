"""The borrower's real-name profile: completing it, changing the mobile number, replacing
the bank card.

Completing the profile is also the moment the credit line is decided; that is a lending
rule, so it belongs to `loans`: `loans.services.borrower_profile_submit` saves the profile
through `borrower_profile_save` here and grants the line in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import identity
from accounts.exceptions import FieldConflict, FieldError, FieldErrorCollector
from accounts.models import AgreementAcceptance, BorrowerProfile, SecurityEvent, User
from accounts.services.agreements import agreements_record
from accounts.services.events import ensure_borrower, security_event_record
from common.exceptions import Conflict
from common.request_context import ClientContext


@dataclass(frozen=True)
class _Cleaned:
    """The given fields, checked and normalised; None where nothing was given."""

    full_name: str | None
    id_number: str | None
    birth_date: dt.date | None
    phone: str | None
    bank_card_number: str | None
    bank_name: str | None


def _clean(
    *,
    full_name: str | None,
    id_number: str | None,
    phone: str | None,
    bank_card_number: str | None,
    bank_name: str | None,
    business_date: dt.date,
    errors: FieldErrorCollector,
) -> _Cleaned:
    """Each given field checked on its own; every error goes to `errors`."""
    birth_date = None
    if id_number is not None:
        id_number, birth_date = errors.check(
            lambda: identity.id_number_clean(id_number, business_date=business_date)
        ) or (None, None)
    return _Cleaned(
        full_name=errors.check(lambda: identity.full_name_clean(full_name))
        if full_name is not None
        else None,
        id_number=id_number,
        birth_date=birth_date,
        phone=errors.check(lambda: identity.phone_clean(phone)) if phone is not None else None,
        bank_card_number=(
            errors.check(lambda: identity.bank_card_clean(bank_card_number))
            if bank_card_number is not None
            else None
        ),
        bank_name=errors.check(lambda: identity.bank_name_clean(bank_name))
        if bank_name is not None
        else None,
    )


def _completion_missing(
    *,
    user: User,
    full_name: str | None,
    id_number: str | None,
    phone: str | None,
    bank_card_number: str | None,
    bank_name: str | None,
    credit_report_authorised: bool,
    errors: FieldErrorCollector,
) -> None:
    """What a completion lacks: fields not given at all, and the authorisation."""
    required = {
        "full_name": (full_name, _("Enter your full name.")),
        "id_number": (id_number, _("Enter your ID number.")),
        "phone": (
            phone if phone is not None else (user.phone or None),
            _("Enter your mobile number."),
        ),
        "bank_card_number": (bank_card_number, _("Enter your bank card number.")),
        "bank_name": (bank_name, _("Enter the name of the bank that issued the card.")),
    }
    for field, (value, message) in required.items():
        if value is None:
            errors.add(FieldError(message, f"{field}_required", field=field))
    if not credit_report_authorised:
        errors.add(
            FieldError(
                _(
                    "Read and accept the credit-report authorisation: your credit line is "
                    "decided on it."
                ),
                "credit_report_not_authorised",
                field="credit_report",
            )
        )


def _required(value: str | None, *, field: str, message: str) -> str:
    if not value:
        raise FieldError(message, f"{field}_required", field=field)
    return value


def _id_number_taken_error() -> FieldConflict:
    return FieldConflict(
        _("This ID number is already registered to another account."),
        "id_number_taken",
        field="id_number",
    )


def _phone_taken_error() -> FieldConflict:
    return FieldConflict(
        _("This mobile number belongs to another account."), "phone_taken", field="phone"
    )


def _phone_taken(*, user: User, phone: str) -> bool:
    return User.objects.filter(Q(phone=phone) | Q(username=phone)).exclude(pk=user.pk).exists()


def _phone_set(*, user: User, phone: str, context: ClientContext, now: dt.datetime) -> bool:
    """Give the (locked) user this mobile number; a change of an existing number is a
    security event. A borrower who signed up with their number signs in with the new one
    from now on. Returns whether anything changed."""
    if phone == user.phone:
        return False
    if _phone_taken(user=user, phone=phone):
        raise _phone_taken_error()
    old = user.phone
    fields = ["phone"]
    if old and user.username == old:
        user.username = phone
        fields.append("username")
    user.phone = phone
    user.save(update_fields=fields)
    if old:
        security_event_record(
            user=user,
            kind=SecurityEvent.Kind.PHONE_CHANGED,
            context=context,
            now=now,
            detail=f"{identity.phone_mask(old)} → {identity.phone_mask(phone)}",
        )
    return True


def _bank_card_set(
    *,
    profile: BorrowerProfile,
    number: str,
    bank_name: str | None,
    context: ClientContext,
    now: dt.datetime,
) -> bool:
    """Replace the card (a security event) and/or correct the bank's name."""
    changed = False
    if number != profile.bank_card_number:
        old_mask = profile.bank_card_masked
        profile.bank_card_number = number
        profile.bank_card_masked = identity.bank_card_mask(number)
        security_event_record(
            user=profile.user,
            kind=SecurityEvent.Kind.BANK_CARD_CHANGED,
            context=context,
            now=now,
            detail=f"{old_mask} → {profile.bank_card_masked}",
        )
        changed = True
    if bank_name is not None and bank_name != profile.bank_name:
        profile.bank_name = bank_name
        changed = True
    return changed


def _profile_history_save(profile: BorrowerProfile, *, now: dt.datetime, reason: str) -> None:
    profile.updated_at = now
    profile._history_date = now  # type: ignore[attr-defined]
    profile._change_reason = reason  # type: ignore[attr-defined]
    profile.save()


def _complete(
    *,
    user: User,
    given: _Cleaned,
    business_date: dt.date,
    context: ClientContext,
    now: dt.datetime,
    on_completed: Callable[[BorrowerProfile], object] | None,
) -> BorrowerProfile:
    full_name = _required(given.full_name, field="full_name", message=_("Enter your full name."))
    id_number = _required(given.id_number, field="id_number", message=_("Enter your ID number."))
    card = _required(
        given.bank_card_number,
        field="bank_card_number",
        message=_("Enter your bank card number."),
    )
    bank_name = _required(
        given.bank_name,
        field="bank_name",
        message=_("Enter the name of the bank that issued the card."),
    )
    phone = _required(
        given.phone or user.phone, field="phone", message=_("Enter your mobile number.")
    )
    assert given.birth_date is not None  # set with the ID number
    if BorrowerProfile.objects.filter(
        id_number_digest__in=identity.id_number_digests(id_number)
    ).exists():
        raise _id_number_taken_error()
    _phone_set(user=user, phone=phone, context=context, now=now)
    profile = BorrowerProfile(
        user=user,
        full_name=full_name,
        id_number=id_number,
        id_number_digest=identity.id_number_digest(id_number),
        id_number_masked=identity.id_number_mask(id_number),
        birth_date=given.birth_date,
        bank_card_number=card,
        bank_card_masked=identity.bank_card_mask(card),
        bank_name=bank_name,
        completed_at=now,
    )
    _profile_history_save(profile, now=now, reason="completed")
    if on_completed is not None:
        on_completed(profile)
    return profile


def _edit(
    *, profile: BorrowerProfile, given: _Cleaned, context: ClientContext, now: dt.datetime
) -> BorrowerProfile:
    locked = _("Your name and ID number cannot be changed once your profile is complete.")
    if given.full_name is not None and given.full_name != profile.full_name:
        raise FieldConflict(locked, "identity_locked", field="full_name")
    if given.id_number is not None and profile.id_number_digest not in (
        identity.id_number_digests(given.id_number)
    ):
        raise FieldConflict(locked, "identity_locked", field="id_number")
    if given.phone is not None:
        _phone_set(user=profile.user, phone=given.phone, context=context, now=now)
    changed = False
    if given.bank_card_number is not None:
        changed = _bank_card_set(
            profile=profile,
            number=given.bank_card_number,
            bank_name=given.bank_name,
            context=context,
            now=now,
        )
    elif given.bank_name is not None and given.bank_name != profile.bank_name:
        profile.bank_name = given.bank_name
        changed = True
    if changed:
        _profile_history_save(profile, now=now, reason="edited")
    return profile


def _conflict_after_race(*, user: User, given: _Cleaned) -> FieldConflict | None:
    """What a unique constraint refused, once the other transaction has committed."""
    if (
        given.id_number
        and BorrowerProfile.objects.filter(
            id_number_digest__in=identity.id_number_digests(given.id_number)
        )
        .exclude(user=user)
        .exists()
    ):
        return _id_number_taken_error()
    if given.phone and _phone_taken(user=user, phone=given.phone):
        return _phone_taken_error()
    return None


def borrower_profile_save(
    *,
    user: User,
    business_date: dt.date,
    now: dt.datetime,
    context: ClientContext,
    full_name: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    bank_card_number: str | None = None,
    bank_name: str | None = None,
    credit_report_authorised: bool = False,
    language: str = "",
    on_completed: Callable[[BorrowerProfile], object] | None = None,
) -> BorrowerProfile:
    """Complete the borrower's real-name profile, or edit it. A field left as None is not
    changed. Every wrong field is reported at once (`FieldErrors`).

    Completing needs every field (the mobile number may already be on the account) and
    the credit-report authorisation (`credit_report_authorised`; its current version is
    recorded, in `language`); the ID number must be valid and the borrower 18-70 years old
    on `business_date`.
    `on_completed` is called with the new profile inside this save's transaction when the
    save completes the profile (never on an edit): whatever it writes commits or rolls
    back with the profile. Borrower-facing completion goes through
    `loans.services.borrower_profile_submit`, which passes the credit-line grant here, so
    a profile is never complete without the decision on its line.

    Once complete, the name and ID number are fixed (giving the same values again is
    fine); a new mobile number or bank card is recorded as a security event."""
    ensure_borrower(user)
    errors = FieldErrorCollector()
    given = _clean(
        full_name=full_name,
        id_number=id_number,
        phone=phone,
        bank_card_number=bank_card_number,
        bank_name=bank_name,
        business_date=business_date,
        errors=errors,
    )
    if not BorrowerProfile.objects.filter(user=user).exists():
        _completion_missing(
            user=user,
            full_name=full_name,
            id_number=id_number,
            phone=phone,
            bank_card_number=bank_card_number,
            bank_name=bank_name,
            credit_report_authorised=credit_report_authorised,
            errors=errors,
        )
    errors.raise_any()
    try:
        with transaction.atomic(durable=True):
            locked_user = User.objects.select_for_update().get(pk=user.pk)
            profile = BorrowerProfile.objects.select_for_update().filter(user=locked_user).first()
            if profile is None:
                profile = _complete(
                    user=locked_user,
                    given=given,
                    business_date=business_date,
                    context=context,
                    now=now,
                    on_completed=on_completed,
                )
                agreements_record(
                    user=locked_user,
                    documents=[AgreementAcceptance.Document.CREDIT_REPORT],
                    language=language,
                    context=context,
                    now=now,
                )
            else:
                profile.user = locked_user
                profile = _edit(profile=profile, given=given, context=context, now=now)
    except IntegrityError:
        conflict = _conflict_after_race(user=user, given=given)
        if conflict is None:
            raise
        raise conflict from None
    user.phone, user.username = locked_user.phone, locked_user.username
    return profile


def borrower_bank_card_change(
    *,
    user: User,
    bank_card_number: str,
    bank_name: str,
    context: ClientContext,
    now: dt.datetime,
) -> BorrowerProfile:
    """Bind a new bank card (repayments are collected from it). A security event."""
    ensure_borrower(user)
    number = identity.bank_card_clean(bank_card_number)
    name = identity.bank_name_clean(bank_name)
    with transaction.atomic(durable=True):
        profile = (
            BorrowerProfile.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user=user)
            .first()
        )
        if profile is None:
            raise Conflict(
                _("Complete your profile before changing the bank card."), "profile_incomplete"
            )
        if _bank_card_set(profile=profile, number=number, bank_name=name, context=context, now=now):
            _profile_history_save(profile, now=now, reason="bank card changed")
    return profile
