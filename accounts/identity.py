"""Real-name details, checked and masked: pure functions, no database.

- Mainland mobile numbers: 11 digits starting with 1 (spaces, dashes and +86 are dropped
  by `accounts.backends.normalize_identifier`).
- Resident ID numbers (GB 11643-1999): 6 digits of region, 8 of birth date (YYYYMMDD),
  3 of sequence and a check character (0-9 or X) from the ISO 7064 MOD 11-2 checksum.
- Bank card numbers: 16 to 19 digits passing the Luhn check.
- Chinese names: Han characters, with a middle dot (·) between the parts of a name
  transcribed from another language (e.g. 阿依古丽·买买提).

Each check raises `FieldError` naming the field and saying exactly what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.backends import normalize_identifier
from accounts.exceptions import FieldError

# A borrower's age on the business date, in whole years, must lie in this range.
BORROWER_MIN_AGE = 18
BORROWER_MAX_AGE = 70

ID_NUMBER_LENGTH = 18
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"
_ID_FORMAT = re.compile(r"^[0-9]{17}[0-9X]$")
# First two digits of the region code: provinces, autonomous regions and municipalities
# (11-65), and the residence permits for Hong Kong, Macao and Taiwan residents (81-83).
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

_PHONE_FORMAT = re.compile(r"^1[0-9]{10}$")
_CARD_FORMAT = re.compile(r"^[0-9]{16,19}$")
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]"
_NAME_FORMAT = re.compile(rf"^{_HAN}+(·{_HAN}+)*$")
# Dots people type for the middle dot (bullet, katakana middle dot, hyphenation point,
# bullet and dot operators, full-width and ASCII full stops), all read as U+00B7.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("\u2022\u30fb\u2027\u2219\u22c5\uff0e.", "\u00b7"))
NAME_MAX_LENGTH = 30
BANK_NAME_MAX_LENGTH = 64
_DIGEST_SALT = "accounts.BorrowerProfile.id_number_digest"


def is_mainland_mobile(value: str) -> bool:
    """11 digits starting with 1 (after `normalize_identifier`)."""
    return bool(_PHONE_FORMAT.match(value))


def phone_clean(value: str) -> str:
    """The normalised mobile number, or `FieldError` (field `phone`)."""
    phone = normalize_identifier(value or "")
    if not phone:
        raise FieldError(_("Enter your mobile number."), "phone_required", field="phone")
    if not _PHONE_FORMAT.match(phone):
        raise FieldError(
            _("Enter a mainland mobile number: 11 digits starting with 1."),
            "phone_invalid",
            field="phone",
        )
    return phone


def full_name_clean(value: str) -> str:
    """The name as it is on the ID card: Han characters, parts joined by a middle dot."""
    name = re.sub(r"\s+", "", value or "").translate(_MIDDLE_DOTS)
    if not name:
        raise FieldError(_("Enter your full name."), "full_name_required", field="full_name")
    if len(name) < 2 or len(name) > NAME_MAX_LENGTH or not _NAME_FORMAT.match(name):
        raise FieldError(
            _(
                "Enter your name exactly as on your ID card, in Chinese characters "
                "(use · between the parts of a name such as 阿依古丽·买买提)."
            ),
            "full_name_invalid",
            field="full_name",
        )
    return name


def id_number_check_character(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARACTERS[total % 11]


def id_number_birth_date(id_number: str) -> dt.date | None:
    """The birth date written in a resident ID number, or None if it is not a real date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (someone born on 29 February turns a year older on
    1 March in a common year)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def id_number_clean(value: str, *, business_date: dt.date) -> tuple[str, dt.date]:
    """The normalised ID number (upper-case X) and its birth date, or `FieldError` (field
    `id_number`): wrong format, unknown region, impossible or future birth date, wrong
    check character, or an age outside 18-70 on the business date."""
    # Full-width digits (typed with a Chinese input method) are the same number: NFKC
    # makes them ASCII, so one ID number has one digest and one profile.
    id_number = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()
    field = "id_number"
    if not id_number:
        raise FieldError(_("Enter your ID number."), "id_number_required", field=field)
    if not _ID_FORMAT.match(id_number):
        raise FieldError(
            _("An ID number has 18 characters: 17 digits and a last digit or X."),
            "id_number_invalid",
            field=field,
        )
    if int(id_number[:2]) not in _PROVINCE_CODES:
        raise FieldError(
            _("This ID number does not start with a valid region code."),
            "id_number_invalid",
            field=field,
        )
    birth_date = id_number_birth_date(id_number)
    if birth_date is None or birth_date.year < 1900 or birth_date > business_date:
        raise FieldError(
            _("The birth date in this ID number is not a valid date."),
            "id_number_birth_date_invalid",
            field=field,
        )
    if id_number_check_character(id_number[:17]) != id_number[17]:
        raise FieldError(
            _("This ID number is not valid: its last character does not match. Check it."),
            "id_number_checksum",
            field=field,
        )
    age = age_on(birth_date, business_date)
    if age < BORROWER_MIN_AGE:
        raise FieldError(
            _("You must be at least %(age)d years old to borrow.") % {"age": BORROWER_MIN_AGE},
            "borrower_too_young",
            field=field,
        )
    if age > BORROWER_MAX_AGE:
        raise FieldError(
            _("We lend to people aged %(low)d to %(high)d.")
            % {"low": BORROWER_MIN_AGE, "high": BORROWER_MAX_AGE},
            "borrower_too_old",
            field=field,
        )
    return id_number, birth_date


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = int(character)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def bank_card_clean(value: str) -> str:
    """The card number as digits only, or `FieldError` (field `bank_card_number`)."""
    number = re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", value or ""))
    field = "bank_card_number"
    if not number:
        raise FieldError(_("Enter your bank card number."), "bank_card_required", field=field)
    if not _CARD_FORMAT.match(number):
        raise FieldError(
            _("A bank card number has 16 to 19 digits."), "bank_card_invalid", field=field
        )
    if not luhn_valid(number):
        raise FieldError(
            _("This card number is not valid: check the digits."),
            "bank_card_checksum",
            field=field,
        )
    return number


def bank_name_clean(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise FieldError(
            _("Enter the name of the bank that issued the card."),
            "bank_name_required",
            field="bank_name",
        )
    if len(name) > BANK_NAME_MAX_LENGTH:
        raise FieldError(
            _("The bank name can have at most %(n)d characters.") % {"n": BANK_NAME_MAX_LENGTH},
            "bank_name_invalid",
            field="bank_name",
        )
    return name


def id_number_mask(id_number: str) -> str:
    """First 3 and last 4 characters: 110***********123X."""
    return f"{id_number[:3]}{'*' * (len(id_number) - 7)}{id_number[-4:]}"


def bank_card_mask(number: str) -> str:
    """First 4 and last 4 digits: 6222 **** **** 1234."""
    return f"{number[:4]} **** **** {number[-4:]}"


def phone_mask(phone: str) -> str:
    """138****8000, for records others read (security events)."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def id_number_digest(id_number: str, *, secret: str | None = None) -> str:
    """A keyed digest (HMAC-SHA256, key derived from SECRET_KEY) that finds an ID number
    without storing or decrypting it: the same number always gives the same digest, and
    without the key the digest says nothing about the number."""
    return salted_hmac(
        _DIGEST_SALT, id_number, secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def id_number_digests(id_number: str) -> list[str]:
    """The digest under the current SECRET_KEY first, then under each fallback key, so
    uniqueness still holds for rows written before a key rotation."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [id_number_digest(id_number, secret=secret) for secret in secrets]
